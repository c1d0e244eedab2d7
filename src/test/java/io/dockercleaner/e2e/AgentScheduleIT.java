package io.dockercleaner.e2e;

import static io.dockercleaner.testsupport.TestDaemons.docker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dockercleaner.testsupport.AgentProcess;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SCHEDULE on the shipped launcher: a 6-field cron firing every two seconds, with KEEP_IMAGES and
 * MIN_AGE set. Scheduled runs must honour both, like every other trigger (issue #9): an image
 * matching KEEP_IMAGES and a stopped container younger than MIN_AGE survive, while an old enough
 * unprotected container and image go.
 *
 * <p>Everything is created before the agent starts or, for the young container, with one CLI call,
 * so scheduled runs never race a build.
 */
@Tag("daemon")
class AgentScheduleIT {
  private static final Duration MIN_AGE = Duration.ofSeconds(30);

  @TempDir
  Path stateDir;

  @Test
  void scheduledRunsKeepKeepImagesMatchesAndStoppedContainersYoungerThanMinAge() throws Exception {
    String host = TestDaemons.main();
    DaemonFixture fixture = new DaemonFixture(host);
    fixture.reset();
    String run = UUID.randomUUID().toString().substring(0, 6);
    // the same repository: only the tag decides whether KEEP_IMAGES protects it
    String kept = fixture.layerImage("e2esched/app:release-" + run, 1);
    String unprotected = fixture.layerImage("e2esched/app:dev-" + run, 1);
    String old = fixture.stopped("e2e-old-" + run, TestDaemons.TEST_IMAGE);
    Instant oldCreated = createdAt(host, old);
    Instant unprotectedCreated = createdAt(host, unprotected);

    Map<String, String> env = AgentProcess.baseEnv(host);
    env.putAll(Map.of("STATE_DIR", stateDir.toString(), "SCHEDULE", "*/2 * * * * *",
        "MIN_AGE", MIN_AGE.toSeconds() + "s", "QUIET_PERIOD", "0s",
        "KEEP_IMAGES", "e2esched/*:release-*", "PRUNE_ALL", "true",
        // no one-shot age filter: MIN_AGE alone decides what is too young
        "PRUNE_FILTER_UNTIL", "0"));
    try (AgentProcess agent = AgentProcess.start(env)) {
      // halfway through MIN_AGE, scheduled runs have come and gone: they must have left all alone
      await().atMost(AgentProcess.WAIT).pollInterval(Duration.ofMillis(200))
          .until(() -> Instant.now().isAfter(oldCreated.plus(MIN_AGE.dividedBy(2))));
      await().alias("a finished scheduled run").atMost(AgentProcess.WAIT).pollInterval(Duration.ofMillis(200))
          .until(() -> agent.runs().stream().anyMatch(r -> r.getString("trigger").equals("schedule")
              && !r.getString("outcome").equals("running")));
      assertHonoured(removals(agent), kept, Map.of(old, oldCreated, unprotected, unprotectedCreated));

      docker(host, "run", "--name", "e2e-young-" + run, "--pull", "never", "--network", "none", "--label", "keep=false",
          TestDaemons.TEST_IMAGE, "true");
      String young = docker(host, "inspect", "-f", "{{.Id}}", "e2e-young-" + run);
      Instant youngCreated = createdAt(host, young);
      Instant youngExists = Instant.parse(docker(host, "inspect", "-f", "{{.Created}}", young));

      await().alias("the old stopped container and the unprotected image go once older than MIN_AGE")
          .atMost(AgentProcess.WAIT).pollInterval(Duration.ofMillis(200))
          .until(() -> !fixture.containerIds().contains(old) && !fixture.imageIds().contains(unprotected));

      Map<String, RemovedBy> removedBy = removals(agent);
      assertHonoured(removedBy, kept, Map.of(old, oldCreated, unprotected, unprotectedCreated, young, youngCreated));
      RemovedBy oldRun = removedBy.get(old);
      assertThat(oldRun).as("a run record lists the old container as removed: %s", removedBy).isNotNull();
      assertThat(oldRun.trigger()).isEqualTo("schedule");
      // preconditions of the claim "young survived while old went": both existed in that run, and
      // young was younger than MIN_AGE throughout it (it plans after it starts, before it finishes)
      assertThat(youngExists).as("precondition: the young container existed when the old one went")
          .isBefore(oldRun.startedAt());
      assertThat(oldRun.finishedAt()).as("precondition: the young container was younger than MIN_AGE when the old "
          + "one went (else the scheduled run came too late to tell)").isBefore(youngCreated.plus(MIN_AGE));
      assertThat(removedBy.get(young)).as("the young container was not removed with the old one").isNotEqualTo(oldRun);
      assertThat(fixture.imageIds()).as("the image KEEP_IMAGES matches").contains(kept);
      assertThat(agent.sigterm()).as("exit code after SIGTERM; output in %s", agent.logFile()).isZero();
    }
  }

  /**
   * KEEP_IMAGES and MIN_AGE held in every run so far: {@code kept} was never removed, and each
   * object in {@code agedFrom} went (if at all) only in a run that finished at least MIN_AGE after
   * the object's creation (a run decides between its start and its end: the end is the bound that
   * holds for any correct implementation).
   */
  private static void assertHonoured(Map<String, RemovedBy> removedBy, String kept, Map<String, Instant> agedFrom) {
    assertThat(removedBy).as("KEEP_IMAGES protects e2esched/*:release-*; removals: %s", removedBy).doesNotContainKey(kept);
    agedFrom.forEach((id, from) -> {
      RemovedBy run = removedBy.get(id);
      if (run != null) {
        assertThat(run.finishedAt()).as("MIN_AGE %s: %s (created %s) was removed by %s", MIN_AGE, id, from, run)
            .isAfterOrEqualTo(from.plus(MIN_AGE));
      }
    });
  }

  /**
   * When an object was created, in whole seconds as the list APIs report it: the earliest instant
   * any age rule may count from (a container stopped at or after it), so the weakest MIN_AGE claim.
   */
  private static Instant createdAt(String host, String id) {
    return Instant.parse(docker(host, "inspect", "-f", "{{.Created}}", id)).truncatedTo(ChronoUnit.SECONDS);
  }

  /** The run that removed an object. */
  private record RemovedBy(String runId, String trigger, Instant startedAt, Instant finishedAt) {}

  /** Every object removed by a run the agent reports, with the run that removed it. */
  private static Map<String, RemovedBy> removals(AgentProcess agent) {
    Map<String, RemovedBy> byId = new HashMap<>();
    for (JsonObject summary : agent.runs()) {
      if (summary.getInteger("removed", 0) == 0) {
        continue;
      }
      RemovedBy by = new RemovedBy(summary.getString("id"), summary.getString("trigger"),
          Instant.parse(summary.getString("startedAt")), Instant.parse(summary.getString("finishedAt")));
      agent.run(by.runId()).getJsonArray("items").stream().map(JsonObject.class::cast)
          .filter(i -> "removed".equals(i.getString("outcome")))
          .forEach(i -> byId.putIfAbsent(i.getString("id"), by));
    }
    return byId;
  }
}
