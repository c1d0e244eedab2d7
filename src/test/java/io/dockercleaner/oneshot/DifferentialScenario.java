package io.dockercleaner.oneshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dockercleaner.testsupport.EngineApi;
import io.dockercleaner.testsupport.TestDaemons;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A small random Docker scenario made from a seed (for {@link OneShotDifferentialIT}): images
 * (tagged, dangling, used by containers, parent and child; labels set or inherited from the base
 * or parent image), containers
 * (running, exited, created; labels set or inherited only from their image), named and anonymous
 * volumes (used or not), user-defined networks (used or not), each created in phase 1 or phase 2
 * of the build, on either side of an {@code until} instant.
 *
 * <p>Every object has a scenario name, the same on every daemon the scenario is built on: ids
 * differ between builds, so results are compared by these names. Containers and networks carry
 * it as their name, images as their {@code dct.name} label (recorded at build), volumes by name
 * (named), by the build's record of the 64-hex name (anonymous, {@code volume create} without a
 * name), or as {@code CONTAINER:/data} for the anonymous volume a container's {@code -v /data}
 * made.
 */
final class DifferentialScenario {
  /** How a container's labels come about. */
  enum LabelSource { EXPLICIT, IMAGE_ONLY }

  enum State { RUNNING, EXITED, CREATED }

  /**
   * An image built with one LABEL line FROM the test image or, when {@code parent} is set, FROM
   * another scenario image (it inherits that image's labels); {@code supersedes}: the image whose
   * tag it takes (leaving that one dangling).
   */
  record ImageSpec(String name, int phase, Map<String, String> labels, String tag, String supersedes, String parent) {
    /** Step of its phase: 1 first builds, 2 children (FROM a step-1 image), 3 retagging builds. */
    int step() {
      return supersedes != null ? 3 : parent != null ? 2 : 1;
    }

    @Override
    public String toString() {
      return name + "[image, phase " + phase + (parent == null ? "" : ", FROM " + parent) + ", labels " + labels
          + (labels.containsKey("keep") ? "" : " + keep inherited from " + (parent == null ? "the base image (true)" : parent))
          + (supersedes == null ? ", tag " + tag : ", retags " + tag + " (makes " + supersedes + " dangling)") + "]";
    }
  }

  /** A volume made by {@code volume create}; anonymous ones get no name (64-hex). */
  record VolumeSpec(String name, int phase, boolean anonymous, Map<String, String> labels) {
    @Override
    public String toString() {
      return name + "[" + (anonymous ? "anonymous" : "named") + " volume, phase " + phase + ", labels " + labels + "]";
    }
  }

  record NetworkSpec(String name, int phase, Map<String, String> labels) {
    @Override
    public String toString() {
      return name + "[network, phase " + phase + ", labels " + labels + "]";
    }
  }

  /**
   * A container. {@code image} null = the base test image; {@code volume}: null (none),
   * {@link #ANON_MOUNT} ({@code -v /data}) or a scenario volume name; {@code network} null = none.
   */
  record ContainerSpec(String name, int phase, State state, String image, LabelSource labelSource,
      Map<String, String> labels, String volume, String network) {
    @Override
    public String toString() {
      return name + "[container, phase " + phase + ", " + state + ", image " + (image == null ? "base" : image)
          + (labelSource == LabelSource.IMAGE_ONLY ? ", labels only inherited from its image" : ", labels " + labels)
          + (volume == null ? "" : ", volume " + volume) + (network == null ? "" : ", network " + network) + "]";
    }
  }

  static final String ANON_MOUNT = "-v /data";
  static final String NAME_LABEL = "dct.name";

  final long seed;
  final List<ImageSpec> images = new ArrayList<>();
  final List<VolumeSpec> volumes = new ArrayList<>();
  final List<NetworkSpec> networks = new ArrayList<>();
  final List<ContainerSpec> containers = new ArrayList<>();

  private DifferentialScenario(long seed) {
    this.seed = seed;
  }

