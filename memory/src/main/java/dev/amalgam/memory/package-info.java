/**
 * The unified address space of a fused device: devices, links, topologies, pages, pins, migration,
 * eviction, and statistics.
 *
 * <pre>
 *   UnifiedMemory ── FusedDevice (members: gpu0, gpu1, ...; the host)
 *        │
 *        ├── Region ──── PageEntry[]  (the page table: copies, current set, pins, advice)
 *        │                   │
 *        │                   ├── copies on devices ── DeviceState ── DeviceBackend (host | sim | ...)
 *        │                   │                          └── Caffeine policy: which page is coldest
 *        │                   └── clean/dirty copy in ── SpillFile (the last tier)
 *        ├── Transfers ── routes over Topology links, per-link counters (measured and modeled)
 *        └── MemoryPool ── reservations per named consumer
 * </pre>
 *
 * <p>A {@link dev.amalgam.memory.Region} is a contiguous range of virtual pages. A page has no copy
 * until first pinned; {@link dev.amalgam.memory.Region#pin} makes it current on the pinning device
 * (migrating it, or replicating it when the page is {@code READ_MOSTLY}), holds it against eviction
 * and returns a view. When a device is full, the policy's coldest unpinned page is demoted: dropped
 * if another current copy exists, else written one tier down first (GPU to host, host to the spill
 * file). At least one current copy of every live page exists at all times.
 *
 * <p>See {@code docs/memory-model.md} for the rules and their reasons.
 */
@NullMarked
package dev.amalgam.memory;

import org.jspecify.annotations.NullMarked;
