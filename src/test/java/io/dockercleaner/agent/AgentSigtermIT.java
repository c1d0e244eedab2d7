package io.dockercleaner.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dockercleaner.exec.AuditLog;
import io.dockercleaner.testsupport.AgentProcess;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM during a run, against the shipped launcher ({@code bin/docker-cleaner agent}): the process finishes the deletion in flight, saves
 * its state and exits 0; the audit trail it leaves is consistent with the daemon.
 */
@Tag("daemon")
@ExtendWith(VertxExtension.class)
class AgentSigtermIT {
  private static final int CONTAINERS = 300;

  @TempDir
  Path stateDir;

  @Test
  void sigtermDuringARunExitsZeroWithStateSavedAndAConsistentAudit(Vertx vertx) throws Exception {
    String host = TestDaemons.main();
    DaemonFixture fixture = new DaemonFixture(host);
    fixture.reset();
    createStoppedContainers(vertx, host, CONTAINERS);
    assertThat(fixture.containerIds()).hasSize(CONTAINERS);

    Map<String, String> env = AgentProcess.baseEnv(host);
    env.putAll(Map.of("STATE_DIR", stateDir.toString(), "DELETE_CONCURRENCY", "1", "MIN_AGE", "0s",
        "QUIET_PERIOD", "0s", "CLEANUP_IMAGES", "false", "CLEANUP_BUILD_CACHE", "false", "LOG_FORMAT", "text"));
    try (AgentProcess agent = AgentProcess.start(env)) {
      agent.startRun("{\"types\":[\"container\"]}");

      Path audit = stateDir.resolve(AuditLog.FILE_NAME);
      await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(5))
          .until(() -> Files.exists(audit) && Files.size(audit) > 0);
      assertThat(agent.sigterm()).as("exit code after SIGTERM; log:\n%s", agent.output()).isZero();
      assertThat(agent.output()).contains("Stopped; state saved");
    }

    assertThat(new JsonObject(Files.readString(stateDir.resolve("state.json")))).as("state.json saved").isNotNull();
    List<JsonObject> lines = new ArrayList<>();
    for (String line : Files.readAllLines(stateDir.resolve(AuditLog.FILE_NAME))) {
      lines.add(new JsonObject(line)); // every line parses: no torn writes
    }
    Set<String> remaining = fixture.containerIds();
    // every intent has its outcome, except at most the deletions in flight when the run stopped
    long intents = lines.stream().filter(o -> "intent".equals(o.getString("phase"))).count();
    lines.removeIf(o -> "intent".equals(o.getString("phase")));
    assertThat(intents).as("an intent line before each deletion").isGreaterThanOrEqualTo(lines.size());
    assertThat(lines).isNotEmpty().allSatisfy(o -> {
      assertThat(o.getString("type")).isEqualTo("container");
      assertThat(o.getString("runId")).isNotBlank();
      if (o.getString("outcome").equals("removed")) {
        assertThat(remaining).as("audited as removed, so gone from the daemon").doesNotContain(o.getString("id"));
      }
    });
    assertThat(lines.stream().filter(o -> o.getString("outcome").equals("removed")).count())
        .as("audit lines match what the daemon lost").isEqualTo(CONTAINERS - remaining.size());
    assertThat(remaining).as("the run stopped at SIGTERM instead of finishing the plan").isNotEmpty();
  }

  /** Creates {@code count} stopped containers of the test image through the Engine API, 8 at a time. */
  private static void createStoppedContainers(Vertx vertx, String host, int count) throws Exception {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(8));
    SocketAddress socket = SocketAddress.domainSocketAddress(TestDaemons.socketOf(host).toString());
    String body = new JsonObject().put("Image", TestDaemons.TEST_IMAGE).put("Cmd", List.of("true"))
        .put("Labels", Map.of("keep", "false")).put("HostConfig", Map.of("NetworkMode", "none")).encode();
    try {
      for (int done = 0; done < count; done += 8) {
        List<Future<Integer>> batch = new ArrayList<>();
        for (int i = done; i < Math.min(count, done + 8); i++) {
          batch.add(client.request(new RequestOptions().setServer(socket).setHost("localhost")
                  .setMethod(HttpMethod.POST).setURI("/containers/create").putHeader("Content-Type", "application/json"))
              .compose(req -> req.send(Buffer.buffer(body)))
              .compose(resp -> resp.body().map(b -> resp.statusCode())));
        }
        AgentHarness.get(Future.all(batch));
        assertThat(batch).allSatisfy(f -> assertThat(f.result()).isEqualTo(201));
      }
    } finally {
      AgentHarness.get(client.close());
    }
  }
}
