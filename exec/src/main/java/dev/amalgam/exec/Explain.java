package dev.amalgam.exec;

import dev.amalgam.exec.plan.PlanNode;
import dev.amalgam.exec.run.AggSpec;
import dev.amalgam.exec.run.OpStats;
import dev.amalgam.exec.run.Pipeline;
import dev.amalgam.exec.run.PipelineProfile;
import dev.amalgam.exec.store.ColumnChunk;
import dev.amalgam.exec.store.RowGroup;
import dev.amalgam.memory.Device;
import dev.amalgam.memory.MemoryStats;
import dev.amalgam.memory.PageInfo;
import dev.amalgam.memory.Region;
import dev.amalgam.memory.Sizes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Text of EXPLAIN (plan with placement, pipelines) and EXPLAIN ANALYZE (the run's profile). */
final class Explain {
  private Explain() {}

  static String plan(PlanNode root, List<Pipeline> pipelines, Engine engine) {
    StringBuilder sb = new StringBuilder();
    sb.append(header(engine));
    sb.append("plan:\n");
    tree(root, 1, sb);
    sb.append("pipelines (run in this order):\n");
    for (Pipeline p : pipelines) {
      sb.append("  ").append(p.id()).append(": ").append(p.source().describe());
      p.ops().forEach(o -> sb.append("\n       -> ").append(o.describe()));
      sb.append("\n       => ").append(p.sink().describe()).append('\n');
    }
    return sb.toString();
  }

  private static String header(Engine engine) {
    StringBuilder sb = new StringBuilder();
    sb.append("fused device ").append(engine.fusedDevice().name()).append(": ");
    int i = 0;
    for (Device d : engine.fusedDevice().members()) {
      sb.append(i++ == 0 ? "" : ", ")
          .append(d.name())
          .append(" (")
          .append(d.simulated() ? "simulated " : "")
          .append(d.kind().name().toLowerCase(Locale.ROOT))
          .append(", ")
          .append(Sizes.bytes(d.capacity()))
          .append(", ")
          .append(engine.workers().get(d.name()))
          .append(" workers)");
    }
    sb.append('\n');
    if (engine.fusedDevice().simulated()) {
      sb.append("(simulated members: their memory is host memory; link times are modeled)\n");
    }
    return sb.toString();
  }

  private static void tree(PlanNode n, int depth, StringBuilder sb) {
    sb.append("  ".repeat(depth)).append(label(n)).append('\n');
    for (PlanNode c : n.inputs()) {
      tree(c, depth + 1, sb);
    }
  }

  private static String label(PlanNode n) {
    return switch (n) {
      case PlanNode.Scan s -> {
        StringBuilder b = new StringBuilder("Scan ").append(s.table().name()).append(' ');
        b.append(s.schema().names());
        if (s.filter() != null) {
          b.append(" filter ").append(s.filter());
        }
        b.append(" | ")
            .append(s.table().rowCount())
            .append(" rows, ")
            .append(s.table().rowGroups().size())
            .append(" row groups, ")
            .append(s.table().placement())
            .append(", resident ")
            .append(residency(s));
        yield b.toString();
      }
      case PlanNode.Values v -> "Values " + v.schema().names() + " | " + v.rows().size() + " rows";
      case PlanNode.Window w -> "Window " + w.spec();
      case PlanNode.Filter f -> "Filter " + f.predicate();
      case PlanNode.Project p -> {
        StringBuilder b = new StringBuilder("Project ");
        for (int i = 0; i < p.exprs().size(); i++) {
          String e = p.exprs().get(i).toString();
          String name = p.schema().field(i).name();
          b.append(i == 0 ? "" : ", ").append(e.equals(name) ? e : e + " AS " + name);
        }
        yield b.toString();
      }
      case PlanNode.Aggregate a -> {
        StringBuilder b = new StringBuilder(a.aggs().isEmpty() ? "Distinct" : "Aggregate");
        if (!a.keys().isEmpty()) {
          b.append(" keys ").append(a.keys());
        }
        for (AggSpec s : a.aggs()) {
          b.append(' ').append(s).append(" AS ").append(s.name());
        }
        yield b.toString();
      }
      case PlanNode.Join j ->
          "Join "
              + j.type()
              + " on "
              + j.leftKeys()
              + " = "
              + j.rightKeys()
              + (j.residual() == null ? "" : " and " + j.residual())
              + " (build: right)";
      case PlanNode.Sort s ->
          (s.limit() == Long.MAX_VALUE ? "Sort " : "TopN " + s.limit() + " ")
              + s.keys().stream().map(k -> k.expr() + (k.ascending() ? " ASC" : " DESC")).toList();
      case PlanNode.Limit l ->
          "Limit " + (l.limit() == Long.MAX_VALUE ? "all" : l.limit()) + " offset " + l.offset();
      case PlanNode.Union u -> "UnionAll";
    };
  }

  /** Where the scanned columns' pages are now: share of pages with a current copy per device. */
  private static String residency(PlanNode.Scan s) {
    Map<String, Long> pages = new LinkedHashMap<>();
    long total = 0;
    for (RowGroup g : s.table().rowGroups()) {
      for (int c : s.columns()) {
        ColumnChunk ch = g.chunks().get(c);
        for (Region r : new Region[] {ch.values(), ch.validity(), ch.data()}) {
          if (r == null) {
            continue;
          }
          for (int i = 0; i < r.pageCount(); i++) {
            PageInfo p = r.page(i);
            total++;
            if (p.current().isEmpty()) {
              pages.merge(p.spilled() ? "spill" : "none", 1L, Long::sum);
            }
            for (String d : p.current()) {
              pages.merge(d, 1L, Long::sum);
            }
          }
        }
      }
    }
    if (total == 0) {
      return "-";
    }
    StringBuilder b = new StringBuilder();
    long t = total;
    pages.forEach(
        (d, k) ->
            b.append(b.isEmpty() ? "" : " ")
                .append(d)
                .append(' ')
                .append(Math.round(100.0 * k / t))
                .append('%'));
    return b.append(" of ").append(total).append(" pages").toString();
  }

  static String analyze(
      PlanNode root,
      List<PipelineProfile> profiles,
      MemoryStats before,
      MemoryStats after,
      long nanos,
      int rows) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "query: %d rows in %.3f ms%n", rows, nanos / 1e6));
    sb.append("plan:\n");
    tree(root, 1, sb);
    for (PipelineProfile p : profiles) {
      sb.append(String.format(Locale.ROOT, "pipeline %d: %.3f ms%n", p.id(), p.wallNanos() / 1e6));
      for (Map.Entry<String, OpStats> e : p.ops()) {
        OpStats s = e.getValue();
        sb.append(
            String.format(
                Locale.ROOT,
                "    %s%n        rows %d -> %d, %.3f ms%n",
                e.getKey(),
                s.rowsIn(),
                s.rowsOut(),
                s.nanos() / 1e6));
      }
      for (String d : p.morsels().keySet()) {
        sb.append(
            String.format(
                Locale.ROOT,
                "    device %-6s %d workers, %d morsels (%d stolen), busy %.3f ms%n",
                d,
                p.workers().getOrDefault(d, 0),
                p.morsels().getOrDefault(d, 0L),
                p.steals().getOrDefault(d, 0L),
                p.busyNanos().getOrDefault(d, 0L) / 1e6));
      }
    }
    sb.append("links (engine-wide during the query; modeled = latency + bytes / bandwidth):\n");
    boolean any = false;
    for (MemoryStats.LinkStats l : after.links()) {
      MemoryStats.LinkStats b = before.link(l.a(), l.b());
      long bytes = l.bytes() - b.bytes();
      if (bytes == 0) {
        continue;
      }
      any = true;
      sb.append(
          String.format(
              Locale.ROOT,
              "    %s<->%s %-10s %s in %d transfers, measured %.3f ms, modeled %.3f ms%n",
              l.a(),
              l.b(),
              l.type(),
              Sizes.bytes(bytes),
              l.transfers() - b.transfers(),
              (l.measuredSeconds() - b.measuredSeconds()) * 1e3,
              (l.modeledSeconds() - b.modeledSeconds()) * 1e3));
    }
    if (!any) {
      sb.append("    no bytes moved\n");
    }
    sb.append("pages:\n");
    for (MemoryStats.DeviceStats d : after.devices()) {
      MemoryStats.DeviceStats b = before.device(d.name());
      sb.append(
          String.format(
              Locale.ROOT,
              "    %-6s faults %d, migrated in %d, replicated %d, prefetched %d, evicted %d"
                  + " (written back %d)%n",
              d.name(),
              d.faults() - b.faults(),
              d.migrationsIn() - b.migrationsIn(),
              d.replications() - b.replications(),
              d.prefetched() - b.prefetched(),
              d.evictions() - b.evictions(),
              d.writeBacks() - b.writeBacks()));
    }
    sb.append(
        String.format(
            Locale.ROOT,
            "    spill file: %d pages written, %d read%n",
            after.spill().writes() - before.spill().writes(),
            after.spill().reads() - before.spill().reads()));
    return sb.toString();
  }
}
