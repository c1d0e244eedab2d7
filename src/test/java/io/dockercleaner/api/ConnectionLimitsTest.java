package io.dockercleaner.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dockercleaner.config.Settings;
import io.dockercleaner.metrics.CleanerMetrics;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The request read timeout of the HTTP API: slow heads and bodies and idle keep-alive connections
 * are closed, while the agent's own time to answer is not counted. The connection cap is shown
 * against the real binary in {@code faults.ConnectionFloodIT}.
 */
@ExtendWith(VertxExtension.class)
class ConnectionLimitsTest {
  private static final Duration HANG_GUARD = Duration.ofMinutes(1);

  private CleanerMetrics metrics;
  private FakeAgent agent;
  private int port;

  @BeforeEach
  void start(Vertx vertx) {
    metrics = new CleanerMetrics("test-host");
    agent = new FakeAgent();
    // the server's read timeout is 10 s; 1 s here proves the same limits without waiting 10 s per test
    HttpServer server = HttpApi.start(vertx, Settings.of(Map.of("API_TOKEN", "t")), agent, metrics, "127.0.0.1", 0,
        System::nanoTime, Duration.ofSeconds(1)).await();
    port = server.actualPort();
  }

  @AfterEach
  void close() {
    metrics.close();
  }

  private Socket connect() throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
    s.setSoTimeout(1000);
    return s;
  }

  private static void send(Socket s, String text) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(text.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** Reads until the server closes the connection; returns what it sent before. */
  private static String awaitClosedByServer(Socket s) {
    StringBuilder received = new StringBuilder();
    await().atMost(HANG_GUARD).until(() -> {
      InputStream in = s.getInputStream();
      byte[] buffer = new byte[4096];
      try {
        int n = in.read(buffer);
        if (n < 0) {
          return true;
        }
        received.append(new String(buffer, 0, n, StandardCharsets.US_ASCII));
        return false;
      } catch (SocketTimeoutException stillOpen) {
        return false;
      }
    });
    return received.toString();
  }

  @Test
  void aHeadThatNeverEndsIsClosedUnanswered() throws IOException {
    try (Socket s = connect()) {
      send(s, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ");
      assertThat(awaitClosedByServer(s)).isEmpty();
    }
  }

  @Test
  void aConnectionThatSendsNothingIsClosed() throws IOException {
    try (Socket s = connect()) {
      assertThat(awaitClosedByServer(s)).isEmpty();
    }
  }

  @Test
  void aBodyThatNeverEndsIsClosedAndNoRunStarts() throws IOException {
    try (Socket s = connect()) {
      send(s, "POST /v1/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\nContent-Type: application/json\r\n"
          + "Content-Length: 100\r\n\r\n{\"dryRun\":");
      assertThat(awaitClosedByServer(s)).isEmpty();
    }
    assertThat(agent.startRuns).isEmpty();
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedAfterItsAnswer() throws IOException {
    try (Socket s = connect()) {
      send(s, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(awaitClosedByServer(s)).startsWith("HTTP/1.1 200").contains("{\"status\":\"ok\"}");
    }
  }

  @Test
  void theAgentsOwnTimeToAnswerIsNotCounted() throws IOException {
    Promise<JsonObject> plan = Promise.promise();
    agent.planAnswer = plan.future();
    try (Socket waiting = connect(); Socket idle = connect()) {
      send(waiting, "GET /v1/plan HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n\r\n");
      await().atMost(HANG_GUARD).until(() -> !agent.planCalls.isEmpty());
      // the idle connection, opened with it, is closed: the read timeout has passed
      awaitClosedByServer(idle);
      plan.complete(new JsonObject().put("id", "p-slow"));
      assertThat(awaitClosedByServer(waiting)).startsWith("HTTP/1.1 200").contains("p-slow");
    }
  }
}
