package io.dockercleaner.exec;

import static io.dockercleaner.log.RunLog.fields;

import io.dockercleaner.core.Bytes;
import io.dockercleaner.core.ItemOutcome;
import io.dockercleaner.core.Reason;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.docker.DockerClient;
import io.dockercleaner.docker.DockerException;
import io.dockercleaner.docker.Filters;
import io.dockercleaner.docker.model.PruneReport;
import io.dockercleaner.log.RunLog;
import io.dockercleaner.plan.DaemonLabelFilters;
import io.dockercleaner.plan.Inventory;
import io.dockercleaner.plan.Plan;
import io.dockercleaner.plan.PlanPolicy;
import io.dockercleaner.plan.PlanStep;
import io.dockercleaner.plan.PruneModel;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The only code that deletes, and the code that decides <em>how</em>: object by object with
 * bounded concurrency, or — in a sweep, for images, networks and build cache — one daemon prune
 * call when the planned set of that type is exactly what the prune would remove ({@link
 * PruneModel}); otherwise object by object, with as many in flight as {@link AdaptiveConcurrency}
 * allows under the budget's ceiling. A 409 (in use, running, removal in progress) or 404 is
 * a skip with its reason, not a failure. Every deletion writes an audit intent line before and an
 * outcome line after; an audit write that fails is counted on the run. Every run stops between
 * deletions on shutdown, at its deadline (deletions still in flight then are given up and
 * reported as failed) and at its item budget.
 */
public final class Executor {

  /**
   * Limits of one run.
   *
   * @param maxDuration no deletion is waited for after this much time
   * @param maxDeletions no more than this many objects removed
   * @param concurrency the most deletions in flight at once: the ceiling of the run's {@link
   *     AdaptiveConcurrency} (1: strictly one at a time)
   */
  public record Budget(Duration maxDuration, int maxDeletions, int concurrency) {
    /** A sweep's budget: no item limit, a day at most. */
    public static Budget unlimited(int concurrency) {
      return new Budget(Duration.ofDays(1), Integer.MAX_VALUE, concurrency);
    }
  }

  /** The audit trail: one intent line before each deletion, one outcome line after it. */
  public interface AuditSink {
    /**
     * Appends the outcome of one deletion attempt.
     *
     * @throws java.io.UncheckedIOException when the line could not be written
     */
    void append(RunRecord run, ItemResult result, long reportedBytes);

    /**
     * Appends the intent to delete, before the request goes out, so that a crash leaves a trace.
     *
     * @throws java.io.UncheckedIOException when the line could not be written
     */
    default void intent(RunRecord run, PlanStep step, String method) {}
  }

  /**
   * What happened to one type of a sweep.
   *
   * @param items every planned item of the type with its outcome, in plan order
   * @param reportedBytes bytes freed as the daemon reports them (prune calls) or as estimated for
   *     removed objects (per-object deletes, which answer no byte counts)
   * @param method {@code prune} (one daemon prune call) or {@code per-object}
   * @param operationError a failure of the type as a whole (a prune call refused), else null
   */
  public record TypeResult(ResourceType type, List<ItemResult> items, long reportedBytes, String method,
      String operationError, Duration duration) {

    /** Items with this outcome. */
    public List<ItemResult> with(ItemOutcome outcome) {
      return items.stream().filter(i -> i.outcome() == outcome).toList();
    }
  }

  /** Sweep order: the one-shot's v1 order. */
  public static final List<ResourceType> SWEEP_ORDER = List.of(ResourceType.CONTAINER, ResourceType.IMAGE,
      ResourceType.VOLUME, ResourceType.NETWORK, ResourceType.BUILD_CACHE);

  private static final int MAX_CHILD_RETRY_ROUNDS = 5;

  private final DockerClient docker;
  private final Clock clock;
  private final AuditSink audit;
  private final RunLog log;

  public Executor(DockerClient docker, Clock clock, AuditSink audit) {
    this(docker, clock, audit, null);
  }

  /** With per-item log lines on {@code log} (null: none). */
  public Executor(DockerClient docker, Clock clock, AuditSink audit, RunLog log) {
    this.docker = docker;
    this.clock = clock;
    this.audit = audit;
    this.log = log;
  }

