package io.dockercleaner.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dockercleaner.testsupport.AgentProcess;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real two-node Swarm (bin/test-swarm: two private daemons, each in a network namespace of its
 * own, 198.18.0.1 the manager and 198.18.0.2 the worker), one agent per node on that node's socket,
 * as the global service of conf/deploy/swarm/docker-cleaner.stack.yml runs them. Each agent cleans
 * only its own node; the manager's agent keeps every image a service spec names, also those of
 * services with no task on the manager; the worker's agent, which cannot list specs, keeps the
 * images of its own tasks, and (remembered in STATE_DIR across a restart) of tasks that left it.
 * The agents here are processes of bin/docker-cleaner; SwarmStackDeployIT deploys the stack file
 * itself (the image, one task per node).
 */
@Tag("daemon")
@Tag("process")
class SwarmFleetIT {
  private static final String MANAGER = "unix:///tmp/dcd/fleet1/docker.sock";
  private static final String WORKER = "unix:///tmp/dcd/fleet2/docker.sock";
  private static final Duration WAIT = Duration.ofMinutes(2);
  private static final String ALL_BYTES = "{\"types\":[\"image\"],\"targetBytes\":1000000000000}";

  @BeforeAll
  static void swarmUp() {
    swarm("up");
    for (String node : List.of(MANAGER, WORKER)) {
      TestDaemons.requireHost(node);
      String name = node.contains("fleet1") ? "fleet1" : "fleet2";
      // children of the test image, which carries keep=true: these may go unless something keeps them
      for (String image : List.of("fleet/busy:1", "fleet/far:1", "fleet/spare:1", "fleet/junk:1",
          "fleet/junk-" + name + ":1")) {
        TestDaemons.build(node, image, "FROM " + TestDaemons.TEST_IMAGE + "\nLABEL keep=false fleet.image=" + image
            + "\n");
      }
    }
    // one task on each node; one task on the worker only; no task at all
    TestDaemons.docker(MANAGER, "service", "create", "-d", "--name", "fleet-everywhere", "--mode", "global",
        "fleet/busy:1", "sleep", "3600");
    TestDaemons.docker(MANAGER, "service", "create", "-d", "--name", "fleet-far", "--constraint",
        "node.role==worker", "fleet/far:1", "sleep", "3600");
    TestDaemons.docker(MANAGER, "service", "create", "-d", "--name", "fleet-spare", "--replicas", "0",
        "fleet/spare:1", "sleep", "3600");
    await().atMost(WAIT).until(() -> running(MANAGER, "fleet-everywhere") == 1 && running(WORKER, "fleet-everywhere") == 1
        && running(WORKER, "fleet-far") == 1);
  }

  @AfterAll
  static void swarmDown() {
    swarm("down"); // leaves the swarm, stops both daemons, deletes the namespaces
  }

  private static void swarm(String command) {
    TestDaemons.Result r = TestDaemons.run(List.of(AgentProcess.projectRoot().resolve("bin/test-swarm").toString(),
        command), null, Map.of());
    assertThat(r.exitCode()).as("bin/test-swarm " + command + ": " + r.stderr()).isZero();
  }

  /** Task containers of the service on the node, running or not. */
  private static long tasks(String node, String service) {
    String ids = TestDaemons.docker(node, "ps", "-aq", "--filter", "label=com.docker.swarm.service.name=" + service);
    return ids.isEmpty() ? 0 : ids.lines().count();
  }

  private static long running(String node, String service) {
    String ids = TestDaemons.docker(node, "ps", "-q", "--filter", "label=com.docker.swarm.service.name=" + service);
    return ids.isEmpty() ? 0 : ids.lines().count();
  }

  private static List<String> fleetImages(String node) {
    return images(node, "fleet/*");
  }

  private static List<String> images(String node, String pattern) {
    String out = TestDaemons.docker(node, "images", "--format", "{{.Repository}}:{{.Tag}}", pattern);
    return Arrays.stream(out.split("\n")).filter(s -> !s.isBlank()).sorted().toList();
  }

  private static List<String> removedNames(JsonObject run) {
    return run.getJsonArray("items").stream().map(JsonObject.class::cast)
        .filter(i -> "removed".equals(i.getString("outcome"))).map(i -> i.getString("name")).toList();
  }

  private static Map<String, String> agentEnv(String node) {
    Map<String, String> env = AgentProcess.baseEnv(node);
    env.put("PRUNE_ALL", "true");
    env.put("MIN_AGE", "0");
    env.put("QUIET_PERIOD", "0");
    return env;
  }

