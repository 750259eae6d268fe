package dev.amalgam.jupyter;

import dev.amalgam.memory.MemoryStats;
import dev.amalgam.memory.Sizes;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import java.util.List;
import java.util.Locale;

/** Memory statistics as tables: per device (residency, faults, movement), per link, spill. */
final class MemoryView {
  private MemoryView() {}

  static DisplayData render(MemoryStats s) {
    HtmlTable devices =
        new HtmlTable(
            List.of(
                "device",
                "kind",
                "capacity",
                "resident",
                "pins",
                "faults",
                "migrated in",
                "migrated out",
                "replicas",
                "prefetched",
                "evicted",
                "written back"),
            new boolean[] {
              false, false, true, true, true, true, true, true, true, true, true, true
            });
    for (MemoryStats.DeviceStats d : s.devices()) {
      devices.row(
          List.of(
              d.name(),
              (d.simulated() ? "simulated " : "") + d.kind().name().toLowerCase(Locale.ROOT),
              Sizes.bytes(d.capacity()),
              Sizes.bytes(d.residentBytes()),
              Long.toString(d.pins()),
              Long.toString(d.faults()),
              Long.toString(d.migrationsIn()),
              Long.toString(d.migrationsOut()),
              Long.toString(d.replications()),
              Long.toString(d.prefetched()),
              Long.toString(d.evictions()),
              Long.toString(d.writeBacks())));
    }
    devices.caption(
        String.format(
            Locale.ROOT,
            "unified memory on %s: pages of %s, %d regions, %s allocated",
            s.topology(),
            Sizes.bytes(s.pageSize()),
            s.regions(),
            Sizes.bytes(s.allocatedBytes())));
    HtmlTable links =
        new HtmlTable(
            List.of("link", "type", "bytes", "transfers", "measured ms", "modeled ms"),
            new boolean[] {false, false, true, true, true, true});
    for (MemoryStats.LinkStats l : s.links()) {
      links.row(
          List.of(
              l.a() + "<->" + l.b(),
              l.type().toString(),
              Sizes.bytes(l.bytes()),
              Long.toString(l.transfers()),
              String.format(Locale.ROOT, "%.3f", l.measuredSeconds() * 1e3),
              String.format(Locale.ROOT, "%.3f", l.modeledSeconds() * 1e3)));
    }
    links
        .caption("links (both directions together)")
        .note(
            "measured: the copies in this process; modeled: latency + bytes / bandwidth from the"
                + " link's figures (simulated devices move host memory)");
    MemoryStats.SpillStats sp = s.spill();
    HtmlTable spill =
        HtmlTable.numeric(
                List.of(
                    "spill", "capacity", "used", "pages written", "pages read", "written", "read"))
            .row(
                List.of(
                    sp.location(),
                    Sizes.bytes(sp.capacity()),
                    Sizes.bytes(sp.usedBytes()),
                    Long.toString(sp.writes()),
                    Long.toString(sp.reads()),
                    Sizes.bytes(sp.bytesWritten()),
                    Sizes.bytes(sp.bytesRead())));
    return Display.bundle(s.format(), devices.html() + links.html() + spill.html());
  }
}
