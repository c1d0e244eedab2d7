package io.dockercleaner.faults;

import static io.dockercleaner.faults.FaultRig.audit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dockercleaner.testsupport.AgentProcess;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon frozen (SIGSTOP) while a run deletes: the run ends by its deadline ({@code partial},
 * the deletion in flight given up and reported failed), {@code /readyz} says the daemon does not
 * answer, and after SIGCONT the agent is ready again and a new run removes the rest.
 */
@Tag("daemon")
class DaemonFrozenIT {
  @TempDir
  Path stateDir;

  @Test
  void aFrozenDaemonEndsTheRunAtItsDeadlineAndTheAgentRecoversAfterSigcont() {
    String host = TestDaemons.main();
    DaemonFixture fixture = new DaemonFixture(host);
    fixture.reset();
    String keep = fixture.stopped("keeper-frozen", TestDaemons.TEST_IMAGE, "--label", "keep=true");
    // one deletion at a time: the run is still deleting when the test freezes the daemon
    Set<String> stopped = FaultRig.createdContainers(host, "frozen", 120);
    long dockerd = FaultRig.dockerdPid(host);

    Map<String, String> env = AgentProcess.baseEnv(host);
    env.putAll(Map.of("STATE_DIR", stateDir.toString(), "MIN_AGE", "0s", "QUIET_PERIOD", "0s",
        "DISK_CHECK_INTERVAL", "1s", "DELETE_CONCURRENCY", "1"));
    try (AgentProcess agent = AgentProcess.start(env)) {
      agent.awaitReady();
      String id = agent.startRun("{\"types\":[\"container\"],\"maxDuration\":\"10s\"}");
      FaultRig.awaitFirstOutcome(agent, stateDir, id);
      JsonObject record;
      FaultRig.signal("STOP", dockerd);
      try {
        // the agent pings every DISK_CHECK_INTERVAL with a short deadline: a frozen daemon is not ready
        await().atMost(AgentProcess.WAIT).pollInterval(Duration.ofMillis(200))
            .until(() -> agent.get("/readyz").status() == 503);
        record = agent.awaitRun(id);
        assertThat(agent.get("/readyz").status()).as("still frozen").isEqualTo(503);
        // the log says that the daemon stopped answering (its last word on the daemon while frozen)
        assertThat(agent.jsonLines().stream().filter(l -> "DOCKER".equals(l.getString("operation"))).reduce((a, b) -> b))
            .as("log in %s", agent.logFile()).hasValueSatisfying(l -> {
              assertThat(l.getString("level")).isEqualTo("WARN");
              assertThat(l.getString("message")).contains("does not answer a ping");
            });
      } finally {
        FaultRig.signal("CONT", dockerd);
      }

      String pretty = record.encodePrettily();
      assertThat(record.getString("outcome")).as(pretty).isEqualTo("partial");
      assertThat(record.getJsonArray("errors").stream().map(String::valueOf))
          .as(pretty).anyMatch(e -> e.contains("MAX_RUN_DURATION"));
      List<JsonObject> failed = FaultRig.items(record).stream().filter(i -> "failed".equals(i.getString("outcome"))).toList();
      assertThat(failed).as("the deletion in flight when the deadline passed: %s", pretty).isNotEmpty()
          .allSatisfy(i -> assertThat(i.getString("error")).contains("no answer before MAX_RUN_DURATION"));
      Set<String> removed = FaultRig.itemIds(record, "removed");
      assertThat(removed).as(pretty).isNotEmpty();
      assertThat(FaultRig.itemIds(record, "skipped")).as("not started after the deadline: %s", pretty).isNotEmpty();
      assertThat(FaultRig.items(record)).filteredOn(i -> "skipped".equals(i.getString("outcome")))
          .allSatisfy(i -> assertThat(i.getString("skipReason")).isEqualTo("deadline"));
      assertThat(record.getInteger("removed") + record.getInteger("skipped") + record.getInteger("failed"))
          .as("every stopped container accounted for").isEqualTo(stopped.size());

      // the audit: an intent and an outcome for every deletion attempted, none for those skipped
      Set<String> intents = ids(audit(stateDir, id, "intent"));
      Set<String> outcomes = ids(audit(stateDir, id, "outcome"));
      Set<String> attempted = new HashSet<>(removed);
      attempted.addAll(FaultRig.itemIds(record, "failed"));
      assertThat(intents).isEqualTo(attempted);
      assertThat(outcomes).isEqualTo(attempted);
      assertThat(audit(stateDir, id, "outcome")).filteredOn(l -> "failed".equals(l.getString("outcome")))
          .extracting(l -> l.getString("id")).containsExactlyInAnyOrderElementsOf(FaultRig.itemIds(record, "failed"));

      // the log says which deletion was given up and why
      assertThat(agent.jsonLines()).as("log in %s", agent.logFile())
          .anyMatch(l -> "ERROR".equals(l.getString("level"))
              && l.getString("message", "").contains("no answer before MAX_RUN_DURATION"));

      // thawed: ready again, and a new run removes what is left (the given-up deletion may have
      // completed on the daemon meanwhile; either way it is gone at the end)
      agent.awaitReady();
      // and, last, that it answers again (pings sent while it was frozen may still time out
      // around the thaw: see the report on AgentRuntime's ping deadline)
      await().atMost(AgentProcess.WAIT).until(() -> agent.jsonLines().stream()
          .filter(l -> "DOCKER".equals(l.getString("operation"))).reduce((a, b) -> b)
          .map(l -> l.getString("message", "").contains("The Docker daemon answers again")).orElse(false));
      Set<String> present = FaultRig.containerIds(host);
      assertThat(present).as("removed items are gone").doesNotContainAnyElementsOf(removed);
      assertThat(present).contains(keep);
      String second = agent.startRun("{\"types\":[\"container\"]}");
      JsonObject after = agent.awaitRun(second);
      assertThat(after.getString("outcome")).as(after.encodePrettily()).isEqualTo("succeeded");
      assertThat(FaultRig.containerIds(host)).containsExactly(keep);
      assertThat(agent.sigterm()).as("exit code after SIGTERM; output in %s", agent.logFile()).isZero();
    } finally {
      FaultRig.signal("CONT", dockerd); // never leave the daemon frozen, whatever failed
    }
  }

