package io.dockercleaner.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.dockercleaner.testsupport.AgentProcess;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/docker-cleaner agent} with DOCKER_HOSTS naming two private daemons: the main test
 * daemon ({@code alpha}) and one this test starts itself ({@code beta}, so that it may stop it).
 * A run asked of one host ({@code POST /v1/hosts/alpha/runs}) removes that host's unprotected
 * containers only, keeps the protected one and touches nothing on the other host; {@code
 * /v1/status} shows both hosts, the metrics and the webhook notice carry the host. Then beta's
 * daemon stops mid-test: the status reports it disconnected, the agent stays ready and alpha still
 * gets its runs. Each host's state is in its own folder of STATE_DIR.
 */
@Tag("daemon")
class MultiHostAgentIT {
  /** The daemon this test starts and stops (bin/test-daemon NAME). */
  private static final String OWN_DAEMON = "mhagent";

  @TempDir
  Path dir;

  private String ownHost;

  private static String testDaemon(String command, String root) {
    TestDaemons.Result r = TestDaemons.run(List.of(AgentProcess.projectRoot().resolve("bin/test-daemon").toString(),
        command, OWN_DAEMON), null, Map.of("TEST_DAEMON_ROOT", root));
    assertThat(r.exitCode()).as("bin/test-daemon %s %s: %s", command, OWN_DAEMON, r.stderr()).isZero();
    return r.stdout();
  }

  private static String root() {
    return TestDaemons.socketOf(TestDaemons.main()).getParent().getParent().toString();
  }

  @AfterEach
  void stopOwnDaemon() {
    if (ownHost != null) {
      testDaemon("stop", root());
    }
  }