  /** The scenario of {@code seed}: about 20–30 objects. */
  static DifferentialScenario generate(long seed) {
    Random r = new Random(seed);
    DifferentialScenario s = new DifferentialScenario(seed);
    int imageCount = 3 + r.nextInt(3);
    for (int i = 0; i < imageCount; i++) {
      s.images.add(new ImageSpec("img" + i, phase(r), imageLabels(r), "dct/img" + i + ":1", null, null));
    }
    List<ImageSpec> firstBuilds = List.copyOf(s.images);
    int childCount = r.nextInt(3);
    for (int i = 0; i < childCount; i++) {
      // a chain: its parent may end up dangling (retagged) or pruned while the child stays
      ImageSpec parent = firstBuilds.get(r.nextInt(firstBuilds.size()));
      int phase = Math.max(parent.phase(), phase(r));
      String name = "img" + (imageCount + i);
      s.images.add(new ImageSpec(name, phase, imageLabels(r), "dct/" + name + ":1", null, parent.name()));
    }
    for (ImageSpec first : List.copyOf(s.images)) {
      if (r.nextInt(100) < 40) {
        int phase = Math.max(first.phase(), phase(r));
        s.images.add(new ImageSpec(first.name() + "-new", phase, imageLabels(r), first.tag(), first.name(), null));
      }
    }
    int networkCount = 2 + r.nextInt(2);
    for (int i = 0; i < networkCount; i++) {
      s.networks.add(new NetworkSpec("dct-net" + i, phase(r), otherLabels(r)));
    }
    int volumeCount = 2 + r.nextInt(3);
    for (int i = 0; i < volumeCount; i++) {
      boolean anonymous = r.nextBoolean();
      s.volumes.add(new VolumeSpec((anonymous ? "anon-vol" : "dct-vol") + i, phase(r), anonymous, otherLabels(r)));
    }
    int containerCount = 6 + r.nextInt(3);
    for (int i = 0; i < containerCount; i++) {
      int phase = phase(r);
      int st = r.nextInt(100);
      State state = st < 30 ? State.RUNNING : st < 75 ? State.EXITED : State.CREATED;
      // images a container can use: built before it (retagging builds run with the phase's containers)
      List<ImageSpec> usable = s.images.stream()
          .filter(im -> im.phase() < phase || (im.phase() == phase && im.supersedes() == null)).toList();
      String image = usable.isEmpty() || r.nextInt(100) < 25 ? null : usable.get(r.nextInt(usable.size())).name();
      LabelSource source = r.nextInt(100) < 35 ? LabelSource.IMAGE_ONLY : LabelSource.EXPLICIT;
      Map<String, String> labels = source == LabelSource.EXPLICIT ? imageLabelsExplicitKeep(r) : Map.of();
      List<VolumeSpec> usableVolumes = s.volumes.stream().filter(v -> v.phase() <= phase).toList();
      int m = r.nextInt(100);
      String volume = m < 40 ? null
          : m < 70 || usableVolumes.isEmpty() ? ANON_MOUNT
          : usableVolumes.get(r.nextInt(usableVolumes.size())).name();
      List<NetworkSpec> usableNetworks = s.networks.stream().filter(n -> n.phase() <= phase).toList();
      String network = usableNetworks.isEmpty() || r.nextInt(100) < 55 ? null
          : usableNetworks.get(r.nextInt(usableNetworks.size())).name();
      s.containers.add(new ContainerSpec("ctr" + i, phase, state, image, source, labels, volume, network));
    }
    return s;
  }

  private static int phase(Random r) {
    return 1 + r.nextInt(2);
  }

  /** keep=true / keep=false / keep unset (then keep=true comes from the base image), and k=v / k=other / no k. */
  private static Map<String, String> imageLabels(Random r) {
    Map<String, String> l = new LinkedHashMap<>();
    int keep = r.nextInt(100);
    if (keep < 15) {
      l.put("keep", "true");
    } else if (keep < 85) {
      l.put("keep", "false");
    }
    addK(r, l);
    return l;
  }

  private static Map<String, String> imageLabelsExplicitKeep(Random r) {
    Map<String, String> l = new LinkedHashMap<>();
    l.put("keep", r.nextInt(100) < 20 ? "true" : "false");
    addK(r, l);
    return l;
  }

  /** Volumes and networks have no inherited labels: keep=true sometimes, k=v / k=other / none. */
  private static Map<String, String> otherLabels(Random r) {
    Map<String, String> l = new LinkedHashMap<>();
    if (r.nextInt(100) < 20) {
      l.put("keep", "true");
    }
    addK(r, l);
    return l;
  }

  private static void addK(Random r, Map<String, String> l) {
    int k = r.nextInt(100);
    if (k < 30) {
      l.put("k", "v");
    } else if (k < 60) {
      l.put("k", "other");
    }
  }

  /** Scenario name of the anonymous volume {@code -v /data} gave a container. */
  static String anonMountName(String container) {
    return container + ":/data";
  }

  /** Phase of a volume by scenario name (standalone or a container's {@code -v /data}). */
  int volumePhase(String name) {
    for (VolumeSpec v : volumes) {
      if (v.name().equals(name)) {
        return v.phase();
      }
    }
    for (ContainerSpec c : containers) {
      if (anonMountName(c.name()).equals(name)) {
        return c.phase();
      }
    }
    throw new IllegalArgumentException("no volume " + name + " in the scenario of seed " + seed);
  }

