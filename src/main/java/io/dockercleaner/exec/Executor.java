package io.dockercleaner.exec;

import io.dockercleaner.core.ItemOutcome;
import io.dockercleaner.core.Reason;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.docker.DockerClient;
import io.dockercleaner.docker.DockerException;
import io.dockercleaner.docker.Filters;
import io.dockercleaner.plan.PlanStep;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The only code that deletes: executes a plan object by object, a chunk of
 * {@code concurrency} deletions at a time (bounded, so running builds are not starved),
 * re-measuring after each chunk and stopping as soon as the target is reached — the measurement
 * wins over estimates. A 409 (in use, running, removal in progress) or 404 is a skip with its
 * reason, not a failure. Always reports what it freed, even when it stops part-way (budget,
 * deadline, shutdown).
 */
public final class Executor {

  /**
   * Limits of one run.
   *
   * @param maxDuration no new deletion starts after this much time
   * @param maxDeletions no more than this many objects removed
   * @param concurrency deletions in flight at once (also the chunk size between measurements)
   */
  public record Budget(Duration maxDuration, int maxDeletions, int concurrency) {}

  /** Appends one line per deletion attempt to the audit trail. */
  public interface AuditSink {
    void append(RunRecord run, ItemResult result, long reportedBytes);
  }

  private final DockerClient docker;
  private final Clock clock;
  private final AuditSink audit;

  public Executor(DockerClient docker, Clock clock, AuditSink audit) {
    this.docker = docker;
    this.clock = clock;
    this.audit = audit;
  }

  /**
   * Executes {@code steps} in order.
   *
   * @param targetReached re-measures and says whether to stop (called after every chunk)
   * @param stopRequested true once shutdown began: in-flight deletions finish, nothing new starts
   * @return the record, always (never a failed Future)
   */
  public Future<RunRecord> execute(RunRecord record, List<PlanStep> steps, Budget budget, boolean dryRun,
      Supplier<Future<Boolean>> targetReached, BooleanSupplier stopRequested) {
    Instant deadline = clock.instant().plus(budget.maxDuration());
    Promise<RunRecord> done = Promise.promise();
    nextChunk(record, steps, 0, budget, dryRun, deadline, targetReached, stopRequested, new int[] {0}, done);
    return done.future();
  }

  private void nextChunk(RunRecord record, List<PlanStep> steps, int from, Budget budget, boolean dryRun,
      Instant deadline, Supplier<Future<Boolean>> targetReached, BooleanSupplier stopRequested, int[] removed,
      Promise<RunRecord> done) {
    if (from >= steps.size()) {
      done.complete(record);
      return;
    }
    Reason stopReason = null;
    if (stopRequested.getAsBoolean()) {
      stopReason = Reason.BUDGET_EXHAUSTED;
    } else if (!clock.instant().isBefore(deadline)) {
      stopReason = Reason.BUDGET_EXHAUSTED;
      record.error("MAX_RUN_DURATION reached after " + removed[0] + " removals");
    } else if (removed[0] >= budget.maxDeletions()) {
      stopReason = Reason.BUDGET_EXHAUSTED;
      record.error("MAX_DELETIONS_PER_RUN (" + budget.maxDeletions() + ") reached");
    }
    if (stopReason != null) {
      skipRest(record, steps, from, stopReason);
      done.complete(record);
      return;
    }
    // a chunk never spans two types: images must not race the containers that use them
    ResourceType type = steps.get(from).type();
    int to = from;
    int room = Math.min(budget.concurrency(), budget.maxDeletions() - removed[0]);
    while (to < steps.size() && to - from < room && steps.get(to).type() == type) {
      to++;
    }
    List<Future<ItemResult>> chunk = new ArrayList<>();
    for (int i = from; i < to; i++) {
      PlanStep step = steps.get(i);
      chunk.add(dryRun ? Future.succeededFuture(new ItemResult(step, ItemOutcome.WOULD_REMOVE, Reason.DRY_RUN, null))
          : delete(record, step));
    }
    int end = to;
    Future.join(chunk).onComplete(ignored -> {
      for (Future<ItemResult> f : chunk) {
        ItemResult r = f.result();
        record.add(r);
        if (r.outcome() == ItemOutcome.REMOVED || r.outcome() == ItemOutcome.WOULD_REMOVE) {
          removed[0]++;
        }
      }
      if (dryRun) {
        nextChunk(record, steps, end, budget, dryRun, deadline, targetReached, stopRequested, removed, done);
        return;
      }
      targetReached.get().onComplete(reached -> {
        if (reached.succeeded() && Boolean.TRUE.equals(reached.result())) {
          skipRest(record, steps, end, Reason.TARGET_REACHED);
          done.complete(record);
        } else {
          nextChunk(record, steps, end, budget, dryRun, deadline, targetReached, stopRequested, removed, done);
        }
      });
    });
  }

