package io.dockercleaner.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.core.ItemOutcome;
import io.dockercleaner.core.Reason;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.docker.DockerException;
import io.dockercleaner.plan.PlanStep;
import io.dockercleaner.testsupport.FakeDockerClient;
import io.dockercleaner.testsupport.FakeDockerClient.Container;
import io.dockercleaner.testsupport.FakeDockerClient.Image;
import io.dockercleaner.testsupport.FakeDockerClient.Op;
import io.dockercleaner.testsupport.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The executor against {@link FakeDockerClient}: budgets, deadlines, stop requests, the target
 * check, the daemon's refusals and bounded concurrency, in milliseconds and without a daemon. The
 * fake completes calls synchronously unless a test holds them, so each test decides exactly what
 * is in flight when.
 */
class ExecutorFakeTest {
  private static final Duration NO_DEADLINE = Duration.ofHours(1);
  private static final Supplier<Future<Boolean>> NEVER_REACHED = () -> Future.succeededFuture(false);
  private static final BooleanSupplier NO_STOP = () -> false;

  private final MutableClock clock = new MutableClock();
  private final FakeDockerClient docker = new FakeDockerClient(clock);
  private final List<ItemResult> audited = new CopyOnWriteArrayList<>();
  private final Executor executor = new Executor(docker, clock, (run, item, bytes) -> audited.add(item));

  @Test
  void removesEveryPlannedObjectInPlanOrder() {
    Image old = docker.image("app:1");
    Container web = docker.container("web", old);
    Image dangling = docker.image();

    RunRecord run = finished(execute(List.of(step(web), step(old), step(dangling)), budget(10, 1)));

    assertThat(outcomes(run)).containsOnly(ItemOutcome.REMOVED);
    assertThat(docker.removals()).extracting(FakeDockerClient.Removal::id)
        .containsExactly(web.id(), old.id(), dangling.id());
    assertThat(audited).hasSize(3);
  }

  @Test
  void maxDeletionsStopsTheRunAndLeavesTheRestInPlace() {
    List<Image> images = images(5);

    RunRecord run = finished(execute(steps(images), budget(2, 1)));

    assertThat(docker.removedIds(ResourceType.IMAGE)).containsExactly(images.get(0).id(), images.get(1).id());
    assertThat(skipReasons(run)).containsExactly(Reason.BUDGET_EXHAUSTED, Reason.BUDGET_EXHAUSTED, Reason.BUDGET_EXHAUSTED);
    assertThat(run.errors()).containsExactly("MAX_DELETIONS_PER_RUN (2) reached");
    assertThat(docker.exists(ResourceType.IMAGE, images.get(4).id())).isTrue();
  }

  @Test
  void maxDuration_inFlightDeletionsFinishButNoNewChunkStartsAfterTheDeadline() {
    List<Image> images = images(4);
    docker.fault(Op.REMOVE_IMAGE).held();

    Future<RunRecord> result = execute(steps(images), new Executor.Budget(Duration.ofMinutes(5), 100, 2));
    assertThat(docker.heldCalls()).hasSize(2);
    clock.advance(Duration.ofMinutes(5));
    docker.releaseHeld();

    RunRecord run = finished(result);
    assertThat(docker.removedIds(ResourceType.IMAGE)).containsExactly(images.get(0).id(), images.get(1).id());
    assertThat(docker.calls(Op.REMOVE_IMAGE)).hasSize(2);
    assertThat(skipReasons(run)).containsExactly(Reason.DEADLINE, Reason.DEADLINE);
    assertThat(run.errors()).containsExactly(
        "MAX_RUN_DURATION (PT5M) reached: deletions in flight finished, no new one was started");
  }

  @Test
  void maxDuration_notReachedYetLetsTheNextChunkStart() {
    List<Image> images = images(2);
    docker.fault(Op.REMOVE_IMAGE).held();

    Future<RunRecord> result = execute(steps(images), new Executor.Budget(Duration.ofMinutes(5), 100, 1));
    clock.advance(Duration.ofMinutes(5).minusMillis(1));
    docker.releaseHeld();
    docker.releaseHeld();

    assertThat(outcomes(finished(result))).containsOnly(ItemOutcome.REMOVED);
  }

