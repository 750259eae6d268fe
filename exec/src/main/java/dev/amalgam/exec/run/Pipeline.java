package dev.amalgam.exec.run;

import java.util.List;

/**
 * A source, streaming operators and a sink, run morsel by morsel on the workers of the fused
 * device's members.
 *
 * @param id number within the query (pipelines run in id order)
 * @param source the source
 * @param ops the streaming operators, upstream first
 * @param sink the sink
 */
public record Pipeline(int id, Source source, List<OpSpec> ops, Sink sink) {
  /** Copies the operator list. */
  public Pipeline {
    ops = List.copyOf(ops);
  }
}
