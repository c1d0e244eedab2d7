package io.dockercleaner.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dockercleaner.exec.RunRecord;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The schedule fires once per firing; concurrent triggers coalesce into one follow-up. */
@Tag("daemon")
@ExtendWith(VertxExtension.class)
class AgentScheduleTest {
  private static final long FIRING_PERIOD_MILLIS = 2000;
  private static final int FIRINGS = 3;
  private static final long EARLY_SLACK_MILLIS = 100;

  @Test
  void aSixFieldScheduleRunsExactlyOncePerFiring(Vertx vertx) throws Exception {
    String host = TestDaemons.main();
    new DaemonFixture(host).reset();
    try (AgentHarness h = AgentHarness.start(vertx, host, Map.of("SCHEDULE", "*/2 * * * * *", "DRY_RUN", "true"))) {
      assertThat(h.agent.nextScheduledRun()).isPresent();
      await().atMost(AgentHarness.WAIT).until(() -> scheduled(h).size() >= FIRINGS);
      List<RunRecord> runs = scheduled(h).subList(0, FIRINGS);
      // each run starts just after its firing time (an even second); the slack covers a timer
      // that fires a little early (millisecond rounding of its delay)
      List<Long> firings = new ArrayList<>();
      for (RunRecord r : runs) {
        firings.add(Math.floorDiv(r.startedAt().toEpochMilli() + EARLY_SLACK_MILLIS, FIRING_PERIOD_MILLIS));
      }
      assertThat(firings).as("one run per firing, none skipped, none doubled").doesNotHaveDuplicates();
      for (int i = 1; i < firings.size(); i++) {
        assertThat(firings.get(i)).isEqualTo(firings.get(i - 1) + 1);
      }
      assertThat(runs).allSatisfy(r -> assertThat(r.dryRun()).isTrue());
    }
  }

  @Test
  void requestsDuringARunCoalesceIntoOneFollowUp(Vertx vertx) throws Exception {
    String host = TestDaemons.main();
    new DaemonFixture(host).reset();
    try (AgentHarness h = AgentHarness.start(vertx, host, Map.of())) {
      // all on the agent's context in one go: the first run cannot finish before the others arrive
      List<Agent.Ticket> tickets = h.onContext(() -> {
        List<Agent.Ticket> out = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          out.add(h.agent.request(Triggers.http(true, Set.of())));
        }
        return out;
      });
      String firstRun = tickets.get(0).runId();
      String followUp = tickets.get(1).runId();
      assertThat(tickets.get(0).joined()).isFalse();
      assertThat(followUp).as("the second request is served by a follow-up, not by the run in progress")
          .isNotEqualTo(firstRun);
      assertThat(tickets.subList(2, tickets.size())).allSatisfy(t -> {
        assertThat(t.joined()).isTrue();
        assertThat(t.runId()).as("each ticket names the run that really serves it").isEqualTo(followUp);
      });
      await().atMost(AgentHarness.WAIT).until(() -> h.finished.size() >= 2);
      assertThat(h.onContext(() -> h.agent.currentRun() == null)).as("nothing after the follow-up").isTrue();
      assertThat(h.finished).hasSize(2);
      assertThat(h.finished.get(0).id()).isEqualTo(firstRun);
      assertThat(h.finished.get(1).id()).isEqualTo(followUp);
      assertThat(h.agent.recentRuns()).hasSize(2);
    }
  }

  private static List<RunRecord> scheduled(AgentHarness h) {
    return h.finished.stream().filter(r -> r.trigger().equals("schedule")).toList();
  }
}