  // ---- budgeted (targeted) runs --------------------------------------------------------------

  /**
   * Executes {@code steps} in order with adaptive concurrency ({@link AdaptiveConcurrency}, at
   * most {@code budget.concurrency()} in flight), re-measuring after every {@code limit}
   * completed deletions and whenever the pipeline drains (at the end, and before the next type).
   * No deletion starts while a measurement is pending, so at most {@code limit - 1} deletions
   * finish after the one that reached the target — the same bound as chunks of {@code limit},
   * without waiting for a chunk's slowest deletion before starting the next.
   *
   * @param targetReached re-measures and says whether to stop; {@code null} when the run has no
   *     target a measurement could reach (an unlimited HTTP or plan run): deletions then never
   *     pause for a measurement (each pause left the daemon idle for a worker-thread round trip)
   * @param stopRequested true once shutdown began: in-flight deletions finish, nothing new starts
   * @return the record, always (never a failed Future)
   */
  public Future<RunRecord> execute(RunRecord record, List<PlanStep> steps, Budget budget, boolean dryRun,
      Supplier<Future<Boolean>> targetReached, BooleanSupplier stopRequested) {
    Deadline deadline = new Deadline(clock, budget.maxDuration());
    Promise<RunRecord> done = Promise.promise();
    new BudgetedRun(record, steps, budget, dryRun, deadline, targetReached, stopRequested, done).pump();
    return done.future().onComplete(r -> deadline.cancel());
  }

  /**
   * The state of one budgeted run: a queue of steps started while the current type's limiter
   * allows, gated by measurements. Callbacks may come from any thread: every method that touches
   * the state holds the monitor, and {@link #pump} is re-entrant (a step that completes at once
   * loops instead of recursing).
   */
  private final class BudgetedRun {
    final RunRecord record;
    final Budget budget;
    final boolean dryRun;
    final Deadline deadline;
    final Supplier<Future<Boolean>> targetReached;
    final BooleanSupplier stopRequested;
    final Promise<RunRecord> done;
    final Map<ResourceType, AdaptiveConcurrency> limiters = new LinkedHashMap<>();
    /** Parents refused because a child was being deleted at the same time: retried once it is gone. */
    final List<ItemResult> refusedForChild = new ArrayList<>();
    List<PlanStep> queue;
    int next;
    int inFlight;
    int removed;
    int completedSinceMeasure;
    int retryRounds;
    int removedAtLastRetry = -1;
    ResourceType currentType;
    boolean measuring;
    Reason stopped;
    final Trampoline trampoline = new Trampoline();

    BudgetedRun(RunRecord record, List<PlanStep> steps, Budget budget, boolean dryRun, Deadline deadline,
        Supplier<Future<Boolean>> targetReached, BooleanSupplier stopRequested, Promise<RunRecord> done) {
      this.record = record;
      this.queue = steps;
      this.budget = budget;
      this.dryRun = dryRun;
      this.deadline = deadline;
      this.targetReached = targetReached;
      this.stopRequested = stopRequested;
      this.done = done;
    }

    synchronized void pump() {
      trampoline.run(this::advance);
    }

    /** Measures, starts what may start, or finishes; called again after every completion. */
    private void advance() {
      if (done.future().isComplete() || measuring) {
        return;
      }
      if (!dryRun && targetReached != null && stopped != Reason.TARGET_REACHED && completedSinceMeasure > 0
          && (inFlight == 0 || completedSinceMeasure >= limiter().limit())) {
        measure();
        return;
      }
      while (stopped == null && next < queue.size()) {
        PlanStep step = queue.get(next);
        if (inFlight > 0 && step.type() != currentType) {
          return; // a type never overlaps the next: images must not race the containers that use them
        }
        if (currentType != step.type()) {
          currentType = step.type();
        }
        if (inFlight >= limiter().limit()) {
          return;
        }
        if (removed + inFlight >= budget.maxDeletions() && inFlight > 0) {
          return; // those in flight may fail and leave room
        }
        Reason reason = stopReason(record, stopRequested, deadline, removed, budget);
        if (reason != null) {
          stopped = reason;
          break;
        }
        next++;
        start(step);
        if (trampoline.requested()) {
          return; // it completed at once: advance() again decides whether to measure first
        }
      }
      if (inFlight > 0) {
        return;
      }
      if (stopped == null && retryParents()) {
        trampoline.request();
        return;
      }
      for (ItemResult r : refusedForChild) {
        record.add(r);
      }
      refusedForChild.clear();
      if (stopped != null) {
        skipRest(record, queue, next, stopped);
      }
      logLimiters();
      done.complete(record);
    }

