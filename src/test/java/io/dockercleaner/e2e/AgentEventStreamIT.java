package io.dockercleaner.e2e;

import static io.dockercleaner.testsupport.TestDaemons.docker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dockercleaner.testsupport.AgentProcess;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event stream after start-up, on the shipped launcher: the daemon restarts under a running
 * agent; every consumer of the stream's state sees it (the log says it was lost and is back, the
 * metrics count the reconnection, /readyz is ready again), and events after the restart still
 * reach the usage state (an image's last use).
 */
@Tag("daemon")
class AgentEventStreamIT {
  @TempDir
  Path stateDir;

  @Test
  void aDaemonRestartIsLoggedCountedAndLaterEventsStillRecordLastUse() {
    String host = TestDaemons.main();
    DaemonFixture fixture = new DaemonFixture(host);
    fixture.reset();
    String tag = "e2eev/app:" + UUID.randomUUID().toString().substring(0, 6);
    String image = fixture.layerImage(tag, 1);

    Map<String, String> env = AgentProcess.baseEnv(host);
    env.putAll(Map.of("STATE_DIR", stateDir.toString(), "MIN_AGE", "0s", "QUIET_PERIOD", "0s"));
    try (AgentProcess agent = AgentProcess.start(env)) {
      agent.awaitReady();
      TestDaemons.testDaemonCommand(host, "stop");
      await().alias("the log says the event stream was lost").atMost(AgentProcess.WAIT)
          .pollInterval(Duration.ofMillis(200)).until(() -> hasLine(agent, "WARN", "Event stream lost"));
      TestDaemons.testDaemonCommand(host, "start");
      await().alias("the log says the event stream is back").atMost(AgentProcess.WAIT)
          .pollInterval(Duration.ofMillis(200)).until(() -> hasLine(agent, "INFO", "Event stream connected again"));
      agent.awaitReady();

      assertThat(agent.metric("docker_cleaner_event_stream_reconnects_total").orElse(0)).as("reconnections in /metrics")
          .isGreaterThanOrEqualTo(1);
      assertThat(agent.metric("docker_cleaner_event_stream_connected")).hasValue(1.0);

      docker(host, "run", "--rm", "--pull", "never", "--network", "none", tag, "true");
      await().alias("the use of " + tag + " after the restart reaches the usage state").atMost(AgentProcess.WAIT)
          .pollInterval(Duration.ofMillis(200)).until(() -> agent.lastUsedInPlan(image).isPresent());
      assertThat(agent.sigterm()).as("exit code after SIGTERM; output in %s", agent.logFile()).isZero();
    }
  }

  private static boolean hasLine(AgentProcess agent, String level, String messageStart) {
    return agent.jsonLines().stream().anyMatch(o -> "EVENTS".equals(o.getString("operation"))
        && level.equals(o.getString("level")) && o.getString("message", "").startsWith(messageStart));
  }

}
