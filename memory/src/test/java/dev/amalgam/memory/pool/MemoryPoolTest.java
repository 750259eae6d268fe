package dev.amalgam.memory.pool;

import static dev.amalgam.memory.Sizes.GiB;
import static dev.amalgam.memory.Sizes.KiB;
import static dev.amalgam.memory.Sizes.MiB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.amalgam.memory.ResourceTracker;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

final class MemoryPoolTest {

  @Test
  void create_negativeLimit_throws() {
    assertThatThrownBy(() -> MemoryPool.create("p", -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'p'")
        .hasMessageContaining("-1");
  }

  @Test
  void reserve_withinLimit_updatesConsumerAndPool() {
    try (MemoryPool pool = MemoryPool.create("engine", 10 * KiB);
        MemoryConsumer a = pool.consumer("a");
        MemoryConsumer b = pool.consumer("b")) {
      a.reserve(3 * KiB);
      b.reserve(7 * KiB);

      assertThat(pool.reserved()).isEqualTo(10 * KiB);
      assertThat(a.reserved()).isEqualTo(3 * KiB);
      assertThat(b.reserved()).isEqualTo(7 * KiB);
      assertThat(pool.limit()).isEqualTo(10 * KiB);
      assertThat(pool.name()).isEqualTo("engine");
      assertThat(a.name()).isEqualTo("a");
      assertThat(a.pool()).isSameAs(pool);

      a.release(3 * KiB);
      b.release(7 * KiB);
      assertThat(pool.reserved()).isZero();
    }
  }

  @Test
  void tryReserve_exactlyToLimit_succeeds() {
    try (MemoryPool pool = MemoryPool.create("engine", 4 * KiB);
        MemoryConsumer a = pool.consumer("a")) {
      assertThat(a.tryReserve(4 * KiB)).isTrue();
      assertThat(a.tryReserve(0)).isTrue();
      assertThat(a.tryReserve(1)).isFalse();
      a.release(4 * KiB);
    }
  }

  @Test
  void tryReserve_overLimit_returnsFalseAndChangesNothing() {
    try (MemoryPool pool = MemoryPool.create("engine", 10 * KiB);
        MemoryConsumer a = pool.consumer("a");
        MemoryConsumer b = pool.consumer("b")) {
      a.reserve(6 * KiB);

      assertThat(b.tryReserve(5 * KiB)).isFalse();

      assertThat(pool.reserved()).isEqualTo(6 * KiB);
      assertThat(pool.peak()).isEqualTo(6 * KiB);
      assertThat(a.reserved()).isEqualTo(6 * KiB);
      assertThat(b.reserved()).isZero();
      assertThat(b.peak()).isZero();
      assertThat(pool.consumers())
          .containsExactly(new ConsumerUsage("a", 6 * KiB, 6 * KiB), new ConsumerUsage("b", 0, 0));

      assertThat(b.tryReserve(4 * KiB)).isTrue();
      a.release(6 * KiB);
      b.release(4 * KiB);
    }
  }

  @Test
  void tryReserve_hugeRequest_doesNotOverflow() {
    try (MemoryPool pool = MemoryPool.create("engine", Long.MAX_VALUE);
        MemoryConsumer a = pool.consumer("a")) {
      a.reserve(10);
      assertThat(a.tryReserve(Long.MAX_VALUE)).isFalse();
      assertThat(pool.reserved()).isEqualTo(10);
      a.release(10);
    }
  }

  @Test
  void reserve_overLimit_throwsNamingRequestLimitAndLargestConsumers() {
    try (MemoryPool pool = MemoryPool.create("engine", GiB);
        MemoryConsumer agg = pool.consumer("hash-agg#3");
        MemoryConsumer sort = pool.consumer("sort#2");
        MemoryConsumer scan = pool.consumer("scan#1");
        MemoryConsumer idle = pool.consumer("idle#0")) {
      agg.reserve(600 * MiB);
      sort.reserve(400 * MiB);
      scan.reserve(20 * MiB);

      assertThatThrownBy(() -> agg.reserve(8 * MiB))
          .isInstanceOfSatisfying(
              MemoryLimitExceededException.class,
              e -> {
                assertThat(e.getMessage())
                    .isEqualTo(
                        "cannot reserve 8.0 MiB for consumer 'hash-agg#3': pool 'engine' limit"
                            + " 1.0 GiB, 1020.0 MiB already reserved; largest consumers:"
                            + " hash-agg#3 600.0 MiB, sort#2 400.0 MiB, scan#1 20.0 MiB");
                assertThat(e.consumerName()).isEqualTo("hash-agg#3");
                assertThat(e.requestedBytes()).isEqualTo(8 * MiB);
                assertThat(e.poolName()).isEqualTo("engine");
                assertThat(e.limitBytes()).isEqualTo(GiB);
                assertThat(e.reservedBytes()).isEqualTo(1020 * MiB);
                assertThat(e.largestConsumers())
                    .extracting(ConsumerUsage::name)
                    .containsExactly("hash-agg#3", "sort#2", "scan#1");
              });
      assertThat(pool.reserved()).isEqualTo(1020 * MiB);
      assertThat(idle.reserved()).isZero();

      agg.release(600 * MiB);
      sort.release(400 * MiB);
      scan.release(20 * MiB);
    }
  }

  @Test
  void reserve_overLimitWithManyConsumers_listsFiveLargestAndCountsTheRest() {
    try (MemoryPool pool = MemoryPool.create("engine", 100 * KiB)) {
      List<MemoryConsumer> consumers = new ArrayList<>();
      for (int i = 1; i <= 7; i++) {
        MemoryConsumer c = pool.consumer("op#" + i);
        c.reserve(i * KiB);
        consumers.add(c);
      }
      assertThatThrownBy(() -> consumers.get(0).reserve(99 * KiB))
          .isInstanceOfSatisfying(
              MemoryLimitExceededException.class,
              e -> {
                assertThat(e.largestConsumers())
                    .extracting(ConsumerUsage::name)
                    .containsExactly("op#7", "op#6", "op#5", "op#4", "op#3");
                assertThat(e.getMessage())
                    .endsWith(
                        "largest consumers: op#7 7.0 KiB, op#6 6.0 KiB, op#5 5.0 KiB,"
                            + " op#4 4.0 KiB, op#3 3.0 KiB, ... (2 more)");
              });
      for (MemoryConsumer c : consumers) {
        c.release(c.reserved());
        c.close();
      }
    }
  }

  @Test
  void reserve_requestAboveLimitInEmptyPool_omitsConsumerList() {
    try (MemoryPool pool = MemoryPool.create("small", MiB);
        MemoryConsumer a = pool.consumer("a")) {
      assertThatThrownBy(() -> a.reserve(2 * MiB))
          .isInstanceOf(MemoryLimitExceededException.class)
          .hasMessage(
              "cannot reserve 2.0 MiB for consumer 'a': pool 'small' limit 1.0 MiB,"
                  + " 0 B already reserved");
    }
  }

  @Test
  void reserveAndRelease_negativeBytes_throwIllegalArgument() {
    try (MemoryPool pool = MemoryPool.create("engine", MiB);
        MemoryConsumer a = pool.consumer("a")) {
      assertThatThrownBy(() -> a.reserve(-1)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> a.tryReserve(-1)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> a.release(-1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("-1");
    }
  }

  @Test
  void release_moreThanReserved_throwsNamingConsumerAmountAndReserved() {
    try (MemoryPool pool = MemoryPool.create("engine", MiB);
        MemoryConsumer a = pool.consumer("hash-agg#3")) {
      a.reserve(KiB);

      assertThatThrownBy(() -> a.release(KiB + 1))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "cannot release 1.0 KiB (1025 bytes) from consumer 'hash-agg#3' of memory pool"
                  + " 'engine': it holds only 1.0 KiB (1024 bytes)");
      assertThat(a.reserved()).isEqualTo(KiB);
      assertThat(pool.reserved()).isEqualTo(KiB);
      a.release(KiB);
    }
  }

  @Test
  void peak_afterReleases_keepsHighestTotal() {
    try (MemoryPool pool = MemoryPool.create("engine", MiB);
        MemoryConsumer a = pool.consumer("a");
        MemoryConsumer b = pool.consumer("b")) {
      a.reserve(300 * KiB);
      b.reserve(200 * KiB);
      a.release(300 * KiB);
      b.reserve(100 * KiB);
      b.release(300 * KiB);
      a.reserve(10 * KiB);

      assertThat(pool.peak()).isEqualTo(500 * KiB);
      assertThat(a.peak()).isEqualTo(300 * KiB);
      assertThat(b.peak()).isEqualTo(300 * KiB);
      assertThat(pool.reserved()).isEqualTo(10 * KiB);
      assertThat(a.usage()).isEqualTo(new ConsumerUsage("a", 10 * KiB, 300 * KiB));
      a.release(10 * KiB);
    }
  }

  @Test
  void consumers_liveOnes_listedLargestFirst() {
    try (MemoryPool pool = MemoryPool.create("engine", MiB);
        MemoryConsumer small = pool.consumer("small");
        MemoryConsumer big = pool.consumer("big")) {
      small.reserve(KiB);
      big.reserve(4 * KiB);
      pool.consumer("gone").close();

      assertThat(pool.consumers())
          .containsExactly(
              new ConsumerUsage("big", 4 * KiB, 4 * KiB), new ConsumerUsage("small", KiB, KiB));
      small.release(KiB);
      big.release(4 * KiB);
    }
  }

  @Test
  void report_withConsumers_printsTreeLargestFirst() {
    try (MemoryPool pool = MemoryPool.create("engine", GiB);
        MemoryConsumer sort = pool.consumer("sort#2");
        MemoryConsumer agg = pool.consumer("hash-agg#3")) {
      sort.reserve(2 * MiB);
      agg.reserve(3 * MiB);
      sort.release(MiB);

      assertThat(pool.report())
          .isEqualTo(
              """
              memory pool 'engine': reserved 4.0 MiB, limit 1.0 GiB, peak 5.0 MiB
                hash-agg#3: reserved 3.0 MiB, peak 3.0 MiB
                sort#2: reserved 1.0 MiB, peak 2.0 MiB""");
      sort.release(MiB);
      agg.release(3 * MiB);
    }
  }

  @Test
  void consumer_duplicateLiveName_throws() {
    try (MemoryPool pool = MemoryPool.create("engine", MiB)) {
      MemoryConsumer first = pool.consumer("scan");
      assertThatThrownBy(() -> pool.consumer("scan"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("memory pool 'engine' already has a live consumer named 'scan'");
      first.close();

      try (MemoryConsumer second = pool.consumer("scan")) {
        assertThat(second).isNotSameAs(first);
      }
    }
  }

  @Test
  void consumer_blankName_throws() {
    try (MemoryPool pool = MemoryPool.create("engine", MiB)) {
      assertThatThrownBy(() -> pool.consumer(" ")).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void closeConsumer_holdingBytes_releasesThemAndThrowsNamingConsumerAndBytes() {
    try (MemoryPool pool = MemoryPool.create("engine", MiB)) {
      MemoryConsumer agg = pool.consumer("hash-agg#3");
      agg.reserve(64 * KiB);

      assertThatThrownBy(agg::close)
          .isInstanceOf(MemoryLeakException.class)
          .hasMessageContaining("'hash-agg#3'")
          .hasMessageContaining("'engine'")
          .hasMessageContaining("64.0 KiB (65536 bytes)");
      assertThat(pool.reserved()).isZero();
      assertThat(pool.consumers()).isEmpty();
      assertThat(agg.isClosed()).isTrue();
      agg.close(); // idempotent: no second exception
    }
  }

  @Test
  void closeConsumer_closed_rejectsReserveButAllowsZeroRelease() {
    try (MemoryPool pool = MemoryPool.create("engine", MiB)) {
      MemoryConsumer a = pool.consumer("a");
      a.close();

      assertThatThrownBy(() -> a.reserve(1))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("memory consumer 'a' of pool 'engine' is closed");
      a.release(0);
    }
  }

  @Test
  void closePool_consumersHoldingBytes_throwsReportNamingEachAndClosesAnyway() {
    MemoryPool pool = MemoryPool.create("engine", GiB, false);
    MemoryConsumer agg = pool.consumer("hash-agg#3");
    MemoryConsumer sort = pool.consumer("sort#2");
    MemoryConsumer clean = pool.consumer("scan#1");
    sort.reserve(MiB);
    agg.reserve(3 * MiB);

    assertThatThrownBy(pool::close)
        .isInstanceOf(MemoryLeakException.class)
        .hasMessageStartingWith(
            "memory pool 'engine' closed with 4.0 MiB still reserved by 2 consumers")
        .hasMessageContaining("\n  hash-agg#3: 3.0 MiB (3145728 bytes")
        .hasMessageContaining("\n  sort#2: 1.0 MiB (1048576 bytes")
        .hasMessageNotContaining("scan#1")
        .hasMessageContaining("amalgam.memory.debug=true");
    assertThat(pool.isClosed()).isTrue();
    assertThat(ResourceTracker.live()).doesNotContain(pool);

    pool.close(); // idempotent: no second exception
    // owners may still clean up after the pool is closed
    agg.release(3 * MiB);
    sort.release(MiB);
    agg.close();
    sort.close();
    clean.close();
    assertThat(pool.reserved()).isZero();
  }

  @Test
  void closePool_debugOn_reportsWhereLeakingConsumerWasCreated() {
    MemoryPool pool = MemoryPool.create("engine", MiB, true);
    MemoryConsumer agg = pool.consumer("hash-agg#3");
    agg.reserve(KiB);

    assertThatThrownBy(pool::close)
        .isInstanceOf(MemoryLeakException.class)
        .hasMessageContaining("hash-agg#3: 1.0 KiB")
        .hasMessageContaining("created at:")
        .hasMessageContaining(
            "at " + MemoryPoolTest.class.getName() + ".closePool_debugOn_reportsWhere")
        .hasMessageNotContaining("at " + MemoryPool.class.getName() + ".consumer")
        .hasMessageNotContaining("amalgam.memory.debug=true");
    agg.release(KiB);
    agg.close();
  }

  @Test
  void closeConsumer_debugOn_reportsWhereItWasCreated() {
    try (MemoryPool pool = MemoryPool.create("engine", MiB, true)) {
      MemoryConsumer agg = pool.consumer("hash-agg#3");
      agg.reserve(KiB);
      assertThatThrownBy(agg::close)
          .isInstanceOf(MemoryLeakException.class)
          .hasMessageContaining("created at:")
          .hasMessageContaining("at " + MemoryPoolTest.class.getName());
    }
  }

  @Test
  void closePool_noBytesHeld_closesQuietlyAndIsIdempotent() {
    MemoryPool pool = MemoryPool.create("engine", MiB);
    MemoryConsumer a = pool.consumer("a");
    a.reserve(KiB);
    a.release(KiB);
    assertThat(ResourceTracker.live()).contains(pool);

    pool.close();
    pool.close();

    assertThat(pool.isClosed()).isTrue();
    assertThat(ResourceTracker.live()).doesNotContain(pool);
    assertThat(pool.report()).startsWith("memory pool 'engine': reserved 0 B").contains("(closed)");
    a.close();
  }

  @Test
  void closedPool_consumerOrReserve_throwsIllegalState() {
    MemoryPool pool = MemoryPool.create("engine", MiB);
    MemoryConsumer a = pool.consumer("a");
    pool.close();

    assertThatThrownBy(() -> pool.consumer("b"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("memory pool 'engine' is closed");
    assertThatThrownBy(() -> a.reserve(1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("memory pool 'engine' is closed");
    assertThatThrownBy(() -> a.tryReserve(1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("memory pool 'engine' is closed");
    a.close();
  }

  @Test
  void leaks_consumerHoldingBytes_oneLinePerConsumer() {
    try (MemoryPool pool = MemoryPool.create("engine", MiB);
        MemoryConsumer a = pool.consumer("a");
        MemoryConsumer b = pool.consumer("b");
        MemoryConsumer c = pool.consumer("c")) {
      a.reserve(KiB);
      b.reserve(2 * KiB);

      assertThat(pool.leaks())
          .containsExactly("consumer 'b' holds 2.0 KiB", "consumer 'a' holds 1.0 KiB");
      assertThat(pool.describe()).isEqualTo("memory pool 'engine' (3.0 KiB reserved of 1.0 MiB)");
      a.release(KiB);
      b.release(2 * KiB);
      assertThat(pool.leaks()).isEmpty();
      assertThat(c.reserved()).isZero();
    }
  }

  @Test
  void reserveRelease_fourThreadsRandomSizes_neverOverLimitAndEndsAtZero() throws Exception {
    long seed = Long.getLong("amalgam.test.seed", 0x5EED_A11A_6A11L);
    System.out.printf("MemoryPoolTest concurrency seed: %d (-Damalgam.test.seed=%d)%n", seed, seed);
    int threads = 4;
    int operations = 100_000;
    long limit = 1 * MiB;
    try (MemoryPool pool = MemoryPool.create("concurrent", limit);
        MemoryConsumer shared = pool.consumer("shared")) {
      AtomicLong overLimit = new AtomicLong();
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Long>> results = new ArrayList<>();
      try (ExecutorService executor = Executors.newFixedThreadPool(threads)) {
        for (int t = 0; t < threads; t++) {
          int id = t;
          results.add(
              executor.submit(
                  () -> {
                    Random random = new Random(seed + id);
                    long failed = 0;
                    try (MemoryConsumer own = pool.consumer("worker#" + id)) {
                      Deque<long[]> held = new ArrayDeque<>(); // {size, 0 = own / 1 = shared}
                      start.await();
                      for (int i = 0; i < operations; i++) {
                        if (held.isEmpty() || random.nextInt(100) < 55) {
                          long size = 1 + random.nextInt((int) (limit / 8));
                          int which = random.nextInt(2);
                          MemoryConsumer c = which == 0 ? own : shared;
                          if (c.tryReserve(size)) {
                            held.push(new long[] {size, which});
                          } else {
                            failed++;
                          }
                        } else {
                          long[] h = random.nextBoolean() ? held.pop() : held.removeLast();
                          (h[1] == 0 ? own : shared).release(h[0]);
                        }
                        if (pool.reserved() > limit) {
                          overLimit.incrementAndGet();
                        }
                      }
                      for (long[] h : held) {
                        (h[1] == 0 ? own : shared).release(h[0]);
                      }
                    }
                    return failed;
                  }));
        }
        start.countDown();
        long failedTotal = 0;
        for (Future<Long> result : results) {
          failedTotal += result.get(2, TimeUnit.MINUTES);
        }
        assertThat(failedTotal).as("some reservations hit the limit").isPositive();
      }

      assertThat(overLimit.get()).isZero();
      assertThat(pool.peak()).isLessThanOrEqualTo(limit).isGreaterThan(limit / 2);
      assertThat(pool.reserved()).isZero();
      assertThat(shared.reserved()).isZero();
      assertThat(pool.consumers()).containsExactly(new ConsumerUsage("shared", 0, shared.peak()));
    }
  }
}