    /** Re-queues parents refused for a child while the last round removed something (at most 5 rounds). */
    private boolean retryParents() {
      if (refusedForChild.isEmpty() || retryRounds >= MAX_CHILD_RETRY_ROUNDS || removed == removedAtLastRetry) {
        return false;
      }
      retryRounds++;
      removedAtLastRetry = removed;
      queue = refusedForChild.stream().map(ItemResult::step).toList();
      refusedForChild.clear();
      next = 0;
      return true;
    }

    private AdaptiveConcurrency limiter() {
      return limiters.computeIfAbsent(currentType == null ? ResourceType.IMAGE : currentType,
          t -> AdaptiveConcurrency.upTo(Math.max(1, budget.concurrency())));
    }

    private void start(PlanStep step) {
      inFlight++;
      AdaptiveConcurrency limiter = limiter();
      long generation = limiter.generation();
      long startedNanos = System.nanoTime();
      Future<ItemResult> f = dryRun ? Future.succeededFuture(wouldRemove(step)) : delete(record, step, deadline);
      f.onComplete(ar -> completed(step, limiter, generation, System.nanoTime() - startedNanos,
          ar.succeeded() ? ar.result() : new ItemResult(step, ItemOutcome.FAILED, null, String.valueOf(ar.cause()))));
    }

    private synchronized void completed(PlanStep step, AdaptiveConcurrency limiter, long generation, long latencyNanos,
        ItemResult r) {
      inFlight--;
      if (!dryRun) {
        feedback(limiter, generation, latencyNanos, r);
        completedSinceMeasure++;
      }
      if (refusedForChild(r)) {
        refusedForChild.add(r);
      } else {
        record.add(r);
        if (r.outcome() == ItemOutcome.REMOVED || r.outcome() == ItemOutcome.WOULD_REMOVE) {
          removed++;
        }
      }
      pump();
    }

    private void measure() {
      measuring = true;
      completedSinceMeasure = 0;
      Future<Boolean> check;
      try {
        check = targetReached.get();
      } catch (RuntimeException e) {
        check = Future.succeededFuture(false);
      }
      check.onComplete(reached -> {
        synchronized (this) {
          measuring = false;
          if (reached.succeeded() && Boolean.TRUE.equals(reached.result()) && stopped == null) {
            stopped = Reason.TARGET_REACHED;
          }
        }
        pump();
      });
    }

    private void logLimiters() {
      if (log != null && !dryRun) {
        limiters.forEach((type, l) -> logLimiter(log, type, l));
      }
    }
  }

  /** What a completed deletion tells the limiter: removals carry a latency, failures mean overload. */
  private static void feedback(AdaptiveConcurrency limiter, long generation, long latencyNanos, ItemResult r) {
    if (r.outcome() == ItemOutcome.REMOVED) {
      limiter.onCompleted(generation, latencyNanos);
    } else if (r.outcome() == ItemOutcome.FAILED) {
      limiter.onOverload(generation);
    }
  }

  /** The daemon refused an image because a child image exists (maybe one being deleted right now). */
  private static boolean refusedForChild(ItemResult r) {
    return r.step().type() == ResourceType.IMAGE && r.outcome() == ItemOutcome.SKIPPED
        && (r.skipReason() == Reason.CONFLICT || r.skipReason() == Reason.IN_USE)
        && r.error() != null && r.error().contains("child");
  }