  private static void skipRest(RunRecord record, List<PlanStep> steps, int from, Reason reason) {
    for (int i = from; i < steps.size(); i++) {
      record.add(new ItemResult(steps.get(i), ItemOutcome.SKIPPED, reason, null));
    }
  }

  /** Deletes one object; the Future always succeeds with the item's outcome. */
  private Future<ItemResult> delete(RunRecord record, PlanStep step) {
    Future<Long> deletion = switch (step.type()) {
      case CONTAINER -> docker.removeContainer(step.id(), false, false).map(v -> step.estimatedBytes());
      case IMAGE -> removeImage(step).map(v -> step.estimatedBytes());
      case VOLUME -> docker.removeVolume(step.id()).map(v -> step.estimatedBytes());
      case NETWORK -> docker.removeNetwork(step.id()).map(v -> 0L);
      case BUILD_CACHE -> removeBuildCache(step);
    };
    return deletion.map(bytes -> {
      ItemResult r = new ItemResult(step, ItemOutcome.REMOVED, null, null);
      record.reported(bytes);
      audit.append(record, r, bytes);
      return r;
    }).otherwise(err -> {
      ItemResult r = classify(step, err);
      audit.append(record, r, 0);
      return r;
    });
  }

  /**
   * Removes an image without force: by id when untagged, else tag by tag, so the daemon refuses
   * (409) when a container started using it since the plan was made.
   */
  private Future<Void> removeImage(PlanStep step) {
    return docker.removeImage(step.id(), false).<Void>mapEmpty().recover(err -> {
      if (err instanceof DockerException de && de.isConflict()
          && de.daemonMessage().contains("referenced in multiple repositories")) {
        return docker.inspectImage(step.id()).compose(img -> {
          Future<Void> chain = Future.succeededFuture();
          for (String tag : img.repoTags()) {
            chain = chain.compose(v -> docker.removeImage(tag, false).mapEmpty());
          }
          return chain;
        });
      }
      return Future.failedFuture(err);
    });
  }

  private Future<Long> removeBuildCache(PlanStep step) {
    // BuildKit matches the id filter as a regular expression: anchor it
    Filters f = Filters.NONE.with("id", "^" + step.id() + "$");
    return docker.pruneBuildCache(f, true).compose(report -> report.deleted().isEmpty()
        ? Future.failedFuture(new DockerException("POST /build/prune", 404, DockerException.Kind.NOT_FOUND,
            "build cache record " + step.id() + " was not removed (gone or in use)"))
        : Future.succeededFuture(report.spaceReclaimedBytes()));
  }

  /**
   * The skip reason for a deletion the daemon refused because of the object's state (409, 404),
   * or null when the failure is a real error. Shared by every code path that deletes.
   */
  public static Reason skipReason(Throwable err) {
    if (!(err instanceof DockerException de)) {
      return null;
    }
    return switch (de.kind()) {
      case CONFLICT_IN_USE -> Reason.IN_USE;
      case CONFLICT_RUNNING -> Reason.RUNNING;
      case CONFLICT_REMOVAL_IN_PROGRESS -> Reason.REMOVAL_IN_PROGRESS;
      case CONFLICT -> Reason.CONFLICT;
      case NOT_FOUND -> Reason.NOT_FOUND;
      default -> null;
    };
  }

  static ItemResult classify(PlanStep step, Throwable err) {
    if (err instanceof DockerException de) {
      Reason reason = skipReason(de);
      if (reason != null) {
        return new ItemResult(step, ItemOutcome.SKIPPED, reason, de.daemonMessage());
      }
      return new ItemResult(step, ItemOutcome.FAILED, null, de.getMessage());
    }
    return new ItemResult(step, ItemOutcome.FAILED, null, String.valueOf(err));
  }
}
