package dev.amalgam.memory;

import static dev.amalgam.memory.UnifiedMemoryModelTest.BASE_SEED;
import static dev.amalgam.memory.UnifiedMemoryModelTest.pagesSpanned;
import static dev.amalgam.memory.UnifiedMemoryModelTest.readPin;
import static dev.amalgam.memory.UnifiedMemoryModelTest.seedFor;
import static dev.amalgam.memory.UnifiedMemoryModelTest.writePin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.amalgam.memory.AmalgamMemoryException.Code;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Multi-threaded model-based test of {@link UnifiedMemory}: four threads run random operations on
 * regions of their own and on their own pages of one shared region, on tiny devices they all share
 * (so that they evict each other's pages), while a fifth thread prefetches, migrates, evicts and
 * advises the shared region. Each thread's bytes are checked against its own model; the page
 * table's invariants are checked throughout and at the end. A run that does not finish in time
 * fails with a thread dump.
 */
final class UnifiedMemoryConcurrencyTest {
  private static final int THREADS = 4;
  private static final long DEADLINE_SECONDS = 60;
  private static final int MIN_WRITES = 1000;
  private static final int MIN_READS = 500;

  @TempDir Path spillDir;

  @BeforeEach
  void clearOpaqueViolations() {
    OpaqueBackend.clearViolations();
  }

  @AfterEach
  void noOpaqueViolations() {
    assertThat(OpaqueBackend.violations()).as("opaque backend SPI breaches").isEmpty();
  }

  static Stream<Arguments> topologies() {
    return Stream.of(
        Arguments.of("fused-pair", 512L, 30_000),
        Arguments.of("opaque-mixed", 1024L, 40_000),
        Arguments.of("nvl4", 256L, 40_000));
  }

  @ParameterizedTest(name = "{0}, page {1} B, {2} ops per thread")
  @MethodSource("topologies")
  void fourThreadsAndAMover_onSharedTinyDevices_matchTheirModelsWithoutDeadlock(
      String topology, long ps, int opsPerThread) throws Exception {
    long seed = seedFor("concurrent/" + topology + "/" + ps + "/" + opsPerThread);
    System.out.printf(
        "UnifiedMemoryConcurrencyTest %s page=%d: seed=%d (base seed %d; rerun with"
            + " -Damalgam.test.seed=%d)%n",
        topology, ps, seed, BASE_SEED, BASE_SEED);
    Random rnd = new Random(seed);
    int gpuPages = 4;
    // Host room for every thread's pins at once (a held page and a two-page pin each), so that
    // only GPUs can be found full of pins.
    int hostPages = THREADS * 3 + 2;
    int pagesPerThread = 2 + rnd.nextInt(2);
    try (UnifiedMemory m =
        UnifiedMemory.builder()
            .topology(UnifiedMemoryModelTest.topology(topology, gpuPages * ps, hostPages * ps))
            .pageSize(ps)
            .spillDirectory(spillDir)
            .spillCapacity(64 * ps)
            .pinTimeout(Duration.ofSeconds(20))
            .build()) {
      long sharedSize = THREADS * pagesPerThread * ps - ps / 2; // the last page is partial
      Region shared = m.allocate(sharedSize, "shared");
      byte[] sharedModel = new byte[(int) sharedSize];
      AtomicBoolean done = new AtomicBoolean();
      ConcurrentLinkedQueue<String> deviceFull = new ConcurrentLinkedQueue<>();
      List<Worker> workers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        long from = t * pagesPerThread * ps;
        long to = Math.min(sharedSize, from + pagesPerThread * ps);
        workers.add(
            new Worker(
                m, t, seed + 1 + t, opsPerThread, shared, sharedModel, from, to, deviceFull));
      }
      Mover mover = new Mover(m, shared, seed + 100, done, deviceFull);
      ExecutorService pool = Executors.newFixedThreadPool(THREADS + 1, namedThreads());
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      try {
        for (Worker w : workers) {
          futures.add(
              pool.submit(
                  () -> {
                    start.await();
                    w.run();
                    return null;
                  }));
        }
        Future<?> moverFuture =
            pool.submit(
                () -> {
                  start.await();
                  mover.run();
                  return null;
                });
        start.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        try {
          for (Future<?> f : futures) {
            awaitOrDump(f, deadline, topology, seed);
          }
        } finally {
          done.set(true);
        }
        awaitOrDump(moverFuture, deadline, topology, seed);
      } finally {
        done.set(true);
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
      }

      // Quiet now: every byte is where the models say, and the page table adds up.
      byte[] back = new byte[(int) sharedSize];
      shared.read(0, MemorySegment.ofArray(back));
      int at = Arrays.mismatch(back, sharedModel);
      assertThat(at).as("first wrong byte of the shared region (seed %d)", seed).isEqualTo(-1);
      long copies = 0;
      for (int p = 0; p < shared.pageCount(); p++) {
        PageInfo info = shared.page(p);
        checkPage(info);
        assertThat(info.pins()).as("pins left on %s", info).isEmpty();
        copies += info.copies().size();
      }
      long resident = 0;
      for (Device d : m.devices()) {
        assertThat(d.residentBytes()).isBetween(0L, d.capacity());
        resident += d.residentBytes();
      }
      assertThat(resident).as("resident bytes = copies").isEqualTo(copies * ps);
      assertThat(m.regions()).containsExactly(shared);
      assertThat(m.pool().reserved()).isEqualTo(shared.retainedBytes());
      shared.close();
      assertThat(m.pool().reserved()).isZero();
      System.out.printf(
          "  ops per thread %d, GPU pins that found the device full of pins: %d%s; %s%n",
          opsPerThread,
          deviceFull.size(),
          deviceFull.isEmpty() ? "" : " (e.g. " + deviceFull.peek() + ")",
          mover.summary());
    }
  }

  /** A page-table snapshot obeys rule 1 and its copies include its current ones. */
  static void checkPage(PageInfo info) {
    if (info.current().isEmpty()) {
      assertThat(info.zero() || info.spilled()).as("rule 1: %s has no current copy", info).isTrue();
    }
    if (info.zero()) {
      assertThat(info.copies()).as("zero page %s", info).isEmpty();
    }
    assertThat(info.copies()).as("copies of %s", info).containsAll(info.current());
    for (String on : info.pins().keySet()) {
      assertThat(info.current()).as("pinned copy of %s is current", info).contains(on);
    }
  }

  private static java.util.concurrent.ThreadFactory namedThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "concurrency-test-" + n.getAndIncrement());
      t.setDaemon(true);
      return t;
    };
  }

  private static void awaitOrDump(Future<?> f, long deadlineNanos, String topology, long seed)
      throws InterruptedException {
    try {
      f.get(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      fail(
          "no progress within %d s on %s (seed %d): deadlock or livelock?%n%s",
          DEADLINE_SECONDS, topology, seed, threadDump());
    } catch (ExecutionException e) {
      throw new AssertionError(
          "a thread failed on " + topology + " (seed " + seed + "): " + e.getCause(), e.getCause());
    }
  }

  static String threadDump() {
    var mx = ManagementFactory.getThreadMXBean();
    StringBuilder sb = new StringBuilder();
    long[] deadlocked = mx.findDeadlockedThreads();
    if (deadlocked != null) {
      sb.append("deadlocked threads: ").append(Arrays.toString(deadlocked)).append('\n');
    }
    for (ThreadInfo ti : mx.dumpAllThreads(true, true)) {
      sb.append('"').append(ti.getThreadName()).append("\" ").append(ti.getThreadState());
      if (ti.getLockName() != null) {
        sb.append(" on ").append(ti.getLockName());
      }
      if (ti.getLockOwnerName() != null) {
        sb.append(" owned by \"").append(ti.getLockOwnerName()).append('"');
      }
      sb.append('\n');
      for (StackTraceElement e : ti.getStackTrace()) {
        sb.append("    at ").append(e).append('\n');
      }
    }
    return sb.toString();
  }

  static boolean isDeviceFull(RuntimeException e) {
    return e instanceof AmalgamMemoryException a && a.code() == Code.DEVICE_FULL;
  }

  // --------------------------------------------------------------------------------- workers

  /** A range of a region that one thread owns, with the model of its bytes. */
  private record Owned(Region region, byte[] model, long from, long to) {
    long size() {
      return to - from;
    }
  }

  /** One of the four threads: random operations on its own regions and its own shared pages. */
  private static final class Worker {
    private final UnifiedMemory m;
    private final int index;
    private final long seed;
    private final Random rnd;
    private final int ops;
    private final long ps;
    private final List<Device> devices;
    private final Owned sharedPart;
    private final List<Owned> own = new ArrayList<>();
    private final ConcurrentLinkedQueue<String> deviceFull;
    private final List<String> history = new ArrayList<>();
    private final List<long[]> failedWrites = new ArrayList<>(); // {region id, from, to}
    private Pin held;
    private Owned heldIn;
    private int heldTtl;

    Worker(
        UnifiedMemory m,
        int index,
        long seed,
        int ops,
        Region shared,
        byte[] sharedModel,
        long from,
        long to,
        ConcurrentLinkedQueue<String> deviceFull) {
      this.m = m;
      this.index = index;
      this.seed = seed;
      this.rnd = new Random(seed);
      this.ops = ops;
      this.ps = m.pageSize();
      this.devices = m.devices();
      this.sharedPart = new Owned(shared, sharedModel, from, to);
      this.deviceFull = deviceFull;
    }

    void run() {
      int op = 0;
      try {
        for (op = 0; op < ops; op++) {
          step();
          if (held != null && --heldTtl <= 0) {
            releaseHeld();
          }
          for (Device d : devices) {
            long r = d.residentBytes();
            assertThat(r).as("resident bytes of %s", d.name()).isBetween(0L, d.capacity());
          }
        }
        releaseHeld();
        for (Owned o : own) {
          verify(o, o.from, o.size());
          o.region.close();
        }
        own.clear();
        verify(sharedPart, sharedPart.from, sharedPart.size());
      } catch (Throwable t) {
        releaseQuietly();
        throw new AssertionError(
            String.format(
                "worker %d (seed %d) op #%d failed: %s%nlast ops:%n  %s",
                index,
                seed,
                op,
                t,
                String.join(
                    "\n  ", history.subList(Math.max(0, history.size() - 30), history.size()))),
            t);
      }
    }

    private void log(String s) {
      history.add(s);
    }

    private void step() {
      int dice = rnd.nextInt(100);
      if (dice < 5) {
        allocate();
      } else if (dice < 8) {
        closeOne();
      } else if (dice < 30) {
        pinWrite(target());
      } else if (dice < 37) {
        regionWrite(target());
      } else if (dice < 57) {
        pinRead(target());
      } else if (dice < 63) {
        regionRead(target());
      } else if (dice < 69) {
        hold(target());
      } else if (dice < 77) {
        prefetch(target());
      } else if (dice < 82) {
        advise(target());
      } else if (dice < 87) {
        migrate();
      } else if (dice < 93) {
        evict();
      } else {
        Owned o = target();
        for (int p = (int) (o.from / ps); p <= (o.to - 1) / ps; p++) {
          checkPage(o.region.page(p));
        }
      }
    }

    private Owned target() {
      if (own.isEmpty() || rnd.nextInt(3) == 0) {
        return sharedPart;
      }
      return own.get(rnd.nextInt(own.size()));
    }

    private Device anyDevice() {
      return devices.get(rnd.nextInt(devices.size()));
    }

    /** A random range inside the owned part, at most two pages long, often on page boundaries. */
    private long[] range(Owned o) {
      long off;
      if (rnd.nextBoolean()) {
        long b = o.from + ps * rnd.nextInt((int) ((o.size() + ps - 1) / ps));
        off = Math.clamp(b + rnd.nextInt(3) - 1, o.from, o.to - 1);
      } else {
        off = o.from + (long) (rnd.nextDouble() * o.size());
      }
      long len = 1 + (long) (rnd.nextDouble() * Math.min(o.to - off, 2 * ps));
      if (pagesSpanned(off, len, ps) > 2) {
        len = (off / ps + 2) * ps - off;
      }
      return new long[] {off, len};
    }

    /** True when the range shares a page with the pin this thread holds. */
    private boolean touchesHeld(Owned o, long off, long len) {
      if (held == null || heldIn.region != o.region) {
        return false;
      }
      long hFirst = held.offset() / ps;
      long hLast = (held.offset() + held.length() - 1) / ps;
      return off / ps <= hLast && (off + len - 1) / ps >= hFirst;
    }

    private void allocate() {
      long pages = 0;
      for (Owned o : own) {
        pages += o.region.pageCount();
      }
      long size = 1 + rnd.nextInt((int) (3 * ps));
      if (pages + (size + ps - 1) / ps > 5) {
        closeOne();
        return;
      }
      log("allocate " + size);
      Region r = m.allocate(size, "worker-" + index);
      own.add(new Owned(r, new byte[(int) size], 0, size));
    }

    private void closeOne() {
      if (own.isEmpty()) {
        return;
      }
      Owned o = own.get(rnd.nextInt(own.size()));
      if (held != null && heldIn == o) {
        return;
      }
      log("close " + o.region);
      if (rnd.nextBoolean()) {
        verify(o, 0, o.size());
      }
      o.region.close();
      own.remove(o);
    }

    private void pinWrite(Owned o) {
      long[] r = range(o);
      if (touchesHeld(o, r[0], r[1])) {
        return;
      }
      Device d = anyDevice();
      AccessMode mode = rnd.nextBoolean() ? AccessMode.WRITE : AccessMode.OVERWRITE;
      boolean shared = rnd.nextInt(5) == 0;
      log(
          String.format(
              "write %s %s [%d,+%d) on %s%s",
              mode, o.region, r[0], r[1], d.name(), shared ? " (shared pin, other thread)" : ""));
      Pin p;
      try {
        p = shared ? o.region.pinShared(r[0], r[1], d, mode) : o.region.pin(r[0], r[1], d, mode);
      } catch (RuntimeException e) {
        if (isDeviceFull(e)) {
          deviceFull.add(e.getMessage());
          log("  -> DEVICE_FULL");
          failedWrites.add(new long[] {o.region.id(), r[0], r[0] + r[1]});
          return;
        }
        throw e;
      }
      if (shared) {
        // A shared pin is written and closed by another thread.
        CompletableFuture.runAsync(
                () -> {
                  try (p) {
                    fill(o, p, r[0], r[1]);
                  }
                })
            .orTimeout(20, TimeUnit.SECONDS)
            .join();
        return;
      }
      try (p) {
        fill(o, p, r[0], r[1]);
      }
    }

    private void fill(Owned o, Pin p, long off, long len) {
      byte[] data = new byte[(int) len];
      rnd.nextBytes(data);
      writePin(p, off, data, 0, data.length, ps);
      System.arraycopy(data, 0, o.model, (int) off, data.length);
    }

    private void regionWrite(Owned o) {
      long[] r = range(o);
      if (touchesHeld(o, r[0], r[1])) {
        return;
      }
      log(String.format("region.write %s [%d,+%d)", o.region, r[0], r[1]));
      byte[] data = new byte[(int) r[1]];
      rnd.nextBytes(data);
      o.region.write(r[0], MemorySegment.ofArray(data));
      System.arraycopy(data, 0, o.model, (int) r[0], data.length);
    }

    private void pinRead(Owned o) {
      long[] r = range(o);
      if (touchesHeld(o, r[0], r[1])) {
        return;
      }
      Device d = anyDevice();
      log(String.format("read %s [%d,+%d) on %s", o.region, r[0], r[1], d.name()));
      Pin p;
      try {
        p = o.region.pin(r[0], r[1], d, AccessMode.READ);
      } catch (RuntimeException e) {
        if (isDeviceFull(e)) {
          deviceFull.add(e.getMessage());
          log("  -> DEVICE_FULL");
          return;
        }
        throw e;
      }
      try (p) {
        compare(o, r[0], readPin(p, ps), "read pin on " + d.name());
      }
    }

    private void regionRead(Owned o) {
      long[] r = range(o);
      if (touchesHeld(o, r[0], r[1])) {
        return;
      }
      log(String.format("region.read %s [%d,+%d)", o.region, r[0], r[1]));
      verify(o, r[0], r[1]);
    }

    private void hold(Owned o) {
      if (held != null) {
        return;
      }
      long[] r = range(o);
      long len = Math.min(r[1], (r[0] / ps + 1) * ps - r[0]); // one page
      Device d = anyDevice();
      AccessMode mode = AccessMode.values()[rnd.nextInt(3)];
      log(String.format("hold %s %s [%d,+%d) on %s", mode, o.region, r[0], len, d.name()));
      try {
        held = o.region.pin(r[0], len, d, mode);
      } catch (RuntimeException e) {
        if (isDeviceFull(e)) {
          deviceFull.add(e.getMessage());
          log("  -> DEVICE_FULL");
          return;
        }
        throw e;
      }
      heldIn = o;
      heldTtl = 1 + rnd.nextInt(4);
      if (mode.writes()) {
        fill(o, held, r[0], len);
      } else {
        compare(o, r[0], readPin(held, ps), "held read pin");
      }
    }

    private void releaseHeld() {
      if (held == null) {
        return;
      }
      log("unpin " + held);
      compare(heldIn, held.offset(), readPin(held, ps), "held pin at close");
      held.close();
      held = null;
      heldIn = null;
    }

    private void releaseQuietly() {
      if (held != null && !held.isClosed()) {
        try {
          held.close();
        } catch (RuntimeException ignored) {
          // reporting the first failure matters more
        }
      }
    }

    private void prefetch(Owned o) {
      long[] r = range(o);
      Device d = anyDevice();
      log(String.format("prefetch %s [%d,+%d) to %s", o.region, r[0], r[1], d.name()));
      CompletableFuture<Integer> f = o.region.prefetch(r[0], r[1], d);
      if (rnd.nextBoolean()) {
        assertThat(f.orTimeout(20, TimeUnit.SECONDS).join()).isBetween(0, 2);
      }
    }

    private void advise(Owned o) {
      long[] r = range(o);
      Device d = anyDevice();
      Advice a = Advice.values()[rnd.nextInt(3)];
      log(String.format("advise %s %s [%d,+%d) %s", a, o.region, r[0], r[1], d.name()));
      if (o.region != sharedPart.region && rnd.nextInt(3) == 0) {
        o.region.clearAdvice(a, d);
      } else {
        o.region.advise(r[0], r[1], a, d);
      }
    }

    private void migrate() {
      if (own.isEmpty()) {
        return;
      }
      Owned o = own.get(rnd.nextInt(own.size()));
      if (held != null && heldIn == o) {
        return;
      }
      Device d = anyDevice();
      log("migrate " + o.region + " to " + d.name());
      try {
        o.region.migrate(d);
      } catch (RuntimeException e) {
        if (isDeviceFull(e)) {
          deviceFull.add(e.getMessage());
          log("  -> DEVICE_FULL");
          return;
        }
        throw e;
      }
    }

    private void evict() {
      if (own.isEmpty()) {
        return;
      }
      Owned o = own.get(rnd.nextInt(own.size()));
      Device d = anyDevice();
      log("evict " + o.region + " from " + d.name());
      assertThat(o.region.evict(d)).isBetween(0, o.region.pageCount());
    }

    private void verify(Owned o, long off, long len) {
      byte[] out = new byte[(int) len];
      o.region.read(off, MemorySegment.ofArray(out));
      compare(o, off, out, "Region.read");
    }

    private void compare(Owned o, long off, byte[] actual, String what) {
      int at =
          Arrays.mismatch(actual, 0, actual.length, o.model, (int) off, (int) off + actual.length);
      if (at >= 0) {
        long bad = off + at;
        List<String> failed = new ArrayList<>();
        for (long[] w : failedWrites) {
          if (w[0] == o.region.id() && w[1] <= bad && bad < w[2]) {
            failed.add("[" + w[1] + ", " + w[2] + ")");
          }
        }
        fail(
            "%s of %s: byte %d is %d, model says %d; page: %s; write pins that failed with"
                + " DEVICE_FULL over this byte: %s",
            what,
            o.region,
            bad,
            actual[at],
            o.model[(int) bad],
            o.region.page((int) (bad / ps)),
            failed);
      }
    }
  }

  /** The fifth thread: moves and advises the shared region while the workers use it. */
  private static final class Mover {
    private final UnifiedMemory m;
    private final Region shared;
    private final Random rnd;
    private final AtomicBoolean done;
    private final ConcurrentLinkedQueue<String> deviceFull;
    private final List<CompletableFuture<Integer>> pending = new ArrayList<>();
    private final AtomicLong prefetched = new AtomicLong();
    private int migrations;
    private int evicted;
    private int rounds;

    Mover(
        UnifiedMemory m,
        Region shared,
        long seed,
        AtomicBoolean done,
        ConcurrentLinkedQueue<String> deviceFull) {
      this.m = m;
      this.shared = shared;
      this.rnd = new Random(seed);
      this.done = done;
      this.deviceFull = deviceFull;
    }

    void run() {
      List<Device> devices = m.devices();
      long ps = m.pageSize();
      while (!done.get()) {
        rounds++;
        Device d = devices.get(rnd.nextInt(devices.size()));
        int dice = rnd.nextInt(100);
        if (dice < 35) {
          long off = (long) (rnd.nextDouble() * shared.size());
          long len = 1 + (long) (rnd.nextDouble() * (shared.size() - off));
          CompletableFuture<Integer> f = shared.prefetch(off, len, d);
          f.thenAccept(prefetched::addAndGet);
          pending.add(f);
          if (pending.size() > 8) {
            settle();
          }
        } else if (dice < 55) {
          try {
            shared.migrate(d);
            migrations++;
          } catch (RuntimeException e) {
            if (!isDeviceFull(e)) {
              throw e;
            }
            deviceFull.add("mover: " + e.getMessage());
          }
        } else if (dice < 75) {
          evicted += shared.evict(d);
        } else if (dice < 85) {
          Advice a = Advice.values()[rnd.nextInt(3)];
          if (rnd.nextBoolean()) {
            shared.clearAdvice(a, d);
          } else {
            long off = ps * rnd.nextInt(shared.pageCount());
            shared.advise(off, Math.min(shared.size() - off, 2 * ps), a, d);
          }
        } else if (dice < 95) {
          for (int p = 0; p < shared.pageCount(); p++) {
            checkPage(shared.page(p));
          }
        } else {
          MemoryStats s = m.stats();
          assertThat(s.regions()).isPositive();
        }
        Thread.yield();
      }
      settle();
    }

    private void settle() {
      for (CompletableFuture<Integer> f : pending) {
        assertThat(f.orTimeout(20, TimeUnit.SECONDS).join()).isNotNegative();
      }
      pending.clear();
    }

    String summary() {
      return String.format(
          "mover: %d rounds, %d migrations, %d pages evicted, %d prefetched",
          rounds, migrations, evicted, prefetched.get());
    }
  }

  // ------------------------------------------------------------------------------ torn pages

  static Stream<Arguments> tornCases() {
    return Stream.of(
        Arguments.of("fused-pair", "gpu1", "gpu0", "host", false),
        Arguments.of("fused-pair", "host", "gpu0", "gpu1", true),
        Arguments.of("opaque-mixed", "host", "gpu0", "gpu1", false),
        Arguments.of("opaque-mixed", "gpu0", "host", "gpu1", true));
  }

  /**
   * A writer fills a range of two and a half pages with one byte value, chunk by chunk with pauses
   * in between, while two readers on other devices read it: every read must see one value
   * throughout, one that a writer had started by the end of the read and that none had overwritten
   * by its start.
   */
  @ParameterizedTest(name = "{0}: writer on {1}, readers on {2} and {3}, readMostly={4}")
  @MethodSource("tornCases")
  void writerAndReadersOnDifferentDevices_samePages_neverSeeATornWrite(
      String topology, String writerOn, String reader1On, String reader2On, boolean readMostly)
      throws Exception {
    long ps = 512;
    long size = 2 * ps + ps / 2;
    long seed = seedFor("torn/" + topology + "/" + writerOn + "/" + readMostly);
    System.out.println("UnifiedMemoryConcurrencyTest torn " + topology + ": seed=" + seed);
    try (UnifiedMemory m =
            UnifiedMemory.builder()
                .topology(UnifiedMemoryModelTest.topology(topology, 4 * ps, 8 * ps))
                .pageSize(ps)
                .spillDirectory(spillDir)
                .spillCapacity(16 * ps)
                .pinTimeout(Duration.ofSeconds(20))
                .build();
        Region r = m.allocate(size, "torn")) {
      if (readMostly) {
        r.advise(Advice.READ_MOSTLY, m.host());
      }
      int writes;
      AtomicInteger started = new AtomicInteger();
      AtomicInteger completed = new AtomicInteger();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong[] reads = {new AtomicLong(), new AtomicLong()};
      ExecutorService pool = Executors.newFixedThreadPool(3, namedThreads());
      try {
        Future<Integer> writer =
            pool.submit(
                () -> {
                  Random rnd = new Random(seed);
                  Device d = m.device(writerOn);
                  long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
                  int v = 0;
                  try {
                    // Until both readers have read often enough, or time is up.
                    while (v < MIN_WRITES
                        || ((reads[0].get() < MIN_READS || reads[1].get() < MIN_READS)
                            && System.nanoTime() < until)) {
                      v++;
                      started.set(v);
                      AccessMode mode = rnd.nextBoolean() ? AccessMode.WRITE : AccessMode.OVERWRITE;
                      try (Pin p = r.pin(0, size, d, mode)) {
                        byte[] fill = new byte[(int) size];
                        Arrays.fill(fill, (byte) v);
                        // chunk by chunk, with a pause, so that a racing reader would see a mix
                        for (long at = 0; at < size; at += ps / 2) {
                          writePin(p, at, fill, (int) at, (int) Math.min(ps / 2, size - at), ps);
                          Thread.yield();
                        }
                      }
                      completed.set(v);
                      Thread.yield();
                    }
                  } finally {
                    stop.set(true);
                  }
                  return v;
                });
        List<Future<?>> readers = new ArrayList<>();
        List<String> readerDevices = List.of(reader1On, reader2On);
        for (int i = 0; i < 2; i++) {
          String on = readerDevices.get(i);
          AtomicLong count = reads[i];
          readers.add(
              pool.submit(
                  () -> {
                    Device d = m.device(on);
                    while (!stop.get()) {
                      int before = completed.get();
                      byte[] seen;
                      try (Pin p = r.pin(0, size, d, AccessMode.READ)) {
                        seen = readPin(p, ps);
                      }
                      int after = started.get();
                      for (int j = 1; j < seen.length; j++) {
                        if (seen[j] != seen[0]) {
                          fail(
                              "torn read on %s: byte 0 is %d, byte %d is %d (page %d)",
                              on, seen[0], j, seen[j], j / ps);
                        }
                      }
                      boolean possible = before == 0 && seen[0] == 0;
                      for (int v = Math.max(1, before); v <= after && !possible; v++) {
                        possible = seen[0] == (byte) v;
                      }
                      assertThat(possible)
                          .as(
                              "read on %s saw %d; writes %d..%d were possible",
                              on, seen[0], before, after)
                          .isTrue();
                      count.incrementAndGet();
                      Thread.yield();
                    }
                    return null;
                  }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        awaitOrDump(writer, deadline, topology, seed);
        for (Future<?> f : readers) {
          awaitOrDump(f, deadline, topology, seed);
        }
        writes = writer.get();
      } finally {
        stop.set(true);
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
      }
      assertThat(reads[0].get()).as("reads on %s", reader1On).isPositive();
      assertThat(reads[1].get()).as("reads on %s", reader2On).isPositive();
      byte[] back = new byte[(int) size];
      r.read(0, MemorySegment.ofArray(back));
      byte[] last = new byte[(int) size];
      Arrays.fill(last, (byte) writes);
      assertThat(back).isEqualTo(last);
      for (int p = 0; p < r.pageCount(); p++) {
        checkPage(r.page(p));
      }
      System.out.printf(
          "  %d writes on %s, %d reads on %s, %d on %s%n",
          writes, writerOn, reads[0].get(), reader1On, reads[1].get(), reader2On);
    }
  }

  // ------------------------------------------------------------------------------ regressions

  /**
   * Closing the memory drops prefetches still queued on a device's workers; their futures must
   * complete anyway (normally or exceptionally), or whoever waits for a prefetch hangs forever.
   */
  @Test
  void close_withPrefetchQueuedBehindBusyWorkers_completesItsFuture() throws Exception {
    long ps = 1024;
    UnifiedMemory m =
        UnifiedMemory.builder()
            .topology(Topology.preset("fused-pair", 8 * ps, 8 * ps))
            .pageSize(ps)
            .spillDirectory(spillDir)
            .spillCapacity(16 * ps)
            .build();
    CountDownLatch busy = new CountDownLatch(1);
    CompletableFuture<Integer> f;
    try (Region r = m.allocate(2 * ps, "t")) {
      r.write(0, MemorySegment.ofArray(new byte[(int) (2 * ps)]).fill((byte) 1));
      Device g0 = m.device("gpu0");
      for (int i = 0; i < g0.spec().workers(); i++) {
        g0.executor()
            .execute(
                () -> {
                  try {
                    busy.await(); // a long kernel
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
      }
      f = r.prefetch(g0); // queued behind the kernels
    } finally {
      m.close();
      busy.countDown();
    }
    // Completing exceptionally (closed, cancelled) is as good as completing with 0 pages moved.
    assertThat(f.handle((moved, error) -> moved == null ? 0 : moved))
        .as("prefetch future after the memory closed")
        .succeedsWithin(Duration.ofSeconds(3))
        .isEqualTo(0);
  }
}
