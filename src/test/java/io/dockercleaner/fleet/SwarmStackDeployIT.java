package io.dockercleaner.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dockercleaner.testsupport.AgentProcess;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * conf/deploy/swarm/docker-cleaner.stack.yml deployed with {@code docker stack deploy}, as users
 * deploy it, on a real two-node swarm ({@code bin/test-swarm up --name stack --private-run}: its own
 * namespaces stack1, the manager, and stack2, the worker, so it can run beside SwarmFleetIT's
 * swarm): the global service runs one agent per node, each on its own node's socket, and each
 * cleans only its own node and keeps what is protected there.
 *
 * <p>The stack mounts the socket path Docker uses by default. On this machine that path belongs to the machine (a
 * user's Docker, if any), which tests must never touch. Each swarm dockerd therefore runs in a
 * mount namespace of its own where /run is its own folder (bin/test-daemon --private-run), and
 * before anything mounting the socket is deployed, {@link #proveEachNodeMountsItsOwnSocket} shows
 * on each node that what a container gets at that path is that node's socket (same device and
 * inode as /tmp/dcd/NODE/docker.sock seen from here); if not, the class fails before deploying.
 *
 * <p>The image is the project's own (the Dockerfile, built offline on the main test daemon as
 * ImageIT does, then {@code docker save | docker load} into both nodes). A small override file
 * (second {@code -c}) names that image and asks for a sweep at start with no age limits; everything
 * else is the file users deploy.
 */
@Tag("daemon")
@Tag("process")
class SwarmStackDeployIT {
  private static final String SWARM = "stack"; // bin/test-swarm --name: nodes stack1 and stack2
  private static final List<String> NODES = List.of("stack1", "stack2");
  private static final String MANAGER = host("stack1");
  private static final String IMAGE = "docker-cleaner:stack-it";
  private static final String STACK = "dcstack";
  private static final String SERVICE = STACK + "_agent";
  private static final Duration WAIT = Duration.ofMinutes(3);
  private static final Path ROOT = AgentProcess.projectRoot();
  private static final Path STACK_FILE = ROOT.resolve("conf/deploy/swarm/docker-cleaner.stack.yml");
  /** The socket the stack file bind-mounts (read from it: the test never names a socket of the machine's). */
  private static final String SOCKET = mountedSocket();

  private static String buildHost;
  private static boolean swarmStarted;

  private static String host(String node) {
    return "unix:///tmp/dcd/" + node + "/docker.sock";
  }

  @BeforeAll
  static void swarmWithTheImageOnEveryNode() {
    assertThat(TestDaemons.run(List.of("id", "-u"), null, Map.of()).out()).as("needs root: namespaces, dockerd")
        .isEqualTo("0");
    assertThat(ROOT.resolve("target/docker-cleaner.jar")).as("the jar the Dockerfile copies (mvn package)")
        .isRegularFile();
    assertThat(ROOT.resolve("target/docker-cleaner.cdx.json"))
        .as("the jar's SBOM the Dockerfile copies: `mvn package` writes it, `mvn -o` cannot").isRegularFile();
    buildHost = TestDaemons.main();
    long started = System.nanoTime();
    swarmStarted = true;
    swarm("up", "--name", SWARM, "--private-run");
    NODES.forEach(n -> TestDaemons.requireHost(host(n)));
    long swarmUp = System.nanoTime();

    TestDaemons.Result bases = TestDaemons.run(List.of(ROOT.resolve("bin/build-base-images").toString()), null,
        Map.of("DOCKER_HOST", buildHost));
    assertThat(bases.exitCode()).as("bin/build-base-images: " + bases.stderr()).isZero();
    TestDaemons.Result build = TestDaemons.run(List.of("bash", "-c", "cd \"$1\" && " + TestDaemons.DOCKER_CLI
        + " build -q --network=none -t \"$2\" .", "build", ROOT.toString(), IMAGE), null, Map.of("DOCKER_HOST", buildHost));
    assertThat(build.exitCode()).as("docker build: " + build.stderr()).isZero();
    long built = System.nanoTime();
    for (String node : NODES) {
      TestDaemons.Result load = TestDaemons.run(List.of("bash", "-o", "pipefail", "-c",
          "\"$1\" -H \"$2\" save \"$4\" | \"$1\" -H \"$3\" load -q", "load", TestDaemons.DOCKER_CLI, buildHost,
          host(node), IMAGE), null, Map.of());
      assertThat(load.exitCode()).as("docker save | docker load into " + node + ": " + load.stderr()).isZero();
    }
    long loaded = System.nanoTime();
    System.out.printf("[SwarmStackDeployIT] swarm up %d s, image build %d s, load into 2 nodes %d s%n",
        (swarmUp - started) / 1_000_000_000L, (built - swarmUp) / 1_000_000_000L, (loaded - built) / 1_000_000_000L);

    proveEachNodeMountsItsOwnSocket();
  }