  /** A description of a scenario object for failure messages (the name when unknown). */
  String describe(String name) {
    for (List<?> l : List.of(images, volumes, networks, containers)) {
      for (Object o : l) {
        if (o.toString().startsWith(name + "[")) {
          return o.toString();
        }
      }
    }
    for (ContainerSpec c : containers) {
      if (anonMountName(c.name()).equals(name)) {
        return name + "[anonymous volume of " + c.name() + "'s -v /data, phase " + c.phase() + "]";
      }
    }
    return name;
  }

  @Override
  public String toString() {
    return "scenario of seed " + seed + ":\n  " + List.of(images, volumes, networks, containers).stream()
        .flatMap(List::stream).map(Object::toString).collect(Collectors.joining("\n  "));
  }

  // ---- building ------------------------------------------------------------------------------

  /** What one build of the scenario made on one daemon: scenario name → daemon id/name. */
  static final class Built {
    final String host;
    final Map<String, String> imageIds = new ConcurrentHashMap<>();
    final Map<String, String> volumeNames = new ConcurrentHashMap<>();
    final String baseImageId;

    Built(String host, String baseImageId) {
      this.host = host;
      this.baseImageId = baseImageId;
    }
  }

  /**
   * Builds the scenario on every daemon in lockstep: phase 1, then {@code until} (a whole second
   * after every phase-1 object and before every phase-2 one), then phase 2. Returns {@code until}.
   * Objects are made through the Engine API (the requests Debian's CLI sends for the same command,
   * without a CLI process per object), each as soon as what it needs exists: the two daemons and
   * the independent objects of a phase at once.
   *
   * @param waitForNextSecond blocks until the wall clock is in a later second than the one given
   */
  Instant build(List<Built> targets, ExecutorService pool, Consumer<Long> waitForNextSecond) {
    Map<Built, Map<String, CompletableFuture<Void>>> made = new LinkedHashMap<>();
    targets.forEach(b -> made.put(b, new ConcurrentHashMap<>()));
    buildPhase(1, made, pool);
    long lastPhaseOneSecond = Instant.now().getEpochSecond();
    waitForNextSecond.accept(lastPhaseOneSecond);
    Instant until = Instant.ofEpochSecond(Instant.now().getEpochSecond());
    waitForNextSecond.accept(until.getEpochSecond());
    buildPhase(2, made, pool);
    join(targets.stream().map(b -> CompletableFuture.runAsync(() -> recordAnonymousMounts(b), pool)).toList());
    return until;
  }

  /**
   * One phase on every daemon: each object starts once the objects it needs exist (a child image
   * its parent, a retagging build the image whose tag it takes, a container its image, volume and
   * network), earlier phases' objects being there already; returns when all of the phase exist.
   */
  private void buildPhase(int phase, Map<Built, Map<String, CompletableFuture<Void>>> made, ExecutorService pool) {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    made.forEach((b, done) -> {
      String nonce = UUID.randomUUID().toString();
      java.util.function.BiFunction<List<String>, Runnable, CompletableFuture<Void>> after = (needs, task) -> {
        CompletableFuture<?>[] deps = needs.stream().filter(java.util.Objects::nonNull).map(n -> {
          CompletableFuture<Void> f = done.get(n);
          if (f == null) {
            throw new IllegalStateException("seed " + seed + ": " + n + " is needed before it is made");
          }
          return f;
        }).toArray(CompletableFuture[]::new);
        CompletableFuture<Void> f = CompletableFuture.allOf(deps).thenRunAsync(task, pool);
        all.add(f);
        return f;
      };
      // in step order, so that what an object needs is registered before it
      for (int step = 1; step <= 3; step++) {
        for (ImageSpec im : images) {
          if (im.phase() == phase && im.step() == step) {
            done.put(im.name(), after.apply(java.util.Arrays.asList(im.parent(), im.supersedes()),
                () -> buildImage(b, im, nonce)));
          }
        }
      }
      volumes.stream().filter(v -> v.phase() == phase)
          .forEach(v -> done.put(v.name(), after.apply(List.of(), () -> createVolume(b, v))));
      networks.stream().filter(n -> n.phase() == phase)
          .forEach(n -> done.put(n.name(), after.apply(List.of(), () -> createNetwork(b, n))));
      containers.stream().filter(c -> c.phase() == phase).forEach(c -> after.apply(java.util.Arrays.asList(c.image(),
          ANON_MOUNT.equals(c.volume()) ? null : c.volume(), c.network()), () -> createContainer(b, c)));
    });
    join(all);
  }

  private static void join(List<? extends CompletableFuture<?>> tasks) {
    try {
      CompletableFuture.allOf(tasks.toArray(CompletableFuture[]::new)).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new AssertionError("building the scenario failed: " + e.getCause(), e.getCause());
    }
  }

