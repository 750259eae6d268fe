package dev.amalgam.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

final class EngineRunTasksTest {
  @Test
  void runTasks_everyTaskOnceOnTheMembersWorkers() {
    try (Engine e = Engine.open("fused-pair")) {
      int n = 1000;
      AtomicIntegerArray runs = new AtomicIntegerArray(n);
      Set<String> members = ConcurrentHashMap.newKeySet();
      Set<String> threads = ConcurrentHashMap.newKeySet();
      e.runTasks(
          n,
          (i, member) -> {
            runs.incrementAndGet(i);
            members.add(member.name());
            threads.add(Thread.currentThread().getName());
          });
      for (int i = 0; i < n; i++) {
        assertThat(runs.get(i)).as("task " + i).isEqualTo(1);
      }
      // which members ran tasks depends on timing (idle workers take the others' tasks)
      assertThat(members).isNotEmpty().isSubsetOf("gpu0", "gpu1");
      assertThat(threads).allMatch(t -> t.startsWith("amalgam-gpu"));
    }
  }

  @Test
  void runTasks_failure_isRethrownAndEngineStaysUsable() {
    try (Engine e = Engine.open("cpu")) {
      assertThatThrownBy(
              () ->
                  e.runTasks(
                      50,
                      (i, member) -> {
                        if (i == 17) {
                          throw new java.io.IOException("task 17 broke");
                        }
                      }))
          .hasMessageContaining("task 17 broke");
      AtomicIntegerArray runs = new AtomicIntegerArray(3);
      e.runTasks(3, (i, member) -> runs.incrementAndGet(i));
      assertThat(runs.get(0) + runs.get(1) + runs.get(2)).isEqualTo(3);
    }
  }

  @Test
  void runTasks_zeroTasks_returns() {
    try (Engine e = Engine.open("cpu")) {
      e.runTasks(
          0,
          (i, member) -> {
            throw new AssertionError("no task");
          });
    }
  }
}
