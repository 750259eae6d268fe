package dev.amalgam.exec.run;

import dev.amalgam.memory.Device;
import dev.amalgam.memory.UnifiedMemory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * Morsel-driven scheduling over the members of the fused device.
 *
 * <p>Each member has its own worker threads (owned by the scheduler). To run a pipeline, its
 * morsels go to per-member queues, each to the member that holds its pages now (morsels without a
 * home are spread evenly). A worker takes morsels from the front of its member's queue and, as it
 * starts one, prefetches the next one in the queue to its device. A worker whose queue is empty
 * looks at the member with the longest queue and steals from the back only when moving that
 * morsel's pages over the topology's route (the modeled link time: latency + bytes / bandwidth)
 * costs less than the expected wait for it there (its queue length times the mean morsel time so
 * far, divided by that member's workers); otherwise it stops. Sources that must keep their order
 * run on one worker.
 *
 * <p>Failures: the first exception stops every worker of the pipeline (they check between morsels);
 * the sink's local parts are then discarded and the exception is rethrown.
 */
public final class Scheduler implements TaskRunner, AutoCloseable {
  private static final double DEFAULT_MORSEL_SECONDS = 1e-3;

  private final UnifiedMemory memory;
  private final List<Device> members;
  private final int[] workers;
  private final ExecutorService[] pools;

  /**
   * A scheduler with {@code workersPerMember[i]} threads on member {@code i}.
   *
   * @throws IllegalArgumentException when a count is not positive
   */
  public Scheduler(UnifiedMemory memory, List<Device> members, int[] workersPerMember) {
    this.memory = memory;
    this.members = List.copyOf(members);
    this.workers = workersPerMember.clone();
    if (workers.length != members.size()) {
      throw new IllegalArgumentException("one worker count per member is needed");
    }
    pools = new ExecutorService[members.size()];
    for (int i = 0; i < members.size(); i++) {
      if (workers[i] <= 0) {
        throw new IllegalArgumentException(
            "member " + members.get(i).name() + ": workers must be positive; was " + workers[i]);
      }
      pools[i] = Executors.newFixedThreadPool(workers[i], threads(members.get(i).name()));
    }
  }

  private static ThreadFactory threads(String device) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "amalgam-" + device + "-exec-" + n.getAndIncrement());
      t.setDaemon(true);
      return t;
    };
  }

  /** The members work runs on. */
  @Override
  public List<Device> members() {
    return members;
  }

  /** Worker threads of member {@code i}. */
  public int workers(int i) {
    return workers[i];
  }

  /** Runs a pipeline to completion and finishes its sink; rethrows the first failure. */
  public void run(Pipeline pipeline, QueryContext query) {
    long start = System.nanoTime();
    query.checkRunning();
    Source source = pipeline.source();
    List<Morsel> morsels = source.morsels(query);
    int m = members.size();
    @SuppressWarnings("unchecked")
    ConcurrentLinkedDeque<Morsel>[] queues = new ConcurrentLinkedDeque[m];
    AtomicInteger[] remaining = new AtomicInteger[m];
    for (int i = 0; i < m; i++) {
      queues[i] = new ConcurrentLinkedDeque<>();
      remaining[i] = new AtomicInteger();
    }
    boolean ordered = source.ordered();
    for (Morsel morsel : morsels) {
      int q = ordered ? 0 : queueFor(morsel, remaining);
      queues[q].addLast(morsel);
      remaining[q].incrementAndGet();
    }
    Run run = new Run(pipeline, query, queues, remaining);
    List<Future<?>> tasks = new ArrayList<>();
    if (ordered) {
      tasks.add(pools[0].submit(() -> run.work(0, 0)));
    } else {
      for (int i = 0; i < m; i++) {
        for (int w = 0; w < workers[i]; w++) {
          int member = i;
          int index = w;
          tasks.add(pools[i].submit(() -> run.work(member, index)));
        }
      }
    }
    for (Future<?> f : tasks) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        query.cancel();
        run.fail(e);
      } catch (ExecutionException e) {
        run.fail(e.getCause() == null ? e : e.getCause());
      }
    }
    Throwable failure = run.failure.get();
    List<Op> locals = run.locals();
    if (failure != null) {
      for (Op local : locals) {
        try {
          pipeline.sink().discard(local);
        } catch (RuntimeException e) {
          failure.addSuppressed(e);
        }
      }
      throwUnchecked(failure);
    }
    for (Op local : locals) {
      pipeline.sink().combine(local);
    }
    pipeline.sink().finish(query, this);
    query.addProfile(run.profile(System.nanoTime() - start));
  }

  @Override
  public int totalWorkers() {
    int sum = 0;
    for (int w : workers) {
      sum += w;
    }
    return sum;
  }

  @Override
  public Map<String, Integer> runAll(List<FinishTask> tasks, QueryContext query) {
    int m = members.size();
    @SuppressWarnings("unchecked")
    ConcurrentLinkedDeque<FinishTask>[] queues = new ConcurrentLinkedDeque[m];
    AtomicInteger[] ran = new AtomicInteger[m];
    for (int i = 0; i < m; i++) {
      queues[i] = new ConcurrentLinkedDeque<>();
      ran[i] = new AtomicInteger();
    }
    int spread = 0;
    for (FinishTask t : tasks) {
      Device home = t.home();
      int i = home == null ? -1 : members.indexOf(home);
      queues[i >= 0 ? i : spread++ % m].addLast(t);
    }
    AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < m; i++) {
      // no more threads than tasks: each takes from its own member's queue, then from the others
      int threads = Math.min(workers[i], Math.max(1, tasks.size()));
      for (int w = 0; w < threads; w++) {
        int member = i;
        int index = w;
        futures.add(
            pools[i].submit(
                () -> {
                  try (Worker worker = new Worker(members.get(member), index, query)) {
                    while (failure.get() == null) {
                      query.checkRunning();
                      FinishTask t = queues[member].pollFirst();
                      for (int j = 1; t == null && j < m; j++) {
                        t = queues[(member + j) % m].pollLast();
                      }
                      if (t == null) {
                        return;
                      }
                      try {
                        t.work().accept(worker);
                      } finally {
                        worker.endMorsel();
                      }
                      ran[member].incrementAndGet();
                    }
                  } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                  }
                }));
      }
    }
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        query.cancel();
        failure.compareAndSet(null, e);
      } catch (ExecutionException e) {
        failure.compareAndSet(null, e.getCause() == null ? e : e.getCause());
      }
    }
    Throwable f = failure.get();
    if (f != null) {
      throwUnchecked(f);
    }
    Map<String, Integer> byMember = new LinkedHashMap<>();
    for (int i = 0; i < m; i++) {
      if (ran[i].get() > 0) {
        byMember.put(members.get(i).name(), ran[i].get());
      }
    }
    return byMember;
  }

  private int queueFor(Morsel morsel, AtomicInteger[] remaining) {
    Device home = morsel.home();
    if (home != null) {
      int i = members.indexOf(home);
      if (i >= 0) {
        return i;
      }
    }
    int best = 0;
    for (int i = 1; i < remaining.length; i++) {
      if (remaining[i].get() * (long) workers[best] < remaining[best].get() * (long) workers[i]) {
        best = i;
      }
    }
    return best;
  }

  private static void throwUnchecked(Throwable t) {
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw new IllegalStateException(t);
  }

  /** The state of one pipeline run. */
  private final class Run {
    final Pipeline pipeline;
    final QueryContext query;
    final ConcurrentLinkedDeque<Morsel>[] queues;
    final AtomicInteger[] remaining;
    final AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();
    final List<Op> locals = new ArrayList<>();
    final LongAdder[] morselCount;
    final LongAdder[] stealCount;
    final LongAdder[] busy;
    final AtomicLong doneMorsels = new AtomicLong();
    final AtomicLong doneNanos = new AtomicLong();

    Run(
        Pipeline pipeline,
        QueryContext query,
        ConcurrentLinkedDeque<Morsel>[] queues,
        AtomicInteger[] remaining) {
      this.pipeline = pipeline;
      this.query = query;
      this.queues = queues;
      this.remaining = remaining;
      int m = queues.length;
      morselCount = new LongAdder[m];
      stealCount = new LongAdder[m];
      busy = new LongAdder[m];
      for (int i = 0; i < m; i++) {
        morselCount[i] = new LongAdder();
        stealCount[i] = new LongAdder();
        busy[i] = new LongAdder();
      }
    }

    void fail(Throwable t) {
      if (!failure.compareAndSet(null, t) && failure.get() != t) {
        Throwable first = failure.get();
        if (first != null && !(t instanceof dev.amalgam.exec.QueryException)) {
          first.addSuppressed(t);
        }
      }
    }

    synchronized List<Op> locals() {
      return List.copyOf(locals);
    }

    void work(int member, int index) {
      Device device = members.get(member);
      Source source = pipeline.source();
      try (Worker worker = new Worker(device, index, query)) {
        Op local = pipeline.sink().createLocal(worker);
        synchronized (this) {
          locals.add(local);
        }
        Op head = local;
        List<OpSpec> ops = pipeline.ops();
        for (int k = ops.size() - 1; k >= 0; k--) {
          head = ops.get(k).create(worker, head);
        }
        while (failure.get() == null && !head.done()) {
          query.checkRunning();
          Morsel m = take(member, worker);
          if (m == null) {
            break;
          }
          Morsel next = queues[member].peekFirst();
          if (next != null) {
            source.prefetch(next, device);
          }
          long t0 = System.nanoTime();
          try {
            source.push(m, worker, head);
          } finally {
            worker.endMorsel();
          }
          long ns = System.nanoTime() - t0;
          busy[member].add(ns);
          morselCount[member].increment();
          doneMorsels.incrementAndGet();
          doneNanos.addAndGet(ns);
        }
        if (failure.get() == null) {
          long t0 = System.nanoTime();
          head.finish();
          worker.endMorsel();
          busy[member].add(System.nanoTime() - t0);
        }
      } catch (Throwable t) {
        fail(t);
      }
    }

    private @Nullable Morsel take(int me, Worker worker) {
      Morsel m = queues[me].pollFirst();
      if (m != null) {
        remaining[me].decrementAndGet();
        return m;
      }
      while (true) {
        int victim = -1;
        int most = 0;
        for (int j = 0; j < queues.length; j++) {
          int r = remaining[j].get();
          if (j != me && r > most) {
            most = r;
            victim = j;
          }
        }
        if (victim < 0) {
          return null;
        }
        Morsel candidate = queues[victim].peekLast();
        if (candidate == null) {
          continue;
        }
        long done = doneMorsels.get();
        double mean = done == 0 ? DEFAULT_MORSEL_SECONDS : doneNanos.get() / 1e9 / done;
        double wait = most * mean / workers[victim];
        Device home = candidate.home();
        double cost =
            home == null || home.equals(worker.device())
                ? 0
                : memory.modeledTransferSeconds(home, worker.device(), candidate.bytes());
        if (cost >= wait) {
          return null;
        }
        Morsel stolen = queues[victim].pollLast();
        if (stolen != null) {
          remaining[victim].decrementAndGet();
          stealCount[me].increment();
          return stolen;
        }
      }
    }

    PipelineProfile profile(long wallNanos) {
      Map<String, Long> morsels = new LinkedHashMap<>();
      Map<String, Long> steals = new LinkedHashMap<>();
      Map<String, Long> busyNanos = new LinkedHashMap<>();
      Map<String, Integer> workerCounts = new LinkedHashMap<>();
      for (int i = 0; i < members.size(); i++) {
        String name = members.get(i).name();
        morsels.put(name, morselCount[i].sum());
        steals.put(name, stealCount[i].sum());
        busyNanos.put(name, busy[i].sum());
        workerCounts.put(name, pipeline.source().ordered() ? (i == 0 ? 1 : 0) : workers[i]);
      }
      List<Map.Entry<String, OpStats>> ops = new ArrayList<>();
      ops.add(Map.entry(pipeline.source().describe(), pipeline.source().stats()));
      for (OpSpec s : pipeline.ops()) {
        ops.add(Map.entry(s.describe(), s.stats()));
      }
      ops.add(Map.entry(pipeline.sink().describe(), pipeline.sink().stats()));
      return new PipelineProfile(
          pipeline.id(),
          pipeline.source().describe(),
          wallNanos,
          morsels,
          steals,
          busyNanos,
          workerCounts,
          ops);
    }
  }

  /** Stops the worker threads. */
  /** One of the independent tasks of {@link #runTasks}. */
  @FunctionalInterface
  public interface Task {
    /** Runs task {@code index} on a worker of {@code member}. */
    void run(int index, Device member) throws Exception;
  }

  /**
   * Runs tasks {@code 0 .. count - 1} on the members' workers and waits for all of them: member
   * {@code i} of {@code m} is given the contiguous range of tasks {@code [i count / m, (i + 1)
   * count / m)}, its workers take them in order, and a worker whose member has none left takes the
   * next task of the member with the most left. Tasks must not depend on which member or worker
   * runs them. The first failure stops the workers (between tasks) and is rethrown, wrapped in a
   * RuntimeException when checked.
   */
  public void runTasks(int count, Task task) {
    if (count < 0) {
      throw new IllegalArgumentException("task count must be >= 0; was " + count);
    }
    int m = members.size();
    AtomicInteger[] next = new AtomicInteger[m];
    int[] end = new int[m];
    for (int i = 0; i < m; i++) {
      next[i] = new AtomicInteger((int) ((long) i * count / m));
      end[i] = (int) ((long) (i + 1) * count / m);
    }
    AtomicReference<@Nullable Throwable> failure = new AtomicReference<>();
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < m; i++) {
      int member = i;
      for (int w = 0; w < workers[i]; w++) {
        futures.add(
            pools[i].submit(
                () -> {
                  Device device = members.get(member);
                  while (failure.get() == null) {
                    int q = member;
                    int t = next[q].getAndIncrement();
                    if (t >= end[q]) {
                      q = -1;
                      int most = 0;
                      for (int j = 0; j < m; j++) {
                        int left = end[j] - next[j].get();
                        if (left > most) {
                          most = left;
                          q = j;
                        }
                      }
                      if (q < 0) {
                        return;
                      }
                      t = next[q].getAndIncrement();
                      if (t >= end[q]) {
                        continue;
                      }
                    }
                    try {
                      task.run(t, device);
                    } catch (Throwable e) {
                      failure.compareAndSet(null, e);
                      return;
                    }
                  }
                }));
      }
    }
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure.compareAndSet(null, e);
      } catch (ExecutionException e) {
        failure.compareAndSet(null, e.getCause() == null ? e : e.getCause());
      }
    }
    Throwable t = failure.get();
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error err) {
      throw err;
    }
    if (t != null) {
      throw new RuntimeException(t);
    }
  }

  @Override
  public void close() {
    for (ExecutorService p : pools) {
      p.shutdownNow();
    }
    for (ExecutorService p : pools) {
      try {
        p.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
