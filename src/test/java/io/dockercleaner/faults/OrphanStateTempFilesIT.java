package io.dockercleaner.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dockercleaner.agent.watch.UsageState;
import io.dockercleaner.testsupport.TestDaemons;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault: a kill during a state save leaves {@code state.json.*.tmp} in STATE_DIR. The next start
 * removes them (and says so), keeps the state file, and stops with the state saved.
 */
@Tag("daemon")
class OrphanStateTempFilesIT {
  @TempDir Path work;

  @Test
  void theNextStartRemovesTempFilesOfInterruptedSaves() throws Exception {
    Path stateDir = Files.createDirectories(work.resolve("state"));
    Path orphan = Files.writeString(stateDir.resolve(UsageState.FILE_NAME + ".8412093.tmp"), "{\"version\":1,\"imag");
    int port = AgentProcess.freePort();
    Map<String, String> env = Map.of("DOCKER_HOST", TestDaemons.main(), "STATE_DIR", stateDir.toString(),
        "HTTP_LISTEN", "127.0.0.1:" + port,
        "DISK_HIGH_WATERMARK", "100%", "DISK_LOW_WATERMARK", "99%", "DISK_CRITICAL_WATERMARK", "100%");
    try (AgentProcess agent = AgentProcess.start(work, env, "agent")) {
      HttpClient http = HttpClient.newHttpClient();
      await().atMost(AgentProcess.HANG_GUARD).ignoreExceptions().until(() -> !agent.alive()
          || http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
      assertThat(agent.alive()).as(agent.output()).isTrue();
      assertThat(orphan).doesNotExist();

      agent.terminate();
      assertThat(agent.awaitExit()).as(agent.output()).isZero();
      assertThat(agent.output()).contains("removed " + orphan + ", left by a save that was interrupted",
          "Stopped; state saved");
    }
    assertThat(stateDir.resolve(UsageState.FILE_NAME)).exists();
    try (var left = Files.newDirectoryStream(stateDir, "*.tmp")) {
      assertThat(left).isEmpty();
    }
  }
}
