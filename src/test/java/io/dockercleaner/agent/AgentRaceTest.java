package io.dockercleaner.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.core.ItemOutcome;
import io.dockercleaner.core.Reason;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.exec.Executor;
import io.dockercleaner.exec.ItemResult;
import io.dockercleaner.exec.RunRecord;
import io.dockercleaner.plan.Plan;
import io.dockercleaner.plan.PlanStep;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** An image that becomes used between plan and delete is skipped with a reason; the run goes on. */
@Tag("daemon")
@ExtendWith(VertxExtension.class)
class AgentRaceTest {

  @Test
  void anImageUsedAfterThePlanIsSkippedInUseAndTheRestIsRemoved(Vertx vertx) throws Exception {
    String host = TestDaemons.main();
    DaemonFixture fixture = new DaemonFixture(host);
    fixture.reset();
    String run = UUID.randomUUID().toString().substring(0, 6);
    String raced = fixture.image("at/raced:" + run, null, "raced " + run);
    String free = fixture.image("at/free:" + run, null, "free " + run);
    try (AgentHarness h = AgentHarness.start(vertx, host, Map.of())) {
      Map.Entry<String, Plan> plan = h.call(() -> h.agent.plan(OptionalLong.empty(), Set.of(ResourceType.IMAGE)));
      assertThat(plan.getValue().steps()).extracting(PlanStep::id).contains(raced, free);

      fixture.running("racer-" + run, "at/raced:" + run);
      RunRecord record = h.runAndWait(Triggers.applyPlan(plan.getKey()));

      ItemResult racedResult = item(record, raced);
      assertThat(racedResult.outcome()).isEqualTo(ItemOutcome.SKIPPED);
      assertThat(racedResult.skipReason()).isEqualTo(Reason.IN_USE);
      assertThat(item(record, free).outcome()).isEqualTo(ItemOutcome.REMOVED);
      assertThat(fixture.imageIds()).contains(raced).doesNotContain(free);
    }
  }

  @Test
  void theDaemonsConflictForAnImageInUseIsASkipNotAFailure(Vertx vertx) throws Exception {
    String host = TestDaemons.main();
    DaemonFixture fixture = new DaemonFixture(host);
    fixture.reset();
    String run = UUID.randomUUID().toString().substring(0, 6);
    String inUse = fixture.image("at/in-use:" + run, null, "in use " + run);
    String free = fixture.image("at/free2:" + run, null, "free " + run);
    // a stopped container holds the image: the planner would plan the container first, but the
    // executor is handed only the image, as if the container had appeared after the plan
    fixture.stopped("holder-" + run, "at/in-use:" + run);
    try (AgentHarness h = AgentHarness.start(vertx, host, Map.of())) {
      List<ItemResult> audited = new CopyOnWriteArrayList<>();
      Executor executor = new Executor(h.docker, Clock.systemUTC(), (r, item, bytes) -> audited.add(item));
      List<PlanStep> steps = List.of(
          new PlanStep(ResourceType.IMAGE, inUse, "at/in-use:" + run, Reason.UNUSED_IMAGE, "test", 1),
          new PlanStep(ResourceType.IMAGE, free, "at/free2:" + run, Reason.UNUSED_IMAGE, "test", 1));
      RunRecord record = new RunRecord("r-race", "http", false, Clock.systemUTC().instant(), Long.MAX_VALUE);
      AgentHarness.get(executor.execute(record, steps, new Executor.Budget(Duration.ofMinutes(1), 10, 1), false,
          () -> Future.succeededFuture(false), () -> false));

      ItemResult held = item(record, inUse);
      assertThat(held.outcome()).isEqualTo(ItemOutcome.SKIPPED);
      assertThat(held.skipReason()).isEqualTo(Reason.IN_USE);
      assertThat(held.error()).as("the daemon's message").contains("being used");
      assertThat(item(record, free).outcome()).isEqualTo(ItemOutcome.REMOVED);
      assertThat(audited).extracting(ItemResult::outcome).containsExactly(ItemOutcome.SKIPPED, ItemOutcome.REMOVED);
      assertThat(fixture.imageIds()).contains(inUse).doesNotContain(free);
    }
  }

  private static ItemResult item(RunRecord record, String id) {
    return record.items().stream().filter(i -> i.step().id().equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError(id + " not in " + record.toJson().encodePrettily()));
  }
}
