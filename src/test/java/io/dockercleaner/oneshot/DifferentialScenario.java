package io.dockercleaner.oneshot;

import io.dockercleaner.testsupport.TestDaemons;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
   *
   * @param waitForNextSecond blocks until the wall clock is in a later second than the one given
   */
  Instant build(List<Built> targets, ExecutorService pool, Consumer<Long> waitForNextSecond) {
    buildPhase(1, targets, pool);
    long lastPhaseOneSecond = Instant.now().getEpochSecond();
    waitForNextSecond.accept(lastPhaseOneSecond);
    Instant until = Instant.ofEpochSecond(Instant.now().getEpochSecond());
    waitForNextSecond.accept(until.getEpochSecond());
    buildPhase(2, targets, pool);
    runAll(targets.stream().map(b -> (Runnable) () -> recordAnonymousMounts(b)).toList(), pool);
    return until;
  }

  private void buildPhase(int phase, List<Built> targets, ExecutorService pool) {
    // step 1: first builds of images, volumes, networks; step 2: child images (FROM step 1's);
    // step 3: containers (they use what steps 1-2 and earlier phases made) and the builds that
    // retag an image (leaving it dangling)
    List<Runnable> first = new ArrayList<>();
    List<Runnable> second = new ArrayList<>();
    List<Runnable> third = new ArrayList<>();
    for (Built b : targets) {
      String nonce = UUID.randomUUID().toString();
      for (ImageSpec im : images) {
        if (im.phase() == phase) {
          (im.step() == 1 ? first : im.step() == 2 ? second : third).add(() -> buildImage(b, im, nonce));
        }
      }
      volumes.stream().filter(v -> v.phase() == phase).forEach(v -> first.add(() -> createVolume(b, v)));
      networks.stream().filter(n -> n.phase() == phase).forEach(n -> first.add(() -> createNetwork(b, n)));
      containers.stream().filter(c -> c.phase() == phase).forEach(c -> third.add(() -> createContainer(b, c)));
    }
    runAll(first, pool);
    runAll(second, pool);
    runAll(third, pool);
  }

  private static void runAll(List<Runnable> tasks, ExecutorService pool) {
    try {
      CompletableFuture.allOf(tasks.stream().map(t -> CompletableFuture.runAsync(t, pool))
          .toArray(CompletableFuture[]::new)).join();
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
    String dockerfile = "FROM " + from + "\n" + label + "\n";
    TestDaemons.Result r = TestDaemons.dockerResult(b.host, dockerfile.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        "build", "-q", "-t", im.tag(), "-");
    if (r.exitCode() != 0) {
      throw new AssertionError("docker build of " + im + " failed: " + r.stderr());
    }
    // Podman's build -q prints the bare hex id, dockerd's prints sha256:<hex>
    String id = r.out().strip();
    b.imageIds.put(im.name(), id.startsWith("sha256:") ? id : "sha256:" + id);
  }

  private static void createVolume(Built b, VolumeSpec v) {
    List<String> args = new ArrayList<>(List.of("volume", "create"));
    if (v.anonymous()) {
      // no name → the daemon names it with 64 hex digits, as it does for -v /data
      args.addAll(List.of("--label", NAME_LABEL + "=" + v.name()));
    }
    v.labels().forEach((k, val) -> args.addAll(List.of("--label", k + "=" + val)));
    if (!v.anonymous()) {
      args.add(v.name());
    }
    b.volumeNames.put(v.name(), TestDaemons.docker(b.host, args.toArray(String[]::new)));
  }

  private static void createNetwork(Built b, NetworkSpec n) {
    List<String> args = new ArrayList<>(List.of("network", "create"));
    n.labels().forEach((k, v) -> args.addAll(List.of("--label", k + "=" + v)));
    args.add(n.name());
    TestDaemons.docker(b.host, args.toArray(String[]::new));
  }

  private static void createContainer(Built b, ContainerSpec c) {
    // running: run -d; exited: run attached (create + start + wait in one call); created: create
    List<String> args = new ArrayList<>(List.of(c.state() == State.CREATED ? "create" : "run"));
    if (c.state() == State.RUNNING) {
      args.add("-d");
    }
    args.addAll(List.of("--name", c.name(), "--network", c.network() == null ? "none" : c.network()));
    c.labels().forEach((k, v) -> args.addAll(List.of("--label", k + "=" + v)));
    if (ANON_MOUNT.equals(c.volume())) {
      args.addAll(List.of("-v", "/data"));
    } else if (c.volume() != null) {
      args.addAll(List.of("-v", b.volumeNames.get(c.volume()) + ":/data"));
    }
    args.add(c.image() == null ? TestDaemons.TEST_IMAGE : b.imageIds.get(c.image()));
    args.addAll(c.state() == State.RUNNING ? List.of("sleep", "100000") : List.of("true"));
    TestDaemons.docker(b.host, args.toArray(String[]::new));
  }

  /** Records the 64-hex names that the containers' {@code -v /data} gave their anonymous volumes. */
  private void recordAnonymousMounts(Built b) {
    List<String> names = containers.stream().filter(c -> ANON_MOUNT.equals(c.volume())).map(ContainerSpec::name).toList();
    if (names.isEmpty()) {
      return;
    }
    List<String> args = new ArrayList<>(List.of("inspect", "-f", "{{.Name}} {{range .Mounts}}{{.Name}}{{end}}"));
    args.addAll(names);
    for (String line : TestDaemons.docker(b.host, args.toArray(String[]::new)).lines().toList()) {
      String[] p = line.strip().split(" ");
      b.volumeNames.put(anonMountName(p[0].substring(1)), p[1]);
    }
  }

}
