package dev.amalgam.memory;

import dev.amalgam.memory.spi.DeviceBackend;
import dev.amalgam.memory.spi.Frame;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * Moves page bytes between devices along the topology's fastest route and accounts every transfer
 * per link: bytes, count, measured seconds (the copies this process really did) and modeled seconds
 * (bytes / link bandwidth + latency, from the link's figures).
 *
 * <p>A direct route is one copy: a host memcpy when both ends are host-addressable, else the
 * backends' own transfer calls. A staged route (no direct link, e.g. GPU to GPU over PCIe) really
 * goes through host staging buffers, one copy per hop, so its measured cost is honest too.
 */
final class Transfers implements AutoCloseable {
  private final Topology topology;
  private final DeviceState[] devices;
  private final long pageSize;
  private final Route[][] routes;
  private final LinkCounters[] counters;
  private final Arena stagingArena = Arena.ofShared();
  private final ConcurrentLinkedQueue<MemorySegment> staging = new ConcurrentLinkedQueue<>();

  /** Counters of one link. */
  static final class LinkCounters {
    final LinkSpec link;
    final LongAdder bytes = new LongAdder();
    final LongAdder transfers = new LongAdder();
    final LongAdder measuredNanos = new LongAdder();
    final LongAdder modeledNanos = new LongAdder();

    LinkCounters(LinkSpec link) {
      this.link = link;
    }

    void add(long nbytes, long measured) {
      bytes.add(nbytes);
      transfers.increment();
      measuredNanos.add(measured);
      modeledNanos.add(Math.round(link.modeledSeconds(nbytes) * 1e9));
    }
  }

  Transfers(Topology topology, DeviceState[] devices, long pageSize) {
    this.topology = topology;
    this.devices = devices;
    this.pageSize = pageSize;
    int n = devices.length;
    this.routes = new Route[n][n];
    for (int a = 0; a < n; a++) {
      for (int b = 0; b < n; b++) {
        routes[a][b] = topology.route(devices[a].name(), devices[b].name(), pageSize);
      }
    }
    List<LinkSpec> links = topology.links();
    this.counters = new LinkCounters[links.size()];
    for (int i = 0; i < counters.length; i++) {
      counters[i] = new LinkCounters(links.get(i));
    }
  }

  Route route(int from, int to) {
    return routes[from][to];
  }

  double modeledSeconds(int from, int to, long bytes) {
    return routes[from][to].modeledSeconds(bytes);
  }

  LinkCounters[] counters() {
    return counters;
  }

  /** Copies {@code length} bytes from a frame on {@code from} to a frame on {@code to}. */
  void copy(DeviceState from, Frame src, DeviceState to, Frame dst, long length) {
    Route route = routes[from.id()][to.id()];
    List<Route.Hop> hops = route.hops();
    DeviceBackend sb = from.backend();
    DeviceBackend db = to.backend();
    if (hops.size() <= 1) {
      long start = System.nanoTime();
      if (sb.hostAddressable() && db.hostAddressable()) {
        MemorySegment.copy(sb.hostView(src), 0, db.hostView(dst), 0, length);
      } else if (sb.copyToPeer(src, db, dst, length)) {
        // done by the backend
      } else if (sb.hostAddressable()) {
        db.copyFromHost(sb.hostView(src), dst, 0, length);
      } else if (db.hostAddressable()) {
        sb.copyToHost(src, 0, db.hostView(dst), length);
      } else {
        MemorySegment buf = takeStaging();
        try {
          sb.copyToHost(src, 0, buf, length);
          db.copyFromHost(buf, dst, 0, length);
        } finally {
          staging.offer(buf);
        }
      }
      long took = System.nanoTime() - start;
      if (!hops.isEmpty()) {
        account(hops.get(0).link(), length, took);
      }
      return;
    }
    MemorySegment a = takeStaging();
    MemorySegment b = takeStaging();
    try {
      long start = System.nanoTime();
      if (sb.hostAddressable()) {
        MemorySegment.copy(sb.hostView(src), 0, a, 0, length);
      } else {
        sb.copyToHost(src, 0, a, length);
      }
      account(hops.get(0).link(), length, System.nanoTime() - start);
      for (int h = 1; h < hops.size() - 1; h++) {
        start = System.nanoTime();
        MemorySegment.copy(a, 0, b, 0, length);
        MemorySegment t = a;
        a = b;
        b = t;
        account(hops.get(h).link(), length, System.nanoTime() - start);
      }
      start = System.nanoTime();
      if (db.hostAddressable()) {
        MemorySegment.copy(a, 0, db.hostView(dst), 0, length);
      } else {
        db.copyFromHost(a, dst, 0, length);
      }
      account(hops.get(hops.size() - 1).link(), length, System.nanoTime() - start);
    } finally {
      staging.offer(a);
      staging.offer(b);
    }
  }

  /** Copies a frame's first {@code length} bytes into host memory (for the spill tier). */
  void toHost(DeviceState from, Frame src, MemorySegment dst, long length) {
    DeviceBackend sb = from.backend();
    if (sb.hostAddressable()) {
      MemorySegment.copy(sb.hostView(src), 0, dst, 0, length);
    } else {
      sb.copyToHost(src, 0, dst, length);
    }
  }

  /** Copies a host buffer into a frame on {@code to}, accounted over the route from the host. */
  void fromHost(DeviceState host, MemorySegment src, DeviceState to, Frame dst, long length) {
    long start = System.nanoTime();
    DeviceBackend db = to.backend();
    if (db.hostAddressable()) {
      MemorySegment.copy(src, 0, db.hostView(dst), 0, length);
    } else {
      db.copyFromHost(src, dst, 0, length);
    }
    long took = System.nanoTime() - start;
    List<Route.Hop> hops = routes[host.id()][to.id()].hops();
    for (int h = 0; h < hops.size(); h++) {
      account(hops.get(h).link(), length, h == hops.size() - 1 ? took : 0);
    }
  }

  /** Accounts a remote read of {@code bytes} over the route from {@code from} to {@code to}. */
  void accountRemote(int from, int to, long bytes) {
    for (Route.Hop hop : routes[from][to].hops()) {
      account(hop.link(), bytes, 0);
    }
  }

  /** A page-sized host buffer, from the pool or newly allocated; give it back with offer. */
  MemorySegment takeStaging() {
    MemorySegment s = staging.poll();
    if (s == null) {
      synchronized (stagingArena) {
        s = stagingArena.allocate(pageSize, 64);
      }
    }
    return s;
  }

  void returnStaging(MemorySegment s) {
    staging.offer(s);
  }

  private void account(LinkSpec link, long bytes, long measuredNanos) {
    for (LinkCounters c : counters) {
      if (c.link == link) {
        c.add(bytes, measuredNanos);
        return;
      }
    }
    throw new IllegalStateException("link " + link + " is not in topology " + topology.name());
  }

  @Override
  public void close() {
    staging.clear();
    stagingArena.close();
  }
}