  /**
   * The safety gate before any deploy: on each node a throwaway container mounts the stack's socket path
   * (a bind mount that never creates its source, read-only, and only stat'ed) and must see the
   * node's own socket: the device and inode of /tmp/dcd/NODE/docker.sock as this machine sees it
   * (so no other daemon's). Fails (not skips) otherwise.
   */
  private static void proveEachNodeMountsItsOwnSocket() {
    for (String node : NODES) {
      String own = stat("/tmp/dcd/" + node + "/docker.sock");
      String seen = TestDaemons.docker(host(node), "run", "--rm", "--network=none", "--mount",
          "type=bind,source=" + SOCKET + ",target=" + SOCKET + ",readonly", TestDaemons.TEST_IMAGE,
          "busybox", "stat", "-c", "%d:%i %F", SOCKET);
      assertThat(seen).as("REFUSING TO DEPLOY: on %s a container's %s is not the node's own socket %s; the stack"
          + " would reach another daemon (check bin/test-daemon --private-run)", node, SOCKET, own)
          .isEqualTo(own + " socket");
    }
  }

  /** The container side of the stack file's socket bind mount ({@code - SOURCE:TARGET}, TARGET a docker.sock). */
  private static String mountedSocket() {
    try {
      return Files.readAllLines(STACK_FILE).stream().map(String::strip)
          .map(l -> l.matches("- (\\S+):(\\S+docker\\.sock)") ? l.substring(l.lastIndexOf(':') + 1) : null)
          .filter(java.util.Objects::nonNull).findFirst()
          .orElseThrow(() -> new IllegalStateException(STACK_FILE + " mounts no docker.sock"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** device:inode of a path, following symlinks, as this machine sees it. */
  private static String stat(String path) {
    TestDaemons.Result r = TestDaemons.run(List.of("stat", "-L", "-c", "%d:%i", path), null, Map.of());
    assertThat(r.exitCode()).as("stat " + path + ": " + r.stderr()).isZero();
    return r.out();
  }

  @AfterAll
  static void swarmDown() {
    if (swarmStarted) {
      swarm("down", "--name", SWARM); // leaves the swarm, stops both daemons (and their tasks), deletes the namespaces
    }
    if (buildHost != null) {
      TestDaemons.dockerResult(buildHost, null, "image", "rm", IMAGE);
    }
  }

  private static void swarm(String... args) {
    List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("bin/test-swarm").toString()));
    cmd.addAll(List.of(args));
    TestDaemons.Result r = TestDaemons.run(cmd, null, Map.of());
    assertThat(r.exitCode()).as(String.join(" ", cmd) + ": " + r.stderr()).isZero();
  }

  /** Builds a child of the test image; the label makes its id unique to this name and node. */
  private static void image(String node, String name, boolean keep) {
    TestDaemons.build(host(node), name, "FROM " + TestDaemons.TEST_IMAGE + "\nLABEL keep=" + keep
        + " stack.image=" + name + "@" + node + "\n");
  }

  private static List<String> images(String node) {
    String out = TestDaemons.docker(host(node), "images", "--format", "{{.Repository}}:{{.Tag}}");
    return Arrays.stream(out.split("\n")).filter(s -> !s.isBlank()).sorted().toList();
  }

  private static List<String> containerNames(String node) {
    String out = TestDaemons.docker(host(node), "ps", "-a", "--format", "{{.Names}}");
    return Arrays.stream(out.split("\n")).filter(s -> !s.isBlank()).sorted().toList();
  }

  /** The running task container of the agent service on the node, or null. */
  private static String agentTask(String node) {
    String ids = TestDaemons.docker(host(node), "ps", "-q", "--no-trunc", "--filter",
        "label=com.docker.swarm.service.name=" + SERVICE);
    return ids.lines().count() == 1 ? ids.strip() : null;
  }

  /** The JSON lines of a container's log (stdout and stderr: the entrypoint writes to stderr). */
  private static List<JsonObject> logLines(String node, String container) {
    TestDaemons.Result r = TestDaemons.dockerResult(host(node), null, "logs", container);
    List<JsonObject> lines = new ArrayList<>();
    for (String line : (r.stdout() + "\n" + r.stderr()).split("\n")) {
      if (line.startsWith("{")) {
        lines.add(new JsonObject(line));
      }
    }
    return lines;
  }

  private static JsonObject finishedStartRun(List<JsonObject> lines) {
    return lines.stream().filter(l -> "RUN".equals(l.getString("operation")) && l.containsKey("outcome"))
        .findFirst().orElse(null);
  }

  @Test
  void theGlobalServiceRunsOneAgentPerNodeOnItsOwnSocketAndEachCleansOnlyItsOwnNode(@TempDir Path dir)
      throws IOException {
    // per node: junk (an unused image, a stopped container) named after the node, and what must stay
    for (String node : NODES) {
      image(node, "stack/junk-" + node + ":1", false);
      image(node, "stack/kept-" + node + ":1", true); // the keep label (PRUNE_FILTER_LABEL keep!=true)
      image(node, "stack/busy:1", false); // a global service's image, in use on both nodes
      TestDaemons.docker(host(node), "create", "--name", "junk-c-" + node, "--label", "keep=false",
          TestDaemons.TEST_IMAGE, "true");
      TestDaemons.docker(host(node), "create", "--name", "kept-c-" + node, "--label", "keep=true",
          TestDaemons.TEST_IMAGE, "true");
    }
    image("stack1", "stack/spare:1", false); // a service with no task anywhere: only its spec names it
    TestDaemons.docker(MANAGER, "service", "create", "-d", "--name", "stack-busy", "--mode", "global",
        "stack/busy:1", "sleep", "3600");
    TestDaemons.docker(MANAGER, "service", "create", "-d", "--name", "stack-spare", "--replicas", "0",
        "stack/spare:1", "sleep", "3600");
    await().atMost(WAIT).until(() -> NODES.stream().allMatch(n -> !TestDaemons.docker(host(n), "ps", "-q",
        "--filter", "label=com.docker.swarm.service.name=stack-busy").isEmpty()));

    // the test's only changes: the image it built (no registry here) and a sweep at start, no age limits
    Path override = dir.resolve("override.yml");
    Files.writeString(override, """
        version: "3.8"
        services:
          agent:
            image: %s
            environment:
              RUN_ON_START: "true"
              MIN_AGE: "0"
              PRUNE_FILTER_UNTIL: "0"
              QUIET_PERIOD: "0"
              PRUNE_ALL: "true"
        """.formatted(IMAGE));
    TestDaemons.Result deploy = TestDaemons.dockerResult(MANAGER, null, "stack", "deploy", "-c", STACK_FILE.toString(),
        "-c", override.toString(), STACK);
    assertThat(deploy.exitCode()).as(deploy.stderr()).isZero();
    assertThat(deploy.stderr()).as("every key of the stack file is applied by Swarm")
        .doesNotContain("Ignoring unsupported options");
    assertThat(TestDaemons.docker(MANAGER, "service", "inspect", "--format", "{{json .Spec.Mode}}", SERVICE))
        .contains("Global");

    // a task runs on each node, and its sweep at start has finished
    Map<String, String> task = new java.util.TreeMap<>();
    await().atMost(WAIT).until(() -> {
      for (String node : NODES) {
        String id = agentTask(node);
        if (id == null || finishedStartRun(logLines(node, id)) == null) {
          return false;
        }
        task.put(node, id);
      }
      return true;
    });

    for (String node : NODES) {
      String other = node.equals("stack1") ? "stack2" : "stack1";
      List<JsonObject> log = logLines(node, task.get(node));
      String text = new JsonArray(log).encodePrettily();
      JsonObject run = finishedStartRun(log);
      assertThat(run.getString("outcome")).as(text).isEqualTo("succeeded");
      assertThat(log).as(text).anyMatch(l -> "start".equals(l.getString("trigger")) && run.getString("run_id")
          .equals(l.getString("run_id")));

      // what the node's daemon holds now: its own junk gone, everything protected still there
      List<String> images = images(node);
      assertThat(images).as(node).doesNotContain("stack/junk-" + node + ":1")
          .contains("stack/kept-" + node + ":1", "stack/busy:1", IMAGE, TestDaemons.TEST_IMAGE);
      List<String> containers = containerNames(node);
      assertThat(containers).as(node).doesNotContain("junk-c-" + node).contains("kept-c-" + node);
      assertThat(TestDaemons.docker(host(node), "ps", "-q", "--filter", "label=com.docker.swarm.service.name=stack-busy"))
          .as("the global service's task on %s still runs", node).isNotEmpty();

      // the agent talked to its own node: the daemon's data root it reports is this node's
      assertThat(text).as("the task's log names its node's data root").contains("/tmp/dcd/" + node + "/data")
          .doesNotContain("/tmp/dcd/" + other + "/");
      // and removed only this node's objects: its audit (STATE_DIR, the stack's `state` volume on this node)
      String volume = TestDaemons.docker(host(node), "volume", "inspect", "--format", "{{.Mountpoint}}",
          STACK + "_state");
      assertThat(volume).startsWith("/tmp/dcd/" + node + "/data/");
      String audit = Files.readString(Path.of(volume, "audit.jsonl"));
      assertThat(audit).contains("stack/junk-" + node + ":1", "junk-c-" + node)
          .doesNotContain(other, "stack/kept-", "kept-c-", "stack/busy", "stack/spare");

      // as deployed: the entrypoint joined the node socket's group by number (read-only root), the
      // agent runs as UID 1000, and its API answers on the node's loopback only
      String gid = TestDaemons.run(List.of("stat", "-L", "-c", "%g", "/tmp/dcd/" + node + "/docker.sock"), null,
          Map.of()).out();
      assertThat(text).contains("joining GID " + gid + " by number").contains("running as cleanup-user (UID 1000");
      JsonObject config = new JsonObject(TestDaemons.docker(host(node), "inspect", "--format", "{{json .HostConfig}}",
          task.get(node)));
      assertThat(config.getBoolean("ReadonlyRootfs")).isTrue();
      assertThat(config.getString("NetworkMode")).isEqualTo("host");
      assertThat(config.getJsonArray("CapDrop").getList()).containsExactly("ALL");
      assertThat(config.getJsonArray("Mounts").stream().map(JsonObject.class::cast)
          .map(m -> m.getString("Type") + " " + m.getString("Source", "") + " " + m.getString("Target")).toList())
          .contains("bind " + SOCKET + " " + SOCKET, "volume " + STACK + "_state /var/lib/docker-cleaner",
              "tmpfs  /tmp");
      TestDaemons.Result healthz = TestDaemons.run(List.of("nsenter", "--net=/var/run/netns/" + node, "curl", "-sf",
          "--max-time", "5", "http://127.0.0.1:8080/healthz"), null, Map.of());
      assertThat(healthz.exitCode()).as("GET /healthz on %s's loopback: %s", node, healthz.stderr()).isZero();
    }

    // Swarm awareness in the deployed agents: the manager keeps the spec-only image, and only the
    // worker's agent reports that it cannot see specs
    assertThat(images("stack1")).contains("stack/spare:1");
    assertThat(new JsonArray(logLines("stack2", task.get("stack2"))).encode()).contains("not a swarm manager");
    assertThat(new JsonArray(logLines("stack1", task.get("stack1"))).encode()).doesNotContain("not a swarm manager");
  }
}
