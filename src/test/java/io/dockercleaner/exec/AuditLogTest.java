package io.dockercleaner.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.core.ItemOutcome;
import io.dockercleaner.core.Reason;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.plan.PlanStep;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit trail's intent/outcome pairs and what a restart finds unresolved. */
class AuditLogTest {
  @TempDir
  Path stateDir;

  private final Clock clock = Clock.fixed(Instant.parse("2026-11-30T04:00:00Z"), ZoneOffset.UTC);

  @Test
  void anIntentWithoutOutcomeIsUnresolvedUntilItsOutcomeIsWritten() throws Exception {
    AuditLog audit = new AuditLog(stateDir, clock);
    RunRecord run = new RunRecord("r-1", "http", false, clock.instant(), Long.MAX_VALUE);
    PlanStep done = step("c1");
    PlanStep cut = step("c2");
    audit.intent(run, done, "delete");
    audit.append(run, new ItemResult(done, ItemOutcome.REMOVED, null, null), 10);
    audit.intent(run, cut, "delete"); // the process died here

    List<JsonObject> open = audit.unresolvedIntents(1 << 20);
    assertThat(open).extracting(l -> l.getString("id")).containsExactly("c2");

    audit.resolved(open.get(0), false);
    assertThat(audit.unresolvedIntents(1 << 20)).isEmpty();
    List<String> lines = Files.readAllLines(audit.file(), StandardCharsets.UTF_8);
    JsonObject last = new JsonObject(lines.get(lines.size() - 1));
    assertThat(last.getString("phase")).isEqualTo("outcome");
    assertThat(last.getString("runId")).isEqualTo("r-1");
    assertThat(last.getString("outcome")).isEqualTo("failed");
    assertThat(last.getBoolean("reconciledAtStart")).isTrue();
    assertThat(last.getString("error")).contains("still there");
  }

  @Test
  void theSameObjectInTwoRunsIsTrackedPerRun() throws Exception {
    AuditLog audit = new AuditLog(stateDir, clock);
    RunRecord first = new RunRecord("r-1", "http", false, clock.instant(), Long.MAX_VALUE);
    RunRecord second = new RunRecord("r-2", "http", false, clock.instant(), Long.MAX_VALUE);
    PlanStep s = step("c1");
    audit.intent(first, s, "delete");
    audit.intent(second, s, "delete");
    audit.append(second, new ItemResult(s, ItemOutcome.REMOVED, null, null), 10);

    assertThat(audit.unresolvedIntents(1 << 20)).extracting(l -> l.getString("runId")).containsExactly("r-1");
  }

  @Test
  void onlyTheTailIsReadAndACutFirstLineIsIgnored() throws Exception {
    AuditLog audit = new AuditLog(stateDir, clock);
    RunRecord run = new RunRecord("r-1", "http", false, clock.instant(), Long.MAX_VALUE);
    for (int i = 0; i < 50; i++) {
      audit.intent(run, step("old" + i), "delete"); // early, never resolved: outside the tail
    }
    audit.intent(run, step("late"), "delete");
    long lastLine = Files.readAllLines(audit.file()).get(50).length() + 1;

    assertThat(audit.unresolvedIntents(lastLine + 20)).extracting(l -> l.getString("id")).containsExactly("late");
  }

  @Test
  void withoutStateDirThereIsNothingToResolve() throws Exception {
    assertThat(new AuditLog(null, clock).unresolvedIntents(1 << 20)).isEmpty();
  }

  private static PlanStep step(String id) {
    return new PlanStep(ResourceType.CONTAINER, id, "/" + id, Reason.STOPPED_CONTAINER, "test", 10);
  }
}