  @Test
  void aDaemonFrozenBeforeTheRunEndsItAtItsDeadlineWithNothingDeleted() {
    String host = TestDaemons.main();
    DaemonFixture fixture = new DaemonFixture(host);
    fixture.reset();
    Set<String> stopped = FaultRig.createdContainers(host, "early", 5);
    long dockerd = FaultRig.dockerdPid(host);

    Map<String, String> env = AgentProcess.baseEnv(host);
    env.putAll(Map.of("STATE_DIR", stateDir.toString(), "MIN_AGE", "0s", "QUIET_PERIOD", "0s",
        "DISK_CHECK_INTERVAL", "1s"));
    try (AgentProcess agent = AgentProcess.start(env)) {
      agent.awaitReady();
      JsonObject record;
      FaultRig.signal("STOP", dockerd);
      try {
        // the run's listing gets no answer: the run ends at its deadline, not at the client's request timeout
        String id = agent.startRun("{\"types\":[\"container\"],\"maxDuration\":\"5s\"}");
        record = agent.awaitRun(id);
        assertThat(agent.get("/readyz").status()).as("ended while the daemon is still frozen").isEqualTo(503);
      } finally {
        FaultRig.signal("CONT", dockerd);
      }
      String pretty = record.encodePrettily();
      assertThat(record.getString("outcome")).as(pretty).isEqualTo("failed");
      assertThat(record.getJsonArray("errors").stream().map(String::valueOf)).as(pretty)
          .anyMatch(e -> e.contains("MAX_RUN_DURATION"));
      assertThat(FaultRig.auditLines(stateDir)).as("nothing attempted").isEmpty();
      agent.awaitReady();
      assertThat(FaultRig.containerIds(host)).containsAll(stopped);
      JsonObject after = agent.awaitRun(agent.startRun("{\"types\":[\"container\"]}"));
      assertThat(after.getString("outcome")).as(after.encodePrettily()).isEqualTo("succeeded");
      assertThat(FaultRig.itemIds(after, "removed")).isEqualTo(stopped);
      assertThat(agent.sigterm()).as("exit code after SIGTERM; output in %s", agent.logFile()).isZero();
    } finally {
      FaultRig.signal("CONT", dockerd);
    }
  }

  private static Set<String> ids(List<JsonObject> lines) {
    Set<String> out = new HashSet<>();
    lines.forEach(l -> out.add(l.getString("id")));
    return out;
  }
}
