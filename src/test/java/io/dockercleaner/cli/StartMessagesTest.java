package io.dockercleaner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.config.LogFormat;
import io.dockercleaner.config.LogLevel;
import io.dockercleaner.config.Settings;
import io.dockercleaner.log.RunLog;
import io.dockercleaner.testsupport.CliRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the program says at start about the daemon address and an open read API. */
class StartMessagesTest {

  @Test
  void aConnectionFailureNamesDockerHostAndTheAddress() {
    CliRun r = CliRun.run(Map.of("DOCKER_HOST", "tcp://127.0.0.1:1"), "run");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stdout()).contains("Cannot connect to the Docker daemon at DOCKER_HOST=tcp://127.0.0.1:1: ",
        "tcp://127.0.0.1:1");
  }

  @Test
  void theCheckCommandNamesDockerHostToo() {
    CliRun r = CliRun.run(Map.of("DOCKER_HOST", "unix:///nonexistent/docker.sock"), "check");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("Cannot connect to the Docker daemon at DOCKER_HOST=unix:///nonexistent/docker.sock: ",
        "/nonexistent/docker.sock does not exist");
  }

  private static String warnings(Map<String, String> env) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RunLog log = new RunLog(new PrintStream(out, true, StandardCharsets.UTF_8), LogFormat.TEXT, LogLevel.DEBUG, false,
        "test-host", Clock.systemUTC());
    AgentCommand.warnIfReadsAreOpen(Settings.of(env), log);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void anOpenReadApiBeyondLoopbackIsSaidAtStart() {
    assertThat(warnings(Map.of("HTTP_LISTEN", "0.0.0.0:8080", "API_OPEN_READ", "true")))
        .contains("[WARN]", "answers anyone who can reach it without a token: API_OPEN_READ=true and no API_TOKEN");
    assertThat(warnings(Map.of("HTTP_LISTEN", "0.0.0.0:8080", "API_TOKEN", "t")))
        .contains("[WARN]", "API_TOKEN_FOR_READ=false; set API_TOKEN_FOR_READ=true to require the token");
  }

  @Test
  void aProtectedOrLoopbackReadApiIsNotWarnedAbout() {
    assertThat(warnings(Map.of("HTTP_LISTEN", "0.0.0.0:8080", "API_TOKEN", "t", "API_TOKEN_FOR_READ", "true"))).isEmpty();
    assertThat(warnings(Map.of("HTTP_LISTEN", "127.0.0.1:8080", "API_OPEN_READ", "true"))).isEmpty();
  }
}
