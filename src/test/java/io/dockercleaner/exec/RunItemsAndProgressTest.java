package io.dockercleaner.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.core.ItemOutcome;
import io.dockercleaner.core.Reason;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.plan.PlanStep;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run's items read back from the audit trail, and a run record's live progress. */
class RunItemsAndProgressTest {
  @TempDir
  Path stateDir;

  private final Clock clock = Clock.fixed(Instant.parse("2026-11-30T04:00:00Z"), ZoneOffset.UTC);

  private static PlanStep step(String id) {
    return new PlanStep(ResourceType.IMAGE, id, "name-" + id, Reason.UNUSED_IMAGE, "unused for 3 d", 1000);
  }

  @Test
  void runItemsListEachObjectOnceWithItsOutcomeOrPendingIntent() throws Exception {
    AuditLog audit = new AuditLog(stateDir, clock);
    RunRecord run = new RunRecord("r-1", "http", false, clock.instant(), Long.MAX_VALUE);
    RunRecord other = new RunRecord("r-10", "http", false, clock.instant(), Long.MAX_VALUE);
    audit.intent(run, step("a"), "delete");
    audit.intent(other, step("x"), "delete");
    audit.intent(run, step("b"), "delete");
    audit.append(run, new ItemResult(step("b"), ItemOutcome.FAILED, null, "conflict"), 0);
    audit.append(run, new ItemResult(step("a"), ItemOutcome.REMOVED, null, null), 900);
    audit.intent(run, step("c"), "delete"); // no outcome yet

    List<JsonObject> items = audit.runItems("r-1", 100);
    assertThat(items).extracting(i -> i.getString("id")).containsExactly("a", "b", "c");
    assertThat(items).extracting(i -> i.getString("outcome")).containsExactly("removed", "failed", "pending");
    assertThat(items.get(0).getLong("reportedBytes")).isEqualTo(900);
    assertThat(items.get(1).getString("error")).isEqualTo("conflict");
  }

  @Test
  void runItemsSkipATornLineAndStopAtTheLimit() throws Exception {
    AuditLog audit = new AuditLog(stateDir, clock);
    RunRecord run = new RunRecord("r-1", "http", false, clock.instant(), Long.MAX_VALUE);
    audit.intent(run, step("a"), "delete");
    Files.writeString(audit.file(), "{\"runId\":\"r-1\",\"id\":\"tor", java.nio.file.StandardOpenOption.APPEND);
    Files.writeString(audit.file(), "\n", java.nio.file.StandardOpenOption.APPEND);
    audit.intent(run, step("b"), "delete");
    audit.intent(run, step("c"), "delete");
    assertThat(audit.runItems("r-1", 2)).extracting(i -> i.getString("id")).containsExactly("a", "b");
  }

  @Test
  void withoutStateDirARunHasNoAuditItems() throws Exception {
    assertThat(new AuditLog(null, clock).runItems("r-1", 10)).isEmpty();
  }

  @Test
  void progressCountsDoneItemsAndNamesTheDeletionInFlight() {
    RunRecord run = new RunRecord("r-1", "http", false, clock.instant(), Long.MAX_VALUE);
    run.planned(List.of(step("a"), step("b"), step("c")), 3000, null);
    run.started(step("a"));
    run.add(new ItemResult(step("a"), ItemOutcome.REMOVED, null, null));
    run.started(step("b"));
    JsonObject progress = run.toSummaryJson().getJsonObject("progress");
    assertThat(progress.getInteger("planned")).isEqualTo(3);
    assertThat(progress.getInteger("done")).isEqualTo(1);
    assertThat(progress.getInteger("inFlight")).isEqualTo(1);
    assertThat(progress.getJsonObject("current").getString("name")).isEqualTo("name-b");

    run.add(new ItemResult(step("b"), ItemOutcome.REMOVED, null, null));
    assertThat(run.toSummaryJson().getJsonObject("progress").getValue("current")).isNull();
  }

  @Test
  void compactKeepsAFinishedRunsSummaryAndLetsGoOfItsItems() {
    RunRecord run = new RunRecord("r-1", "threshold", false, clock.instant(), 5000);
    run.planned(List.of(step("a"), step("b"), step("c")), 3000, null);
    run.compact(); // still running: nothing changes
    assertThat(run.compacted()).isFalse();
    run.add(new ItemResult(step("a"), ItemOutcome.REMOVED, null, null));
    run.add(new ItemResult(step("b"), ItemOutcome.FAILED, null, "conflict"));
    run.add(new ItemResult(step("c"), ItemOutcome.SKIPPED, null, null));
    run.finish(clock.instant(), io.dockercleaner.core.RunOutcome.PARTIAL);
    JsonObject before = run.toSummaryJson();

    run.compact();

    assertThat(run.compacted()).isTrue();
    assertThat(run.items()).isEmpty();
    assertThat(run.plannedSteps()).isEmpty();
    JsonObject after = run.toSummaryJson();
    assertThat(after.getBoolean("itemsInMemory")).isFalse();
    after.remove("itemsInMemory");
    assertThat(after).isEqualTo(before);
    assertThat(after.getInteger("planned")).isEqualTo(3);
    assertThat(after.getLong("removed")).isEqualTo(1);
    assertThat(after.getJsonArray("errors").getString(0)).contains("name-b").contains("conflict");
    assertThat(run.toJson().getJsonArray("items")).isEmpty();
  }
}
