package dev.amalgam.exec.run;

import java.util.List;
import java.util.Map;

/**
 * What one pipeline did: wall time, and per member device the morsels it ran, the morsels it stole
 * from another member, and its workers' busy time.
 *
 * @param id the pipeline's number
 * @param source the source's description
 * @param wallNanos wall-clock time of the pipeline
 * @param morsels morsels run, by device
 * @param steals morsels taken from another member's queue, by device
 * @param busyNanos time workers spent running morsels, by device
 * @param workers workers, by device
 * @param ops descriptions of the operators and sink with their stats, upstream first
 */
public record PipelineProfile(
    int id,
    String source,
    long wallNanos,
    Map<String, Long> morsels,
    Map<String, Long> steals,
    Map<String, Long> busyNanos,
    Map<String, Integer> workers,
    List<Map.Entry<String, OpStats>> ops) {}
