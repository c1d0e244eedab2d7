package io.dockercleaner.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.core.ItemOutcome;
import io.dockercleaner.core.Reason;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.exec.AuditLog;
import io.dockercleaner.exec.ItemResult;
import io.dockercleaner.exec.RunRecord;
import io.dockercleaner.plan.PlanStep;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** DRY_RUN=true: the agent plans and reports what it would remove, and deletes nothing. */
@Tag("daemon")
@ExtendWith(VertxExtension.class)
class AgentDryRunTest {
  @TempDir
  Path stateDir;

  @Test
  void aDryRunAgentReportsWouldRemoveAndDeletesNothing(Vertx vertx) throws Exception {
    String host = TestDaemons.main();
    DaemonFixture fixture = new DaemonFixture(host);
    fixture.reset();
    String run = UUID.randomUUID().toString().substring(0, 6);
    String image = fixture.image("at/dry:" + run, null, "dry " + run);
    String c1 = fixture.stopped("dry1-" + run, TestDaemons.TEST_IMAGE);
    String c2 = fixture.stopped("dry2-" + run, TestDaemons.TEST_IMAGE);
    String before = fixture.counts();
    try (AgentHarness h = AgentHarness.start(vertx, host, Map.of("DRY_RUN", "true", "STATE_DIR", stateDir.toString()))) {
      // the request does not ask for a dry run: DRY_RUN=true wins
      RunRecord record = h.runAndWait(Triggers.http(false, Set.of()));

      assertThat(record.dryRun()).isTrue();
      assertThat(record.plannedSteps()).extracting(PlanStep::id).contains(c1, c2, image);
      assertThat(record.items()).isNotEmpty().allSatisfy(i -> {
        assertThat(i.outcome()).isEqualTo(ItemOutcome.WOULD_REMOVE);
        assertThat(i.skipReason()).isEqualTo(Reason.DRY_RUN);
      });
      assertThat(record.items()).extracting(ItemResult::step).extracting(PlanStep::type)
          .contains(ResourceType.CONTAINER, ResourceType.IMAGE);
      assertThat(record.count(ItemOutcome.REMOVED)).isZero();
      assertThat(record.toSummaryJson().getBoolean("dryRun")).isTrue();
      assertThat(fixture.counts()).isEqualTo(before);
      assertThat(fixture.containerIds()).contains(c1, c2);
      assertThat(fixture.imageIds()).contains(image);
      assertThat(stateDir.resolve(AuditLog.FILE_NAME)).as("no deletion attempted, nothing audited").doesNotExist();
    }
  }
}