  @Test
  void eachAgentCleansOnlyItsOwnNodeAndKeepsWhatServicesName() {
    try (AgentProcess manager = AgentProcess.start(agentEnv(MANAGER));
        AgentProcess worker = AgentProcess.start(agentEnv(WORKER))) {
      List<String> workerBefore = fleetImages(WORKER);
      assertThat(workerBefore).containsExactly("fleet/busy:1", "fleet/far:1", "fleet/junk-fleet2:1", "fleet/junk:1",
          "fleet/spare:1");

      // the manager: it sees every spec, so fleet/far (tasks on the worker only) and fleet/spare (no
      // task anywhere) stay with fleet/busy (a task here)
      JsonObject plan = manager.plan("types=image&targetBytes=1000000000000");
      assertThat(plan.getJsonObject("skipped").getInteger("swarm_service")).as(plan.encodePrettily()).isEqualTo(3);
      JsonObject run = manager.awaitRun(manager.startRun(ALL_BYTES));
      // everything it may remove, and no more: the target (all bytes) is out of reach on purpose
      assertThat(removedNames(run)).as(run.encodePrettily()).containsExactlyInAnyOrder("fleet/junk:1",
          "fleet/junk-fleet1:1");
      assertThat(run.getInteger("failed")).isZero();
      assertThat(fleetImages(MANAGER)).containsExactly("fleet/busy:1", "fleet/far:1", "fleet/spare:1");
      assertThat(fleetImages(WORKER)).as("the manager's agent left the worker alone").isEqualTo(workerBefore);

      // the worker: GET /services answers 503 there, so it keeps the images of its own tasks
      // (fleet/busy, fleet/far) and, as documented, cannot know fleet/spare
      run = worker.awaitRun(worker.startRun(ALL_BYTES));
      assertThat(removedNames(run)).as(run.encodePrettily()).containsExactlyInAnyOrder("fleet/junk:1",
          "fleet/junk-fleet2:1", "fleet/spare:1");
      assertThat(run.getInteger("failed")).isZero();
      assertThat(fleetImages(WORKER)).containsExactly("fleet/busy:1", "fleet/far:1");
      assertThat(fleetImages(MANAGER)).as("the worker's agent left the manager alone")
          .containsExactly("fleet/busy:1", "fleet/far:1", "fleet/spare:1");
      assertThat(worker.output()).contains("This daemon is not a swarm manager");
      assertThat(running(MANAGER, "fleet-everywhere") + running(WORKER, "fleet-everywhere"))
          .as("the service's tasks still run").isEqualTo(2);
    }
  }

  /** The plan's evidence for the image of this name, or null. */
  private static String evidence(JsonObject plan, String name) {
    return plan.getJsonArray("evidence").stream().map(JsonObject.class::cast)
        .filter(e -> name.equals(e.getString("name"))).map(e -> e.getString("reason") + ": " + e.getString("evidence"))
        .findFirst().orElse(null);
  }

  @Test
  void aWorkersAgentKeepsTheImageOfAServiceWhoseTasksLeftTheNodeAcrossARestart(@TempDir Path stateDir) {
    for (String image : List.of("left/gone:1", "left/brief:1", "left/junk:1")) {
      TestDaemons.build(WORKER, image, "FROM " + TestDaemons.TEST_IMAGE + "\nLABEL keep=false fleet.image=" + image
          + "\n");
    }
    Map<String, String> env = agentEnv(WORKER);
    env.put("STATE_DIR", stateDir.toString()); // the same before and after the restart
    env.put("KEEP_IMAGES", "fleet/*"); // the other test's images are not this test's business
    try {
      // fleet-gone's task runs on the worker before its agent starts: the start's listing sees it
      TestDaemons.docker(MANAGER, "service", "create", "-d", "--name", "fleet-gone", "--constraint",
          "node.role==worker", "left/gone:1", "sleep", "3600");
      await().atMost(WAIT).until(() -> running(WORKER, "fleet-gone") == 1);
      try (AgentProcess worker = AgentProcess.start(env)) {
        // fleet-brief's task comes and goes while the agent watches: only the events tell it
        TestDaemons.docker(MANAGER, "service", "create", "-d", "--name", "fleet-brief", "--constraint",
            "node.role==worker", "left/brief:1", "sleep", "3600");
        await().atMost(WAIT).until(() -> running(WORKER, "fleet-brief") == 1);
        for (String service : List.of("fleet-gone", "fleet-brief")) {
          TestDaemons.docker(MANAGER, "service", "update", "-d", "--replicas", "0", service);
        }
        // scaled to 0: the swarm removes the tasks, and the worker their containers
        await().atMost(WAIT).until(() -> tasks(WORKER, "fleet-gone") == 0 && tasks(WORKER, "fleet-brief") == 0);
        // the agent has seen it (events): the plan keeps both images for the tasks that left
        await().atMost(WAIT).until(() -> {
          String why = evidence(worker.plan("types=image&targetBytes=1000000000000"), "left/brief:1");
          return why != null && why.startsWith("swarm_service: task of service fleet-brief (");
        });
        assertThat(worker.sigterm()).as("exit code after SIGTERM; output in %s", worker.logFile()).isZero();
      }

      // restarted with the same STATE_DIR; no task of either service is on the worker any more
      try (AgentProcess worker = AgentProcess.start(env)) {
        JsonObject plan = worker.plan("types=image&targetBytes=1000000000000");
        assertThat(evidence(plan, "left/gone:1")).as(plan.encodePrettily())
            .startsWith("swarm_service: task of service fleet-gone (").contains(") seen on this node at ");
        assertThat(evidence(plan, "left/brief:1")).as(plan.encodePrettily())
            .startsWith("swarm_service: task of service fleet-brief (");
        JsonObject run = worker.awaitRun(worker.startRun(ALL_BYTES));
        assertThat(removedNames(run).stream().filter(n -> n.startsWith("left/"))).as(run.encodePrettily())
            .containsExactly("left/junk:1");
        assertThat(run.getInteger("failed")).isZero();
        assertThat(images(WORKER, "left/*")).containsExactly("left/brief:1", "left/gone:1");
        assertThat(worker.output()).contains("swarm task(s) no longer on this node")
            .contains("(task of service fleet-gone (").contains("(task of service fleet-brief (");
      }
      assertThat(TestDaemons.docker(MANAGER, "service", "ls", "--format", "{{.Name}} {{.Replicas}}").lines())
          .as("the services still exist, scaled to 0").contains("fleet-gone 0/0", "fleet-brief 0/0");
    } finally {
      TestDaemons.dockerResult(MANAGER, null, "service", "rm", "fleet-gone", "fleet-brief");
      await().atMost(WAIT).until(() -> tasks(WORKER, "fleet-gone") == 0 && tasks(WORKER, "fleet-brief") == 0);
      TestDaemons.dockerResult(WORKER, null, "rmi", "left/gone:1", "left/brief:1", "left/junk:1");
    }
  }
}
