package io.dockercleaner.faults;

import static io.dockercleaner.faults.FaultRig.audit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dockercleaner.testsupport.AgentProcess;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon goes away under a running agent, two ways: it restarts in the middle of a run, and
 * its socket disappears (renamed away: new connections fail, the daemon keeps running, the
 * agent's pooled connections keep working) and comes back. Each time the run ends with every planned item accounted for and every attempted deletion
 * audited, protected objects stay, the agent becomes ready again, and a new run removes the rest.
 */
@Tag("daemon")
class DaemonGoneMidRunIT {
  @TempDir
  Path stateDir;

  @Test
  void aDaemonRestartMidRunFailsTheRestOfTheRunAndTheNextRunRemovesIt() {
    String host = TestDaemons.main();
    Scenario scenario = scenario(host, "restart");

    try (AgentProcess agent = AgentProcess.start(env(host))) {
      String id = startContainerRunAndAwaitFirstOutcome(agent);
      JsonObject record;
      TestDaemons.testDaemonCommand(host, "stop");
      try {
        record = agent.awaitRun(id);
        await().atMost(AgentProcess.WAIT).pollInterval(Duration.ofMillis(200))
            .until(() -> agent.get("/readyz").status() == 503);
      } finally {
        TestDaemons.testDaemonCommand(host, "start");
      }

      String pretty = record.encodePrettily();
      assertThat(record.getString("outcome")).as(pretty).isIn("partial", "failed");
      Set<String> removed = FaultRig.itemIds(record, "removed");
      Set<String> failed = FaultRig.itemIds(record, "failed");
      assertThat(removed).as("removed before the daemon stopped: %s", pretty).isNotEmpty();
      assertThat(failed).as("failed once it was gone: %s", pretty).isNotEmpty();
      assertThat(record.getJsonArray("errors")).as("the failures are listed: %s", pretty).isNotEmpty();
      assertAccountedAndAudited(record, scenario, removed, failed);
      assertRecoversAndTheNextRunRemovesTheRest(agent, scenario, removed, "succeeded");
    }
  }

  @Test
  void aSocketGoneAndBackLosesNothingAndTheAgentCarriesOn() {
    String host = TestDaemons.main();
    Scenario scenario = scenario(host, "socket");
    Path socket = TestDaemons.socketOf(host);
    Path away = socket.resolveSibling("docker.sock.away");

    try (AgentProcess agent = AgentProcess.start(env(host))) {
      String id = startContainerRunAndAwaitFirstOutcome(agent);
      JsonObject record;
      move(socket, away);
      try {
        // the agent's pooled connections to the daemon still work; new ones fail: the run goes on
        // or fails item by item, never hangs and never deletes unaudited
        record = agent.awaitRun(id);
        JsonObject whileGone = agent.awaitRun(agent.startRun("{\"types\":[\"container\"]}"));
        assertThat(whileGone.getString("outcome")).as(whileGone.encodePrettily())
            .isIn("succeeded", "nothing_reclaimable", "partial", "failed");
        assertAudited(whileGone.getString("id"), FaultRig.itemIds(whileGone, "removed"),
            FaultRig.itemIds(whileGone, "failed"));
        System.out.printf("socket gone: first run %s (%d removed, %d failed), second run %s%n",
            record.getString("outcome"), record.getInteger("removed"), record.getInteger("failed"),
            whileGone.getString("outcome"));
      } finally {
        move(away, socket);
      }

      String pretty = record.encodePrettily();
      Set<String> removed = FaultRig.itemIds(record, "removed");
      Set<String> failed = FaultRig.itemIds(record, "failed");
      assertThat(removed).as(pretty).isNotEmpty();
      assertAccountedAndAudited(record, scenario, removed, failed);
      assertRecoversAndTheNextRunRemovesTheRest(agent, scenario, removed, "succeeded", "nothing_reclaimable");
    } finally {
      if (Files.exists(away) && !Files.exists(socket)) {
        move(away, socket); // never leave the shared daemon without its socket
      }
    }
  }

  /** A reset daemon with a protected stopped container and 150 unprotected ones named PREFIX-N. */
  private record Scenario(String host, String keep, Set<String> stopped) {}

  private static Scenario scenario(String host, String prefix) {
    DaemonFixture fixture = new DaemonFixture(host);
    fixture.reset();
    String keep = fixture.stopped("keeper-" + prefix, TestDaemons.TEST_IMAGE, "--label", "keep=true");
    // deleted one at a time (DELETE_CONCURRENCY=1): the run is still deleting when the fault comes
    return new Scenario(host, keep, FaultRig.createdContainers(host, prefix, 150));
  }

  private String startContainerRunAndAwaitFirstOutcome(AgentProcess agent) {
    agent.awaitReady();
    String id = agent.startRun("{\"types\":[\"container\"]}");
    FaultRig.awaitFirstOutcome(agent, stateDir, id);
    return id;
  }

  private void assertAccountedAndAudited(JsonObject record, Scenario scenario, Set<String> removed, Set<String> failed) {
    assertThat(record.getInteger("removed") + record.getInteger("skipped") + record.getInteger("failed"))
        .as("every stopped container accounted for: %s", record.encodePrettily()).isEqualTo(scenario.stopped().size());
    assertAudited(record.getString("id"), removed, failed);
  }

  /** Ready again, nothing removed came back, the keeper stays, and a new run leaves only the keeper. */
  private static void assertRecoversAndTheNextRunRemovesTheRest(AgentProcess agent, Scenario scenario,
      Set<String> removed, String... nextOutcomes) {
    agent.awaitReady();
    Set<String> present = FaultRig.containerIds(scenario.host());
    assertThat(present).as("removed items are gone afterwards").doesNotContainAnyElementsOf(removed);
    assertThat(present).contains(scenario.keep());
    JsonObject after = agent.awaitRun(agent.startRun("{\"types\":[\"container\"]}"));
    assertThat(after.getString("outcome")).as(after.encodePrettily()).isIn((Object[]) nextOutcomes);
    assertThat(FaultRig.containerIds(scenario.host())).containsExactly(scenario.keep());
    assertThat(agent.sigterm()).as("exit code after SIGTERM; output in %s", agent.logFile()).isZero();
  }

  private Map<String, String> env(String host) {
    Map<String, String> env = AgentProcess.baseEnv(host);
    env.putAll(Map.of("STATE_DIR", stateDir.toString(), "MIN_AGE", "0s", "QUIET_PERIOD", "0s",
        "DISK_CHECK_INTERVAL", "1s", "DELETE_CONCURRENCY", "1"));
    return env;
  }

  /** An intent and an outcome line for every deletion attempted, and the outcomes agree. */
  private void assertAudited(String runId, Set<String> removed, Set<String> failed) {
    Set<String> attempted = new HashSet<>(removed);
    attempted.addAll(failed);
    Set<String> intents = ids(audit(stateDir, runId, "intent"));
    Set<String> outcomes = ids(audit(stateDir, runId, "outcome"));
    assertThat(outcomes).isEqualTo(attempted);
    // a deletion refused before it was sent (no connection) may have no intent; none is sent unaudited
    assertThat(attempted).containsAll(intents);
    assertThat(intents).containsAll(removed);
    assertThat(audit(stateDir, runId, "outcome")).filteredOn(l -> "removed".equals(l.getString("outcome")))
        .extracting(l -> l.getString("id")).containsExactlyInAnyOrderElementsOf(removed);
  }

  private static Set<String> ids(java.util.List<JsonObject> lines) {
    Set<String> out = new HashSet<>();
    lines.forEach(l -> out.add(l.getString("id")));
    return out;
  }

  private static void move(Path from, Path to) {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
