package io.dockercleaner.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.dockercleaner.testsupport.AgentProcess;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three webhook targets at once: one refusing connections (a closed port), one answering 500,
 * one accepting and never answering. Runs end as they would without them and do not wait for
 * deliveries; the failing target gets exactly 3 attempts; no secret shows in any log line.
 */
@Tag("daemon")
class WebhookTargetsIT {
  private static final String SECRET = "hmac-secret-3f9a1c";
  private static final String PASSWORD = "url-password-77b2";
  private static final String QUERY_TOKEN = "query-token-c41d";

  @TempDir
  Path stateDir;

  @Test
  void refusingFailingAndHangingTargetsLeaveRunsUnaffected() throws Exception {
    String host = TestDaemons.main();
    DaemonFixture fixture = new DaemonFixture(host);
    fixture.reset();
    String keep = fixture.stopped("keeper-hook", TestDaemons.TEST_IMAGE, "--label", "keep=true");
    Set<String> stopped = FaultRig.createdContainers(host, "hook", 3);

    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    List<Instant> failingAttempts = new CopyOnWriteArrayList<>();
    HttpServer failing = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    failing.createContext("/", ex -> {
      ex.getRequestBody().readAllBytes();
      failingAttempts.add(Instant.now());
      ex.sendResponseHeaders(500, -1);
      ex.close();
    });
    failing.start();
    List<Socket> held = new CopyOnWriteArrayList<>();
    ServerSocket hanging = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(() -> {
      while (!hanging.isClosed()) {
        try {
          held.add(hanging.accept()); // accepted, read by nobody, never answered
        } catch (IOException e) {
          return; // closed at the end of the test
        }
      }
    }, "hanging-webhook-target");
    acceptor.setDaemon(true);
    acceptor.start();

    Map<String, String> env = AgentProcess.baseEnv(host);
    env.putAll(Map.of("STATE_DIR", stateDir.toString(), "MIN_AGE", "0s", "QUIET_PERIOD", "0s",
        "WEBHOOK_EVENTS", "run_succeeded", "WEBHOOK_TIMEOUT", "2s", "WEBHOOK_SECRET", SECRET,
        "WEBHOOK_URL", "http://127.0.0.1:" + closedPort + "/refuse,"
            + "http://127.0.0.1:" + failing.getAddress().getPort() + "/fail?token=" + QUERY_TOKEN + ","
            + "http://hook:" + PASSWORD + "@127.0.0.1:" + hanging.getLocalPort() + "/hang"));
    try (AgentProcess agent = AgentProcess.start(env)) {
      agent.awaitReady();
      String id = agent.startRun("{\"types\":[\"container\"]}");
      JsonObject record = agent.awaitRun(id);
      assertThat(record.getString("outcome")).as(record.encodePrettily()).isEqualTo("succeeded");
      assertThat(FaultRig.itemIds(record, "removed")).isEqualTo(stopped);
      assertThat(FaultRig.containerIds(host)).containsExactly(keep);

      // a second run while the deliveries of the first are still being retried
      Set<String> more = FaultRig.createdContainers(host, "hook2", 2);
      JsonObject second = agent.awaitRun(agent.startRun("{\"types\":[\"container\"]}"));
      assertThat(second.getString("outcome")).as(second.encodePrettily()).isEqualTo("succeeded");
      assertThat(FaultRig.itemIds(second, "removed")).isEqualTo(more);

      // every target of both notices gives up after its attempts; the failing one saw exactly 3 each
      await().atMost(AgentProcess.WAIT).until(() -> count(agent.output(), "failed after 3 attempt(s)") == 6);
      assertThat(failingAttempts).as("3 attempts per notice at the failing target").hasSize(6);
      assertThat(held).as("3 attempts per notice at the hanging target").hasSize(6);
      // the first run did not wait for its deliveries: it ended before the retries did
      assertThat(Instant.parse(record.getString("finishedAt"))).isBefore(failingAttempts.get(2));

      String output = agent.output();
      assertThat(output).as("log in %s", agent.logFile()).doesNotContain(SECRET).doesNotContain(PASSWORD)
          .doesNotContain(QUERY_TOKEN);
      assertThat(agent.sigterm()).as("exit code after SIGTERM; output in %s", agent.logFile()).isZero();
      assertThat(agent.output()).doesNotContain(SECRET).doesNotContain(PASSWORD).doesNotContain(QUERY_TOKEN);
    } finally {
      failing.stop(0);
      hanging.close();
      for (Socket s : held) {
        s.close();
      }
    }
  }

  private static long count(String text, String needle) {
    return text.lines().filter(l -> l.contains(needle)).count();
  }
}
