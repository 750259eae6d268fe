package dev.amalgam.samples.tpch;

import dev.amalgam.exec.Engine;
import dev.amalgam.memory.Topology;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Warms the JIT before the user's first query: a daemon thread runs the 22 TPC-H queries twice over
 * a private engine holding TPC-H at SF 0.01, then closes it.
 *
 * <p>Why: the engine's kernels are Vector API and FFM loops that run one to two orders of magnitude
 * slower until the JIT's optimizing compiler has compiled them, and on a 2-core machine that
 * compiler competes with the query's own workers. Without warm-up, the first run of a TPC-H query
 * at SF 1 takes seconds (Q1: 8-10 s against 0.2 s warm). Compiled code is shared by the whole JVM,
 * so kernels compiled over the private engine's small tables serve every engine of the process. The
 * private engine uses the caller's topology so that the same scheduling and memory paths are
 * compiled. It costs about a core for the tens of seconds it runs, which is why the command line
 * starts it only where there is time to spare: while data loads, and while an interactive shell or
 * notebook kernel waits for its first statement.
 */
public final class JitWarmUp {
  private static final double SCALE_FACTOR = 0.1;
  private static final int PASSES = 1;
  private static final AtomicReference<@Nullable CompletableFuture<String>> RUNNING =
      new AtomicReference<>();

  private JitWarmUp() {}

  /**
   * Starts the warm-up once per JVM (later calls return the first one's future). The future
   * completes with a one-line summary, or exceptionally when the warm-up failed (which leaves the
   * caller's engines untouched; it only means the first queries compile as they run).
   */
  public static CompletableFuture<String> start(Topology topology) {
    CompletableFuture<String> f = new CompletableFuture<>();
    if (!RUNNING.compareAndSet(null, f)) {
      return Objects.requireNonNull(RUNNING.get());
    }
    Thread.ofPlatform()
        .name("amalgam-jit-warm-up")
        .daemon(true)
        .start(
            () -> {
              try {
                f.complete(run(topology, SCALE_FACTOR, PASSES));
              } catch (RuntimeException | Error e) {
                f.completeExceptionally(e);
              }
            });
    return f;
  }

  /** The warm-up itself, on the calling thread: its summary line. */
  static String run(Topology topology, double scaleFactor, int passes) {
    long t0 = System.nanoTime();
    int queries = 0;
    try (Engine engine = Engine.builder().topology(topology).build()) {
      TpchData.load(engine, null, scaleFactor, null);
      for (int pass = 0; pass < passes; pass++) {
        for (TpchQueries.TpchQuery q : TpchQueries.all()) {
          engine.sql(q.sql()).execute();
          queries++;
        }
      }
    }
    return String.format(
        Locale.ROOT,
        "JIT warm-up: %d TPC-H queries at sf %s in %.1f s",
        queries,
        TpchData.fmt(scaleFactor),
        (System.nanoTime() - t0) / 1e9);
  }
}
