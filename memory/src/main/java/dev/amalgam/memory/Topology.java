package dev.amalgam.memory;

import dev.amalgam.memory.spi.DeviceBackendProvider;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * An immutable set of devices and the links between them: the hardware a fused device is made of.
 *
 * <p>Obtain one from a {@linkplain #preset(String) preset}, a {@linkplain #builder(String)
 * builder}, or a topology file ({@link #parse(Path)}). Every topology has exactly one host device,
 * and every device is reachable from the host over links; a transfer between two devices takes the
 * fastest {@link #route(String, String, long) route}, staged through the host (or another device)
 * where no direct link exists.
 *
 * <h2>File format</h2>
 *
 * <p>A topology file is UTF-8 text, one directive per line. {@code #} starts a comment that runs to
 * the end of the line; blank lines are ignored. Values are written without spaces ({@code 64GiB},
 * not {@code 64 GiB}). Directives:
 *
 * <ul>
 *   <li>{@code topology <name>} — the topology's name (optional, at most once; defaults to the file
 *       name without its extension).
 *   <li>{@code device <name> key=value…} — a device. Keys: {@code kind} ({@code host} or {@code
 *       gpu}; required), {@code capacity} (a size such as {@code 16GiB}; required), {@code backend}
 *       ({@code host}, {@code sim}, {@code tornado} or {@code cuda}; default {@code host} for a
 *       host and {@code sim} for a GPU), {@code bandwidth} (memory bandwidth such as {@code
 *       3.35TB/s}; default 200GB/s for a host, 3.35TB/s for a GPU), {@code workers} (worker
 *       threads; default the available processors for a host, 2 for a GPU).
 *   <li>{@code link <device> <device> key=value…} — a bidirectional link. Keys: {@code type} (one
 *       of {@code nv-hbi, nvlink5, nvlink4, c2c, pcie5, pcie4}; required), {@code bandwidth} (per
 *       direction) and {@code latency} (such as {@code 1us}), both defaulting to the type's figures
 *       (see {@link LinkType}). A link may name a device declared further down.
 * </ul>
 *
 * <p>Example:
 *
 * <pre>{@code
 * # two simulated H100s on PCIe, joined by an NVLink bridge
 * topology my-box
 * device host kind=host capacity=64GiB bandwidth=200GB/s workers=4
 * device gpu0 kind=gpu backend=sim capacity=16GiB bandwidth=3.35TB/s workers=2
 * device gpu1 kind=gpu capacity=16GiB
 * link gpu0 host type=pcie5                       # figures default to the type's
 * link gpu1 host type=pcie5
 * link gpu0 gpu1 type=nvlink4 bandwidth=450GB/s latency=1us
 * }</pre>
 *
 * <p>Every error throws a {@link TopologyFormatException} naming the source, line, field and the
 * offending text, e.g. {@code my.topo:3: field 'capacity': cannot parse '16XB' as a size: unknown
 * unit 'XB'}. {@link #toText()} writes a topology back in this format.
 */
public final class Topology {
  /*
   * Implementation notes.
   *
   * Validation: the builder and the parser share one check (check(...)), which reports the first
   * problem with the device or link it concerns; the parser maps that back to a line.
   *
   * Routing: the cost of a path is the sum over its hops of link.modeledSeconds(bytes) (store and
   * forward: every hop pays its latency and moves all bytes). Dijkstra with an O(n^2) scan, which
   * beats a heap at the sizes topologies have (a handful to a few dozen devices). Ties are broken
   * by fewer hops, then by the lower device index of the predecessor, then the scan picks the lower
   * device index, so routes are deterministic. Because a path's cost is linear in bytes
   * (sum of latencies + bytes * sum of 1/bandwidth), the best route can change with the size:
   * latency-bound small transfers favour fewer hops. All routes for ROUTE_CACHE_BYTES (the default
   * page size) are computed once at construction; other sizes run Dijkstra on demand.
   */

  /** The preset used when none is named. */
  public static final String DEFAULT_PRESET = "fused-pair";

  private static final List<String> PRESET_NAMES =
      List.of("cpu", "fused-pair", "pcie-pair", "nvl4", "nvl8");

  /** Known device backends; a host device uses {@code host}, a GPU any other. */
  /** Backends built into the memory module; others come from {@link DeviceBackendProvider}s. */
  private static final List<String> BUILT_IN_BACKENDS = List.of("host", "sim");

  /** The backend names a topology may use: the built-in ones and every provider found. */
  static List<String> backendNames() {
    List<String> names = new ArrayList<>(BUILT_IN_BACKENDS);
    for (DeviceBackendProvider p : ServiceLoader.load(DeviceBackendProvider.class)) {
      if (!names.contains(p.name())) {
        names.add(p.name());
      }
    }
    return names;
  }

  private static final long DEFAULT_GPU_CAPACITY = 2 * Sizes.GiB;
  private static final long DEFAULT_HOST_CAPACITY = 8 * Sizes.GiB;

  /** Modeled host DRAM bandwidth (DDR5, a few channels): an assumption, not a measurement. */
  private static final double HOST_BANDWIDTH = 200e9;

  /** NVIDIA B200 HBM3e bandwidth, 8 TB/s (DGX/HGX B200 datasheet). */
  private static final double B200_HBM_BANDWIDTH = 8e12;

  /** NVIDIA H100 SXM5 HBM3 bandwidth, 3.35 TB/s (H100 datasheet). */
  private static final double H100_HBM_BANDWIDTH = 3.35e12;

  private static final int GPU_WORKERS = 2;

  /** The transfer size whose routes are precomputed: the default page size. */
  private static final long ROUTE_CACHE_BYTES = 2 * Sizes.MiB;

  private static final Pattern NAME = Pattern.compile("[^\\s#=]+");

  private final String name;
  private final List<DeviceSpec> devices;
  private final List<LinkSpec> links;
  private final Map<String, Integer> indexByName;
  private final int hostIndex;
  private final List<DeviceSpec> gpus;
  private final List<DeviceSpec> members;
  private final int[][] neighbours;
  private final LinkSpec[][] neighbourLinks;
  private final Route[][] cachedRoutes;

  private Topology(String name, List<DeviceSpec> devices, List<LinkSpec> links) {
    this.name = name;
    this.devices = List.copyOf(devices);
    this.links = List.copyOf(links);
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < this.devices.size(); i++) {
      index.put(this.devices.get(i).name(), i);
    }
    this.indexByName = Map.copyOf(index);
    int host = -1;
    List<DeviceSpec> gpuList = new ArrayList<>();
    for (int i = 0; i < this.devices.size(); i++) {
      DeviceSpec d = this.devices.get(i);
      if (d.kind() == DeviceKind.HOST) {
        host = i;
      } else {
        gpuList.add(d);
      }
    }
    this.hostIndex = host;
    this.gpus = List.copyOf(gpuList);
    this.members = gpus.isEmpty() ? List.of(this.devices.get(hostIndex)) : gpus;

    int n = this.devices.size();
    this.neighbours = new int[n][];
    this.neighbourLinks = new LinkSpec[n][];
    for (int u = 0; u < n; u++) {
      String un = this.devices.get(u).name();
      List<LinkSpec> adjacent = new ArrayList<>();
      for (LinkSpec l : this.links) {
        if (l.a().equals(un) || l.b().equals(un)) {
          adjacent.add(l);
        }
      }
      adjacent.sort(
          (x, y) -> Integer.compare(lookup(index, other(x, un)), lookup(index, other(y, un))));
      neighbours[u] = new int[adjacent.size()];
      neighbourLinks[u] = adjacent.toArray(new LinkSpec[0]);
      for (int k = 0; k < adjacent.size(); k++) {
        neighbours[u][k] = lookup(index, other(adjacent.get(k), un));
      }
    }
    this.cachedRoutes = new Route[n][];
    for (int s = 0; s < n; s++) {
      cachedRoutes[s] = shortestRoutes(s, ROUTE_CACHE_BYTES);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Presets

  /** The names of the built-in presets: cpu, fused-pair, pcie-pair, nvl4, nvl8. */
  public static List<String> presetNames() {
    return PRESET_NAMES;
  }

  /** A built-in preset with default capacities (host 8 GiB, each GPU 2 GiB). */
  public static Topology preset(String name) {
    return preset(name, DEFAULT_GPU_CAPACITY, DEFAULT_HOST_CAPACITY);
  }

  /**
   * A built-in preset with the given capacities.
   *
   * @throws IllegalArgumentException for an unknown name (the message lists the valid ones) or a
   *     capacity that is not positive
   */
  public static Topology preset(String name, long gpuCapacityBytes, long hostCapacityBytes) {
    Objects.requireNonNull(name, "name is null");
    String key = name.strip().toLowerCase(Locale.ROOT);
    Builder b = builder(key).device(hostDevice(hostCapacityBytes));
    switch (key) {
      case "cpu" -> {}
      case "fused-pair", "pcie-pair" -> {
        b.device(gpu(0, gpuCapacityBytes, B200_HBM_BANDWIDTH));
        b.device(gpu(1, gpuCapacityBytes, B200_HBM_BANDWIDTH));
        LinkType toHost = key.equals("fused-pair") ? LinkType.NVLINK_C2C : LinkType.PCIE5;
        if (key.equals("fused-pair")) {
          b.link(LinkSpec.of("gpu0", "gpu1", LinkType.NVLINK5));
        }
        b.link(LinkSpec.of("gpu0", "host", toHost));
        b.link(LinkSpec.of("gpu1", "host", toHost));
      }
      case "nvl4", "nvl8" -> {
        int count = key.equals("nvl4") ? 4 : 8;
        for (int i = 0; i < count; i++) {
          b.device(gpu(i, gpuCapacityBytes, H100_HBM_BANDWIDTH));
        }
        for (int i = 0; i < count; i++) {
          for (int j = i + 1; j < count; j++) {
            b.link(LinkSpec.of("gpu" + i, "gpu" + j, LinkType.NVLINK4));
          }
        }
        for (int i = 0; i < count; i++) {
          b.link(LinkSpec.of("gpu" + i, "host", LinkType.PCIE5));
        }
      }
      default ->
          throw new IllegalArgumentException(
              "unknown topology preset '"
                  + name
                  + "' (valid: "
                  + String.join(", ", PRESET_NAMES)
                  + ")");
    }
    return b.build();
  }

  private static DeviceSpec hostDevice(long capacityBytes) {
    return new DeviceSpec(
        "host", DeviceKind.HOST, "host", capacityBytes, HOST_BANDWIDTH, defaultHostWorkers());
  }

  private static DeviceSpec gpu(int i, long capacityBytes, double bandwidth) {
    return new DeviceSpec("gpu" + i, DeviceKind.GPU, "sim", capacityBytes, bandwidth, GPU_WORKERS);
  }

  private static int defaultHostWorkers() {
    return Runtime.getRuntime().availableProcessors();
  }

  // ---------------------------------------------------------------------------------------------
  // Builder

  /** Starts building a topology named {@code name}. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Collects devices and links and checks them into a {@link Topology}; not thread-safe. */
  public static final class Builder {
    private final String name;
    private final List<DeviceSpec> devices = new ArrayList<>();
    private final List<LinkSpec> links = new ArrayList<>();

    private Builder(String name) {
      this.name = Objects.requireNonNull(name, "name is null");
    }

    /** Adds a device; devices keep the order they are added in. */
    public Builder device(DeviceSpec device) {
      devices.add(Objects.requireNonNull(device, "device is null"));
      return this;
    }

    /** Adds a link between two devices (which may be added later). */
    public Builder link(LinkSpec link) {
      links.add(Objects.requireNonNull(link, "link is null"));
      return this;
    }

    /**
     * Checks the devices and links and returns the topology.
     *
     * @throws IllegalArgumentException naming the first problem: a bad or duplicate name, no host
     *     or more than one, a backend that does not fit the kind, a link to an unknown device, a
     *     duplicate link, or a device unreachable from the host
     */
    public Topology build() {
      Problem p = check(name, devices, links);
      if (p != null) {
        throw new IllegalArgumentException("topology '" + name + "': " + p.message());
      }
      return new Topology(name, devices, links);
    }
  }

  /** A validation failure and the device or link (index; -1 when neither) it concerns. */
  private record Problem(String field, int device, int link, String message) {}

  private static @Nullable Problem check(
      String name, List<DeviceSpec> devices, List<LinkSpec> links) {
    if (!NAME.matcher(name).matches()) {
      return new Problem("name", -1, -1, "bad topology name '" + name + "': no spaces, '#' or '='");
    }
    Map<String, Integer> index = new HashMap<>();
    int host = -1;
    for (int i = 0; i < devices.size(); i++) {
      DeviceSpec d = devices.get(i);
      if (!NAME.matcher(d.name()).matches()) {
        return new Problem(
            "name", i, -1, "bad device name '" + d.name() + "': no spaces, '#' or '='");
      }
      if (index.putIfAbsent(d.name(), i) != null) {
        return new Problem("name", i, -1, "duplicate device '" + d.name() + "'");
      }
      Problem backend = checkBackend(d, i);
      if (backend != null) {
        return backend;
      }
      if (d.kind() == DeviceKind.HOST) {
        if (host >= 0) {
          return new Problem(
              "kind",
              i,
              -1,
              "more than one host device: '"
                  + devices.get(host).name()
                  + "' and '"
                  + d.name()
                  + "'");
        }
        host = i;
      }
    }
    if (host < 0) {
      return new Problem(
          "kind", -1, -1, "no host device (declare one: device host kind=host capacity=<size>)");
    }
    List<List<Integer>> adjacent = new ArrayList<>();
    for (int i = 0; i < devices.size(); i++) {
      adjacent.add(new ArrayList<>());
    }
    for (int j = 0; j < links.size(); j++) {
      LinkSpec l = links.get(j);
      String ends = "link " + l.a() + " <-> " + l.b();
      for (String end : List.of(l.a(), l.b())) {
        if (!index.containsKey(end)) {
          return new Problem(
              "device",
              -1,
              j,
              ends + ": unknown device '" + end + "' (known: " + names(devices) + ")");
        }
      }
      for (int k = 0; k < j; k++) {
        if (links.get(k).joins(l.a(), l.b())) {
          return new Problem(
              "link", -1, j, ends + ": duplicate link between '" + l.a() + "' and '" + l.b() + "'");
        }
      }
      int a = lookup(index, l.a());
      int b = lookup(index, l.b());
      adjacent.get(a).add(b);
      adjacent.get(b).add(a);
    }
    boolean[] reached = new boolean[devices.size()];
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    reached[host] = true;
    queue.add(host);
    while (!queue.isEmpty()) {
      for (int v : adjacent.get(queue.poll())) {
        if (!reached[v]) {
          reached[v] = true;
          queue.add(v);
        }
      }
    }
    for (int i = 0; i < devices.size(); i++) {
      if (!reached[i]) {
        return new Problem(
            "link",
            i,
            -1,
            "device '"
                + devices.get(i).name()
                + "' is not reachable from host '"
                + devices.get(host).name()
                + "' (add a link)");
      }
    }
    return null;
  }

  private static @Nullable Problem checkBackend(DeviceSpec d, int i) {
    List<String> backends = backendNames();
    if (!backends.contains(d.backend())) {
      return new Problem(
          "backend",
          i,
          -1,
          "device '"
              + d.name()
              + "': unknown backend '"
              + d.backend()
              + "' (valid: "
              + String.join(", ", backends)
              + ")");
    }
    if ((d.kind() == DeviceKind.HOST) != d.backend().equals("host")) {
      return new Problem(
          "backend",
          i,
          -1,
          "device '"
              + d.name()
              + "': backend '"
              + d.backend()
              + "' does not fit kind "
              + d.kind().name().toLowerCase(Locale.ROOT)
              + " (a host uses backend host; a gpu uses sim or a device backend such as tornado)");
    }
    return null;
  }

  private static String names(List<DeviceSpec> devices) {
    return devices.stream().map(DeviceSpec::name).collect(Collectors.joining(", "));
  }

  // ---------------------------------------------------------------------------------------------
  // Parsing

  /**
   * Reads a topology file (format in the class documentation).
   *
   * @throws TopologyFormatException for a malformed file, or with line 0 when it cannot be read
   */
  public static Topology parse(Path file) {
    Objects.requireNonNull(file, "file is null");
    String source = file.toString();
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new TopologyFormatException(source, 0, "file", "cannot read topology file: " + e, e);
    }
    return parse(text, source);
  }

  /**
   * Parses topology text (format in the class documentation); {@code sourceName} names it in
   * errors.
   *
   * @throws TopologyFormatException naming the source, line, field and offending text
   */
  public static Topology parse(String text, String sourceName) {
    Objects.requireNonNull(text, "text is null");
    Objects.requireNonNull(sourceName, "sourceName is null");
    return new Parser(sourceName).parse(text);
  }

  /** Parses the line-based topology format; one instance per source. */
  private static final class Parser {
    private static final List<String> DEVICE_KEYS =
        List.of("kind", "backend", "capacity", "bandwidth", "workers");
    private static final List<String> LINK_KEYS = List.of("type", "bandwidth", "latency");
    private static final String LINK_TYPES =
        Arrays.stream(LinkType.values()).map(LinkType::id).collect(Collectors.joining(", "));

    private final String source;
    private @Nullable String name;
    private int nameLine;
    private final List<DeviceSpec> devices = new ArrayList<>();
    private final List<Integer> deviceLines = new ArrayList<>();
    private final List<LinkSpec> links = new ArrayList<>();
    private final List<Integer> linkLines = new ArrayList<>();

    Parser(String source) {
      this.source = source;
    }

    Topology parse(String text) {
      String[] lines = text.split("\\R", -1);
      for (int i = 0; i < lines.length; i++) {
        line(lines[i], i + 1);
      }
      String topologyName = name != null ? name : defaultName(source);
      Problem p = check(topologyName, devices, links);
      if (p != null) {
        int line =
            p.device() >= 0
                ? deviceLines.get(p.device())
                : p.link() >= 0 ? linkLines.get(p.link()) : p.field().equals("name") ? nameLine : 0;
        throw new TopologyFormatException(source, line, p.field(), p.message());
      }
      return new Topology(topologyName, devices, links);
    }

    private void line(String raw, int line) {
      int hash = raw.indexOf('#');
      String content = (hash >= 0 ? raw.substring(0, hash) : raw).strip();
      if (content.isEmpty()) {
        return;
      }
      String[] tokens = content.split("\\s+");
      switch (tokens[0]) {
        case "topology" -> topology(tokens, content, line);
        case "device" -> device(tokens, content, line);
        case "link" -> link(tokens, content, line);
        default ->
            throw error(
                line,
                "directive",
                "unknown directive '" + tokens[0] + "' (valid: topology, device, link)");
      }
    }

    private void topology(String[] tokens, String content, int line) {
      if (name != null) {
        throw error(
            line, "directive", "duplicate 'topology' directive (first on line " + nameLine + ")");
      }
      if (tokens.length != 2 || !NAME.matcher(tokens[1]).matches()) {
        throw error(line, "name", "expected 'topology <name>', got '" + content + "'");
      }
      name = tokens[1];
      nameLine = line;
    }

    private void device(String[] tokens, String content, int line) {
      if (tokens.length < 2 || tokens[1].contains("=")) {
        throw error(
            line,
            "name",
            "missing device name in '"
                + content
                + "' (expected: device <name> kind=host|gpu capacity=<size> …)");
      }
      String device = tokens[1];
      Map<String, String> kv = keyValues(tokens, 2, DEVICE_KEYS, "a device", line);
      String kindText = required(kv, "kind", "kind=host or kind=gpu", line);
      DeviceKind kind =
          switch (kindText.toLowerCase(Locale.ROOT)) {
            case "host" -> DeviceKind.HOST;
            case "gpu" -> DeviceKind.GPU;
            default ->
                throw error(
                    line, "kind", "unknown device kind '" + kindText + "' (valid: host, gpu)");
          };
      String capacityText = required(kv, "capacity", "capacity=<size>, e.g. 16GiB", line);
      long capacity = located(line, "capacity", () -> Sizes.parseBytes(capacityText));
      if (capacity <= 0) {
        throw error(line, "capacity", "capacity must be positive, was '" + capacityText + "'");
      }
      String backend =
          kv.getOrDefault("backend", kind == DeviceKind.HOST ? "host" : "sim")
              .toLowerCase(Locale.ROOT);
      String bandwidthText = kv.get("bandwidth");
      double bandwidth =
          bandwidthText == null
              ? (kind == DeviceKind.HOST ? HOST_BANDWIDTH : H100_HBM_BANDWIDTH)
              : bandwidth(bandwidthText, line);
      String workersText = kv.get("workers");
      int workers =
          workersText == null
              ? (kind == DeviceKind.HOST ? defaultHostWorkers() : GPU_WORKERS)
              : workers(workersText, line);
      DeviceSpec spec =
          located(
              line,
              "device",
              () -> new DeviceSpec(device, kind, backend, capacity, bandwidth, workers));
      Problem p = checkBackend(spec, devices.size());
      if (p != null) {
        throw error(line, p.field(), p.message());
      }
      devices.add(spec);
      deviceLines.add(line);
    }

    private void link(String[] tokens, String content, int line) {
      if (tokens.length < 3 || tokens[1].contains("=") || tokens[2].contains("=")) {
        throw error(
            line,
            "device",
            "a link needs two device names in '"
                + content
                + "' (expected: link <device> <device> type=<type> …)");
      }
      String a = tokens[1];
      String b = tokens[2];
      if (a.equals(b)) {
        throw error(line, "link", "link joins device '" + a + "' to itself");
      }
      Map<String, String> kv = keyValues(tokens, 3, LINK_KEYS, "a link", line);
      String typeText = required(kv, "type", "type=<" + LINK_TYPES + ">", line);
      LinkType type = LinkType.byId(typeText);
      if (type == null) {
        throw error(
            line, "type", "unknown link type '" + typeText + "' (valid: " + LINK_TYPES + ")");
      }
      String bandwidthText = kv.get("bandwidth");
      double bandwidth =
          bandwidthText == null
              ? type.bytesPerSecondPerDirection()
              : bandwidth(bandwidthText, line);
      String latencyText = kv.get("latency");
      long latency = latencyText == null ? type.latencyNanos() : latency(latencyText, line);
      links.add(located(line, "link", () -> new LinkSpec(a, b, type, bandwidth, latency)));
      linkLines.add(line);
    }

    private Map<String, String> keyValues(
        String[] tokens, int from, List<String> keys, String what, int line) {
      Map<String, String> kv = new LinkedHashMap<>();
      for (int i = from; i < tokens.length; i++) {
        String token = tokens[i];
        int eq = token.indexOf('=');
        if (eq <= 0) {
          throw error(line, token, "expected key=value, got '" + token + "'");
        }
        String key = token.substring(0, eq);
        String value = token.substring(eq + 1);
        if (!keys.contains(key)) {
          throw error(
              line,
              key,
              "unknown key '"
                  + key
                  + "' for "
                  + what
                  + " (valid: "
                  + String.join(", ", keys)
                  + ")");
        }
        String previous = kv.putIfAbsent(key, value);
        if (previous != null) {
          throw error(
              line, key, "duplicate key '" + key + "' ('" + previous + "', then '" + value + "')");
        }
      }
      return kv;
    }

    private String required(Map<String, String> kv, String key, String hint, int line) {
      String value = kv.get(key);
      if (value == null) {
        throw error(line, key, "missing required key '" + key + "' (" + hint + ")");
      }
      return value;
    }

    private int workers(String text, int line) {
      int workers;
      try {
        workers = Integer.parseInt(text);
      } catch (NumberFormatException e) {
        throw error(line, "workers", "cannot parse '" + text + "' as a worker count");
      }
      if (workers <= 0) {
        throw error(line, "workers", "workers must be positive, was '" + text + "'");
      }
      return workers;
    }

    private double bandwidth(String text, int line) {
      return located(line, "bandwidth", () -> Sizes.parseBandwidth(text));
    }

    private long latency(String text, int line) {
      return located(line, "latency", () -> Sizes.parseNanos(text));
    }

    /** Runs a value parser, turning its IllegalArgumentException into a located error. */
    private <T> T located(int line, String field, Supplier<T> parser) {
      try {
        return parser.get();
      } catch (IllegalArgumentException e) {
        throw new TopologyFormatException(source, line, field, String.valueOf(e.getMessage()), e);
      }
    }

    private TopologyFormatException error(int line, String field, String detail) {
      return new TopologyFormatException(source, line, field, detail);
    }

    private static String defaultName(String source) {
      String file = source.replace('\\', '/');
      file = file.substring(file.lastIndexOf('/') + 1);
      int dot = file.lastIndexOf('.');
      String base = (dot > 0 ? file.substring(0, dot) : file).replaceAll("[\\s#=]+", "-");
      return base.isEmpty() ? "custom" : base;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Accessors

  /** The topology's name, e.g. {@code fused-pair}. */
  public String name() {
    return name;
  }

  /** All devices, in declaration order. */
  public List<DeviceSpec> devices() {
    return devices;
  }

  /** All links, in declaration order. */
  public List<LinkSpec> links() {
    return links;
  }

  /** True when a device of that name exists. */
  public boolean hasDevice(String deviceName) {
    return indexByName.containsKey(deviceName);
  }

  /**
   * The device named {@code deviceName}.
   *
   * @throws IllegalArgumentException naming the known devices when there is none
   */
  public DeviceSpec device(String deviceName) {
    return devices.get(indexOf(deviceName));
  }

  /** The host device (there is exactly one). */
  public DeviceSpec host() {
    return devices.get(hostIndex);
  }

  /** The GPU devices, in declaration order (empty for a host-only topology). */
  public List<DeviceSpec> gpus() {
    return gpus;
  }

  /** The members of the fused device: the GPUs, or the host alone when there are none. */
  public List<DeviceSpec> members() {
    return members;
  }

  /**
   * The position of the named device in {@link #devices()}.
   *
   * @throws IllegalArgumentException naming the known devices when there is none
   */
  public int indexOf(String deviceName) {
    Integer i = indexByName.get(Objects.requireNonNull(deviceName, "deviceName is null"));
    if (i == null) {
      throw new IllegalArgumentException(
          "unknown device '"
              + deviceName
              + "' in topology '"
              + name
              + "' (known: "
              + names(devices)
              + ")");
    }
    return i;
  }

  /**
   * A copy with every GPU's capacity set to {@code gpuCapacityBytes} and the host's to the other.
   */
  public Topology withCapacities(long gpuCapacityBytes, long hostCapacityBytes) {
    List<DeviceSpec> resized = new ArrayList<>(devices.size());
    for (DeviceSpec d : devices) {
      resized.add(
          d.withCapacity(d.kind() == DeviceKind.HOST ? hostCapacityBytes : gpuCapacityBytes));
    }
    return new Topology(name, resized, links);
  }

  // ---------------------------------------------------------------------------------------------
  // Routing

  /**
   * The fastest route for a transfer of {@code bytes} from one device to another: the path whose
   * summed per-hop modeled time is least (store and forward); {@link Route#LOCAL} when {@code from}
   * equals {@code to}. Deterministic: ties go to fewer hops, then to lower device indexes.
   *
   * @throws IllegalArgumentException for an unknown device or a negative size
   */
  public Route route(String from, String to, long bytes) {
    int s = indexOf(from);
    int t = indexOf(to);
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must not be negative, was " + bytes);
    }
    if (s == t) {
      return Route.LOCAL;
    }
    return bytes == ROUTE_CACHE_BYTES ? cachedRoutes[s][t] : shortestRoutes(s, bytes)[t];
  }

  private Route[] shortestRoutes(int source, long bytes) {
    int n = devices.size();
    double[] cost = new double[n];
    int[] hops = new int[n];
    int[] prev = new int[n];
    int[] prevLink = new int[n];
    boolean[] done = new boolean[n];
    Arrays.fill(cost, Double.POSITIVE_INFINITY);
    Arrays.fill(hops, Integer.MAX_VALUE);
    Arrays.fill(prev, -1);
    cost[source] = 0;
    hops[source] = 0;
    for (int round = 0; round < n; round++) {
      int u = -1;
      for (int v = 0; v < n; v++) {
        if (!done[v]
            && cost[v] != Double.POSITIVE_INFINITY
            && (u < 0 || cost[v] < cost[u] || (cost[v] == cost[u] && hops[v] < hops[u]))) {
          u = v;
        }
      }
      if (u < 0) {
        break;
      }
      done[u] = true;
      for (int k = 0; k < neighbours[u].length; k++) {
        int v = neighbours[u][k];
        if (done[v]) {
          continue;
        }
        double c = cost[u] + neighbourLinks[u][k].modeledSeconds(bytes);
        int h = hops[u] + 1;
        if (c < cost[v] || (c == cost[v] && (h < hops[v] || (h == hops[v] && u < prev[v])))) {
          cost[v] = c;
          hops[v] = h;
          prev[v] = u;
          prevLink[v] = k;
        }
      }
    }
    Route[] routes = new Route[n];
    for (int t = 0; t < n; t++) {
      if (t == source) {
        routes[t] = Route.LOCAL;
        continue;
      }
      ArrayDeque<Route.Hop> path = new ArrayDeque<>();
      for (int v = t; v != source; v = prev[v]) {
        int u = prev[v];
        path.addFirst(
            new Route.Hop(
                devices.get(u).name(), devices.get(v).name(), neighbourLinks[u][prevLink[v]]));
      }
      routes[t] = new Route(List.copyOf(path));
    }
    return routes;
  }

  private static int lookup(Map<String, Integer> index, String deviceName) {
    return Objects.requireNonNull(index.get(deviceName), deviceName);
  }

  private static String other(LinkSpec link, String end) {
    return link.a().equals(end) ? link.b() : link.a();
  }

  // ---------------------------------------------------------------------------------------------
  // Output

  /** A readable table of the devices and links, saying which figures are public and modeled. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append("topology ")
        .append(name)
        .append(": ")
        .append(devices.size())
        .append(devices.size() == 1 ? " device, " : " devices, ")
        .append(links.size())
        .append(links.size() == 1 ? " link\n" : " links\n");
    List<String[]> deviceRows = new ArrayList<>();
    deviceRows.add(new String[] {"name", "kind", "backend", "capacity", "memory bw", "workers"});
    for (DeviceSpec d : devices) {
      deviceRows.add(
          new String[] {
            d.name(),
            d.kind().name().toLowerCase(Locale.ROOT),
            d.simulated() ? d.backend() + " (simulated)" : d.backend(),
            Sizes.bytes(d.capacityBytes()),
            Sizes.bandwidth(d.memoryBandwidthBytesPerSecond()),
            Integer.toString(d.workers())
          });
    }
    sb.append("devices:\n");
    table(sb, deviceRows);
    if (links.isEmpty()) {
      sb.append("links: none\n");
    } else {
      List<String[]> linkRows = new ArrayList<>();
      linkRows.add(new String[] {"ends", "type", "bandwidth each way", "latency"});
      for (LinkSpec l : links) {
        linkRows.add(
            new String[] {
              l.a() + " <-> " + l.b(),
              l.type().id(),
              Sizes.bandwidth(l.bytesPerSecondPerDirection()),
              Sizes.nanos(l.latencyNanos())
            });
      }
      sb.append("links:\n");
      table(sb, linkRows);
    }
    sb.append(
        "link figures: public specs; latencies, host bandwidth and sim devices are modeled"
            + " (see docs/topologies.md)\n");
    return sb.toString();
  }

  private static void table(StringBuilder sb, List<String[]> rows) {
    int[] widths = new int[rows.getFirst().length];
    for (String[] row : rows) {
      for (int c = 0; c < row.length; c++) {
        widths[c] = Math.max(widths[c], row[c].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder("  ");
      for (int c = 0; c < row.length; c++) {
        line.append(row[c]);
        if (c < row.length - 1) {
          line.append(" ".repeat(widths[c] - row[c].length() + 2));
        }
      }
      sb.append(line.toString().stripTrailing()).append('\n');
    }
  }

  /** This topology in the file format; {@code parse(toText(), …)} returns an equal topology. */
  public String toText() {
    StringBuilder sb = new StringBuilder("topology ").append(name).append('\n');
    for (DeviceSpec d : devices) {
      sb.append("device ")
          .append(d.name())
          .append(" kind=")
          .append(d.kind().name().toLowerCase(Locale.ROOT))
          .append(" backend=")
          .append(d.backend())
          .append(" capacity=")
          .append(sizeText(d.capacityBytes()))
          .append(" bandwidth=")
          .append(bandwidthText(d.memoryBandwidthBytesPerSecond()))
          .append(" workers=")
          .append(d.workers())
          .append('\n');
    }
    for (LinkSpec l : links) {
      sb.append("link ")
          .append(l.a())
          .append(' ')
          .append(l.b())
          .append(" type=")
          .append(l.type().id())
          .append(" bandwidth=")
          .append(bandwidthText(l.bytesPerSecondPerDirection()))
          .append(" latency=")
          .append(latencyText(l.latencyNanos()))
          .append('\n');
    }
    return sb.toString();
  }

  private static String sizeText(long bytes) {
    for (long unit : new long[] {Sizes.GiB, Sizes.MiB, Sizes.KiB}) {
      if (bytes % unit == 0) {
        return bytes / unit + (unit == Sizes.GiB ? "GiB" : unit == Sizes.MiB ? "MiB" : "KiB");
      }
    }
    return Long.toString(bytes);
  }

  private static String bandwidthText(double bytesPerSecond) {
    double[] units = {1e12, 1e9, 1e6, 1e3};
    String[] names = {"TB/s", "GB/s", "MB/s", "KB/s"};
    for (int u = 0; u < units.length; u++) {
      if (bytesPerSecond >= units[u]) {
        String text =
            BigDecimal.valueOf(bytesPerSecond / units[u]).stripTrailingZeros().toPlainString()
                + names[u];
        if (text.length() <= 12 && Sizes.parseBandwidth(text) == bytesPerSecond) {
          return text;
        }
      }
    }
    return Double.toString(bytesPerSecond); // exact; parseBandwidth reads e.g. 3.3500000001E12
  }

  private static String latencyText(long nanos) {
    if (nanos > 0 && nanos % 1_000_000 == 0) {
      return nanos / 1_000_000 + "ms";
    } else if (nanos > 0 && nanos % 1_000 == 0) {
      return nanos / 1_000 + "us";
    }
    return nanos + "ns";
  }

  /** Equal when the name, devices and links are equal (in order). */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof Topology t
        && name.equals(t.name)
        && devices.equals(t.devices)
        && links.equals(t.links);
  }

  /** A hash of the name, devices and links. */
  @Override
  public int hashCode() {
    return Objects.hash(name, devices, links);
  }

  /**
   * A one-line summary, e.g. {@code Topology[fused-pair: host, gpu0, gpu1; gpu0<->gpu1 nvlink5,
   * …]}.
   */
  @Override
  public String toString() {
    return "Topology["
        + name
        + ": "
        + names(devices)
        + "; "
        + links.stream()
            .map(l -> l.a() + "<->" + l.b() + " " + l.type().id())
            .collect(Collectors.joining(", "))
        + "]";
  }
}