  @Test
  void stopRequestedBetweenChunks_theChunkInFlightFinishesAndNothingNewStarts() {
    List<Image> images = images(6);
    AtomicBoolean stop = new AtomicBoolean();
    docker.fault(Op.REMOVE_IMAGE).held();

    // the run starts with AdaptiveConcurrency.INITIAL_LIMIT (2) in flight
    Future<RunRecord> result = executor.execute(record(false), steps(images), budget(100, 3), false,
        NEVER_REACHED, stop::get);
    assertThat(docker.heldCalls()).hasSize(AdaptiveConcurrency.INITIAL_LIMIT);
    stop.set(true);
    docker.releaseHeld();

    RunRecord run = finished(result);
    assertThat(docker.calls(Op.REMOVE_IMAGE)).hasSize(2);
    assertThat(outcomes(run)).containsExactly(ItemOutcome.REMOVED, ItemOutcome.REMOVED,
        ItemOutcome.SKIPPED, ItemOutcome.SKIPPED, ItemOutcome.SKIPPED, ItemOutcome.SKIPPED);
    assertThat(skipReasons(run)).containsOnly(Reason.SHUTDOWN);
    assertThat(docker.exists(ResourceType.IMAGE, images.get(5).id())).isTrue();
  }

  @Test
  void aPendingMeasurementPausesNewDeletions() {
    List<Image> images = images(4);
    docker.fault(Op.REMOVE_IMAGE).held();
    Promise<Boolean> measurement = Promise.promise();
    AtomicInteger measurements = new AtomicInteger();

    Future<RunRecord> result = executor.execute(record(false), steps(images), budget(100, 2), false, () -> {
      measurements.incrementAndGet();
      return measurement.future();
    }, NO_STOP);
    docker.releaseHeld();
    docker.releaseHeld();

    // the first completion frees a slot that is refilled at once; the second ends the window of 2
    assertThat(measurements).hasValue(1);
    assertThat(docker.calls(Op.REMOVE_IMAGE)).as("nothing starts while the measurement is pending").hasSize(3);
    measurement.complete(false);
    assertThat(docker.calls(Op.REMOVE_IMAGE)).hasSize(4);
    docker.releaseHeld();
    docker.releaseHeld();
    assertThat(outcomes(finished(result))).containsOnly(ItemOutcome.REMOVED);
  }

  @Test
  void withoutATargetToMeasureDeletionsNeverPause() {
    List<Image> images = images(4);
    docker.fault(Op.REMOVE_IMAGE).held();

    Future<RunRecord> result = executor.execute(record(false), steps(images), budget(100, 2), false, null, NO_STOP);
    docker.releaseHeld();
    docker.releaseHeld();

    assertThat(docker.calls(Op.REMOVE_IMAGE)).as("the next deletions start at once").hasSize(4);
    docker.releaseHeld();
    docker.releaseHeld();
    assertThat(outcomes(finished(result))).containsOnly(ItemOutcome.REMOVED);
  }

  @Test
  void anUntaggedParentRefusedWhileItsChildIsDeletedInTheSameChunkIsRetriedOnceTheChildIsGone() {
    Image parent = docker.image();
    Image child = docker.image("app:1").parent(parent);
    docker.fault(Op.REMOVE_IMAGE).on(child.id()).held();

    Future<RunRecord> result = execute(List.of(step(child), step(parent)), budget(10, 2));
    assertThat(docker.heldCalls()).hasSize(1);
    assertThat(docker.exists(ResourceType.IMAGE, parent.id())).as("refused while the child exists").isTrue();
    docker.releaseHeld();

    RunRecord run = finished(result);
    assertThat(outcomes(run)).containsExactly(ItemOutcome.REMOVED, ItemOutcome.REMOVED);
    assertThat(docker.exists(ResourceType.IMAGE, parent.id())).isFalse();
    assertThat(docker.exists(ResourceType.IMAGE, child.id())).isFalse();
  }

  @Test
  void anImageAContainerStartedUsingIsSkippedInUseAndTheRunGoesOn() {
    Image raced = docker.image("raced:1");
    Image free = docker.image("free:1");
    docker.container("racer", raced).running();

    RunRecord run = finished(execute(List.of(step(raced), step(free)), budget(10, 1)));

    assertThat(item(run, raced.id()).outcome()).isEqualTo(ItemOutcome.SKIPPED);
    assertThat(item(run, raced.id()).skipReason()).isEqualTo(Reason.IN_USE);
    assertThat(item(run, raced.id()).error()).contains("being used by running container");
    assertThat(item(run, free.id()).outcome()).isEqualTo(ItemOutcome.REMOVED);
    assertThat(docker.exists(ResourceType.IMAGE, raced.id())).isTrue();
  }

  @Test
  void aContainerThatStartedAgainIsSkippedRunning() {
    Container c = docker.container("restarted", docker.image("app:1")).running();

    RunRecord run = finished(execute(List.of(step(c)), budget(10, 1)));

    assertThat(skipReasons(run)).containsExactly(Reason.RUNNING);
    assertThat(docker.exists(ResourceType.CONTAINER, c.id())).isTrue();
  }

