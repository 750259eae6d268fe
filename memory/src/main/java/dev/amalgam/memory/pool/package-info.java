/**
 * Memory reservations: the accounting that keeps an engine inside its memory budget.
 *
 * <pre>
 *   MemoryPool "engine"  limit 1.0 GiB   reserved = sum of its consumers (one AtomicLong, CAS)
 *   ├── MemoryConsumer "hash-agg#3"   600.0 MiB
 *   ├── MemoryConsumer "sort#2"       400.0 MiB
 *   └── MemoryConsumer "scan#1"        20.0 MiB
 * </pre>
 *
 * <p>A {@link dev.amalgam.memory.pool.MemoryPool} is a budget of bytes with a hard limit: the sum
 * of what its consumers hold never exceeds it, not even for an instant. A {@link
 * dev.amalgam.memory.pool.MemoryConsumer} is one named holder of reservations in a pool, usually
 * one operator instance ({@code hash-agg#3}) or one buffer owner; its name is what error messages
 * and leak reports show, so name consumers after what they are for.
 *
 * <p><b>Reserve before you allocate.</b> Every off-heap allocation is preceded by a reservation of
 * its size against the consumer that will own it, and followed, after it is freed, by a release of
 * the same size. Reservations are bookkeeping only: a pool never allocates memory itself, so the
 * accounting stays tiny, dependency-free and cheap enough for the hot path (a successful
 * reservation is a handful of atomic operations, no lock).
 *
 * <p><b>A failed {@code tryReserve} is the hook that spills.</b> {@link
 * dev.amalgam.memory.pool.MemoryConsumer#tryReserve(long)} returns false, changing nothing, when
 * the pool cannot grant the request; a memory-hungry operator (hash aggregation, join build, sort)
 * answers by spilling what it holds (to host, then disk), releasing those bytes and trying again.
 * {@link dev.amalgam.memory.pool.MemoryConsumer#reserve(long)} is for callers that cannot spill: it
 * throws a {@link dev.amalgam.memory.pool.MemoryLimitExceededException} that names the request, the
 * limit and the largest consumers, so the message says who used the memory.
 *
 * <p><b>Closing with bytes outstanding is a leak, and leaks throw.</b> Closing a consumer that
 * still holds bytes returns them to the pool and throws a {@link
 * dev.amalgam.memory.pool.MemoryLeakException}; closing a pool whose consumers still hold bytes
 * closes it anyway and throws one that lists every leaking consumer and its bytes. With {@code
 * -Damalgam.memory.debug=true} each consumer records where it was created and the report prints it.
 * {@code close()} is idempotent everywhere. Pools register with {@link
 * dev.amalgam.memory.ResourceTracker}, so the test suite's leak check fails any test that leaves a
 * pool open or a reservation outstanding.
 */
@NullMarked
package dev.amalgam.memory.pool;

import org.jspecify.annotations.NullMarked;
