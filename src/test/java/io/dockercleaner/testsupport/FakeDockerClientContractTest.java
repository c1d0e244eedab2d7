package io.dockercleaner.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.docker.DockerClient;
import io.dockercleaner.docker.DockerClientOptions;
import io.dockercleaner.docker.DockerException;
import io.dockercleaner.docker.DockerHost;
import io.dockercleaner.docker.Filters;
import io.dockercleaner.docker.model.PruneReport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The fake's daemon rules are the daemon's: each scenario is built twice, on the private daemon
 * (Debian's docker CLI) and in a {@link FakeDockerClient}, then the same {@link DockerClient}
 * calls run against both and what they observe — success, or HTTP status and {@link
 * DockerException.Kind}; which objects a prune removed — must be equal. Objects are compared by
 * logical name, since ids differ.
 */
@Tag("daemon")
class FakeDockerClientContractTest {
  private static Vertx vertx;
  private static String host;
  private static DockerClient real;
  private DaemonFixture fixture;

  @BeforeAll
  static void connect() throws Exception {
    host = TestDaemons.main();
    vertx = Vertx.vertx();
    real = await(DockerClient.connect(vertx, DockerClientOptions.of(DockerHost.parse(host, false, null))));
  }

  @AfterAll
  static void close() {
    if (real != null) {
      real.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  @BeforeEach
  void reset() {
    fixture = new DaemonFixture(host);
    fixture.reset();
  }

  @Test
  void containerRemoval() throws Exception {
    assertSameObservations(
        world -> {
          world.image("app");
          world.container("up", "app", true, Map.of(), List.of(), null);
          world.container("down", "app", false, Map.of(), List.of(), null);
        },
        (docker, ids) -> List.of(
            outcome(docker.removeContainer(ids.get("up"), false, false)),
            outcome(docker.removeContainer("no-such-container", false, false)),
            outcome(docker.removeContainer(ids.get("down"), false, false)),
            outcome(docker.removeContainer(ids.get("up"), true, false))));
  }

  @Test
  void imageRemoval() throws Exception {
    assertSameObservations(
        world -> {
          world.image("stopped-user");
          world.container("stopper", "stopped-user", false, Map.of(), List.of(), null);
          world.image("running-user");
          world.container("runner", "running-user", true, Map.of(), List.of(), null);
          world.image("two-tags");
          world.tag("two-tags", "ct/other:1");
        },
        (docker, ids) -> List.of(
            outcome(docker.removeImage(ids.get("stopped-user"), false)),
            outcome(docker.removeImage("ct/stopped-user:1", false)),
            outcome(docker.removeImage(ids.get("running-user"), true)),
            outcome(docker.removeImage(ids.get("two-tags"), false)),
            outcome(docker.removeImage("ct/other:1", false)),
            outcome(docker.removeImage(ids.get("two-tags"), false)),
            outcome(docker.removeImage("ct/no-such-image:1", false))));
  }

  @Test
  void volumesAndNetworks() throws Exception {
    assertSameObservations(
        world -> {
          world.image("app");
          world.volume("used");
          world.volume("free");
          world.network("busy");
          world.network("idle");
          world.container("user", "app", false, Map.of(), List.of("used"), null);
          world.container("runner", "app", true, Map.of(), List.of(), "busy");
        },
        (docker, ids) -> List.of(
            outcome(docker.removeVolume("used")),
            outcome(docker.removeVolume("no-such-volume")),
            outcome(docker.removeVolume("free")),
            outcome(docker.removeNetwork("busy")),
            outcome(docker.removeNetwork("none")),
            outcome(docker.removeNetwork("no-such-network")),
            "inspect busy: " + await(docker.inspectNetwork("busy")).containers() + " containers",
            outcome(docker.removeNetwork("idle"))));
  }

  @Test
  void containerPruneLabelFilters() throws Exception {
    assertSameObservations(
        world -> {
          world.image("app");
          world.container("both", "app", false, Map.of("keep", "true", "tier", "db"), List.of(), null);
          world.container("keep-only", "app", false, Map.of("keep", "true"), List.of(), null);
          world.container("tier-only", "app", false, Map.of("keep", "false", "tier", "db"), List.of(), null);
          world.container("plain", "app", false, Map.of("keep", "false"), List.of(), null);
          world.container("running", "app", true, Map.of("keep", "false"), List.of(), null);
        },
        (docker, ids) -> List.of(
            pruned(docker.pruneContainers(Filters.NONE.with("label", "tier=db").with("label!", "keep=true")), ids),
            pruned(docker.pruneContainers(Filters.NONE.with("label!", "keep=true").with("label!", "tier")), ids),
            pruned(docker.pruneContainers(Filters.NONE), ids)));
  }

  @Test
  void imagePruneDanglingThenAll() throws Exception {
    assertSameObservations(
        world -> {
          world.danglingImage("old-build");
          world.image("unused");
          world.image("used");
          world.container("user", "used", false, Map.of(), List.of(), null);
          world.image("used-twice-tagged");
          world.tag("used-twice-tagged", "ct/alias:1");
          world.container("user2", "used-twice-tagged", false, Map.of(), List.of(), null);
        },
        (docker, ids) -> List.of(
            pruned(docker.pruneImages(Filters.NONE.with("dangling", "true")), ids),
            pruned(docker.pruneImages(Filters.NONE.with("dangling", "false").with("label!", "keep=true")), ids),
            pruned(docker.pruneImages(Filters.NONE.with("dangling", "false").with("label", "role=unused")), ids),
            // label=role: every image but the daemon's test image, which must keep its tag
            pruned(docker.pruneImages(Filters.NONE.with("dangling", "false").with("label", "role")), ids),
            "tags left: " + new TreeSet<>(await(docker.inspectImage(ids.get("used-twice-tagged"))).repoTags())));
  }

  @Test
  void volumeAndNetworkPrune() throws Exception {
    assertSameObservations(
        world -> {
          world.image("app");
          world.volume("named");
          world.volume("held");
          world.network("idle");
          world.network("busy");
          world.container("user", "app", false, Map.of(), List.of("held"), null);
          world.container("runner", "app", true, Map.of(), List.of(), "busy");
        },
        (docker, ids) -> List.of(
            pruned(docker.pruneVolumes(Filters.NONE), ids),
            pruned(docker.pruneNetworks(Filters.NONE), ids),
            outcome(docker.pruneVolumes(Filters.NONE.with("until", "1h")))));
  }

  // ---- the two worlds --------------------------------------------------------------------------

  /** Builds the same objects on either side; remembers logical name → id. */
  private interface World {
    void image(String name);

    void danglingImage(String name);

    void tag(String image, String tag);

    void container(String name, String image, boolean running, Map<String, String> labels, List<String> volumes,
        String network);

    void volume(String name);

    void network(String name);
  }

  private interface Scenario {
    void build(World world);
  }

  private void assertSameObservations(Scenario scenario,
      BiFunction<DockerClient, Map<String, String>, List<String>> calls) throws Exception {
    Map<String, String> realIds = new LinkedHashMap<>();
    scenario.build(new RealWorld(realIds));
    List<String> onDaemon = calls.apply(real, realIds);

    FakeDockerClient fake = new FakeDockerClient(new MutableClock()).apiVersion(real.apiVersion());
    Map<String, String> fakeIds = new LinkedHashMap<>();
    scenario.build(new FakeWorld(fake, fakeIds));
    List<String> onFake = calls.apply(fake, fakeIds);

    // in the surefire report, what was compared
    System.out.println("daemon API " + real.apiVersion() + " observed: " + onDaemon);
    assertThat(onFake).as("fake vs daemon (API " + real.apiVersion() + ")").isEqualTo(onDaemon);
  }

  /** The private daemon, through Debian's CLI; every image derives from the test image (keep=true). */
  private final class RealWorld implements World {
    private final Map<String, String> ids;

    RealWorld(Map<String, String> ids) {
      this.ids = ids;
    }

    @Override
    public void image(String name) {
      ids.put(name, TestDaemons.build(host, "ct/" + name + ":1", "FROM " + TestDaemons.TEST_IMAGE
          + "\nLABEL role=" + name + "\nRUN echo '" + name + System.nanoTime() + "' > /id\n"));
    }

    @Override
    public void danglingImage(String name) {
      image(name);
      String first = ids.get(name);
      image(name); // the second build takes the tag
      ids.put(name + "-tagged", ids.get(name));
      ids.put(name, first);
    }

    @Override
    public void tag(String image, String tag) {
      TestDaemons.docker(host, "tag", ids.get(image), tag);
    }

    @Override
    public void container(String name, String image, boolean running, Map<String, String> labels,
        List<String> volumes, String network) {
      List<String> args = new ArrayList<>(List.of(running ? "run" : "create"));
      if (running) {
        args.add("-d");
      }
      args.addAll(List.of("--name", name, "--network", network == null ? "none" : network));
      labels.forEach((k, v) -> args.addAll(List.of("--label", k + "=" + v)));
      volumes.forEach(v -> args.addAll(List.of("-v", v + ":/data-" + v)));
      args.add(ids.get(image));
      args.addAll(running ? List.of("sleep", "100000") : List.of("true"));
      ids.put(name, TestDaemons.docker(host, args.toArray(String[]::new)));
    }

    @Override
    public void volume(String name) {
      ids.put(name, fixture.volume(name));
    }

    @Override
    public void network(String name) {
      fixture.network(name);
      ids.put(name, TestDaemons.docker(host, "network", "inspect", "-f", "{{.Id}}", name));
    }
  }

  /** The same objects in the fake, labelled as the daemon labels them (keep=true from the test image). */
  private static final class FakeWorld implements World {
    private final FakeDockerClient fake;
    private final Map<String, String> ids;
    private final Map<String, FakeDockerClient.Image> images = new LinkedHashMap<>();
    private final Map<String, FakeDockerClient.Volume> volumes = new LinkedHashMap<>();
    private final Map<String, FakeDockerClient.Network> networks = new LinkedHashMap<>();

    FakeWorld(FakeDockerClient fake, Map<String, String> ids) {
      this.fake = fake;
      this.ids = ids;
    }

    @Override
    public void image(String name) {
      FakeDockerClient.Image i = fake.image("ct/" + name + ":1").label("keep", "true").label("role", name);
      images.put(name, i);
      ids.put(name, i.id());
    }

    @Override
    public void danglingImage(String name) {
      FakeDockerClient.Image first = fake.image().label("keep", "true").label("role", name);
      image(name);
      ids.put(name + "-tagged", ids.get(name));
      images.put(name, first);
      ids.put(name, first.id());
    }

    @Override
    public void tag(String image, String tag) {
      images.get(image).tag(tag);
    }

    @Override
    public void container(String name, String image, boolean running, Map<String, String> labels,
        List<String> volumeNames, String network) {
      FakeDockerClient.Container c = fake.container(name, images.get(image)).state(running ? "running" : "created");
      labels.forEach(c::label);
      volumeNames.forEach(v -> c.volume(volumes.get(v)));
      if (network != null) {
        c.network(networks.get(network));
      }
      ids.put(name, c.id());
    }

    @Override
    public void volume(String name) {
      volumes.put(name, fake.volume(name));
      ids.put(name, name);
    }

    @Override
    public void network(String name) {
      FakeDockerClient.Network n = fake.network(name);
      networks.put(name, n);
      ids.put(name, n.id());
    }
  }

  // ---- observations ----------------------------------------------------------------------------

  private static String outcome(Future<?> call) {
    try {
      Object value = call.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
      if (value instanceof PruneReport r) {
        // the daemon's classic builder leaves intermediate parents, deleted along: count only "some"
        return "ok " + (r.deleted().isEmpty() ? "untagged only " : "deleted, untagged ") + r.untagged();
      }
      return "ok";
    } catch (ExecutionException e) {
      if (e.getCause() instanceof DockerException de) {
        return de.status() + " " + de.kind();
      }
      throw new AssertionError(e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /**
   * The logical names a prune removed (ids mapped back; networks are reported by name). Unknown
   * ids are the intermediate images the daemon's classic builder leaves, deleted with their child.
   */
  private static String pruned(Future<PruneReport> prune, Map<String, String> ids) {
    PruneReport r = await(prune);
    TreeSet<String> names = new TreeSet<>();
    for (String deleted : r.deleted()) {
      ids.entrySet().stream().filter(e -> e.getValue().equals(deleted) || e.getKey().equals(deleted))
          .map(Map.Entry::getKey).findFirst().ifPresent(names::add);
    }
    return "pruned " + names + " untagged " + new TreeSet<>(r.untagged());
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(Duration.ofMinutes(2).toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