  /** Why no further deletion may start, or null. Records the reason on the run once. */
  private Reason stopReason(RunRecord record, BooleanSupplier stopRequested, Deadline deadline, int removed,
      Budget budget) {
    if (stopRequested.getAsBoolean()) {
      record.errorOnce("stopped: the agent is shutting down; the rest of the plan was not started");
      return Reason.SHUTDOWN;
    }
    if (deadline.passed(clock)) {
      record.errorOnce("MAX_RUN_DURATION (" + deadline.maxDuration + ") reached: deletions in flight finished, "
          + "no new one was started");
      return Reason.DEADLINE;
    }
    if (removed >= budget.maxDeletions()) {
      record.errorOnce("MAX_DELETIONS_PER_RUN (" + budget.maxDeletions() + ") reached");
      return Reason.BUDGET_EXHAUSTED;
    }
    return null;
  }

  private static void skipRest(RunRecord record, List<PlanStep> steps, int from, Reason reason) {
    for (int i = from; i < steps.size(); i++) {
      record.add(new ItemResult(steps.get(i), ItemOutcome.SKIPPED, reason, null));
    }
  }

  // ---- sweeps --------------------------------------------------------------------------------

  /**
   * Executes a sweep plan type by type in {@link #SWEEP_ORDER}. For images, networks and build
   * cache, one prune call when {@code usePruneCalls} and the planned set equals the set the prune
   * would remove; otherwise, and always for containers and volumes, per object with {@code
   * budget.concurrency()} in flight.
   *
   * @param inventory what the plan was made from (to model the prune calls)
   * @param onType called once per type that has steps or is enabled, after it is done
   * @return the record (never a failed Future); every type's result went to {@code onType}
   */
  public Future<RunRecord> sweep(RunRecord record, Plan plan, Inventory inventory, PlanPolicy policy, Instant now,
      Budget budget, boolean dryRun, boolean usePruneCalls, BooleanSupplier stopRequested,
      java.util.function.Consumer<TypeResult> onType) {
    Deadline deadline = new Deadline(clock, budget.maxDuration());
    Map<ResourceType, List<PlanStep>> byType = new LinkedHashMap<>();
    for (PlanStep s : plan.steps()) {
      byType.computeIfAbsent(s.type(), t -> new ArrayList<>()).add(s);
    }
    Set<String> plannedContainers = new HashSet<>();
    byType.getOrDefault(ResourceType.CONTAINER, List.of()).forEach(s -> plannedContainers.add(s.id()));
    Future<Void> chain = Future.succeededFuture();
    int[] removed = {0};
    for (ResourceType type : SWEEP_ORDER) {
      if (!policy.enabled(type)) {
        continue;
      }
      List<PlanStep> steps = byType.getOrDefault(type, List.of());
      chain = chain.compose(v -> {
        Instant started = clock.instant();
        Future<TypeResult> typeDone;
        Reason stop = steps.isEmpty() ? null : stopReason(record, stopRequested, deadline, removed[0], budget);
        if (stop != null) {
          List<ItemResult> skipped = steps.stream().map(s -> new ItemResult(s, ItemOutcome.SKIPPED, stop, null)).toList();
          typeDone = Future.succeededFuture(new TypeResult(type, skipped, 0, "none", null, Duration.ZERO));
        } else if (dryRun) {
          typeDone = Future.succeededFuture(new TypeResult(type, steps.stream().map(this::wouldRemove).toList(),
              steps.stream().mapToLong(PlanStep::estimatedBytes).sum(), "dry-run", null, Duration.ZERO));
        } else if (usePruneCalls && !steps.isEmpty() && pruneEquivalent(type, steps, inventory, policy, now,
            plannedContainers)) {
          typeDone = pruneType(record, type, steps, policy, now, deadline);
        } else {
          typeDone = perObject(record, type, steps, budget, deadline, stopRequested, removed);
        }
        return typeDone.map(result -> {
          TypeResult timed = new TypeResult(result.type(), result.items(), result.reportedBytes(), result.method(),
              result.operationError(), Duration.between(started, clock.instant()));
          for (ItemResult i : timed.items()) {
            record.add(i);
            if (i.outcome() == ItemOutcome.REMOVED) {
              removed[0]++;
            }
          }
          if (!dryRun) {
            record.reported(Math.max(0, timed.reportedBytes()));
          }
          if (timed.operationError() != null) {
            record.error(type.label() + ": " + timed.operationError());
          }
          onType.accept(timed);
          return (Void) null;
        });
      });
    }
    return chain.map(v -> record).otherwise(err -> {
      record.error(String.valueOf(err.getMessage()));
      return record;
    }).onComplete(r -> deadline.cancel());
  }

