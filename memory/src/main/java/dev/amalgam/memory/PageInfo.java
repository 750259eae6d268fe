package dev.amalgam.memory;

import java.util.List;
import java.util.Map;

/**
 * A snapshot of one page-table entry.
 *
 * @param region the region's id
 * @param index the page's index within its region
 * @param copies devices holding a copy
 * @param current devices whose copy holds the latest bytes
 * @param zero true when never written (reads as zeros, no copy anywhere)
 * @param spilled true when the spill file holds the latest bytes
 * @param dirty true when no lower-tier (spill) copy is up to date
 * @param pins open pins by device
 * @param accesses pins ever made by device
 */
public record PageInfo(
    long region,
    int index,
    List<String> copies,
    List<String> current,
    boolean zero,
    boolean spilled,
    boolean dirty,
    Map<String, Integer> pins,
    Map<String, Long> accesses) {}
