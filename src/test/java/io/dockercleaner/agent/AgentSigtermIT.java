package io.dockercleaner.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dockercleaner.exec.AuditLog;
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
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM during a run, against the built jar: the process finishes the deletion in flight, saves
 * its state and exits 0; the audit trail it leaves is consistent with the daemon.
 */
@Tag("daemon")
@ExtendWith(VertxExtension.class)
class AgentSigtermIT {
  private static final int CONTAINERS = 300;
  private static final String TOKEN = "sigterm-test-token";

  @TempDir
  Path stateDir;

  @Test
  void sigtermDuringARunExitsZeroWithStateSavedAndAConsistentAudit(Vertx vertx) throws Exception {
    String host = TestDaemons.main();
    DaemonFixture fixture = new DaemonFixture(host);
    fixture.reset();
    createStoppedContainers(vertx, host, CONTAINERS);
    assertThat(fixture.containerIds()).hasSize(CONTAINERS);

    int port = freePort();
    Path log = stateDir.resolve("agent.log");
    ProcessBuilder pb = new ProcessBuilder(javaBin(), "-jar", jar().toString(), "agent");
    pb.environment().putAll(Map.of("DOCKER_HOST", host, "STATE_DIR", stateDir.toString(), "API_TOKEN", TOKEN,
        "HTTP_LISTEN", "127.0.0.1:" + port, "DELETE_CONCURRENCY", "1", "MIN_AGE", "0s", "QUIET_PERIOD", "0s",
        "CLEANUP_IMAGES", "false", "CLEANUP_BUILD_CACHE", "false"));
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    Process agent = pb.start();
    try {
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + port;
      await().atMost(Duration.ofMinutes(1)).ignoreExceptions()
          .until(() -> http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
      HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/runs"))
          .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"types\":[\"container\"]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);

      Path audit = stateDir.resolve(AuditLog.FILE_NAME);
      await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(5))
          .until(() -> Files.exists(audit) && Files.size(audit) > 0);
      agent.destroy(); // SIGTERM

      assertThat(agent.waitFor(15, TimeUnit.SECONDS)).as("exited after SIGTERM; log:\n%s", read(log)).isTrue();
      assertThat(agent.exitValue()).as("exit code; log:\n%s", read(log)).isZero();
    } finally {
      agent.destroyForcibly();
    }

    assertThat(new JsonObject(Files.readString(stateDir.resolve("state.json")))).as("state.json saved").isNotNull();
    List<JsonObject> lines = new ArrayList<>();
    for (String line : Files.readAllLines(stateDir.resolve(AuditLog.FILE_NAME))) {
      lines.add(new JsonObject(line)); // every line parses: no torn writes
    }
    Set<String> remaining = fixture.containerIds();
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
    assertThat(read(log)).contains("Stopped; state saved");
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

  private static Path jar() {
    Path jar = Path.of(System.getProperty("docker-cleaner.jar", "target/docker-cleaner.jar"));
    assertThat(jar).as("build it with mvn package first").exists();
    return jar;
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return e.toString();
    }
  }
}