  private static boolean pruneEquivalent(ResourceType type, List<PlanStep> steps, Inventory inventory,
      PlanPolicy policy, Instant now, Set<String> plannedContainers) {
    if (!(policy.labelFilter() instanceof DaemonLabelFilters)) {
      return false; // a predicate the daemon cannot be told: a prune call would ignore it
    }
    Set<String> planned = new HashSet<>();
    steps.forEach(s -> planned.add(s.id()));
    Set<String> model = switch (type) {
      case IMAGE -> {
        Set<String> remaining = new HashSet<>();
        inventory.containers().forEach(c -> {
          if (!plannedContainers.contains(c.id())) {
            remaining.add(c.id());
          }
        });
        yield PruneModel.images(inventory, policy, now, remaining);
      }
      case NETWORK -> PruneModel.networks(inventory, policy, now);
      case BUILD_CACHE -> PruneModel.buildCache(inventory, policy, now);
      default -> null; // containers and volumes: always per object (exact set, faster, volume rules)
    };
    return planned.equals(model);
  }

  /** One prune call for a type whose planned set is exactly what it removes. */
  private Future<TypeResult> pruneType(RunRecord record, ResourceType type, List<PlanStep> steps, PlanPolicy policy,
      Instant now, Deadline deadline) {
    for (PlanStep s : steps) {
      auditIntent(record, s, "prune");
    }
    Optional<Instant> until = PruneModel.pruneUntil(policy, now);
    Filters labels = Filters.NONE;
    for (String[] kv : labelFilters(policy)) {
      labels = labels.with(kv[0], kv[1]);
    }
    Filters filters = labels;
    Future<PruneReport> call = switch (type) {
      case IMAGE -> docker.pruneImages(withUntil(filters, until).with("dangling", policy.imagesAll() ? "false" : "true"));
      case NETWORK -> docker.pruneNetworks(withUntil(filters, until));
      case BUILD_CACHE -> {
        // BuildKit reads `until` as a duration (keep records used more recently than this); no labels
        Filters f = until.map(u -> Filters.NONE.with("until", Math.max(0, Duration.between(u, now).toSeconds()) + "s"))
            .orElse(Filters.NONE);
        yield docker.pruneBuildCache(f, policy.buildCacheAll());
      }
      default -> Future.failedFuture(new IllegalStateException("no prune call for " + type));
    };
    return call.map(report -> {
      Set<String> deleted = new HashSet<>(report.deleted());
      Set<String> untagged = new HashSet<>(report.untagged());
      List<ItemResult> items = new ArrayList<>();
      for (PlanStep s : steps) {
        boolean gone = deleted.contains(s.id()) || deleted.contains(s.name()) || untagged.contains(s.name());
        ItemResult r = gone ? new ItemResult(s, ItemOutcome.REMOVED, null, null)
            : new ItemResult(s, ItemOutcome.SKIPPED, Reason.CONFLICT, "the daemon's prune left it (in use or changed)");
        items.add(r);
        logItem(r);
        auditOutcome(record, r, gone ? s.estimatedBytes() : 0);
      }
      Set<String> plannedIds = new HashSet<>();
      steps.forEach(s -> {
        plannedIds.add(s.id());
        plannedIds.add(s.name());
      });
      for (String extra : report.deleted()) {
        if (!plannedIds.contains(extra) && type != ResourceType.IMAGE && log != null) {
          // only possible when an object became eligible between listing and the call (no age filter)
          log.warn(type.operation(), "The daemon's prune also removed " + shortId(extra) + ", which was not listed",
              fields("id", extra));
        }
      }
      long bytes = type == ResourceType.NETWORK ? 0 : report.spaceReclaimedBytes();
      return new TypeResult(type, items, bytes, "prune", null, Duration.ZERO);
    }).recover(err -> {
      String message = err instanceof DockerException de ? de.getMessage() : String.valueOf(err);
      List<ItemResult> items = new ArrayList<>();
      for (PlanStep s : steps) {
        ItemResult r = new ItemResult(s, ItemOutcome.FAILED, null, message);
        items.add(r);
        auditOutcome(record, r, 0);
      }
      return Future.succeededFuture(new TypeResult(type, items, 0, "prune", message, Duration.ZERO));
    });
  }

