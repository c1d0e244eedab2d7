package io.dockercleaner.testsupport;

import io.dockercleaner.core.ResourceType;
import io.dockercleaner.docker.ApiVersion;
import io.dockercleaner.docker.DaemonCapabilities;
import io.dockercleaner.docker.DockerClient;
import io.dockercleaner.docker.DockerException;
import io.dockercleaner.docker.DockerException.Kind;
import io.dockercleaner.docker.DockerHost;
import io.dockercleaner.docker.Filters;
import io.dockercleaner.docker.model.BuildCacheRecord;
import io.dockercleaner.docker.model.ContainerSummary;
import io.dockercleaner.docker.model.DiskUsage;
import io.dockercleaner.docker.model.ImageSummary;
import io.dockercleaner.docker.model.NetworkSummary;
import io.dockercleaner.docker.model.PingInfo;
import io.dockercleaner.docker.model.PruneReport;
import io.dockercleaner.docker.model.ServiceSummary;
import io.dockercleaner.docker.model.SystemInfo;
import io.dockercleaner.docker.model.VersionInfo;
import io.dockercleaner.docker.model.VolumeSummary;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A stateful, in-memory {@link DockerClient} for unit tests, in the spirit of kubelet's fake
 * runtime for image GC: it holds an inventory (containers, images, volumes, networks, build cache
 * records), answers list/inspect/{@code /system/df} from it, and {@code remove*}/{@code prune*}
 * really remove from it with the daemon's rules, failing with the same typed {@link
 * DockerException} (status, message, {@link Kind}) the real client builds from dockerd's answers:
 *
 * <ul>
 *   <li>missing object → 404 ({@code No such container: X}, {@code No such image: X}, ...);
 *   <li>running/paused/restarting container without force → 409 "container is running";
 *       state {@code removing} → 409 "removal ... already in progress";
 *   <li>image used by a container → 409 "image is being used by running/stopped container" (a
 *       stopped user is a soft conflict that force overrides; a running one and dependent child
 *       images are hard); last tag of an image a container uses → 409 "unable to remove
 *       repository reference"; removing an image <em>by id</em> while it has several tags → 409
 *       "image is referenced in multiple repositories"; removing one of several tags only untags;
 *       deleting an image also deletes its untagged parent when nothing else needs it;
 *   <li>volume used by any container → 409 "volume is in use"; network with running containers
 *       attached → 403 "has active endpoints" (dockerd says Forbidden, not Conflict); predefined
 *       networks → 403;
 *   <li>prunes apply {@code until} (Go durations, Unix seconds, RFC 3339, all against this fake's
 *       clock; an object created exactly at the cut-off is pruned), {@code label}/{@code label!}
 *       with dockerd's matching ({@code label!} excludes an object only when <em>all</em> its
 *       values match), {@code dangling}, volumes' {@code all} (API ≥ 1.42; before, named volumes
 *       are pruned too), and reject filters the daemon rejects with 400 "invalid filter"; an image
 *       prune with {@code dangling=false} tries an image's references in lexical order, so it
 *       untags all but the last tag of an image a container uses (dockerd does, too).
 * </ul>
 *
 * <p>{@code FakeDockerClientContractTest} (tag daemon) runs the same scenarios on a private dockerd
 * and on the fake and requires equal observations; what it does not cover (until cut-offs at the
 * exact instant, build cache, parent chains, Podman) follows dockerd's source but is unverified.
 *
 * <p>Faults are injected per call or per object with {@link #fault(Op)}: an HTTP error, a
 * timeout, a delay on a Vert.x timer, a call held until the test releases it, or one that never
 * completes. Every call is recorded ({@link #calls()}) with its start and end in one sequence, so
 * tests assert what was deleted ({@link #removals()}), in which order, and how many deletions
 * were in flight at once ({@link #maxDeletionsInFlight()}).
 *
 * <pre>{@code
 * MutableClock clock = new MutableClock();
 * FakeDockerClient docker = new FakeDockerClient(clock);           // or (vertx, clock)
 * Image app = docker.image("app:1").sizeBytes(50_000_000).created(clock.instant().minus(Duration.ofDays(3)));
 * docker.container("web", app).running();                          // app is now in use: 409 on removal
 * docker.fault(Op.REMOVE_IMAGE).on("old:2").once().fail(500, "driver failed");
 * docker.fault(Op.REMOVE_CONTAINER).held();                        // in flight until docker.releaseHeld()
 * ... run the code under test ...
 * assertThat(docker.removedIds(ResourceType.IMAGE)).containsExactly(...);
 * assertThat(docker.maxDeletionsInFlight()).isLessThanOrEqualTo(4);
 * }</pre>
 *
 * <p>Without a {@link Vertx} every call completes synchronously on the caller's thread (unless
 * held); with one, results are delivered on the caller's Vert.x context, as the real client does.
 * Thread-safe: the inventory may be changed by the test while code under test runs. Object ids
 * are deterministic (derived from a counter), so a test run is repeatable.
 */
public final class FakeDockerClient implements DockerClient {

  /** The calls of {@link DockerClient}, named by the operation the real client reports. */
  public enum Op {
    PING("GET /_ping"),
    VERSION("GET /version"),
    INFO("GET /info"),
    SYSTEM_DF("GET /system/df"),
    LIST_CONTAINERS("GET /containers/json"),
    LIST_IMAGES("GET /images/json"),
    LIST_VOLUMES("GET /volumes"),
    LIST_NETWORKS("GET /networks"),
    LIST_SERVICES("GET /services"),
    INSPECT_NETWORK("GET /networks/{id}"),
    LIST_BUILD_CACHE("GET /system/df"),
    INSPECT_IMAGE("GET /images/{id}/json"),
    REMOVE_CONTAINER("DELETE /containers/{id}"),
    REMOVE_IMAGE("DELETE /images/{id}"),
    REMOVE_VOLUME("DELETE /volumes/{name}"),
    REMOVE_NETWORK("DELETE /networks/{id}"),
    PRUNE_CONTAINERS("POST /containers/prune"),
    PRUNE_IMAGES("POST /images/prune"),
    PRUNE_VOLUMES("POST /volumes/prune"),
    PRUNE_NETWORKS("POST /networks/prune"),
    PRUNE_BUILD_CACHE("POST /build/prune"),
    EVENTS("GET /events");

    private final String operation;

    Op(String operation) {
      this.operation = operation;
    }

    /** The operation text the real client puts in {@link DockerException#operation()}. */
    public String operation() {
      return operation;
    }

    /** True for calls that delete (remove* and prune*). */
    public boolean isDeletion() {
      return name().startsWith("REMOVE_") || name().startsWith("PRUNE_");
    }
  }

  /** One object the daemon removed, in the order removals happened. */
  public record Removal(ResourceType type, String id, String name, Op by) {}

  private static final Set<String> PREDEFINED_NETWORKS = Set.of("bridge", "host", "none");
  private static final Pattern GO_DURATION = Pattern.compile("(?:\\d+(?:\\.\\d*)?(?:ns|us|µs|ms|s|m|h))+");
  private static final Pattern GO_DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d*)?)(ns|us|µs|ms|s|m|h)");

  private final Vertx vertx;
  private final Clock clock;
  private ApiVersion apiVersion = ApiVersion.of(1, 47);
  private boolean podman;
  private long nextId;
  private long seq;
  private final Map<String, Container> containers = new LinkedHashMap<>();
  private final Map<String, Image> images = new LinkedHashMap<>();
  private final Map<String, Volume> volumes = new LinkedHashMap<>();
  private final Map<String, Network> networks = new LinkedHashMap<>();
  private final Map<String, CacheRecord> buildCache = new LinkedHashMap<>();
  private final List<Call> calls = new ArrayList<>();
  private final List<FaultRule> rules = new ArrayList<>();
  private final List<HeldCall> held = new ArrayList<>();
  private final List<Removal> removals = new ArrayList<>();
  private final List<String> untagged = new ArrayList<>();
  private SwarmRole swarmRole = SwarmRole.NONE;
  private final List<ServiceSummary> services = new ArrayList<>();
  private final List<FakeEventStream> eventStreams = new ArrayList<>();
  /** Events of the effect being applied, sent when it completes. */
  private final List<Runnable> pendingEvents = new ArrayList<>();

  /** A fake whose calls complete synchronously; {@link FaultRule#after} is not available. */
  public FakeDockerClient(Clock clock) {
    this(null, clock);
  }

  /**
   * A fake that delivers results on the caller's Vert.x context (like the real client) and can
   * delay them on Vert.x timers.
   *
   * @param vertx may be null for synchronous completion
   * @param clock the daemon's clock: default creation times and {@code until} durations use it
   */
  public FakeDockerClient(Vertx vertx, Clock clock) {
    this.vertx = vertx;
    this.clock = Objects.requireNonNull(clock, "clock");
    for (String name : List.of("bridge", "host", "none")) {
      Network n = network(name);
      n.driver = name.equals("bridge") ? "bridge" : name;
    }
  }

  // ---- daemon identity -------------------------------------------------------------------------

  /** What the daemon is in a swarm: only a manager lists services. */
  public enum SwarmRole {
    NONE,
    WORKER,
    MANAGER
  }

  /** Makes the daemon a swarm manager or worker (default: in no swarm). */
  public synchronized FakeDockerClient swarm(SwarmRole role) {
    this.swarmRole = Objects.requireNonNull(role, "role");
    return this;
  }

  /**
   * Adds a Swarm service whose spec names {@code image} (as the CLI pins it, e.g.
   * {@code app:1@sha256:...}); listed by a manager only. The service needs no task here, as a
   * service whose tasks all run on other nodes.
   */
  public synchronized FakeDockerClient service(String name, String image) {
    services.add(new ServiceSummary(newHex("service").substring(0, 25), name, image, ""));
    return this;
  }

  /** Pretends to be a daemon of this API version (1.41 changes volume prune and SharedSize). */
  public synchronized FakeDockerClient apiVersion(ApiVersion version) {
    this.apiVersion = version;
    return this;
  }

  /** Pretends to be Podman's Docker-compatible service (no build cache prune). */
  public synchronized FakeDockerClient podman(boolean podman) {
    this.podman = podman;
    return this;
  }

  @Override
  public DockerHost host() {
    return DockerHost.parse("unix:///nonexistent/fake-docker.sock", false, null);
  }

  @Override
  public String transport() {
    return "fake";
  }

  @Override
  public synchronized ApiVersion apiVersion() {
    return apiVersion;
  }

  @Override
  public synchronized PingInfo pingInfo() {
    return new PingInfo(apiVersion.toString(), podman ? "4.3.1" : null, podman ? null : "2", "linux");
  }

  @Override
  public synchronized VersionInfo versionInfo() {
    return new VersionInfo(podman ? "4.3.1" : "26.1.5+fake", apiVersion.toString(), "1.24", "linux", "amd64", "6.1.0");
  }

  @Override
  public DaemonCapabilities capabilities() {
    return DaemonCapabilities.of(apiVersion(), pingInfo());
  }

  // ---- inventory -------------------------------------------------------------------------------

  /** Adds an image with these tags (none: a dangling image), created now, 1 MB. */
  public synchronized Image image(String... tags) {
    Image i = new Image("sha256:" + newHex("image"));
    for (String t : tags) {
      i.tag(t);
    }
    images.put(i.id, i);
    return i;
  }

  /** Adds a container named {@code name} from {@code image} (exited, created now); it inherits the image's labels. */
  public synchronized Container container(String name, Image image) {
    Container c = new Container(newHex("container"), name, image);
    containers.put(c.id, c);
    return c;
  }

  /** Adds a named volume. */
  public synchronized Volume volume(String name) {
    Volume v = new Volume(name);
    volumes.put(name, v);
    return v;
  }

  /** Adds an anonymous volume (random 64-hex name and Docker ≥ 23's anonymous label). */
  public synchronized Volume anonymousVolume() {
    Volume v = volume(newHex("volume"));
    v.labels.put(VolumeSummary.ANONYMOUS_LABEL, "");
    return v;
  }

  /** Adds a user-defined network. */
  public synchronized Network network(String name) {
    Network n = new Network(newHex("network"), name);
    networks.put(n.id, n);
    return n;
  }

  /** Adds a build cache record (type regular, not in use, not shared). */
  public synchronized CacheRecord buildCache(String description) {
    CacheRecord r = new CacheRecord(newHex("cache").substring(0, 25), description);
    buildCache.put(r.id, r);
    return r;
  }

  /** The container with this id or name, or null when it does not exist (any more). */
  public synchronized Container findContainer(String idOrName) {
    return lookupContainer(idOrName);
  }

  /** The image with this id, tag or digest, or null. */
  public synchronized Image findImage(String ref) {
    ImageRef r = resolveImage(ref);
    return r == null ? null : r.image;
  }

  /** Whether an object of this type with this id (volume: name; image: id or tag) still exists. */
  public synchronized boolean exists(ResourceType type, String idOrName) {
    return switch (type) {
      case CONTAINER -> lookupContainer(idOrName) != null;
      case IMAGE -> resolveImage(idOrName) != null;
      case VOLUME -> volumes.containsKey(idOrName);
      case NETWORK -> lookupNetwork(idOrName) != null;
      case BUILD_CACHE -> buildCache.containsKey(idOrName);
    };
  }

  // ---- faults ----------------------------------------------------------------------------------

  /**
   * Registers a fault for every call of {@code op} (narrow it with {@link FaultRule#on} and
   * {@link FaultRule#times}). Rules apply in the order registered; the first that matches a call
   * and has uses left decides it.
   */
  public synchronized FaultRule fault(Op op) {
    FaultRule r = new FaultRule(op);
    rules.add(r);
    return r;
  }

  /** Removes every fault rule. */
  public synchronized void clearFaults() {
    rules.clear();
  }

  /** Calls parked by a {@link FaultRule#held()} rule, oldest first. */
  public synchronized List<Call> heldCalls() {
    return held.stream().map(h -> h.call).toList();
  }

  /** Completes every held call (its effect happens now), oldest first; returns how many. */
  public int releaseHeld() {
    List<HeldCall> toRelease;
    synchronized (this) {
      toRelease = new ArrayList<>(held);
      held.clear();
    }
    toRelease.forEach(h -> h.finish.run());
    return toRelease.size();
  }

  /** Completes the oldest held call; false when none is held. */
  public boolean releaseOldestHeld() {
    HeldCall h;
    synchronized (this) {
      if (held.isEmpty()) {
        return false;
      }
      h = held.remove(0);
    }
    h.finish.run();
    return true;
  }

  // ---- what happened ---------------------------------------------------------------------------

  /** Every call so far, in the order made. */
  public synchronized List<Call> calls() {
    return List.copyOf(calls);
  }

  /** The calls of these operations, in the order made. */
  public synchronized List<Call> calls(Op... ops) {
    Set<Op> wanted = Set.of(ops);
    return calls.stream().filter(c -> wanted.contains(c.op)).toList();
  }

  /** The targets (id or name as passed) of the calls of {@code op}, in the order made. */
  public List<String> targets(Op op) {
    return calls(op).stream().map(Call::target).toList();
  }

  /** Objects removed, in the order the daemon removed them (prunes and cascades included). */
  public synchronized List<Removal> removals() {
    return List.copyOf(removals);
  }

  /** Ids (volumes: names) of the objects of {@code type} removed, in order. */
  public synchronized List<String> removedIds(ResourceType type) {
    return removals.stream().filter(r -> r.type == type).map(Removal::id).toList();
  }

  /** Names of the objects of {@code type} removed (container name, first tag, volume/network name), in order. */
  public synchronized List<String> removedNames(ResourceType type) {
    return removals.stream().filter(r -> r.type == type).map(Removal::name).toList();
  }

  /** Image references untagged, in order. */
  public synchronized List<String> untagged() {
    return List.copyOf(untagged);
  }

  /** Calls started and not yet completed (held, delayed, never completing). */
  public synchronized int inFlight() {
    return (int) calls.stream().filter(c -> !c.isDone()).count();
  }

  /** The most calls matching {@code which} that were in flight at the same time. */
  public synchronized int maxInFlight(Predicate<Call> which) {
    // +1 at each start, -1 at each end, in the one sequence both are numbered from
    Map<Long, Integer> delta = new java.util.TreeMap<>();
    for (Call c : calls) {
      if (which.test(c)) {
        delta.merge(c.startSeq, 1, Integer::sum);
        if (c.endSeq >= 0) {
          delta.merge(c.endSeq, -1, Integer::sum);
        }
      }
    }
    int now = 0;
    int max = 0;
    for (int d : delta.values()) {
      now += d;
      max = Math.max(max, now);
    }
    return max;
  }

  /** The most deletion calls (remove and prune) in flight at the same time. */
  public int maxDeletionsInFlight() {
    return maxInFlight(c -> c.op.isDeletion());
  }

  // ---- events ----------------------------------------------------------------------------------

  /**
   * Sends an event to every open event stream, as dockerd would (the fake also sends {@code
   * destroy}/{@code delete}/{@code untag} events for its own removals).
   */
  public void emitEvent(String type, String action, String actorId, Map<String, String> attributes) {
    Instant now = clock.instant();
    JsonObject actor = new JsonObject().put("ID", actorId).put("Attributes", new JsonObject(new LinkedHashMap<>(attributes)));
    JsonObject event = new JsonObject().put("Type", type).put("Action", action).put("Actor", actor)
        .put("scope", "local").put("time", now.getEpochSecond())
        .put("timeNano", now.getEpochSecond() * 1_000_000_000L + now.getNano());
    Buffer line = Buffer.buffer(event.encode() + "\n");
    List<FakeEventStream> open;
    synchronized (this) {
      open = eventStreams.stream().filter(s -> !s.ended.future().isComplete()).toList();
    }
    open.forEach(s -> s.deliver(line));
  }

  /** Ends every open event stream with a CONNECTION error, as when the daemon restarts. */
  public void breakEventStreams() {
    List<FakeEventStream> open;
    synchronized (this) {
      open = List.copyOf(eventStreams);
    }
    open.forEach(s -> s.ended.tryFail(new DockerException(Op.EVENTS.operation(), 0, Kind.CONNECTION,
        "the daemon closed the event stream")));
  }

  // ---- DockerClient: reads ---------------------------------------------------------------------

  @Override
  public Future<PingInfo> ping() {
    return call(Op.PING, null, null, false, this::pingInfo);
  }

  @Override
  public Future<VersionInfo> version() {
    return call(Op.VERSION, null, null, false, this::versionInfo);
  }

  @Override
  public Future<SystemInfo> info() {
    return call(Op.INFO, null, null, false, () -> new SystemInfo("fake", versionInfo().version(), "overlay2",
        "/var/lib/docker", "Fake Linux", containers.size(),
        containers.values().stream().filter(Container::isActive).count(), images.size()));
  }

  @Override
  public Future<DiskUsage> systemDf() {
    return call(Op.SYSTEM_DF, null, null, false, () -> {
      List<ImageSummary> imgs = images.values().stream().map(i -> i.summary(true)).toList();
      List<ContainerSummary> cs = containers.values().stream().map(c -> c.summary(true)).toList();
      List<VolumeSummary> vs = volumes.values().stream().map(v -> v.summary(true)).toList();
      long layers = images.values().stream().mapToLong(i -> i.sizeBytes - i.sharedSizeBytes).sum()
          + images.values().stream().mapToLong(i -> i.sharedSizeBytes).max().orElse(0);
      return new DiskUsage(layers, imgs, cs, vs, buildCacheRecords());
    });
  }

  @Override
  public Future<List<ContainerSummary>> listContainers(boolean all, boolean size, Filters filters) {
    return call(Op.LIST_CONTAINERS, null, filters, false, () -> {
      allowFilters(Op.LIST_CONTAINERS, filters, "status", "label", "id", "name");
      List<String> status = values(filters, "status");
      return containers.values().stream()
          .filter(c -> all || c.isActive())
          .filter(c -> status.isEmpty() || status.contains(c.state))
          .filter(c -> matchKeyValues(values(filters, "label"), c.labels))
          .filter(c -> values(filters, "id").stream().allMatch(c.id::startsWith))
          .filter(c -> values(filters, "name").stream().allMatch(c.name::contains))
          .map(c -> c.summary(size)).toList();
    });
  }

  @Override
  public Future<List<ImageSummary>> listImages(Filters filters, boolean all) {
    return call(Op.LIST_IMAGES, null, filters, false, () -> {
      allowFilters(Op.LIST_IMAGES, filters, "dangling", "label", "label!");
      Boolean dangling = bool(filters, "dangling", null);
      // all=false: intermediate images (untagged parents of other images) are not listed
      return images.values().stream()
          .filter(i -> all || !(i.refs().isEmpty() && hasChildren(i)))
          .filter(i -> dangling == null || dangling == i.tags.isEmpty())
          .filter(i -> matchLabels(filters, i.labels))
          .map(i -> i.summary(false)).toList();
    });
  }

  @Override
  public Future<List<VolumeSummary>> listVolumes(Filters filters) {
    return call(Op.LIST_VOLUMES, null, filters, false, () -> {
      allowFilters(Op.LIST_VOLUMES, filters, "dangling", "label", "name", "driver");
      Boolean dangling = bool(filters, "dangling", null);
      return volumes.values().stream()
          .filter(v -> dangling == null || dangling == (usersOf(v) == 0))
          .filter(v -> matchKeyValues(values(filters, "label"), v.labels))
          .filter(v -> values(filters, "name").stream().allMatch(v.name::contains))
          .filter(v -> values(filters, "driver").stream().allMatch(v.driver::equals))
          .map(v -> v.summary(false)).toList();
    });
  }

  @Override
  public Future<List<NetworkSummary>> listNetworks(Filters filters) {
    return call(Op.LIST_NETWORKS, null, filters, false, () -> {
      allowFilters(Op.LIST_NETWORKS, filters, "label", "name", "id", "driver");
      return networks.values().stream()
          .filter(n -> matchKeyValues(values(filters, "label"), n.labels))
          .filter(n -> values(filters, "name").stream().allMatch(n.name::contains))
          .filter(n -> values(filters, "id").stream().allMatch(n.id::startsWith))
          .filter(n -> values(filters, "driver").stream().allMatch(n.driver::equals))
          .map(n -> n.summary(false)).toList();
    });
  }

  @Override
  public Future<List<ServiceSummary>> listServices() {
    return call(Op.LIST_SERVICES, null, null, false, () -> {
      if (podman) {
        throw error(Op.LIST_SERVICES, 404, "not found"); // Podman has no Swarm API
      }
      // dockerd's two texts for 503 (daemon/cluster errors: errNoSwarm, errSwarmNotManager)
      return switch (swarmRole) {
        case NONE -> throw error(Op.LIST_SERVICES, 503, "This node is not a swarm manager. Use \"docker swarm init\""
            + " or \"docker swarm join\" to connect this node to swarm and try again.");
        case WORKER -> throw error(Op.LIST_SERVICES, 503, "This node is not a swarm manager. Worker nodes can't be"
            + " used to view or modify cluster state. Please run this command on a manager node or promote the"
            + " current node to a manager.");
        case MANAGER -> List.copyOf(services);
      };
    });
  }

  @Override
  public Future<NetworkSummary> inspectNetwork(String idOrName) {
    return call(Op.INSPECT_NETWORK, idOrName, null, false, () -> {
      Network n = lookupNetwork(idOrName);
      if (n == null) {
        throw error(Op.INSPECT_NETWORK, 404, "network " + idOrName + " not found");
      }
      return n.summary(true);
    });
  }

  @Override
  public Future<List<BuildCacheRecord>> listBuildCache() {
    return call(Op.LIST_BUILD_CACHE, null, null, false, this::buildCacheRecords);
  }

  /** One layer per image (named after the image), its whole size in one history step. */
  @Override
  public Future<io.dockercleaner.docker.model.ImageLayers> inspectImageLayers(String idOrName) {
    return call(Op.INSPECT_IMAGE, idOrName, null, false, () -> {
      ImageRef r = resolveImage(idOrName);
      if (r == null) {
        throw error(Op.INSPECT_IMAGE, 404, "No such image: " + idOrName);
      }
      ImageSummary s = r.image.summary(false);
      return new io.dockercleaner.docker.model.ImageLayers(s.id(), s.repoTags(), s.sizeBytes(),
          List.of("sha256:layer-of-" + s.id()), List.of(s.sizeBytes()));
    });
  }

  @Override
  public Future<ImageSummary> inspectImage(String idOrName) {
    return call(Op.INSPECT_IMAGE, idOrName, null, false, () -> {
      ImageRef r = resolveImage(idOrName);
      if (r == null) {
        throw error(Op.INSPECT_IMAGE, 404, "No such image: " + idOrName);
      }
      ImageSummary s = r.image.summary(false);
      return new ImageSummary(s.id(), s.parentId(), s.repoTags(), s.repoDigests(), s.createdEpochSeconds(),
          s.sizeBytes(), -1, -1, s.labels());
    });
  }

  // ---- DockerClient: deletions -----------------------------------------------------------------

  @Override
  public Future<Void> removeContainer(String id, boolean force, boolean removeAnonymousVolumes) {
    return call(Op.REMOVE_CONTAINER, id, null, force, () -> {
      doRemoveContainer(Op.REMOVE_CONTAINER, id, force, removeAnonymousVolumes);
      return null;
    });
  }

  @Override
  public Future<PruneReport> removeImage(String idOrName, boolean force) {
    return removeImage(idOrName, force, false);
  }

  @Override
  public Future<PruneReport> removeImage(String idOrName, boolean force, boolean noPrune) {
    return call(Op.REMOVE_IMAGE, idOrName, null, force, () -> {
      List<String> untaggedRefs = new ArrayList<>();
      List<String> deleted = new ArrayList<>();
      doRemoveImage(Op.REMOVE_IMAGE, idOrName, force, !noPrune, untaggedRefs, deleted);
      return new PruneReport(List.copyOf(deleted), List.copyOf(untaggedRefs), 0);
    });
  }

  @Override
  public Future<Void> removeVolume(String name) {
    return call(Op.REMOVE_VOLUME, name, null, false, () -> {
      Volume v = volumes.get(name);
      if (v == null) {
        throw error(Op.REMOVE_VOLUME, 404, "get " + name + ": no such volume");
      }
      List<String> users = containers.values().stream().filter(c -> c.volumes.contains(v)).map(c -> c.id).toList();
      if (!users.isEmpty()) {
        throw error(Op.REMOVE_VOLUME, 409, "remove " + name + ": volume is in use - " + users);
      }
      deleteVolume(v, Op.REMOVE_VOLUME);
      return null;
    });
  }

  @Override
  public Future<Void> removeNetwork(String idOrName) {
    return call(Op.REMOVE_NETWORK, idOrName, null, false, () -> {
      Network n = lookupNetwork(idOrName);
      if (n == null) {
        throw error(Op.REMOVE_NETWORK, 404, "network " + idOrName + " not found");
      }
      if (PREDEFINED_NETWORKS.contains(n.name)) {
        throw error(Op.REMOVE_NETWORK, 403, n.name + " is a pre-defined network and cannot be removed");
      }
      if (activeEndpoints(n) > 0) {
        throw error(Op.REMOVE_NETWORK, 403,
            "error while removing network: network " + n.name + " id " + n.id + " has active endpoints");
      }
      deleteNetwork(n, Op.REMOVE_NETWORK);
      return null;
    });
  }

  @Override
  public Future<PruneReport> pruneContainers(Filters filters) {
    return call(Op.PRUNE_CONTAINERS, null, filters, false, () -> {
      allowFilters(Op.PRUNE_CONTAINERS, filters, "until", "label", "label!");
      Instant until = until(Op.PRUNE_CONTAINERS, filters);
      List<String> deleted = new ArrayList<>();
      long bytes = 0;
      for (Container c : List.copyOf(containers.values())) {
        if (c.isActive() || (until != null && c.created.isAfter(until)) || !matchLabels(filters, c.labels)) {
          continue;
        }
        try {
          doRemoveContainer(Op.PRUNE_CONTAINERS, c.id, false, false);
        } catch (DockerException e) {
          continue; // the daemon logs and goes on (e.g. a removal already in progress)
        }
        deleted.add(c.id);
        bytes += Math.max(0, c.sizeRwBytes);
      }
      return new PruneReport(List.copyOf(deleted), List.of(), bytes);
    });
  }

  @Override
  public Future<PruneReport> pruneImages(Filters filters) {
    return call(Op.PRUNE_IMAGES, null, filters, false, () -> {
      allowFilters(Op.PRUNE_IMAGES, filters, "dangling", "until", "label", "label!");
      boolean danglingOnly = bool(filters, "dangling", Boolean.TRUE);
      Instant until = until(Op.PRUNE_IMAGES, filters);
      Map<String, Long> uniqueBytes = new LinkedHashMap<>();
      images.values().forEach(i -> uniqueBytes.put(i.id, i.sizeBytes - i.sharedSizeBytes));
      // dangling only: start from images without children (dockerd's Heads()), else all
      List<Image> top = new ArrayList<>();
      for (Image i : images.values()) {
        if ((danglingOnly && hasChildren(i)) || (i.refs().isEmpty() && hasChildren(i))) {
          continue;
        }
        if ((until != null && i.created.isAfter(until)) || !matchLabels(filters, i.labels)) {
          continue;
        }
        top.add(i);
      }
      List<String> untaggedRefs = new ArrayList<>();
      List<String> deleted = new ArrayList<>();
      for (Image i : top) {
        if (!images.containsKey(i.id)) {
          continue; // gone with an image deleted before it
        }
        List<String> refs = i.refs();
        List<String> attempts = refs.isEmpty() ? List.of(hex(i.id))
            : (!danglingOnly || i.tags.isEmpty()) ? refs : List.of();
        for (String ref : attempts) {
          try {
            doRemoveImage(Op.PRUNE_IMAGES, ref, false, true, untaggedRefs, deleted);
          } catch (DockerException e) {
            // conflicts (used by a container) and races are skipped, as dockerd does
          }
        }
      }
      long bytes = deleted.stream().mapToLong(id -> uniqueBytes.getOrDefault(id, 0L)).sum();
      return new PruneReport(List.copyOf(deleted), List.copyOf(untaggedRefs), bytes);
    });
  }

  @Override
  public Future<PruneReport> pruneVolumes(Filters filters) {
    return call(Op.PRUNE_VOLUMES, null, filters, false, () -> {
      boolean allFilter = apiVersion.atLeast(ApiVersion.of(1, 42));
      if (allFilter) {
        allowFilters(Op.PRUNE_VOLUMES, filters, "label", "label!", "all");
      } else {
        allowFilters(Op.PRUNE_VOLUMES, filters, "label", "label!");
      }
      // before API 1.42 the daemon prunes named volumes too
      boolean all = !allFilter || bool(filters, "all", Boolean.FALSE);
      List<String> deleted = new ArrayList<>();
      long bytes = 0;
      for (Volume v : List.copyOf(volumes.values())) {
        if (usersOf(v) > 0 || (!all && !v.labels.containsKey(VolumeSummary.ANONYMOUS_LABEL))
            || !matchLabels(filters, v.labels)) {
          continue;
        }
        deleteVolume(v, Op.PRUNE_VOLUMES);
        deleted.add(v.name);
        bytes += Math.max(0, v.sizeBytes);
      }
      return new PruneReport(List.copyOf(deleted), List.of(), bytes);
    });
  }

  @Override
  public Future<PruneReport> pruneNetworks(Filters filters) {
    return call(Op.PRUNE_NETWORKS, null, filters, false, () -> {
      allowFilters(Op.PRUNE_NETWORKS, filters, "until", "label", "label!");
      Instant until = until(Op.PRUNE_NETWORKS, filters);
      List<String> deleted = new ArrayList<>();
      for (Network n : List.copyOf(networks.values())) {
        if (PREDEFINED_NETWORKS.contains(n.name) || activeEndpoints(n) > 0
            || (until != null && n.created.isAfter(until)) || !matchLabels(filters, n.labels)) {
          continue;
        }
        deleteNetwork(n, Op.PRUNE_NETWORKS);
        deleted.add(n.name); // dockerd reports network names here, not ids
      }
      return new PruneReport(List.copyOf(deleted), List.of(), 0);
    });
  }

  @Override
  public Future<PruneReport> pruneBuildCache(Filters filters, boolean all) {
    if (!capabilities().buildCachePrune()) {
      // like the real client: refused before any request
      return Future.failedFuture(new DockerException(Op.PRUNE_BUILD_CACHE.operation(), 0, Kind.UNSUPPORTED,
          "this daemon (Podman) has no build cache prune"));
    }
    return call(Op.PRUNE_BUILD_CACHE, null, filters, all, () -> {
      allowFilters(Op.PRUNE_BUILD_CACHE, filters, "id", "until", "type", "description", "inuse", "shared", "private");
      Instant until = until(Op.PRUNE_BUILD_CACHE, filters);
      List<Pattern> ids = new ArrayList<>();
      for (String v : values(filters, "id")) {
        try {
          ids.add(Pattern.compile(v));
        } catch (PatternSyntaxException e) {
          throw error(Op.PRUNE_BUILD_CACHE, 400, "invalid filter 'id=" + v + "': " + e.getDescription());
        }
      }
      List<String> deleted = new ArrayList<>();
      long bytes = 0;
      for (CacheRecord r : List.copyOf(buildCache.values())) {
        Instant lastUsed = r.lastUsedAt != null ? r.lastUsedAt : r.createdAt;
        // without all, BuildKit keeps internal and frontend records (and shared ones)
        if (r.inUse || (!all && (r.shared || r.type.equals("internal") || r.type.equals("frontend")))
            || (until != null && lastUsed.isAfter(until))
            || !ids.stream().allMatch(p -> p.matcher(r.id).find())
            || !values(filters, "type").stream().allMatch(r.type::equals)) {
          continue;
        }
        buildCache.remove(r.id);
        removals.add(new Removal(ResourceType.BUILD_CACHE, r.id, r.description, Op.PRUNE_BUILD_CACHE));
        deleted.add(r.id);
        bytes += r.sizeBytes;
      }
      return new PruneReport(List.copyOf(deleted), List.of(), bytes);
    });
  }

  @Override
  public Future<EventStream> streamEvents(Filters filters, String since, Handler<Buffer> bodyHandler) {
    Context context = callerContext();
    return call(Op.EVENTS, since, filters, false, () -> {
      FakeEventStream s = new FakeEventStream(bodyHandler, context);
      eventStreams.add(s);
      return s;
    });
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  // ---- the daemon's rules ----------------------------------------------------------------------

  private void doRemoveContainer(Op op, String ref, boolean force, boolean removeAnonymousVolumes) {
    Container c = lookupContainer(ref);
    if (c == null) {
      throw error(op, 404, "No such container: " + ref);
    }
    if (c.state.equals("removing")) {
      throw error(op, 409, "removal of container " + c.name + " is already in progress");
    }
    if (c.isActive() && !force) {
      throw error(op, 409, "cannot remove container \"/" + c.name + "\": container is " + c.state
          + ": stop the container before removing or force remove");
    }
    containers.remove(c.id);
    removals.add(new Removal(ResourceType.CONTAINER, c.id, c.name, op));
    emitLater("container", "destroy", c.id, Map.of("name", c.name, "image", c.imageRef));
    if (removeAnonymousVolumes) {
      for (Volume v : c.volumes) {
        if (v.labels.containsKey(VolumeSummary.ANONYMOUS_LABEL) && usersOf(v) == 0 && volumes.containsKey(v.name)) {
          deleteVolume(v, op);
        }
      }
    }
  }

  private static final int CONFLICT_CHILD = 1;
  private static final int CONFLICT_RUNNING = 2;
  private static final int CONFLICT_ACTIVE_REFERENCE = 4;
  private static final int CONFLICT_STOPPED = 8;
  private static final int CONFLICT_HARD = CONFLICT_CHILD | CONFLICT_RUNNING;
  private static final int CONFLICT_SOFT = CONFLICT_ACTIVE_REFERENCE | CONFLICT_STOPPED;

  /** dockerd's ImageDelete (daemon/images/image_delete.go), with prune of untagged parents. */
  private void doRemoveImage(Op op, String ref, boolean force, boolean pruneParents, List<String> untaggedRefs,
      List<String> deleted) {
    ImageRef r = resolveImage(ref);
    if (r == null) {
      throw error(op, 404, "No such image: " + ref);
    }
    Image img = r.image;
    boolean quiet = false;
    if (r.reference != null) {
      // removing a reference: only untag while other references remain
      if (!force && isSingleReference(img)) {
        Container user = firstUser(img, c -> true);
        if (user != null) {
          throw error(op, 409, "conflict: unable to remove repository reference \"" + ref + "\" (must force) - container "
              + shortId(user.id) + " is using its referenced image " + shortId(img.id));
        }
      }
      untag(img, r.reference, untaggedRefs);
      if (!img.refs().isEmpty()) {
        return;
      }
      quiet = true;
    } else if (isSingleReference(img)) {
      // by id with at most one tag: the references go with the image
      String conflict = conflict(img, CONFLICT_HARD | (force ? 0 : CONFLICT_SOFT & ~CONFLICT_ACTIVE_REFERENCE));
      if (conflict != null) {
        throw error(op, 409, conflict);
      }
      for (String each : img.refs()) {
        untag(img, each, untaggedRefs);
      }
    }
    deleteImage(op, img, force, quiet, pruneParents, untaggedRefs, deleted);
  }

  private void deleteImage(Op op, Image img, boolean force, boolean quiet, boolean pruneParents, List<String> untaggedRefs,
      List<String> deleted) {
    String conflict = conflict(img, CONFLICT_HARD | (force ? 0 : CONFLICT_SOFT));
    if (conflict != null) {
      if (quiet) {
        return; // the untag did what was asked; the image stays (dangling)
      }
      throw error(op, 409, conflict);
    }
    for (String each : img.refs()) {
      untag(img, each, untaggedRefs);
    }
    images.remove(img.id);
    deleted.add(img.id);
    removals.add(new Removal(ResourceType.IMAGE, img.id, img.name(), op));
    emitLater("image", "delete", img.id, Map.of("name", img.id));
    Image parent = img.parent;
    // prune the parent when it is untagged and nothing else needs it (dockerd stops quietly
    // otherwise), unless the caller said noprune
    if (pruneParents && parent != null && images.containsKey(parent.id) && parent.refs().isEmpty()
        && conflict(parent, CONFLICT_HARD | CONFLICT_SOFT) == null) {
      deleteImage(op, parent, false, true, true, untaggedRefs, deleted);
    }
  }

  /** checkImageDeleteConflict: the daemon's conflict message, or null. */
  private String conflict(Image img, int mask) {
    String reason = null;
    boolean hard = false;
    if ((mask & CONFLICT_CHILD) != 0 && hasChildren(img)) {
      reason = "image has dependent child images";
      hard = true;
    } else if ((mask & CONFLICT_RUNNING) != 0 && firstUser(img, Container::isActive) != null) {
      reason = "image is being used by running container " + shortId(firstUser(img, Container::isActive).id);
      hard = true;
    } else if ((mask & CONFLICT_ACTIVE_REFERENCE) != 0 && !img.refs().isEmpty()) {
      reason = "image is referenced in multiple repositories";
    } else if ((mask & CONFLICT_STOPPED) != 0 && firstUser(img, c -> !c.isActive()) != null) {
      reason = "image is being used by stopped container " + shortId(firstUser(img, c -> !c.isActive()).id);
    }
    return reason == null ? null
        : "conflict: unable to delete " + shortId(img.id) + " (" + (hard ? "cannot be forced" : "must be forced") + ") - " + reason;
  }

  /** At most one tag, and every reference in one repository. */
  private static boolean isSingleReference(Image img) {
    if (img.tags.size() > 1) {
      return false;
    }
    return img.refs().stream().map(FakeDockerClient::repository).distinct().count() <= 1;
  }

  private void untag(Image img, String ref, List<String> untaggedRefs) {
    img.tags.remove(ref);
    img.digests.remove(ref);
    untaggedRefs.add(ref);
    untagged.add(ref);
    emitLater("image", "untag", img.id, Map.of("name", ref));
  }

  private void deleteVolume(Volume v, Op op) {
    volumes.remove(v.name);
    removals.add(new Removal(ResourceType.VOLUME, v.name, v.name, op));
    emitLater("volume", "destroy", v.name, Map.of("driver", v.driver));
  }

  private void deleteNetwork(Network n, Op op) {
    networks.remove(n.id);
    removals.add(new Removal(ResourceType.NETWORK, n.id, n.name, op));
    emitLater("network", "destroy", n.id, Map.of("name", n.name, "type", n.driver));
  }

  private Container firstUser(Image img, Predicate<Container> which) {
    return containers.values().stream().filter(c -> c.image == img && which.test(c)).findFirst().orElse(null);
  }

  private boolean hasChildren(Image img) {
    return images.values().stream().anyMatch(i -> i.parent == img);
  }

  private long usersOf(Volume v) {
    return containers.values().stream().filter(c -> c.volumes.contains(v)).count();
  }

  /** Endpoints exist only for running containers: stopped ones do not hold their networks. */
  private long activeEndpoints(Network n) {
    return containers.values().stream().filter(c -> c.isActive() && c.networks.contains(n)).count();
  }

  private List<BuildCacheRecord> buildCacheRecords() {
    return buildCache.values().stream().map(CacheRecord::summary).toList();
  }

  private Container lookupContainer(String ref) {
    if (ref == null) {
      return null;
    }
    Container c = containers.get(ref);
    if (c != null) {
      return c;
    }
    String name = ref.startsWith("/") ? ref.substring(1) : ref;
    for (Container each : containers.values()) {
      if (each.name.equals(name)) {
        return each;
      }
    }
    List<Container> byPrefix = containers.values().stream().filter(each -> each.id.startsWith(ref)).toList();
    return byPrefix.size() == 1 ? byPrefix.get(0) : null;
  }

  private Network lookupNetwork(String ref) {
    if (ref == null) {
      return null;
    }
    Network n = networks.get(ref);
    if (n != null) {
      return n;
    }
    for (Network each : networks.values()) {
      if (each.name.equals(ref)) {
        return each;
      }
    }
    List<Network> byPrefix = networks.values().stream().filter(each -> each.id.startsWith(ref)).toList();
    return byPrefix.size() == 1 ? byPrefix.get(0) : null;
  }

  /** An image found by reference (tag or digest: {@code reference} set) or by id (null). */
  private record ImageRef(Image image, String reference) {}

  private ImageRef resolveImage(String ref) {
    if (ref == null || ref.isEmpty()) {
      return null;
    }
    String tag = normalizeTag(ref);
    for (Image i : images.values()) {
      if (i.tags.contains(tag)) {
        return new ImageRef(i, tag);
      }
      if (i.digests.contains(ref)) {
        return new ImageRef(i, ref);
      }
    }
    String hex = hex(ref);
    if (hex.matches("[0-9a-f]{1,64}")) {
      List<Image> byId = images.values().stream().filter(i -> hex(i.id).startsWith(hex)).toList();
      if (byId.size() == 1) {
        return new ImageRef(byId.get(0), null);
      }
    }
    return null;
  }

  // ---- filters ---------------------------------------------------------------------------------

  private void allowFilters(Op op, Filters filters, String... allowed) {
    if (filters == null) {
      return;
    }
    Set<String> ok = Set.of(allowed);
    for (String name : filters.asMap().keySet()) {
      if (!ok.contains(name)) {
        throw error(op, 400, "invalid filter '" + name + "'");
      }
    }
  }

  private static List<String> values(Filters filters, String name) {
    return filters == null ? List.of() : filters.asMap().getOrDefault(name, List.of());
  }

  private static Boolean bool(Filters filters, String name, Boolean fallback) {
    List<String> v = values(filters, name);
    if (v.isEmpty()) {
      return fallback;
    }
    String s = v.get(0).toLowerCase(Locale.ROOT);
    return s.equals("true") || s.equals("1");
  }

  /** dockerd's matchLabels: every {@code label} matches, and not every {@code label!} matches. */
  static boolean matchLabels(Filters filters, Map<String, String> labels) {
    if (!matchKeyValues(values(filters, "label"), labels)) {
      return false;
    }
    List<String> negated = values(filters, "label!");
    return negated.isEmpty() || !matchKeyValues(negated, labels);
  }

  /** filters.Args.MatchKVList: each value is {@code key} (present) or {@code key=value} (equal). */
  private static boolean matchKeyValues(List<String> wanted, Map<String, String> labels) {
    for (String w : wanted) {
      int eq = w.indexOf('=');
      String key = eq < 0 ? w : w.substring(0, eq);
      if (!labels.containsKey(key) || (eq >= 0 && !labels.get(key).equals(w.substring(eq + 1)))) {
        return false;
      }
    }
    return true;
  }

  /** The {@code until} cut-off (timetypes.GetTimestamp against this fake's clock), or null. */
  private Instant until(Op op, Filters filters) {
    List<String> v = values(filters, "until");
    if (v.isEmpty()) {
      return null;
    }
    if (v.size() > 1) {
      throw error(op, 400, "more than one until filter specified");
    }
    try {
      return parseTimestamp(v.get(0), clock.instant());
    } catch (IllegalArgumentException e) {
      throw error(op, 400, "invalid filter 'until=" + v.get(0) + "': " + e.getMessage());
    }
  }

  /** Go duration (relative to {@code now}), Unix seconds[.fraction], or an RFC 3339 date/time. */
  static Instant parseTimestamp(String value, Instant now) {
    if (GO_DURATION.matcher(value).matches()) {
      Matcher m = GO_DURATION_PART.matcher(value);
      double nanos = 0;
      while (m.find()) {
        double n = Double.parseDouble(m.group(1));
        nanos += n * switch (m.group(2)) {
          case "ns" -> 1L;
          case "us", "µs" -> 1_000L;
          case "ms" -> 1_000_000L;
          case "s" -> 1_000_000_000L;
          case "m" -> 60_000_000_000L;
          default -> 3_600_000_000_000L;
        };
      }
      return now.minusNanos((long) nanos);
    }
    if (value.matches("\\d+(\\.\\d{1,9})?")) {
      String[] p = value.split("\\.");
      long nanos = p.length > 1 ? Long.parseLong((p[1] + "000000000").substring(0, 9)) : 0;
      return Instant.ofEpochSecond(Long.parseLong(p[0]), nanos);
    }
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      // dockerd also takes local date-times and dates (read as UTC here)
    }
    try {
      return LocalDateTime.parse(value).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      // try a date
    }
    try {
      return LocalDate.parse(value).atStartOfDay().toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not a duration, Unix time or RFC 3339 date", e);
    }
  }

  // ---- call machinery --------------------------------------------------------------------------

  private interface Effect<T> {
    T run();
  }

  private <T> Future<T> call(Op op, String target, Filters filters, boolean force, Effect<T> effect) {
    Context context = callerContext();
    Promise<T> promise = Promise.promise();
    Call call;
    Delay delay = Delay.NONE;
    long delayMillis = 0;
    Supplier<DockerException> injected = null;
    synchronized (this) {
      call = new Call(op, target, filters, force, ++seq);
      calls.add(call);
      FaultRule rule = matchingRule(op, target);
      if (rule != null) {
        delay = rule.delay;
        delayMillis = rule.delayMillis;
        injected = rule.failure;
      }
    }
    Supplier<DockerException> failWith = injected;
    Runnable finish = () -> {
      T value = null;
      DockerException failure = null;
      List<Runnable> events;
      synchronized (this) {
        try {
          if (failWith != null) {
            throw failWith.get();
          }
          value = effect.run();
        } catch (DockerException e) {
          failure = e;
        }
        call.finish(++seq, failure);
        events = List.copyOf(pendingEvents);
        pendingEvents.clear();
      }
      events.forEach(Runnable::run);
      deliver(context, promise, value, failure);
    };
    switch (delay) {
      case NONE -> finish.run();
      case TIMER -> vertx.setTimer(Math.max(1, delayMillis), id -> finish.run());
      case HELD -> {
        synchronized (this) {
          held.add(new HeldCall(call, finish));
        }
      }
      case NEVER -> {
        // stays in flight for ever: for deadline tests
      }
    }
    return promise.future();
  }

  private synchronized FaultRule matchingRule(Op op, String target) {
    for (FaultRule r : rules) {
      if (r.op == op && r.usesLeft != 0 && r.matches(target)) {
        if (r.usesLeft > 0) {
          r.usesLeft--;
        }
        return r;
      }
    }
    return null;
  }

  private Context callerContext() {
    if (vertx == null) {
      return null;
    }
    Context c = Vertx.currentContext();
    return c != null ? c : vertx.getOrCreateContext();
  }

  private static <T> void deliver(Context context, Promise<T> promise, T value, DockerException failure) {
    Runnable complete = () -> {
      if (failure != null) {
        promise.fail(failure);
      } else {
        promise.complete(value);
      }
    };
    if (context == null) {
      complete.run();
    } else {
      context.runOnContext(v -> complete.run());
    }
  }

  /** Events for removals go out once the call's effect is complete, outside the lock. */
  private void emitLater(String type, String action, String actorId, Map<String, String> attributes) {
    if (!eventStreams.isEmpty()) {
      pendingEvents.add(() -> emitEvent(type, action, actorId, attributes));
    }
  }

  private DockerException error(Op op, int status, String message) {
    return DockerException.fromResponse(op.operation(), status, message);
  }

  private String newHex(String kind) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest((kind + ":" + (++nextId)).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(String id) {
    return id.startsWith("sha256:") ? id.substring(7) : id;
  }

  private static String shortId(String id) {
    String h = hex(id);
    return h.substring(0, Math.min(12, h.length()));
  }

  /** "app" → "app:latest"; references with a tag or a digest stay as they are. */
  static String normalizeTag(String ref) {
    if (ref.contains("@")) {
      return ref;
    }
    int slash = ref.lastIndexOf('/');
    return ref.indexOf(':', slash + 1) >= 0 ? ref : ref + ":latest";
  }

  private static String repository(String ref) {
    int at = ref.indexOf('@');
    if (at >= 0) {
      return ref.substring(0, at);
    }
    int slash = ref.lastIndexOf('/');
    int colon = ref.indexOf(':', slash + 1);
    return colon >= 0 ? ref.substring(0, colon) : ref;
  }

  private static String statusText(String state) {
    return switch (state) {
      case "running" -> "Up 5 minutes";
      case "paused" -> "Up 5 minutes (Paused)";
      case "restarting" -> "Restarting (1) 2 seconds ago";
      case "created" -> "Created";
      case "removing" -> "Removal In Progress";
      case "dead" -> "Dead";
      default -> "Exited (0) 5 minutes ago";
    };
  }

  // ---- faults and calls ------------------------------------------------------------------------

  private enum Delay { NONE, TIMER, HELD, NEVER }

  /**
   * What happens to the calls a rule matches: how they complete ({@link #after}, {@link #held},
   * {@link #never}; default at once) and with what ({@link #fail}, {@link #timeout}; default the
   * real effect on the inventory, applied when the call completes).
   */
  public final class FaultRule {
    private final Op op;
    private String object;
    private int usesLeft = -1;
    private Delay delay = Delay.NONE;
    private long delayMillis;
    private Supplier<DockerException> failure;

    private FaultRule(Op op) {
      this.op = op;
    }

    /** Only calls about this object: the id or name as passed, or any reference to the same object. */
    public FaultRule on(String idOrName) {
      synchronized (FakeDockerClient.this) {
        this.object = idOrName;
      }
      return this;
    }

    /** Only the next {@code n} matching calls (default: all). */
    public FaultRule times(int n) {
      synchronized (FakeDockerClient.this) {
        this.usesLeft = n;
      }
      return this;
    }

    /** Only the next matching call. */
    public FaultRule once() {
      return times(1);
    }

    /** Fails with the daemon's answer {@code status} and {@code message} (classified like the real client). */
    public FaultRule fail(int status, String daemonMessage) {
      synchronized (FakeDockerClient.this) {
        this.failure = () -> DockerException.fromResponse(op.operation(), status, daemonMessage);
      }
      return this;
    }

    /** Fails with no answer within the request timeout (kind TIMEOUT), as the real client does. */
    public FaultRule timeout() {
      synchronized (FakeDockerClient.this) {
        this.failure = () -> new DockerException(op.operation(), 0, Kind.TIMEOUT, "no complete answer within 30000 ms");
      }
      return this;
    }

    /** Completes after {@code delay} on a Vert.x timer (needs a fake built with a Vertx). */
    public FaultRule after(Duration delay) {
      if (vertx == null) {
        throw new IllegalStateException("after(): build the FakeDockerClient with a Vertx to use timers");
      }
      synchronized (FakeDockerClient.this) {
        this.delay = Delay.TIMER;
        this.delayMillis = delay.toMillis();
      }
      return this;
    }

    /** Parks matching calls until {@link #releaseHeld()} or {@link #releaseOldestHeld()}. */
    public FaultRule held() {
      synchronized (FakeDockerClient.this) {
        this.delay = Delay.HELD;
      }
      return this;
    }

    /** Matching calls never complete. */
    public FaultRule never() {
      synchronized (FakeDockerClient.this) {
        this.delay = Delay.NEVER;
      }
      return this;
    }

    private boolean matches(String target) {
      if (object == null) {
        return true;
      }
      if (target == null) {
        return false;
      }
      return object.equals(target) || Objects.equals(identity(object), identity(target));
    }

    private Object identity(String ref) {
      Object found = switch (op) {
        case REMOVE_CONTAINER -> lookupContainer(ref);
        case REMOVE_IMAGE, INSPECT_IMAGE -> resolveImage(ref) == null ? null : resolveImage(ref).image;
        case REMOVE_VOLUME -> volumes.get(ref);
        case REMOVE_NETWORK, INSPECT_NETWORK -> lookupNetwork(ref);
        default -> null;
      };
      return found == null ? ref : found;
    }
  }

  private record HeldCall(Call call, Runnable finish) {}

  /** One call made to the fake: what, about which object, and when it started and ended. */
  public static final class Call {
    private final Op op;
    private final String target;
    private final Filters filters;
    private final boolean force;
    private final long startSeq;
    private volatile long endSeq = -1;
    private volatile DockerException failure;

    private Call(Op op, String target, Filters filters, boolean force, long startSeq) {
      this.op = op;
      this.target = target;
      this.filters = filters;
      this.force = force;
      this.startSeq = startSeq;
    }

    private void finish(long seq, DockerException error) {
      this.failure = error;
      this.endSeq = seq;
    }

    public Op op() {
      return op;
    }

    /** The id or name passed (removeImage/inspect: the reference; events: {@code since}), else null. */
    public String target() {
      return target;
    }

    /** The filters passed, or null for calls without filters. */
    public Filters filters() {
      return filters;
    }

    /** force (removeContainer/removeImage) or all (pruneBuildCache). */
    public boolean force() {
      return force;
    }

    /** Position of the call's start in the fake's one sequence of starts and ends. */
    public long startSeq() {
      return startSeq;
    }

    /** Position of the call's end, or -1 while in flight. */
    public long endSeq() {
      return endSeq;
    }

    public boolean isDone() {
      return endSeq >= 0;
    }

    /** The failure the call completed with, or null (also while in flight). */
    public DockerException failure() {
      return failure;
    }

    @Override
    public String toString() {
      return op + (target == null ? "" : " " + target) + (filters == null || filters.isEmpty() ? "" : " " + filters)
          + (isDone() ? (failure == null ? " ok" : " failed: " + failure.getMessage()) : " in flight");
    }
  }

  // ---- inventory objects -----------------------------------------------------------------------

  /** An image of the fake's inventory; setters return it for chaining. */
  public final class Image {
    private final String id;
    private final List<String> tags = new ArrayList<>();
    private final List<String> digests = new ArrayList<>();
    private final Map<String, String> labels = new LinkedHashMap<>();
    private Image parent;
    private long sizeBytes = 1_000_000;
    private long sharedSizeBytes;
    private Instant created = clock.instant();
    /** The first tag it ever had: removals keep reporting it after the tags are gone. */
    private String firstTag;

    private Image(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }

    /** The first tag it was given, or {@code <none>@SHORTID} (what removals report as the name). */
    public String name() {
      synchronized (FakeDockerClient.this) {
        return firstTag != null ? firstTag : "<none>@" + shortId(id);
      }
    }

    public List<String> tags() {
      synchronized (FakeDockerClient.this) {
        return List.copyOf(tags);
      }
    }

    public Image tag(String tag) {
      synchronized (FakeDockerClient.this) {
        tags.add(normalizeTag(tag));
        if (firstTag == null) {
          firstTag = tags.get(0);
        }
      }
      return this;
    }

    public Image digest(String repoAtDigest) {
      synchronized (FakeDockerClient.this) {
        digests.add(repoAtDigest);
      }
      return this;
    }

    public Image label(String key, String value) {
      synchronized (FakeDockerClient.this) {
        labels.put(key, value);
      }
      return this;
    }

    public Image parent(Image parent) {
      synchronized (FakeDockerClient.this) {
        this.parent = parent;
      }
      return this;
    }

    public Image sizeBytes(long bytes) {
      synchronized (FakeDockerClient.this) {
        this.sizeBytes = bytes;
      }
      return this;
    }

    /** Bytes shared with other images (only reported by the API from 1.42 on, and by /system/df). */
    public Image sharedSizeBytes(long bytes) {
      synchronized (FakeDockerClient.this) {
        this.sharedSizeBytes = bytes;
      }
      return this;
    }

    public Image created(Instant at) {
      synchronized (FakeDockerClient.this) {
        this.created = at;
      }
      return this;
    }

    /** Tags and digests in lexical order, the order dockerd's reference store gives (and prune tries). */
    private List<String> refs() {
      List<String> refs = new ArrayList<>(tags);
      refs.addAll(digests);
      refs.sort(null);
      return refs;
    }

    private ImageSummary summary(boolean df) {
      long users = containers.values().stream().filter(c -> c.image == this).count();
      boolean shared = df || apiVersion.atLeast(ApiVersion.of(1, 42));
      return new ImageSummary(id, parent == null ? "" : parent.id, tags.stream().sorted().toList(),
          digests.stream().sorted().toList(),
          created.getEpochSecond(), sizeBytes, shared ? sharedSizeBytes : -1, df ? users : -1, Map.copyOf(labels));
    }
  }

  /** A container of the fake's inventory (state {@code exited} unless set). */
  public final class Container {
    private final String id;
    private final String name;
    private final Image image;
    private String imageRef;
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final List<Volume> volumes = new ArrayList<>();
    private final List<Network> networks = new ArrayList<>();
    private String state = "exited";
    private long sizeRwBytes;
    private Instant created = clock.instant();

    private Container(String id, String name, Image image) {
      this.id = id;
      this.name = name;
      this.image = image;
      this.imageRef = image.tags.isEmpty() ? image.id : image.tags.get(0);
      this.labels.putAll(image.labels); // the daemon merges the image's labels into the container's
    }

    public String id() {
      return id;
    }

    public String name() {
      return name;
    }

    public Image image() {
      return image;
    }

    public String state() {
      synchronized (FakeDockerClient.this) {
        return state;
      }
    }

    /** running, paused, restarting, created, exited, dead or removing. */
    public Container state(String newState) {
      synchronized (FakeDockerClient.this) {
        this.state = newState;
      }
      return this;
    }

    public Container running() {
      return state("running");
    }

    public Container exited() {
      return state("exited");
    }

    public Container label(String key, String value) {
      synchronized (FakeDockerClient.this) {
        labels.put(key, value);
      }
      return this;
    }

    /** The reference it was created from, as {@code Image} lists it (default: the image's first tag, else its id). */
    public Container imageRef(String ref) {
      synchronized (FakeDockerClient.this) {
        this.imageRef = ref;
      }
      return this;
    }

    /**
     * A task of the Swarm service {@code service}: the labels dockerd's swarm executor gives task
     * containers, and {@code Image} as the spec names it ({@code repo:tag@sha256:...}).
     */
    public Container swarmTask(String service, String specImage) {
      synchronized (FakeDockerClient.this) {
        labels.put("com.docker.swarm.service.name", service);
        labels.put("com.docker.swarm.service.id", shortId(newHex("service")));
        labels.put("com.docker.swarm.task.id", shortId(newHex("task")));
        labels.put("com.docker.swarm.node.id", "node1");
        this.imageRef = specImage;
      }
      return this;
    }

    public Container volume(Volume v) {
      synchronized (FakeDockerClient.this) {
        volumes.add(v);
      }
      return this;
    }

    public Container network(Network n) {
      synchronized (FakeDockerClient.this) {
        networks.add(n);
      }
      return this;
    }

    public Container sizeRwBytes(long bytes) {
      synchronized (FakeDockerClient.this) {
        this.sizeRwBytes = bytes;
      }
      return this;
    }

    public Container created(Instant at) {
      synchronized (FakeDockerClient.this) {
        this.created = at;
      }
      return this;
    }

    private boolean isActive() {
      return state.equals("running") || state.equals("paused") || state.equals("restarting");
    }

    private ContainerSummary summary(boolean size) {
      return new ContainerSummary(id, List.of("/" + name), imageRef, image.id, state, statusText(state),
          created.getEpochSecond(), Map.copyOf(labels), size ? sizeRwBytes : -1,
          volumes.stream().map(v -> v.name).toList());
    }
  }

  /** A volume of the fake's inventory. */
  public final class Volume {
    private final String name;
    private final Map<String, String> labels = new LinkedHashMap<>();
    private String driver = "local";
    private Instant created = clock.instant();
    private long sizeBytes;

    private Volume(String name) {
      this.name = name;
    }

    public String name() {
      return name;
    }

    public Volume label(String key, String value) {
      synchronized (FakeDockerClient.this) {
        labels.put(key, value);
      }
      return this;
    }

    public Volume sizeBytes(long bytes) {
      synchronized (FakeDockerClient.this) {
        this.sizeBytes = bytes;
      }
      return this;
    }

    /** Creation time; null: the daemon does not report one (Podman, old drivers). */
    public Volume created(Instant at) {
      synchronized (FakeDockerClient.this) {
        this.created = at;
      }
      return this;
    }

    private VolumeSummary summary(boolean df) {
      return new VolumeSummary(name, driver, "/var/lib/docker/volumes/" + name + "/_data", created,
          Map.copyOf(labels), "local", df ? sizeBytes : -1, df ? usersOf(this) : -1);
    }
  }

  /** A network of the fake's inventory; a container attached to it holds it only while running. */
  public final class Network {
    private final String id;
    private final String name;
    private final Map<String, String> labels = new LinkedHashMap<>();
    private String driver = "bridge";
    private Instant created = clock.instant();

    private Network(String id, String name) {
      this.id = id;
      this.name = name;
    }

    public String id() {
      return id;
    }

    public String name() {
      return name;
    }

    public Network label(String key, String value) {
      synchronized (FakeDockerClient.this) {
        labels.put(key, value);
      }
      return this;
    }

    public Network created(Instant at) {
      synchronized (FakeDockerClient.this) {
        this.created = at;
      }
      return this;
    }

    /** Like dockerd, the list answer has an empty Containers map (0 here); only inspect counts them. */
    private NetworkSummary summary(boolean inspect) {
      return new NetworkSummary(id, name, driver, "local", created, Map.copyOf(labels),
          inspect ? (int) activeEndpoints(this) : 0);
    }
  }

  /** A BuildKit cache record of the fake's inventory. */
  public final class CacheRecord {
    private final String id;
    private final String description;
    private String type = "regular";
    private boolean inUse;
    private boolean shared;
    private long sizeBytes = 1_000_000;
    private Instant createdAt = clock.instant();
    private Instant lastUsedAt;
    private long usageCount = 1;

    private CacheRecord(String id, String description) {
      this.id = id;
      this.description = description;
    }

    public String id() {
      return id;
    }

    /** regular, internal, frontend, source.local, exec.cachemount, ... */
    public CacheRecord type(String recordType) {
      synchronized (FakeDockerClient.this) {
        this.type = recordType;
      }
      return this;
    }

    public CacheRecord inUse(boolean value) {
      synchronized (FakeDockerClient.this) {
        this.inUse = value;
      }
      return this;
    }

    public CacheRecord shared(boolean value) {
      synchronized (FakeDockerClient.this) {
        this.shared = value;
      }
      return this;
    }

    public CacheRecord sizeBytes(long bytes) {
      synchronized (FakeDockerClient.this) {
        this.sizeBytes = bytes;
      }
      return this;
    }

    public CacheRecord created(Instant at) {
      synchronized (FakeDockerClient.this) {
        this.createdAt = at;
      }
      return this;
    }

    public CacheRecord lastUsed(Instant at) {
      synchronized (FakeDockerClient.this) {
        this.lastUsedAt = at;
      }
      return this;
    }

    private BuildCacheRecord summary() {
      return new BuildCacheRecord(id, "", type, description, inUse, shared, sizeBytes, createdAt, lastUsedAt, usageCount);
    }
  }

  /** An event stream the fake writes its events to until closed or broken. */
  private final class FakeEventStream implements EventStream {
    private final Handler<Buffer> handler;
    private final Context context;
    private final Promise<Void> ended = Promise.promise();

    private FakeEventStream(Handler<Buffer> handler, Context context) {
      this.handler = handler;
      this.context = context;
    }

    private void deliver(Buffer line) {
      if (context == null) {
        handler.handle(line);
      } else {
        context.runOnContext(v -> {
          if (!ended.future().isComplete()) {
            handler.handle(line);
          }
        });
      }
    }

    @Override
    public Future<Void> ended() {
      return ended.future();
    }

    @Override
    public void close() {
      ended.tryComplete();
      synchronized (FakeDockerClient.this) {
        eventStreams.remove(this);
      }
    }
  }
}