  @Test
  void aRemovalAlreadyInProgressIsSkippedWithThatReason() {
    Container c = docker.container("going", docker.image("app:1")).state("removing");

    RunRecord run = finished(execute(List.of(step(c)), budget(10, 1)));

    assertThat(skipReasons(run)).containsExactly(Reason.REMOVAL_IN_PROGRESS);
  }

  @Test
  void anObjectAlreadyGoneIsSkippedNotFound() {
    Image gone = docker.image("gone:1");
    PlanStep planned = step(gone);
    docker.removeImage(gone.id(), false); // someone else removed it after the plan

    RunRecord run = finished(execute(List.of(planned), budget(10, 1)));

    assertThat(skipReasons(run)).containsExactly(Reason.NOT_FOUND);
    assertThat(run.count(ItemOutcome.FAILED)).isZero();
  }

  @Test
  void aServerErrorIsAFailureAndTheNextObjectIsStillRemoved() {
    Image broken = docker.image("broken:1");
    Image fine = docker.image("fine:1");
    docker.fault(Op.REMOVE_IMAGE).on("broken:1").fail(500, "driver failed removing layer");

    RunRecord run = finished(execute(List.of(step(broken), step(fine)), budget(10, 1)));

    assertThat(item(run, broken.id()).outcome()).isEqualTo(ItemOutcome.FAILED);
    assertThat(item(run, broken.id()).error()).contains("HTTP 500", "driver failed removing layer");
    assertThat(item(run, fine.id()).outcome()).isEqualTo(ItemOutcome.REMOVED);
    assertThat(audited).extracting(ItemResult::outcome).containsExactly(ItemOutcome.FAILED, ItemOutcome.REMOVED);
  }

  @Test
  void aTimeoutIsAFailure() {
    Image slow = docker.image("slow:1");
    docker.fault(Op.REMOVE_IMAGE).once().timeout();

    RunRecord run = finished(execute(List.of(step(slow)), budget(10, 1)));

    assertThat(outcomes(run)).containsExactly(ItemOutcome.FAILED);
    assertThat(docker.calls(Op.REMOVE_IMAGE).get(0).failure().kind()).isEqualTo(DockerException.Kind.TIMEOUT);
  }

  @Test
  void concurrencyReachesButNeverExceedsTheBudget() {
    List<Image> images = images(10);
    docker.fault(Op.REMOVE_IMAGE).held();

    Future<RunRecord> result = execute(steps(images), budget(100, 3));
    List<Integer> chunkSizes = new ArrayList<>();
    for (int held = docker.heldCalls().size(); held > 0; held = docker.heldCalls().size()) {
      chunkSizes.add(held);
      docker.releaseHeld();
    }

    assertThat(outcomes(finished(result))).hasSize(10).containsOnly(ItemOutcome.REMOVED);
    // adaptive: starts at 2, grows on fast windows, never above the ceiling
    assertThat(chunkSizes.get(0)).isEqualTo(AdaptiveConcurrency.INITIAL_LIMIT);
    assertThat(chunkSizes).allMatch(n -> n <= 3).contains(3);
    assertThat(docker.maxDeletionsInFlight()).isEqualTo(3);
  }

  @Test
  void concurrencyStaysWithinTheBudgetWhenDeletionsCompleteOnVertxTimers() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      FakeDockerClient async = new FakeDockerClient(vertx, clock);
      List<PlanStep> steps = IntStream.range(0, 12).mapToObj(i -> step(async.image("timed:" + i))).toList();
      async.fault(Op.REMOVE_IMAGE).after(Duration.ofMillis(2));
      Executor onVertx = new Executor(async, clock, (run, item, bytes) -> { });

      RunRecord run = onVertx.execute(record(false), steps, budget(100, 4), false, NEVER_REACHED, NO_STOP)
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

      assertThat(outcomes(run)).hasSize(12).containsOnly(ItemOutcome.REMOVED);
      assertThat(async.maxDeletionsInFlight()).isEqualTo(4);
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void aChunkNeverSpansTwoTypes_imagesWaitForTheContainersThatUsedThem() {
    Image img = docker.image("app:1");
    Container a = docker.container("a", img);
    Container b = docker.container("b", img);
    docker.fault(Op.REMOVE_CONTAINER).held();

    Future<RunRecord> result = execute(List.of(step(a), step(b), step(img)), budget(10, 8));
    assertThat(docker.heldCalls()).extracting(FakeDockerClient.Call::op)
        .containsExactly(Op.REMOVE_CONTAINER, Op.REMOVE_CONTAINER);
    docker.releaseHeld();

    assertThat(outcomes(finished(result))).containsOnly(ItemOutcome.REMOVED);
    assertThat(docker.removals()).extracting(FakeDockerClient.Removal::type)
        .containsExactly(ResourceType.CONTAINER, ResourceType.CONTAINER, ResourceType.IMAGE);
  }