  private static Filters withUntil(Filters f, Optional<Instant> until) {
    return until.map(u -> f.with("until", PruneModel.daemonUntil(u))).orElse(f);
  }

  /** The label filters of the policy in the daemon's form, when the policy carries them. */
  private static List<String[]> labelFilters(PlanPolicy policy) {
    return policy.labelFilter() instanceof DaemonLabelFilters d ? d.daemonFilters() : List.of();
  }

  /**
   * Per object, with adaptive concurrency (at most {@code budget.concurrency()} in flight); images
   * retry parents refused for their children.
   */
  private Future<TypeResult> perObject(RunRecord record, ResourceType type, List<PlanStep> steps, Budget budget,
      Deadline deadline, BooleanSupplier stopRequested, int[] removedBefore) {
    Map<String, ItemResult> results = Collections.synchronizedMap(new HashMap<>());
    int[] removedHere = {0};
    AdaptiveConcurrency limiter = AdaptiveConcurrency.upTo(Math.max(1, budget.concurrency()));
    Function<List<PlanStep>, Future<Void>> round = todo -> adaptiveLanes(todo, limiter, step -> {
      Reason stop = stopReason(record, stopRequested, deadline, removedBefore[0] + removedHere[0], budget);
      if (stop != null) {
        results.put(step.id(), new ItemResult(step, ItemOutcome.SKIPPED, stop, null));
        return Future.succeededFuture();
      }
      return delete(record, step, deadline).map(r -> {
        synchronized (removedHere) {
          if (r.outcome() == ItemOutcome.REMOVED) {
            removedHere[0]++;
          }
        }
        results.put(step.id(), r);
        return r;
      });
    });
    Future<Void> all = round.apply(steps);
    if (type == ResourceType.IMAGE) {
      all = all.compose(v -> retryParents(steps, results, round, MAX_CHILD_RETRY_ROUNDS));
    }
    return all.map(v -> {
      if (log != null && !steps.isEmpty()) {
        logLimiter(log, type, limiter);
      }
      List<ItemResult> items = new ArrayList<>();
      long bytes = 0;
      for (PlanStep s : steps) {
        ItemResult r = results.get(s.id());
        if (r == null) {
          r = new ItemResult(s, ItemOutcome.FAILED, null, "not attempted");
        }
        if (r.outcome() == ItemOutcome.REMOVED) {
          bytes += s.estimatedBytes();
        }
        items.add(r);
      }
      return new TypeResult(type, items, bytes, "per-object", null, Duration.ZERO);
    });
  }

  /**
   * Parents deleted in parallel with their children are refused (409 "has dependent child
   * images"); once the children are gone they go. Retried while a round makes progress.
   */
  private Future<Void> retryParents(List<PlanStep> steps, Map<String, ItemResult> results,
      Function<List<PlanStep>, Future<Void>> round, int roundsLeft) {
    List<PlanStep> refused = steps.stream().filter(s -> {
      ItemResult r = results.get(s.id());
      return r != null && refusedForChild(r);
    }).toList();
    if (refused.isEmpty() || roundsLeft == 0) {
      return Future.succeededFuture();
    }
    long removedBefore = results.values().stream().filter(r -> r.outcome() == ItemOutcome.REMOVED).count();
    return round.apply(refused).compose(v -> {
      long removedAfter = results.values().stream().filter(r -> r.outcome() == ItemOutcome.REMOVED).count();
      return removedAfter > removedBefore ? retryParents(steps, results, round, roundsLeft - 1) : Future.succeededFuture();
    });
  }