  private static void buildImage(Built b, ImageSpec im, String nonce) {
    StringBuilder label = new StringBuilder("LABEL " + NAME_LABEL + "=" + im.name() + " dct.nonce=" + nonce);
    im.labels().forEach((k, v) -> label.append(' ').append(k).append('=').append(v));
    // the nonce keeps the classic builder from answering with a cached image of an earlier build
    String from = im.parent() == null ? TestDaemons.TEST_IMAGE : b.imageIds.get(im.parent());
    b.imageIds.put(im.name(), EngineApi.build(b.host, im.tag(), "FROM " + from + "\n" + label + "\n"));
  }

  private static void createVolume(Built b, VolumeSpec v) {
    // what `docker volume create [--label ...] [NAME]` sends; no name → the daemon names it with 64
    // hex digits, as it does for -v /data
    ObjectNode body = EngineApi.object().put("Driver", "local").put("Name", v.anonymous() ? "" : v.name());
    body.putObject("DriverOpts");
    ObjectNode labels = body.putObject("Labels");
    if (v.anonymous()) {
      labels.put(NAME_LABEL, v.name());
    }
    v.labels().forEach(labels::put);
    String name = EngineApi.post(b.host, "/v1.41/volumes/create", body, Set.of(200, 201)).json().get("Name").asText();
    b.volumeNames.put(v.name(), name);
  }

  private static void createNetwork(Built b, NetworkSpec n) {
    // what `docker network create [--label ...] NAME` sends
    ObjectNode body = EngineApi.object().put("CheckDuplicate", true).put("Driver", "bridge").put("Name", n.name());
    ObjectNode ipam = body.putObject("IPAM").put("Driver", "default");
    ipam.putObject("Options");
    ipam.putArray("Config");
    body.putObject("Options");
    n.labels().forEach(body.putObject("Labels")::put);
    EngineApi.post(b.host, "/v1.41/networks/create", body, Set.of(200, 201));
  }

  private static void createContainer(Built b, ContainerSpec c) {
    // what `docker create`/`docker run [-d]` send: create; running: start; exited: start and wait
    boolean attached = c.state() != State.RUNNING; // run without -d, and create, attach stdout and stderr
    ObjectNode body = EngineApi.object().put("AttachStdout", attached).put("AttachStderr", attached)
        .put("Image", c.image() == null ? TestDaemons.TEST_IMAGE : b.imageIds.get(c.image()));
    ArrayNode cmd = body.putArray("Cmd");
    (c.state() == State.RUNNING ? List.of("sleep", "100000") : List.of("true")).forEach(cmd::add);
    c.labels().forEach(body.putObject("Labels")::put);
    ObjectNode volumesNode = body.putObject("Volumes");
    ObjectNode hostConfig = body.putObject("HostConfig").put("NetworkMode", c.network() == null ? "none" : c.network());
    hostConfig.putObject("RestartPolicy").put("Name", "no").put("MaximumRetryCount", 0);
    if (ANON_MOUNT.equals(c.volume())) {
      volumesNode.putObject("/data");
    } else if (c.volume() != null) {
      hostConfig.putArray("Binds").add(b.volumeNames.get(c.volume()) + ":/data");
    }
    String id = EngineApi.post(b.host, "/v1.41/containers/create?name=" + EngineApi.q(c.name()), body, Set.of(201))
        .json().get("Id").asText();
    if (c.state() == State.CREATED) {
      return;
    }
    EngineApi.post(b.host, "/v1.41/containers/" + id + "/start", null, Set.of(204));
    if (c.state() == State.EXITED) {
      int exit = EngineApi.post(b.host, "/v1.41/containers/" + id + "/wait", null, Set.of(200)).json()
          .path("StatusCode").asInt(-1);
      if (exit != 0) {
        throw new AssertionError(c + " on " + b.host + " exited " + exit + ", not 0");
      }
    }
  }

  /** Records the 64-hex names that the containers' {@code -v /data} gave their anonymous volumes. */
  private void recordAnonymousMounts(Built b) {
    Set<String> names = containers.stream().filter(c -> ANON_MOUNT.equals(c.volume())).map(ContainerSpec::name)
        .collect(Collectors.toSet());
    for (JsonNode c : EngineApi.get(b.host, "/containers/json?all=1")) {
      String name = c.path("Names").path(0).asText().substring(1);
      if (names.contains(name)) {
        for (JsonNode m : c.path("Mounts")) {
          if (m.path("Destination").asText().equals("/data")) {
            b.volumeNames.put(anonMountName(name), m.get("Name").asText());
          }
        }
      }
    }
  }

}