  @Test
  void theTargetCheckStopsTheRun_noDeletionStartsWhileItMeasures() {
    List<Image> images = images(5);
    AtomicInteger checks = new AtomicInteger();
    Supplier<Future<Boolean>> reachedAtSecondCheck = () -> Future.succeededFuture(checks.incrementAndGet() == 2);

    // the fake completes each deletion at once: the pipeline drains after each, and a drained
    // pipeline is measured before anything else starts
    RunRecord run = finished(executor.execute(record(false), steps(images), budget(100, 2), false,
        reachedAtSecondCheck, NO_STOP));

    assertThat(docker.removedIds(ResourceType.IMAGE)).hasSize(2);
    assertThat(skipReasons(run)).containsExactly(Reason.TARGET_REACHED, Reason.TARGET_REACHED, Reason.TARGET_REACHED);
    assertThat(checks).hasValue(2);
  }

  @Test
  void aDryRunCallsNoRemoveAndChangesNothing() {
    Image img = docker.image("app:1");
    Container c = docker.container("c", img);

    RunRecord run = finished(executor.execute(record(true), List.of(step(c), step(img)), budget(100, 2), true,
        NEVER_REACHED, NO_STOP));

    assertThat(outcomes(run)).containsOnly(ItemOutcome.WOULD_REMOVE);
    assertThat(docker.calls()).noneMatch(call -> call.op().isDeletion());
    assertThat(docker.exists(ResourceType.CONTAINER, c.id())).isTrue();
    assertThat(docker.exists(ResourceType.IMAGE, img.id())).isTrue();
  }

  @Test
  void anImageWithSeveralTagsIsRemovedTagByTagAfterTheDaemonRefusesTheId() {
    Image img = docker.image("app:1", "app:latest", "mirror/app:1");

    RunRecord run = finished(execute(List.of(step(img)), budget(10, 1)));

    assertThat(outcomes(run)).containsExactly(ItemOutcome.REMOVED);
    assertThat(docker.calls(Op.REMOVE_IMAGE).get(0).failure().daemonMessage())
        .contains("referenced in multiple repositories");
    assertThat(docker.targets(Op.REMOVE_IMAGE)).containsExactly(img.id(), "app:1", "app:latest", "mirror/app:1");
    assertThat(docker.exists(ResourceType.IMAGE, img.id())).isFalse();
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private Future<RunRecord> execute(List<PlanStep> steps, Executor.Budget budget) {
    return executor.execute(record(false), steps, budget, false, NEVER_REACHED, NO_STOP);
  }

  private RunRecord record(boolean dryRun) {
    return new RunRecord("run-1", "test", dryRun, clock.instant(), Long.MAX_VALUE);
  }

  private static Executor.Budget budget(int maxDeletions, int concurrency) {
    return new Executor.Budget(NO_DEADLINE, maxDeletions, concurrency);
  }

  private static RunRecord finished(Future<RunRecord> result) {
    assertThat(result.isComplete()).as("run finished").isTrue();
    return result.result();
  }

  private List<Image> images(int n) {
    return IntStream.range(0, n).mapToObj(i -> docker.image("img:" + i)).toList();
  }

  private static List<PlanStep> steps(List<Image> images) {
    return images.stream().map(ExecutorFakeTest::step).toList();
  }

  private static PlanStep step(Image i) {
    return new PlanStep(ResourceType.IMAGE, i.id(), i.name(), Reason.UNUSED_IMAGE, "test", 1000);
  }

  private static PlanStep step(Container c) {
    return new PlanStep(ResourceType.CONTAINER, c.id(), c.name(), Reason.STOPPED_CONTAINER, "test", 10);
  }

  private static List<ItemOutcome> outcomes(RunRecord run) {
    return run.items().stream().map(ItemResult::outcome).toList();
  }

  private static List<Reason> skipReasons(RunRecord run) {
    return run.items().stream().filter(i -> i.outcome() == ItemOutcome.SKIPPED).map(ItemResult::skipReason).toList();
  }

  private static ItemResult item(RunRecord run, String id) {
    return run.items().stream().filter(i -> i.step().id().equals(id)).findFirst().orElseThrow();
  }
}