  /**
   * Runs {@code action} over {@code items} in order with at most {@code limiter.limit()} in flight
   * (read again after every completion); never fails. An action's result feeds the limiter: a
   * removal its latency, a failure an overload signal; null (nothing attempted) nothing.
   */
  static <T> Future<Void> adaptiveLanes(List<T> items, AdaptiveConcurrency limiter,
      Function<T, Future<ItemResult>> action) {
    Promise<Void> done = Promise.promise();
    new Object() {
      int next;
      int inFlight;
      final Trampoline trampoline = new Trampoline();

      synchronized void pump() {
        trampoline.run(() -> {
          while (next < items.size() && inFlight < limiter.limit()) {
            start(items.get(next++));
          }
        });
        if (next >= items.size() && inFlight == 0) {
          done.tryComplete();
        }
      }

      void start(T item) {
        inFlight++;
        long generation = limiter.generation();
        long startedNanos = System.nanoTime();
        Future<ItemResult> f;
        try {
          f = action.apply(item);
        } catch (RuntimeException e) {
          f = Future.failedFuture(e);
        }
        f.onComplete(ar -> {
          long latencyNanos = System.nanoTime() - startedNanos;
          synchronized (this) {
            inFlight--;
            if (ar.succeeded() && ar.result() != null) {
              feedback(limiter, generation, latencyNanos, ar.result());
            }
          }
          pump();
        });
      }
    }.pump();
    return done.future();
  }

  // ---- one deletion --------------------------------------------------------------------------

  private ItemResult wouldRemove(PlanStep step) {
    ItemResult r = new ItemResult(step, ItemOutcome.WOULD_REMOVE, Reason.DRY_RUN, null);
    logItem(r);
    return r;
  }

  /** Deletes one object; the Future always succeeds with the item's outcome. */
  private Future<ItemResult> delete(RunRecord record, PlanStep step, Deadline deadline) {
    auditIntent(record, step, "delete");
    Future<Long> deletion;
    try {
      deletion = switch (step.type()) {
        case CONTAINER -> docker.removeContainer(step.id(), false, false).map(v -> step.estimatedBytes());
        case IMAGE -> removeImage(step).map(v -> step.estimatedBytes());
        case VOLUME -> docker.removeVolume(step.id()).map(v -> step.estimatedBytes());
        case NETWORK -> docker.removeNetwork(step.id()).map(v -> 0L);
        case BUILD_CACHE -> removeBuildCache(step);
      };
    } catch (RuntimeException e) {
      deletion = Future.failedFuture(e);
    }
    return deadline.bound(deletion).map(bytes -> {
      ItemResult r = new ItemResult(step, ItemOutcome.REMOVED, null, null);
      logItem(r);
      auditOutcome(record, r, bytes);
      return r;
    }).otherwise(err -> {
      ItemResult r = classify(step, err);
      logItem(r);
      auditOutcome(record, r, 0);
      return r;
    });
  }

  private void auditIntent(RunRecord record, PlanStep step, String method) {
    record.started(step); // live progress: the dashboard shows what is being deleted now
    try {
      audit.intent(record, step, method);
    } catch (RuntimeException e) {
      record.auditFailed(e.getMessage());
    }
  }

  /** The DEBUG line that says how a type's deletions were paced (both delete paths write it). */
  private static void logLimiter(RunLog log, ResourceType type, AdaptiveConcurrency limiter) {
    log.debug(type.operation(), "Deleted " + type.label().replace('_', ' ') + "s with adaptive concurrency: "
        + limiter, fields("peak_concurrency", limiter.peakLimit(), "final_concurrency", limiter.limit(),
            "max_concurrency", limiter.maxLimit(), "knee_concurrency", limiter.kneeLimit()));
  }

  private void auditOutcome(RunRecord record, ItemResult r, long bytes) {
    try {
      audit.append(record, r, bytes);
    } catch (RuntimeException e) {
      record.auditFailed(e.getMessage());
    }
  }

