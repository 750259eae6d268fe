package dev.amalgam.memory.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.amalgam.memory.ResourceTracker;
import dev.amalgam.memory.Sizes;
import dev.amalgam.memory.pool.MemoryConsumer;
import dev.amalgam.memory.pool.MemoryPool;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * Runs small fixture classes through the JUnit Platform test kit, with the extension autodetected
 * as in the real suite, and checks what it reports. The fixtures are disabled unless the test kit
 * runs them.
 */
final class LeakCheckExtensionTest {
  private static final String FIXTURE_KEY = "amalgam.leakcheck.fixture";
  private static final String RUN_BY_TEST_KIT =
      "dev.amalgam.memory.testing.LeakCheckExtensionTest#runByTestKit";

  static boolean runByTestKit(ExtensionContext context) {
    return context.getConfigurationParameter(FIXTURE_KEY).isPresent();
  }

  @Test
  void afterEach_poolLeftOpen_failsTestNamingPoolAndConsumerThenNextTestStartsClean() {
    Set<ResourceTracker.Tracked> before = ResourceTracker.live();

    Events tests = run(UnclosedPoolFixture.class).testEvents();

    tests.assertStatistics(s -> s.started(2).succeeded(1).failed(1));
    assertThat(failureOf(tests, "leavesPoolOpen"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("resource leak after test leavesPoolOpen()")
        .hasMessageContaining(
            "not closed: memory pool 'fixture-open' (1.0 KiB reserved of 1.0 MiB):"
                + " consumer 'leaky' holds 1.0 KiB");
    assertThat(ResourceTracker.live()).hasSameSizeAs(before);
  }

  @Test
  void afterEach_reservationLeftInSharedPool_failsOnlyThatTest() {
    Events tests = run(SharedPoolFixture.class).testEvents();

    tests.assertStatistics(s -> s.started(2).succeeded(1).failed(1));
    assertThat(failureOf(tests, "leavesReservation"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining(
            "leaked: memory pool 'fixture-shared' (2.0 KiB reserved of 1.0 MiB):"
                + " consumer 'leaky' holds 2.0 KiB");
  }

  @Test
  void afterEach_allowLeaks_passesAndStillCleansUp() {
    Set<ResourceTracker.Tracked> before = ResourceTracker.live();

    Events tests = run(AllowLeaksFixture.class).testEvents();

    tests.assertStatistics(s -> s.started(2).succeeded(2).failed(0));
    assertThat(ResourceTracker.live()).hasSameSizeAs(before);
  }

  @Test
  void afterEach_resourcesClosedProperly_passes() {
    Events tests = run(CleanFixture.class).testEvents();

    tests.assertStatistics(s -> s.started(1).succeeded(1).failed(0));
  }

  @Test
  void afterEach_trackedWithoutCloseOrWithThrowingClose_failsAndUnregistersBoth() {
    Events tests = run(StubFixture.class).testEvents();

    tests.assertStatistics(s -> s.started(2).succeeded(1).failed(1));
    assertThat(failureOf(tests, "leavesStubs"))
        .hasMessageContaining("not closed: stub-not-closeable: pins page 7")
        .hasMessageContaining("not closed: stub-close-throws\n")
        .hasMessageNotContaining("stub-clean");
    assertThat(ResourceTracker.live())
        .noneMatch(t -> t instanceof StubFixture.Stub || t instanceof StubFixture.ThrowingStub);
  }

  @Test
  void afterEach_testThrowsAndLeaks_keepsTestFailureAndAddsLeakAsSuppressed() {
    Events tests = run(ThrowingFixture.class).testEvents();

    tests.assertStatistics(s -> s.started(1).failed(1));
    Throwable failure = failureOf(tests, "throwsWithPoolOpen");
    assertThat(failure).isInstanceOf(IllegalStateException.class).hasMessage("boom");
    assertThat(failure.getSuppressed())
        .singleElement()
        .satisfies(
            e -> assertThat(e).hasMessageContaining("not closed: memory pool 'fixture-throws'"));
  }

  @Test
  void afterAll_poolFromBeforeAllLeftOpen_failsTestClass() {
    EngineExecutionResults results = run(BeforeAllFixture.class);

    results.testEvents().assertStatistics(s -> s.started(1).succeeded(1).failed(0));
    assertThat(results.containerEvents().failed().list())
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.getRequiredPayload(TestExecutionResult.class).getThrowable())
                    .get()
                    .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.THROWABLE)
                    .hasMessageContaining("resource leak after test class")
                    .hasMessageContaining("BeforeAllFixture")
                    .hasMessageContaining("not closed: memory pool 'fixture-class'"));
  }

  private static EngineExecutionResults run(Class<?> fixture) {
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
        .configurationParameter(FIXTURE_KEY, "true")
        .selectors(selectClass(fixture))
        .execute();
  }

  private static Throwable failureOf(Events tests, String methodName) {
    return tests.failed().stream()
        .filter(e -> e.getTestDescriptor().getDisplayName().equals(methodName + "()"))
        .map(e -> e.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow())
        .findFirst()
        .orElseThrow(() -> new AssertionError("test " + methodName + " did not fail"));
  }

  // ---- fixtures, run only through the test kit ----

  @EnabledIf(RUN_BY_TEST_KIT)
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static final class UnclosedPoolFixture {
    @Test
    @Order(1)
    void leavesPoolOpen() {
      MemoryPool pool = MemoryPool.create("fixture-open", Sizes.MiB);
      pool.consumer("leaky").reserve(Sizes.KiB);
    }

    @Test
    @Order(2)
    void startsClean() {
      assertThat(ResourceTracker.live()).noneMatch(t -> t.describe().contains("fixture-open"));
    }
  }

  @EnabledIf(RUN_BY_TEST_KIT)
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static final class SharedPoolFixture {
    private static MemoryPool pool;

    @BeforeAll
    static void createPool() {
      pool = MemoryPool.create("fixture-shared", Sizes.MiB);
    }

    @AfterAll
    static void closePool() {
      pool.close();
    }

    @Test
    @Order(1)
    void leavesReservation() {
      pool.consumer("leaky").reserve(2 * Sizes.KiB);
    }

    @Test
    @Order(2)
    void isNotBlamedForThePreviousLeak() {}
  }

  @EnabledIf(RUN_BY_TEST_KIT)
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static final class AllowLeaksFixture {
    @Test
    @Order(1)
    @AllowLeaks("checks that opted-out tests pass")
    void leaksOnPurpose() {
      MemoryPool.create("fixture-allowed", Sizes.MiB).consumer("leaky").reserve(Sizes.KiB);
    }

    @Test
    @Order(2)
    void startsClean() {
      assertThat(ResourceTracker.live()).noneMatch(t -> t.describe().contains("fixture-allowed"));
    }
  }

  @EnabledIf(RUN_BY_TEST_KIT)
  static final class CleanFixture {
    @Test
    void closesEverything() {
      try (MemoryPool pool = MemoryPool.create("fixture-clean", Sizes.MiB);
          MemoryConsumer consumer = pool.consumer("tidy")) {
        consumer.reserve(Sizes.KiB);
        consumer.release(Sizes.KiB);
      }
    }
  }

  @EnabledIf(RUN_BY_TEST_KIT)
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static final class StubFixture {
    record Stub(String name, List<String> leaks) implements ResourceTracker.Tracked {
      @Override
      public String describe() {
        return name;
      }
    }

    record ThrowingStub(String name) implements ResourceTracker.Tracked, AutoCloseable {
      @Override
      public String describe() {
        return name;
      }

      @Override
      public List<String> leaks() {
        return List.of();
      }

      @Override
      public void close() {
        throw new IllegalStateException("close failed");
      }
    }

    @Test
    @Order(1)
    void leavesStubs() {
      Stub clean = new Stub("stub-clean", List.of());
      ResourceTracker.register(clean);
      ResourceTracker.unregister(clean);
      ResourceTracker.register(new Stub("stub-not-closeable", List.of("pins page 7")));
      ResourceTracker.register(new ThrowingStub("stub-close-throws"));
    }

    @Test
    @Order(2)
    void startsClean() {
      assertThat(ResourceTracker.live()).noneMatch(t -> t.describe().startsWith("stub-"));
    }
  }

  @EnabledIf(RUN_BY_TEST_KIT)
  static final class ThrowingFixture {
    @Test
    void throwsWithPoolOpen() {
      MemoryPool.create("fixture-throws", Sizes.MiB);
      throw new IllegalStateException("boom");
    }
  }

  @EnabledIf(RUN_BY_TEST_KIT)
  static final class BeforeAllFixture {
    @BeforeAll
    static void createPoolAndForgetIt() {
      MemoryPool.create("fixture-class", Sizes.MiB);
    }

    @Test
    void passes() {}
  }
}
