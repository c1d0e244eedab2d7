package io.dockercleaner.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dockercleaner.core.ItemOutcome;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.exec.RunRecord;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Last use follows the daemon's events; it survives an agent restart (STATE_DIR), events missed
 * while no agent ran are replayed with {@code since}, and a daemon restart is survived.
 */
@Tag("daemon")
@ExtendWith(VertxExtension.class)
class AgentStateRestartTest {
  @TempDir
  Path stateDir;

  @Test
  void lastUseSurvivesAgentRestartAndTheAgentCarriesOnAfterADaemonRestart(Vertx vertx) throws Exception {
    String host = TestDaemons.main();
    DaemonFixture fixture = new DaemonFixture(host);
    fixture.reset();
    String run = UUID.randomUUID().toString().substring(0, 6);
    String used = fixture.image("at/used:" + run, null, "used " + run);
    String missed = fixture.image("at/missed:" + run, null, "missed " + run);
    String later = fixture.image("at/later:" + run, null, "later " + run);
    Map<String, String> env = Map.of("STATE_DIR", stateDir.toString());

    Instant usedAt;
    try (AgentHarness first = AgentHarness.start(vertx, host, env)) {
      assertThat(first.agent.state().imageLastUsed(used)).as("never used yet").isEmpty();
      useOnce(host, "at/used:" + run);
      await().atMost(AgentHarness.WAIT).until(() -> first.agent.state().imageLastUsed(used).isPresent());
      usedAt = first.agent.state().imageLastUsed(used).orElseThrow();
    }
    JsonObject saved = new JsonObject(Files.readString(stateDir.resolve("state.json")));
    assertThat(saved.encode()).contains(used.replace("sha256:", ""));

    // used while no agent runs: the next agent resumes the stream with since and sees it
    useOnce(host, "at/missed:" + run);

    try (AgentHarness second = AgentHarness.start(vertx, host, env)) {
      assertThat(second.agent.state().imageLastUsed(used)).as("loaded from state.json").contains(usedAt);
      await().atMost(AgentHarness.WAIT).until(() -> second.agent.state().imageLastUsed(missed).isPresent());
      assertThat(second.agent.state().imageLastUsed(later)).isEmpty();

      long reconnectsBefore = second.agent.events().reconnects();
      testDaemon(host, "stop");
      try {
        await().atMost(AgentHarness.WAIT).until(() -> !second.agent.events().connected());
      } finally {
        testDaemon(host, "start");
      }
      await().atMost(AgentHarness.WAIT).until(() -> second.agent.events().connected()
          && second.agent.events().reconnects() > reconnectsBefore);

      useOnce(host, "at/later:" + run);
      await().atMost(AgentHarness.WAIT).until(() -> second.agent.state().imageLastUsed(later).isPresent());
      assertThat(second.agent.state().imageLastUsed(used)).as("kept across the daemon restart").contains(usedAt);

      String stopped = fixture.stopped("after-restart-" + run, TestDaemons.TEST_IMAGE);
      RunRecord record = second.runAndWait(Triggers.http(false, Set.of(ResourceType.CONTAINER)));
      assertThat(record.items()).anySatisfy(i -> {
        assertThat(i.step().id()).isEqualTo(stopped);
        assertThat(i.outcome()).isEqualTo(ItemOutcome.REMOVED);
      });
      assertThat(fixture.containerIds()).doesNotContain(stopped);
    }
  }

  /** A container created from {@code image} and removed again: one use event. */
  private static void useOnce(String host, String image) {
    String c = TestDaemons.docker(host, "create", "--network", "none", "--label", "keep=false", image, "true");
    TestDaemons.docker(host, "rm", c);
  }

  /** Runs bin/test-daemon for the daemon behind {@code host} (/ROOT/NAME/docker.sock). */
  private static void testDaemon(String host, String command) {
    Path socket = TestDaemons.socketOf(host);
    String name = socket.getParent().getFileName().toString();
    String root = socket.getParent().getParent().toString();
    TestDaemons.Result result = TestDaemons.run(List.of("bin/test-daemon", command, name), null,
        Map.of("TEST_DAEMON_ROOT", root));
    assertThat(result.exitCode()).as("bin/test-daemon %s %s: %s", command, name, result.stderr()).isZero();
  }
}
