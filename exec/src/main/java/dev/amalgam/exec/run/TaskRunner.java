package dev.amalgam.exec.run;

import dev.amalgam.memory.Device;
import java.util.List;
import java.util.Map;

/** Runs a breaker's finishing tasks in parallel on the fused device's workers. */
public interface TaskRunner {
  /**
   * Runs every task and returns when all are done: each goes to its home member's workers first; a
   * worker whose member has nothing left takes tasks queued for another. Rethrows the first failure
   * (the other tasks are then stopped between tasks).
   *
   * @return the number of tasks each member ran, by member name
   */
  Map<String, Integer> runAll(List<FinishTask> tasks, QueryContext query);

  /** The members tasks can be homed on. */
  List<Device> members();

  /** Worker threads over all members. */
  int totalWorkers();

  /** Runs the tasks one after another on the calling thread (no parallelism). */
  static TaskRunner sequential(Device device) {
    return new TaskRunner() {
      @Override
      public Map<String, Integer> runAll(List<FinishTask> tasks, QueryContext query) {
        try (Worker w = new Worker(device, 0, query)) {
          for (FinishTask t : tasks) {
            query.checkRunning();
            t.work().accept(w);
            w.endMorsel();
          }
        }
        return Map.of(device.name(), tasks.size());
      }

      @Override
      public List<Device> members() {
        return List.of(device);
      }

      @Override
      public int totalWorkers() {
        return 1;
      }
    };
  }
}