  @Test
  void eachHostHasItsOwnRunsStatusMetricsAndStateAndAStoppedHostDoesNotStopTheOther() throws Exception {
    DaemonFixture alpha = new DaemonFixture(TestDaemons.main());
    testDaemon("start", root());
    ownHost = "unix://" + Path.of(root(), OWN_DAEMON, "docker.sock");
    DaemonFixture beta = new DaemonFixture(ownHost);
    alpha.reset();
    beta.reset();
    String alphaKept = alpha.stopped("mha-a-keep", TestDaemons.TEST_IMAGE, "--label", "keep=true");
    alpha.stopped("mha-a1", TestDaemons.TEST_IMAGE);
    alpha.stopped("mha-a2", TestDaemons.TEST_IMAGE);
    beta.stopped("mha-b-keep", TestDaemons.TEST_IMAGE, "--label", "keep=true");
    beta.stopped("mha-b1", TestDaemons.TEST_IMAGE);
    var betaBefore = beta.containerIds();
    assertThat(betaBefore).hasSize(2);

    List<JsonObject> notices = new CopyOnWriteArrayList<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext("/hook", ex -> {
      notices.add(new JsonObject(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    receiver.start();
    Path stateDir = dir.resolve("state");
    Map<String, String> env = AgentProcess.baseEnv(alpha.host());
    env.remove("DOCKER_HOST");
    env.putAll(Map.of("DOCKER_HOSTS", "alpha=" + alpha.host() + ",beta=" + ownHost, "STATE_DIR", stateDir.toString(),
        "MIN_AGE", "0s", "PRUNE_FILTER_UNTIL", "0", "QUIET_PERIOD", "0s", "MIN_RUN_INTERVAL", "0s",
        "CLEANUP_IMAGES", "false", "CLEANUP_BUILD_CACHE", "false",
        "WEBHOOK_URL", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
        "WEBHOOK_EVENTS", "run_succeeded,run_failed"));
    try (AgentProcess agent = AgentProcess.start(env)) {
      agent.awaitReady();
      await().atMost(AgentProcess.WAIT).pollInterval(Duration.ofMillis(200)).until(() -> {
        JsonObject hosts = agent.get("/v1/status").json().getJsonObject("hosts");
        return hosts.getJsonObject("alpha").getBoolean("connected") && hosts.getJsonObject("beta").getBoolean("connected");
      });
      JsonObject status = agent.get("/v1/status").json();
      assertThat(status.getJsonObject("hosts").fieldNames()).containsExactly("alpha", "beta");
      assertThat(status.getJsonObject("hosts").getJsonObject("beta").getJsonObject("daemon").getString("address"))
          .isEqualTo(ownHost);
      assertThat(agent.get("/v1/hosts/beta/status").json().getString("host")).isEqualTo("beta");
      AgentProcess.Response unknown = agent.get("/v1/hosts/gamma/status");
      assertThat(unknown.status()).isEqualTo(404);
      assertThat(unknown.json().getString("error")).contains("gamma", "alpha", "beta");
      assertThat(agent.send("POST", "/v1/runs", "{}", true).status()).as("a run must name its host").isEqualTo(400);

      // a run on alpha: alpha's unprotected containers go, its protected one stays, beta is untouched
      AgentProcess.Response started = agent.send("POST", "/v1/hosts/alpha/runs", "{\"types\":[\"container\"]}", true);
      assertThat(started.status()).as(started.body()).isEqualTo(202);
      JsonObject run = awaitRun(agent, "alpha", started.json().getString("runId"));
      assertThat(run.getString("outcome")).as(run.encode()).isEqualTo("succeeded");
      assertThat(alpha.containerIds()).containsExactly(alphaKept);
      assertThat(beta.containerIds()).isEqualTo(betaBefore);
      assertThat(agent.runs()).anySatisfy(r -> {
        assertThat(r.getString("id")).isEqualTo(run.getString("id"));
        assertThat(r.getString("host")).isEqualTo("alpha");
      });

      // metrics: each host's series under its own host label
      assertThat(agent.metric("docker_cleaner_runs_total", "host", "alpha", "trigger", "http", "outcome", "succeeded"))
          .hasValue(1.0);
      assertThat(agent.metric("docker_cleaner_runs_total", "host", "beta")).isEmpty();
      assertThat(agent.metric("docker_cleaner_removed_objects_total", "host", "alpha", "type", "container"))
          .hasValue(2.0);
      assertThat(agent.metric("docker_cleaner_event_stream_connected", "host", "beta")).hasValue(1.0);
      await().atMost(AgentProcess.WAIT).until(() -> !notices.isEmpty());
      assertThat(notices.get(0).getString("host")).isEqualTo("alpha");
      assertThat(notices.get(0).getString("run_id")).isEqualTo(run.getString("id"));

      // beta's daemon stops: beta is reported disconnected, the agent stays ready, alpha goes on
      testDaemon("stop", root());
      await().atMost(AgentProcess.WAIT).pollInterval(Duration.ofMillis(200)).until(() ->
          !agent.get("/v1/status").json().getJsonObject("hosts").getJsonObject("beta").getBoolean("connected"));
      JsonObject betaDown = agent.get("/v1/hosts/beta/status").json();
      assertThat(betaDown.getBoolean("connected")).isFalse();
      assertThat(betaDown.getString("error")).isNotBlank();
      assertThat(agent.metric("docker_cleaner_event_stream_connected", "host", "beta")).hasValue(0.0);
      assertThat(agent.get("/readyz").status()).as("ready while alpha is").isEqualTo(200);

      String alpha3 = alpha.stopped("mha-a3", TestDaemons.TEST_IMAGE);
      AgentProcess.Response again = agent.send("POST", "/v1/hosts/alpha/runs", "{\"types\":[\"container\"]}", true);
      assertThat(again.status()).as(again.body()).isEqualTo(202);
      JsonObject second = awaitRun(agent, "alpha", again.json().getString("runId"));
      assertThat(second.getString("outcome")).as(second.encode()).isEqualTo("succeeded");
      assertThat(alpha.containerIds()).doesNotContain(alpha3).containsExactly(alphaKept);
      assertThat(agent.get("/v1/status").json().getJsonObject("hosts").getJsonObject("alpha").getBoolean("connected"))
          .isTrue();

      assertThat(agent.sigterm()).as("exit code after SIGTERM; output in %s", agent.logFile()).isZero();
      assertThat(agent.jsonLines()).anySatisfy(l -> {
        assertThat(l.getString("host")).isEqualTo("beta");
        assertThat(l.getString("operation")).isEqualTo("EVENTS");
      });
    } finally {
      receiver.stop(0);
    }
    // each host's state in its own folder of STATE_DIR; alpha's audit trail lists its removals only
    assertThat(stateDir.resolve("hosts/alpha/state.json")).isRegularFile();
    assertThat(stateDir.resolve("hosts/beta/state.json")).isRegularFile();
    String alphaAudit = Files.readString(stateDir.resolve("hosts/alpha/audit.jsonl"));
    assertThat(alphaAudit).contains("mha-a1", "mha-a2", "mha-a3").doesNotContain("mha-b1");
    assertThat(stateDir.resolve("hosts/beta/audit.jsonl")).satisfiesAnyOf(
        p -> assertThat(p).doesNotExist(), p -> assertThat(Files.readString(p)).doesNotContain("mha-"));
  }

  private static JsonObject awaitRun(AgentProcess agent, String host, String id) {
    JsonObject[] last = new JsonObject[1];
    await().atMost(AgentProcess.WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
      AgentProcess.Response r = agent.get("/v1/hosts/" + host + "/runs/" + id);
      last[0] = r.status() == 200 ? r.json() : null;
      return last[0] != null && AgentProcess.hasFinished(last[0]);
    });
    return last[0];
  }
}
