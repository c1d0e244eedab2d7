package io.dockercleaner.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LOG_FORMAT=json on the real binary (the built jar in its own JVM, so logback, Vert.x and Netty
 * write to the real stdout and stderr): through failures, every line either stream carries parses
 * as one JSON object with the run log's keys.
 */
@Tag("daemon")
class JsonEverywhereIT {
  private static final Path JAR =
      Path.of(System.getProperty("docker-cleaner.jar", "target/docker-cleaner.jar")).toAbsolutePath();

  private record Run(int exit, List<JsonNode> stdout, List<JsonNode> stderr) {
    List<JsonNode> all() {
      List<JsonNode> out = new ArrayList<>(stdout);
      out.addAll(stderr);
      return out;
    }
  }

  private static Run jar(Map<String, String> env, String... args) {
    List<String> cmd = new ArrayList<>(List.of("java", "-jar", JAR.toString()));
    cmd.addAll(List.of(args));
    Map<String, String> e = new HashMap<>(env);
    e.put("LOG_FORMAT", "json");
    e.put("HOSTNAME", "it-host");
    e.put("PATH", System.getenv("PATH"));
    TestDaemons.Result r = TestDaemons.run(cmd, null, e);
    return new Run(r.exitCode(), LogSetupTest.parseEvery(nonBlank(r.stdout())),
        LogSetupTest.parseEvery(nonBlank(r.stderr())));
  }

  private static List<String> nonBlank(String text) {
    return text.lines().filter(l -> !l.isBlank()).toList();
  }

  private static void assertRunLogShape(List<JsonNode> lines) {
    assertThat(lines).isNotEmpty().allSatisfy(n -> {
      assertThat(n.fieldNames()).toIterable().startsWith("timestamp", "level", "operation", "message", "hostname");
      assertThat(n.get("timestamp").asText()).matches(LogSetupTest.RFC3339_MILLIS);
      assertThat(n.get("level").asText()).isIn("DEBUG", "INFO", "WARN", "ERROR");
      assertThat(n.get("hostname").asText()).isEqualTo("it-host");
    });
  }

  @Test
  void daemonGone(@TempDir Path dir) {
    Run r = jar(Map.of("DOCKER_HOST", "unix://" + dir.resolve("docker.sock"), "LOG_LEVEL", "DEBUG"));

    assertThat(r.exit).isEqualTo(2);
    assertRunLogShape(r.all());
    assertThat(r.all()).anySatisfy(n -> assertThat(n.get("message").asText()).contains("does not exist"));
  }

  @Test
  void invalidConfiguration() {
    Run r = jar(Map.of("PRUNE_ALL", "maybe"), "--api-token", "s3cret");

    assertThat(r.exit).isEqualTo(2);
    assertRunLogShape(r.all());
    assertThat(r.stderr).anySatisfy(n -> assertThat(n.get("message").asText()).contains("PRUNE_ALL"))
        .anySatisfy(n -> assertThat(n.get("message").asText()).contains("--api-token"));
  }

  @Test
  void aWebhookThatFailsLogsJsonFromTheNotifier() throws IOException {
    String host = TestDaemons.main();
    new DaemonFixture(host).reset();
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort(); // closed again below: connections are refused
    }

    Run r = jar(Map.of("DOCKER_HOST", host, "PRUNE_FILTER_UNTIL", "0", "WEBHOOK_URL",
        "http://127.0.0.1:" + closedPort + "/hook", "WEBHOOK_EVENTS", "run_succeeded", "WEBHOOK_TIMEOUT", "1s"));

    assertThat(r.exit).isZero();
    assertRunLogShape(r.all());
    // the notifier's own diagnostics went through logback: JSON too
    assertThat(r.stderr).anySatisfy(n -> {
      assertThat(n.get("operation").asText()).isEqualTo(JsonLineLayout.OPERATION);
      assertThat(n.get("logger").asText()).isEqualTo("io.dockercleaner.notify.WebhookNotifier");
    });
    assertThat(r.stdout).anySatisfy(n -> assertThat(n.get("operation").asText()).isEqualTo("SUMMARY"));
  }
}
