package io.dockercleaner.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.config.LogFormat;
import io.dockercleaner.config.LogLevel;
import io.dockercleaner.config.Settings;
import io.dockercleaner.core.ItemOutcome;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.exec.RunRecord;
import io.dockercleaner.log.RunLog;
import io.dockercleaner.testsupport.FakeDockerClient;
import io.dockercleaner.testsupport.FakeDockerClient.Image;
import io.dockercleaner.testsupport.MutableClock;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent on a {@link FakeDockerClient}: a trigger goes through plan and executor to real
 * removals from the fake's inventory, without a daemon. A starting point for unit tests of the
 * run queue and the policy per trigger.
 */
@ExtendWith(VertxExtension.class)
class AgentFakeTest {

  @Test
  void anHttpRunRemovesWhatIsUnusedAndKeepsWhatAContainerUses(Vertx vertx, @TempDir Path disk) throws Exception {
    MutableClock clock = new MutableClock();
    FakeDockerClient docker = new FakeDockerClient(vertx, clock);
    Image used = docker.image("app:1");
    docker.container("web", used).running();
    Image old = docker.image("app:0");
    FakeDockerClient.Container exited = docker.container("batch", old);
    Image dangling = docker.image();
    clock.advance(Duration.ofDays(1));

    Context context = vertx.getOrCreateContext();
    Agent agent = new Agent(vertx, settings(disk), quietLog(clock), clock, docker);
    on(context, agent::start);
    RunRecord run = on(context, () -> agent.request(
        Triggers.http(false, Set.of(ResourceType.CONTAINER, ResourceType.IMAGE))).done());
    on(context, () -> agent.stop(Duration.ofSeconds(5)));

    assertThat(run.count(ItemOutcome.FAILED)).isZero();
    assertThat(docker.removedIds(ResourceType.CONTAINER)).containsExactly(exited.id());
    assertThat(docker.removedIds(ResourceType.IMAGE)).contains(old.id(), dangling.id()).doesNotContain(used.id());
    assertThat(docker.exists(ResourceType.IMAGE, used.id())).isTrue();
  }

  @Test
  void underCleanupPolicyCostEachImageStepCarriesItsScoreAndEvidence(Vertx vertx, @TempDir Path disk) throws Exception {
    MutableClock clock = new MutableClock();
    FakeDockerClient docker = new FakeDockerClient(vertx, clock);
    Image old = docker.image("app:0");
    clock.advance(Duration.ofDays(1));

    Context context = vertx.getOrCreateContext();
    Map<String, String> env = new HashMap<>(Map.of("CLEANUP_POLICY", "cost"));
    Agent agent = new Agent(vertx, settings(disk, env), quietLog(clock), clock, docker);
    on(context, agent::start);
    RunRecord run = on(context, () -> agent.request(Triggers.http(false, Set.of(ResourceType.IMAGE))).done());
    on(context, () -> agent.stop(Duration.ofSeconds(5)));

    assertThat(docker.removedIds(ResourceType.IMAGE)).containsExactly(old.id());
    assertThat(run.items()).singleElement().satisfies(item -> assertThat(item.step().rule())
        .startsWith("unused, never used, first seen ")
        .contains("(cost: never used, first seen ")
        .contains("P(use within 1d)=")
        .contains("re-pull"));
  }

  /**
   * Issue #9 item 5, reproduced without a daemon: while a run deletes, a real image request and a
   * dry-run container request are queued; today {@code Agent.merge} makes one real follow-up for
   * both types and it deletes the container only the dry run asked about (and every ticket names
   * the run in progress, not the follow-up that serves it). Fails today; enable with the fix.
   */
  @Test
  void aQueuedDryRunNeverDeletes_evenQueuedWithARealRunOfAnotherType(Vertx vertx, @TempDir Path disk)
      throws Exception {
    MutableClock clock = new MutableClock();
    FakeDockerClient docker = new FakeDockerClient(vertx, clock);
    docker.image();
    docker.image();
    FakeDockerClient.Container exited = docker.container("batch", docker.image("app:0"));
    clock.advance(Duration.ofDays(1));
    docker.fault(FakeDockerClient.Op.REMOVE_IMAGE).once().held();

    Context context = vertx.getOrCreateContext();
    Agent agent = new Agent(vertx, settings(disk), quietLog(clock), clock, docker);
    on(context, agent::start);
    Agent.Ticket first = onContextValue(context, () -> agent.request(Triggers.http(false, Set.of(ResourceType.IMAGE))));
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !docker.heldCalls().isEmpty());
    Agent.Ticket realImages = onContextValue(context,
        () -> agent.request(Triggers.http(false, Set.of(ResourceType.IMAGE))));
    Agent.Ticket dryContainers = onContextValue(context,
        () -> agent.request(Triggers.http(true, Set.of(ResourceType.CONTAINER))));
    docker.releaseHeld();
    for (Agent.Ticket t : java.util.List.of(first, realImages, dryContainers)) {
      t.done().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    // the queued requests are served by a follow-up run: wait until nothing runs or waits
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> onContextValue(context,
        () -> agent.currentRun() == null && agent.recentRuns().size() >= 2));
    on(context, () -> agent.stop(Duration.ofSeconds(5)));

    assertThat(docker.exists(ResourceType.CONTAINER, exited.id())).as("container only a dry run asked about").isTrue();
    assertThat(docker.removedIds(ResourceType.CONTAINER)).isEmpty();
    // each caller's ticket names the run that served it
    assertThat(realImages.runId()).isNotEqualTo(first.runId());
    assertThat(dryContainers.runId()).isNotIn(first.runId(), realImages.runId());
    assertThat(dryContainers.done().result().dryRun()).isTrue();
    assertThat(dryContainers.done().result().id()).isEqualTo(dryContainers.runId());
    assertThat(realImages.done().result().id()).isEqualTo(realImages.runId());
  }

  private static <T> T onContextValue(Context context, Supplier<T> action) throws Exception {
    return on(context, () -> Future.succeededFuture(action.get()));
  }

  private static Settings settings(Path disk) {
    return settings(disk, new HashMap<>());
  }

  private static Settings settings(Path disk, Map<String, String> env) {
    env.put("DOCKER_HOST", "unix:///nonexistent/fake-docker.sock");
    env.put("DISK_PATH", disk.toString());
    env.put("MIN_AGE", "0s");
    env.put("QUIET_PERIOD", "0s");
    env.put("DISK_CRITICAL_WATERMARK", "99.9%");
    env.put("DISK_HIGH_WATERMARK", "99.8%");
    env.put("DISK_LOW_WATERMARK", "99.7%");
    return Settings.of(env);
  }

  private static RunLog quietLog(MutableClock clock) {
    return new RunLog(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), LogFormat.TEXT,
        LogLevel.DEBUG, false, "test-host", clock);
  }

  /** Runs {@code action} on the agent's context and waits for the Future it returns. */
  private static <T> T on(Context context, Supplier<Future<T>> action) throws Exception {
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(p));
    return p.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