  private void logItem(ItemResult r) {
    if (log == null) {
      return;
    }
    PlanStep s = r.step();
    String what = s.type().label().replace('_', ' ');
    String size = s.estimatedBytes() > 0 ? ", " + Bytes.human(s.estimatedBytes()) : "";
    Map<String, Object> f = fields("type", s.type().label(), "id", s.id(), "name", s.name(),
        "size_bytes", s.estimatedBytes(), "reason", r.skipReason() != null ? r.skipReason().label() : s.reason().label(),
        "dry_run", r.outcome() == ItemOutcome.WOULD_REMOVE);
    switch (r.outcome()) {
      // a dry run lists every item at INFO: that listing is its purpose
      case WOULD_REMOVE -> log.info(s.type().operation(), "Would remove " + what + " " + shortId(s.id()) + " ("
          + s.name() + size + "): " + s.rule(), f);
      case REMOVED -> log.debug(s.type().operation(), "Removed " + what + " " + s.id() + " (" + s.name() + size + ")", f);
      case SKIPPED -> log.warn(s.type().operation(), "Skipped " + what + " " + s.name() + ": "
          + (r.error() != null ? r.error() : r.skipReason().label()), f);
      case FAILED -> {
        f.put("error", r.error());
        log.error(s.type().operation(), "Failed to remove " + what + " " + s.name() + ": " + r.error(), f);
      }
    }
  }

  /** Docker ids shortened to 12 hex digits as the CLI shows them; names unchanged. */
  public static String shortId(String id) {
    String hex = id.startsWith("sha256:") ? id.substring(7) : id;
    return hex.length() > 12 && hex.matches("[0-9a-f]+") ? hex.substring(0, 12) : hex;
  }

  /**
   * Removes an image without force: by id when untagged, else tag by tag, so the daemon refuses
   * (409) when a container started using it since the plan was made. Always with {@code
   * noprune}: by default the daemon also deletes the image's untagged parents, which no plan
   * listed and which a label may protect; left alone, such a parent becomes a dangling image
   * that a later plan judges on its own.
   */
  private Future<Void> removeImage(PlanStep step) {
    return docker.removeImage(step.id(), false, true).<Void>mapEmpty().recover(err -> {
      if (err instanceof DockerException de && de.isConflict()
          && de.daemonMessage().contains("referenced in multiple repositories")) {
        return docker.inspectImage(step.id()).compose(img -> {
          Future<Void> chain = Future.succeededFuture();
          for (String tag : img.repoTags()) {
            chain = chain.compose(v -> docker.removeImage(tag, false, true).mapEmpty());
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

  /**
   * The run's deadline. On a Vert.x context it also bounds deletions in flight: when it passes,
   * they are given up (reported failed: the daemon may still complete them) so a hung daemon
   * cannot hold the run.
   */
  private static final class Deadline {
    final Instant at;
    final Duration maxDuration;
    final Context context = Vertx.currentContext();
    final Promise<Void> passed = Promise.promise();
    long timer = -1;

    Deadline(Clock clock, Duration maxDuration) {
      this.at = clock.instant().plus(maxDuration);
      this.maxDuration = maxDuration;
      if (context != null) {
        long delay = Math.max(1, maxDuration.toMillis());
        if (maxDuration.compareTo(Duration.ofDays(2)) < 0) {
          timer = context.owner().setTimer(delay, t -> passed.tryComplete());
        }
      }
    }

    boolean passed(Clock clock) {
      return passed.future().isComplete() || !clock.instant().isBefore(at);
    }

    <T> Future<T> bound(Future<T> f) {
      if (context == null) {
        return f;
      }
      Promise<T> p = Promise.promise();
      f.onComplete(ar -> { if (ar.succeeded()) { p.tryComplete(ar.result()); } else { p.tryFail(ar.cause()); } });
      passed.future().onComplete(v -> p.tryFail(new DockerException("DELETE", 0, DockerException.Kind.TIMEOUT,
          "no answer before MAX_RUN_DURATION (" + maxDuration + ") ended the run; the daemon may still complete it")));
      return p.future();
    }

    void cancel() {
      if (timer >= 0) {
        context.owner().cancelTimer(timer);
      }
    }
  }
}
