package io.dockercleaner.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault: a flood of idle connections against the agent's HTTP API, three times the file handles
 * the agent may open (it runs under {@code ulimit -n 1024}). The agent caps its connections and
 * closes idle ones, so meanwhile it keeps sampling the disk ({@code stat -f} needs handles) and a
 * threshold run still removes a stopped container made during the flood; once the flood is
 * closed, {@code /healthz} answers.
 */
@Tag("daemon")
class ConnectionFloodIT {
  private static final int FD_LIMIT = 1024;
  private static final int FLOOD_CONNECTIONS = 3 * FD_LIMIT;

  @TempDir Path work;

  @Test
  void aFloodOfIdleConnectionsIsRefusedOrClosedWhileDiskSamplesAndRunsGoOn() throws Exception {
    DaemonFixture fixture = new DaemonFixture(TestDaemons.main());
    fixture.reset();
    int port = AgentProcess.freePort();
    Map<String, String> env = new HashMap<>();
    env.put("DOCKER_HOST", fixture.host());
    env.put("HTTP_LISTEN", "127.0.0.1:" + port);
    env.put("API_TOKEN", "flood-test-token");
    env.put("LOG_FORMAT", "json");
    env.put("LOG_LEVEL", "DEBUG"); // each sample above the high watermark is logged with its time
    // every sample crosses the high watermark: a threshold run follows each one
    env.put("DISK_HIGH_WATERMARK", "1%");
    env.put("DISK_LOW_WATERMARK", "0%");
    env.put("DISK_CRITICAL_WATERMARK", "100%");
    env.put("DISK_CHECK_INTERVAL", "500ms");
    env.put("MIN_RUN_INTERVAL", "0s");
    env.put("MIN_AGE", "0s");
    env.put("QUIET_PERIOD", "0s");
    env.put("CLEANUP_IMAGES", "false");
    env.put("CLEANUP_BUILD_CACHE", "false");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    URI healthz = URI.create("http://127.0.0.1:" + port + "/healthz");

    try (AgentProcess agent = AgentProcess.start(work, env, FD_LIMIT, "agent")) {
      await().atMost(AgentProcess.HANG_GUARD).ignoreExceptions()
          .until(() -> !agent.alive() || status(http, healthz) == 200);
      assertThat(agent.alive()).as(agent.output()).isTrue();

      Instant floodStarted = Instant.now();
      List<SocketChannel> flood = new ArrayList<>();
      try (Selector selector = Selector.open()) {
        for (int i = 0; i < FLOOD_CONNECTIONS; i++) {
          SocketChannel c = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
          c.configureBlocking(false);
          c.register(selector, SelectionKey.OP_READ);
          flood.add(c);
        }
        // made while every flood connection is still open on this side
        // created, never started: a threshold run may take it at once (docker start would race it)
        String stopped = TestDaemons.docker(fixture.host(), "create", "--name", "dc-fault-flood", "--network", "none",
            "--label", "keep=false", TestDaemons.TEST_IMAGE, "true");
        await().atMost(AgentProcess.HANG_GUARD).until(() -> !fixture.containerIds().contains(stopped));

        int closedByAgent = awaitAllClosedByPeer(selector, flood.size());
        Instant floodClosed = Instant.now();
        assertThat(closedByAgent).isEqualTo(FLOOD_CONNECTIONS);

        await().atMost(AgentProcess.HANG_GUARD).ignoreExceptions().until(() -> status(http, healthz) == 200);
        String output = agent.output();
        assertThat(output).as("the agent refused connections beyond its cap")
            .contains("connections are open, the most allowed; refused");
        assertThat(output).doesNotContain("Cannot measure", "Too many open files");
        assertThat(samplesTakenBetween(output, floodStarted, floodClosed))
            .as("disk samples taken during the flood").isPositive();
      } finally {
        for (SocketChannel c : flood) {
          c.close();
        }
      }
      agent.terminate();
      assertThat(agent.awaitExit()).as(agent.output()).isZero();
    }
  }

  private static int status(HttpClient http, URI uri) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** Reads every channel until it reports end of stream (the agent closed it); returns how many did. */
  private static int awaitAllClosedByPeer(Selector selector, int total) {
    ByteBuffer buffer = ByteBuffer.allocate(256);
    int[] closed = {0};
    await().atMost(AgentProcess.HANG_GUARD).pollDelay(Duration.ZERO).until(() -> {
      selector.select(1000);
      for (SelectionKey key : selector.selectedKeys()) {
        buffer.clear();
        int n;
        try {
          n = ((SocketChannel) key.channel()).read(buffer);
        } catch (IOException reset) {
          n = -1;
        }
        if (n < 0) {
          key.cancel();
          closed[0]++;
        }
      }
      selector.selectedKeys().clear();
      return closed[0] == total;
    });
    return closed[0];
  }

  /** Disk samples the agent logged (the DEBUG line above the high watermark) with a time in [from, to]. */
  private static long samplesTakenBetween(String output, Instant from, Instant to) {
    return output.lines().filter(l -> l.startsWith("{")).map(JsonObject::new)
        .filter(o -> o.getString("message", "").startsWith("Sample above the high watermark"))
        .map(o -> Instant.parse(o.getString("sample_at")))
        .filter(at -> !at.isBefore(from) && !at.isAfter(to))
        .count();
  }
}
