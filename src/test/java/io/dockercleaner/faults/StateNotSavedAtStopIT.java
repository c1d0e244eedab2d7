package io.dockercleaner.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dockercleaner.testsupport.TestDaemons;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault: STATE_DIR cannot be written when the agent stops (here a file took the directory's
 * place). The agent must say that the state was not saved, never "state saved", and exit 1.
 */
@Tag("daemon")
class StateNotSavedAtStopIT {
  @TempDir Path work;

  @Test
  void aStopWhoseStateCannotBeSavedSaysSoAndExitsOne() throws Exception {
    Path stateDir = work.resolve("state");
    int port = AgentProcess.freePort();
    Map<String, String> env = Map.of("DOCKER_HOST", TestDaemons.main(), "STATE_DIR", stateDir.toString(),
        "HTTP_LISTEN", "127.0.0.1:" + port, "API_TOKEN", "stop-test-token",
        // no threshold runs whatever this machine's disk holds
        "DISK_HIGH_WATERMARK", "100%", "DISK_LOW_WATERMARK", "99%", "DISK_CRITICAL_WATERMARK", "100%");
    try (AgentProcess agent = AgentProcess.start(work, env, "agent")) {
      HttpClient http = HttpClient.newHttpClient();
      await().atMost(AgentProcess.HANG_GUARD).ignoreExceptions().until(() -> !agent.alive()
          || http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
      assertThat(agent.alive()).as(agent.output()).isTrue();

      deleteTree(stateDir);
      Files.writeString(stateDir, "a file where STATE_DIR should be");
      agent.terminate();

      int exit = agent.awaitExit();
      String output = agent.output();
      assertThat(exit).as(output).isEqualTo(1);
      assertThat(output).contains("Cannot save state", "Stopped, but the state was NOT saved to STATE_DIR " + stateDir)
          .doesNotContain("Stopped; state saved");
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
