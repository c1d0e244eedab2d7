package io.dockercleaner.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.testsupport.AgentProcess;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent SIGKILLed while a run deletes, then started again on the same STATE_DIR: the state
 * file is valid (or moved aside and recreated), every audit line parses, the audit reconciles with
 * the daemon (nothing gone without an intent line, nothing recorded removed still present, every
 * intent without an outcome names an object that is either gone or still there, and the restarted
 * agent writes that outcome line itself), and the
 * restarted agent removes the rest.
 */
@Tag("daemon")
class AgentKilledMidRunIT {
  @TempDir
  Path stateDir;

  @Test
  void aRunKilledMidwayLeavesAReadableStateAndAnAuditThatReconcilesWithTheDaemon() throws Exception {
    String host = TestDaemons.main();
    DaemonFixture fixture = new DaemonFixture(host);
    fixture.reset();
    String keep = fixture.stopped("keeper-killed", TestDaemons.TEST_IMAGE, "--label", "keep=true");
    String running = fixture.running("runner-killed", TestDaemons.TEST_IMAGE);
    Set<String> stopped = FaultRig.createdContainers(host, "killed", 200);

    Map<String, String> env = AgentProcess.baseEnv(host);
    // two deletions at a time (not the adaptive ceiling of 8): the run is still deleting when the
    // kill comes, with a deletion in flight most of the time
    env.putAll(Map.of("STATE_DIR", stateDir.toString(), "MIN_AGE", "0s", "QUIET_PERIOD", "0s",
        "DELETE_CONCURRENCY", "2"));
    String firstRun;
    try (AgentProcess agent = AgentProcess.start(env)) {
      agent.awaitReady();
      firstRun = agent.startRun("{\"types\":[\"container\"]}");
      FaultRig.awaitFirstOutcome(agent, stateDir, firstRun);
    } // close() = SIGKILL (the launcher execs the JVM): no shutdown hook runs

    // the state file, if the agent wrote one, is whole JSON (written to a temporary file, then renamed)
    Path state = stateDir.resolve("state.json");
    if (Files.exists(state)) {
      new JsonObject(Files.readString(state)); // throws when torn
    }
    List<JsonObject> lines = FaultRig.auditLines(stateDir); // fails on a line that does not parse
    assertThat(lines).allSatisfy(l -> assertThat(l.getString("phase")).isIn("intent", "outcome"));
    Map<String, String> outcomeOf = new HashMap<>();
    Set<String> intents = new HashSet<>();
    for (JsonObject l : lines) {
      assertThat(l.getString("runId")).isEqualTo(firstRun);
      if ("intent".equals(l.getString("phase"))) {
        intents.add(l.getString("id"));
      } else {
        assertThat(intents).as("an outcome line follows its intent line: %s", l).contains(l.getString("id"));
        outcomeOf.put(l.getString("id"), l.getString("outcome"));
      }
    }
    Set<String> present = FaultRig.containerIds(host);
    Set<String> gone = new HashSet<>(stopped);
    gone.removeAll(present);
    assertThat(gone).as("the kill came mid-run: some removed").isNotEmpty();
    assertThat(present).as("the kill came mid-run: some left").containsAnyElementsOf(stopped).contains(keep, running);
    // reconciliation: nothing deleted without an intent line first
    assertThat(intents).as("every container gone has an intent line").containsAll(gone);
    // what the audit says was removed is gone; what it says failed or was skipped is as the daemon shows
    outcomeOf.forEach((id, outcome) -> {
      if ("removed".equals(outcome)) {
        assertThat(present).as("audited as removed: %s", id).doesNotContain(id);
      }
    });
    // an intent without an outcome: the deletion may or may not have happened; the daemon decides
    Set<String> unresolved = new HashSet<>(intents);
    unresolved.removeAll(outcomeOf.keySet());
    for (String id : unresolved) {
      TestDaemons.Result inspect = TestDaemons.dockerResult(host, null, "container", "inspect", "--format", "{{.Id}}", id);
      assertThat(inspect.exitCode() == 0 ? inspect.out() : inspect.stderr())
          .as("intent without outcome for %s: the daemon knows it or says it does not exist", id)
          .satisfiesAnyOf(s -> assertThat(s).isEqualTo(id), s -> assertThat(s).containsIgnoringCase("no such"));
      assertThat(inspect.exitCode() == 0).isEqualTo(present.contains(id));
    }
    assertThat(intents).as("no intent for a protected or running container").doesNotContain(keep, running);

    // restarted on the same STATE_DIR: it starts, its state is readable, and a new run removes the rest
    try (AgentProcess agent = AgentProcess.start(env)) {
      agent.awaitReady();
      // the restart resolved each intent left without an outcome: one outcome line, as the daemon says
      for (String id : unresolved) {
        List<JsonObject> resolved = FaultRig.audit(stateDir, firstRun, "outcome").stream()
            .filter(l -> id.equals(l.getString("id"))).toList();
        assertThat(resolved).as("outcome lines for the unresolved intent %s", id).hasSize(1);
        assertThat(resolved.get(0).getBoolean("reconciledAtStart")).isTrue();
        assertThat(resolved.get(0).getString("outcome")).isEqualTo(present.contains(id) ? "failed" : "removed");
      }
      assertThat(FaultRig.audit(stateDir, firstRun, "outcome")).extracting(l -> l.getString("id"))
          .as("after the restart every intent of the killed run has its outcome")
          .containsExactlyInAnyOrderElementsOf(intents);
      System.out.printf("killed mid-run: %d intents, %d resolved at restart%n", intents.size(), unresolved.size());
      assertThat(agent.runs()).as("the killed run is not reported as running").noneMatch(
          r -> firstRun.equals(r.getString("id")) && "running".equals(r.getString("outcome")));
      String second = agent.startRun("{\"types\":[\"container\"]}");
      JsonObject record = agent.awaitRun(second);
      String pretty = record.encodePrettily();
      assertThat(record.getString("outcome")).as(pretty).isEqualTo("succeeded");
      Set<String> left = new HashSet<>(stopped);
      left.removeAll(gone); // present before the restart, unresolved intents included
      assertThat(FaultRig.itemIds(record, "removed")).as(pretty).containsAll(left);
      assertThat(FaultRig.containerIds(host)).containsExactlyInAnyOrder(keep, running);
      assertThat(FaultRig.audit(stateDir, second, "outcome")).extracting(l -> l.getString("id"))
          .containsExactlyInAnyOrderElementsOf(FaultRig.audit(stateDir, second, "intent").stream()
              .map(l -> l.getString("id")).toList());
      assertThat(agent.sigterm()).as("exit code after SIGTERM; output in %s", agent.logFile()).isZero();
    }
    if (Files.exists(state)) {
      new JsonObject(Files.readString(state));
    }
    FaultRig.auditLines(stateDir);
    try (Stream<Path> files = Files.list(stateDir)) {
      assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file left behind")
          .noneMatch(n -> n.endsWith(".tmp"));
    }
    TestDaemons.docker(host, "rm", "-f", running);
  }
}
