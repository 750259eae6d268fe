package dev.amalgam.exec.run;

import dev.amalgam.memory.Device;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A piece of a breaker's finishing work (building one partition of a join table, merging one
 * partition of an aggregation), run by {@link TaskRunner} on a worker of its home member.
 *
 * @param home the member it should run on, or null for any
 * @param work the work, given the worker that runs it
 */
public record FinishTask(@Nullable Device home, Consumer<Worker> work) {}
