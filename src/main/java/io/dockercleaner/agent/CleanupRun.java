package io.dockercleaner.agent;

import static io.dockercleaner.log.RunLog.fields;

import io.dockercleaner.agent.watch.DiskSample;
import io.dockercleaner.agent.watch.SwarmTaskMemory;
import io.dockercleaner.agent.watch.UsageState;
import io.dockercleaner.config.Settings;
import io.dockercleaner.core.Bytes;
import io.dockercleaner.core.ItemOutcome;
import io.dockercleaner.core.Reason;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.core.RunOutcome;
import io.dockercleaner.docker.DockerClient;
import io.dockercleaner.docker.model.ContainerSummary;
import io.dockercleaner.exec.Executor;
import io.dockercleaner.exec.InventoryLoader;
import io.dockercleaner.exec.ItemResult;
import io.dockercleaner.exec.RunRecord;
import io.dockercleaner.log.RunLog;
import io.dockercleaner.plan.Inventory;
import io.dockercleaner.plan.Plan;
import io.dockercleaner.plan.PlanPolicy;
import io.dockercleaner.plan.PlanStep;
import io.dockercleaner.plan.Planner;
import io.dockercleaner.plan.PolicyFromSettings;
import io.dockercleaner.plan.UsageHistory;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One cleanup run of the agent, whatever fired it: reads the inventory, asks the one planner
 * (a sweep for the schedule and the start run, a targeted plan for thresholds and HTTP, the stored
 * plan re-checked for a plan apply) with the one policy of the configuration, hands the plan to
 * the executor and fills the run record. Never deletes anything itself.
 */
final class CleanupRun {
  private final Agent agent;
  private final Settings settings;
  private final DockerClient docker;
  private final Clock clock;
  private final RunLog log;
  private final Executor executor;

  CleanupRun(Agent agent, Executor executor) {
    this.agent = agent;
    this.settings = agent.settings();
    this.docker = agent.docker();
    this.clock = agent.clock();
    this.log = agent.log();
    this.executor = executor;
  }

  /** Runs; the Future fails only on an unexpected error (the caller then marks the run failed). */
  Future<RunRecord> run(RunRecord record, TriggerRequest req) {
    return req.fullSequence() ? sweep(record, req) : budgeted(record, req);
  }

  /** The policy of the configuration for this agent, restricted to {@code requested} types. */
  PlanPolicy policy(Set<ResourceType> requested, boolean critical, int maxDeletions) {
    PlanPolicy.Builder b = PolicyFromSettings.builder(settings, docker.capabilities().buildCachePrune(), agent.startedAt())
        .critical(critical).maxDeletions(Math.max(1, maxDeletions));
    PlanPolicy base = b.build();
    if (requested.isEmpty()) {
      return base;
    }
    Set<ResourceType> enabled = EnumSet.noneOf(ResourceType.class);
    enabled.addAll(base.enabledTypes());
    enabled.retainAll(requested);
    return b.enabledTypes(enabled).build();
  }

  // ---- sweeps: schedule and start ----------------------------------------------------------------

  /** The scheduled / start run: every eligible object with the configured filters, no byte target. */
  private Future<RunRecord> sweep(RunRecord record, TriggerRequest req) {
    return agent.sampleOrNull().compose(before -> {
      if (before != null) {
        record.diskBefore(before.usedBytes(), before.usedRatio());
      }
      boolean critical = before != null && before.usedRatio() >= agent.runtimeSettings().values().diskCritical();
      PlanPolicy policy = policy(req.types(), critical, Integer.MAX_VALUE);
      Duration maxDuration = req.maxDuration().orElse(settings.maxRunDuration());
      return listing(policy.enabled(ResourceType.NETWORK), maxDuration).compose(listed -> {
        Plan plan = Planner.sweep(listed.inventory(), agent.history(critical), policy, listed.now());
        record.planned(plan.steps(), plan.estimatedBytes(), null);
        Executor.Budget budget = new Executor.Budget(maxDuration, Integer.MAX_VALUE, settings.deleteConcurrency());
        return executor.sweep(record, plan, listed.inventory(), policy, listed.now(), budget, record.dryRun(),
            !docker.capabilities().podman(), agent::stopping, this::logType);
      }).compose(r -> agent.sampleOrNull().map(after -> {
        if (after != null) {
          record.diskAfter(after.usedBytes(), after.usedRatio());
        }
        record.finish(clock.instant(), outcome(record, false, true));
        return record;
      }));
    });
  }

  /** What a run plans from, and the instant it was listed at. */
  private record Listing(Inventory inventory, Instant now) {}

  /**
   * The one listing of every agent run and plan: {@code /system/df} (also kept for status and the
   * usage limits), then the inventory, both bounded by the run's deadline.
   */
  private Future<Listing> listing(boolean withNetworks, Duration maxDuration) {
    return withinRunDeadline(docker.systemDf().compose(df -> {
      agent.dfRefreshed(df);
      Instant now = clock.instant();
      return InventoryLoader.load(docker, df, withNetworks, now, swarmTaskRecall())
          .map(inventory -> new Listing(inventory, now));
    }), maxDuration);
  }

  /**
   * The agent's memory of the swarm tasks that ran on this node (its usage state, saved with it):
   * on a worker their images stay protected for SWARM_TASK_IMAGE_RETENTION after a task was last
   * seen here; a manager's service list drops the services that no longer exist.
   */
  private InventoryLoader.SwarmTaskRecall swarmTaskRecall() {
    UsageState state = agent.state();
    Duration retention = settings.swarmTaskImageRetention();
    return new InventoryLoader.SwarmTaskRecall() {
      @Override
      public void seen(List<ContainerSummary> containers, Instant now) {
        state.recordSwarmTasks(containers, now);
      }

      @Override
      public void servicesListed(Set<String> serviceIds, Instant now) {
        state.retainSwarmServices(serviceIds);
        state.swarmTasksWithin(retention, now); // forgets what is older, as on a worker
      }

      @Override
      public Map<String, String> remembered(Instant now) {
        Map<String, String> refs = new java.util.LinkedHashMap<>();
        for (SwarmTaskMemory.Entry e : state.swarmTasksWithin(retention, now)) {
          for (String ref : e.references()) {
            refs.putIfAbsent(ref, e.evidence()); // most recently seen first
          }
        }
        return refs;
      }
    };
  }

  /**
   * The listing before a run, bounded by the run's MAX_RUN_DURATION: a daemon that answers nothing
   * (frozen) would otherwise hold the run for the client's request timeout, far past its deadline.
   * The executor's deadline covers the deletions that follow.
   */
  private static <T> Future<T> withinRunDeadline(Future<T> listing, Duration maxDuration) {
    Context context = Vertx.currentContext();
    if (context == null || maxDuration.compareTo(Duration.ofDays(2)) >= 0) {
      return listing;
    }
    Promise<T> bounded = Promise.promise();
    long timer = context.owner().setTimer(Math.max(1, maxDuration.toMillis()), t -> bounded.tryFail(
        "the Docker daemon did not answer the listing before MAX_RUN_DURATION (" + maxDuration
            + ") ended the run; nothing was deleted"));
    listing.onComplete(ar -> {
      context.owner().cancelTimer(timer);
      if (ar.succeeded()) {
        bounded.tryComplete(ar.result());
      } else {
        bounded.tryFail(ar.cause());
      }
    });
    return bounded.future();
  }

  private void logType(Executor.TypeResult t) {
    long done = t.items().stream().filter(i -> i.outcome() == ItemOutcome.REMOVED || i.outcome() == ItemOutcome.WOULD_REMOVE).count();
    if (t.items().isEmpty()) {
      return;
    }
    boolean dry = t.items().stream().anyMatch(i -> i.outcome() == ItemOutcome.WOULD_REMOVE);
    log.info(t.type().operation(), (dry ? "Would remove " : "Removed ") + done + " of " + t.items().size() + " planned "
        + t.type().label().replace('_', ' ') + (t.items().size() == 1 ? "" : "s")
        + (t.type() == ResourceType.NETWORK ? "" : " (" + Bytes.human(t.reportedBytes()) + ")"),
        fields("count", done, "space_freed_bytes", t.reportedBytes(), "method", t.method(), "dry_run", dry));
  }

  // ---- targeted: thresholds, HTTP, plan apply ------------------------------------------------------

  private Future<RunRecord> budgeted(RunRecord record, TriggerRequest req) {
    return agent.sampleOrNull().compose(sampleBefore -> {
      if (sampleBefore != null) {
        record.diskBefore(sampleBefore.usedBytes(), sampleBefore.usedRatio());
      }
      boolean critical = sampleBefore != null && sampleBefore.usedRatio() >= agent.runtimeSettings().values().diskCritical();
      return listing(false, req.maxDuration().orElse(settings.maxRunDuration())).compose(listed -> {
        Instant now = listed.now();
        Inventory inventory = listed.inventory();
        List<PlanStep> steps;
        Plan plan;
        if (req.planId().isPresent()) {
          Plan stored = agent.plans().get(req.planId().get()).orElse(null);
          if (stored == null) {
            return Future.failedFuture(new IllegalArgumentException("unknown plan " + req.planId().get()));
          }
          // re-check every item against a fresh, unlimited plan: only still-eligible items go
          Plan fresh = Planner.plan(inventory, agent.history(critical), policy(Set.of(), critical,
              PlanPolicy.UNLIMITED_DELETIONS), now, Planner.UNLIMITED);
          Set<String> eligible = new HashSet<>();
          fresh.steps().forEach(s -> eligible.add(s.type() + "/" + s.id()));
          Map<String, Reason> skipReasons = new HashMap<>();
          fresh.skipped().forEach(s -> skipReasons.put(s.type() + "/" + s.id(), s.reason()));
          steps = new ArrayList<>();
          for (PlanStep s : stored.steps()) {
            if (eligible.contains(s.type() + "/" + s.id())) {
              steps.add(s);
            } else {
              record.add(new ItemResult(s, ItemOutcome.SKIPPED,
                  skipReasons.getOrDefault(s.type() + "/" + s.id(), Reason.NOT_FOUND), "no longer eligible"));
            }
          }
          plan = stored;
          record.planned(stored.steps(), stored.estimatedBytes(), req.planId().get());
        } else {
          // a threshold request may be a queued follow-up carrying an old sample's bytes: the disk
          // as measured now decides (0 when already under the low watermark)
          long target = req.trigger().equals("threshold") && sampleBefore != null
              ? Math.min(record.targetBytes(), agent.bytesAboveLowWatermark(sampleBefore)) : record.targetBytes();
          plan = Planner.plan(inventory, agent.history(critical),
              policy(req.types(), critical, settings.maxDeletionsPerRun()), now, target);
          steps = plan.steps();
          record.planned(plan.steps(), plan.estimatedBytes(), null);
        }
        if (steps.isEmpty()) {
          record.finish(clock.instant(), RunOutcome.NOTHING_RECLAIMABLE);
          return Future.succeededFuture(record);
        }
        Duration maxDuration = req.maxDuration().orElse(settings.maxRunDuration());
        Executor.Budget budget = new Executor.Budget(maxDuration, settings.maxDeletionsPerRun(),
            settings.deleteConcurrency());
        boolean[] reached = {false};
        Supplier<Future<Boolean>> measure = targetCheck(req, record, sampleBefore, reached);
        return executor.execute(record, steps, budget, record.dryRun(), measure, agent::stopping)
            .compose(r -> agent.sampleOrNull().map(after -> {
              if (after != null) {
                record.diskAfter(after.usedBytes(), after.usedRatio());
                if (!reached[0] && req.trigger().equals("threshold")) {
                  reached[0] = after.usedRatio() <= agent.runtimeSettings().values().diskLow();
                }
              }
              boolean measured = req.trigger().equals("threshold") || req.trigger().equals("inode_threshold");
              boolean covered = measured ? reached[0]
                  : record.targetBytes() == Planner.UNLIMITED || plan.targetCovered() || reached[0];
              record.finish(clock.instant(), outcome(record, !covered, false));
              return record;
            }));
      });
    });
  }

  /**
   * The mid-run measurement, or null when no measurement could end the run early: without a disk
   * sample, and for triggers other than the watermarks unless an HTTP request named a byte target.
   */
  private Supplier<Future<Boolean>> targetCheck(TriggerRequest req, RunRecord record, DiskSample before,
      boolean[] reached) {
    boolean watermark = req.trigger().equals("threshold") || req.trigger().equals("inode_threshold");
    boolean httpTarget = req.trigger().equals("http") && record.targetBytes() != Planner.UNLIMITED;
    if (agent.disk() == null || before == null || !(watermark || httpTarget)) {
      return null;
    }
    return () -> agent.disk().sample(req.trigger().equals("inode_threshold")).map(s -> {
      boolean done;
      switch (req.trigger()) {
        case "threshold" -> done = s.usedRatio() <= agent.runtimeSettings().values().diskLow();
        case "inode_threshold" -> done = s.hasInodes() && s.inodeUsedRatio() <= agent.runtimeSettings().values().inodeLow();
        default -> done = record.targetBytes() != Planner.UNLIMITED && req.trigger().equals("http")
            && before.usedBytes() - s.usedBytes() >= record.targetBytes();
      }
      reached[0] = reached[0] || done;
      return done;
    }).otherwise(false);
  }

  /**
   * The run's outcome in the shared vocabulary. Failed items, an audit that could not be written
   * and a run cut by its deadline or by shutdown make it partial (or failed when nothing went).
   */
  static RunOutcome outcome(RunRecord record, boolean targetMissed, boolean sweep) {
    long removed = record.count(ItemOutcome.REMOVED) + record.count(ItemOutcome.WOULD_REMOVE);
    long failed = record.count(ItemOutcome.FAILED);
    boolean cut = record.items().stream().anyMatch(i -> i.outcome() == ItemOutcome.SKIPPED
        && (i.skipReason() == Reason.SHUTDOWN || i.skipReason() == Reason.DEADLINE));
    if (failed > 0) {
      return removed == 0 ? RunOutcome.FAILED : RunOutcome.PARTIAL;
    }
    if (record.auditFailures() > 0 && removed > 0) {
      return RunOutcome.PARTIAL; // deletions happened that the audit trail does not show
    }
    if (removed == 0) {
      return cut ? RunOutcome.PARTIAL : RunOutcome.NOTHING_RECLAIMABLE;
    }
    if (cut) {
      return RunOutcome.PARTIAL;
    }
    if (targetMissed && !record.dryRun()) {
      return RunOutcome.TARGET_NOT_REACHED;
    }
    return RunOutcome.SUCCEEDED;
  }

  /** A plan for the API: computed from a fresh inventory, nothing deleted. */
  /**
   * Recommendations from a fresh listing, the usage history (first sight at start hidden, as above
   * the critical watermark: ages then come from creation), the forecast and the disk.
   */
  Future<java.util.List<io.dockercleaner.recommend.Recommendation>> recommendations() {
    return agent.sampleOrNull().compose(sample -> listing(false, settings.maxRunDuration()).map(listed ->
        io.dockercleaner.recommend.Recommender.recommend(new io.dockercleaner.recommend.Recommender.Inputs(
            listed.inventory(), agent.history(true), true, settings,
            // critical: an image not seen in use since the start counts from its creation, as in history(true)
            () -> PolicyFromSettings.builder(settings, docker.capabilities().buildCachePrune(), agent.startedAt())
                .critical(true),
            java.util.Optional.of(agent.forecast()),
            sample == null ? java.util.OptionalLong.empty()
                : java.util.OptionalLong.of(sample.usedBytes() + sample.availableBytes()),
            listed.now()))));
  }

  Future<Plan> plan(java.util.OptionalLong targetBytes, Set<ResourceType> types) {
    return agent.sampleOrNull().compose(sample -> listing(false, settings.maxRunDuration()).map(listed -> {
      boolean critical = sample != null && sample.usedRatio() >= agent.runtimeSettings().values().diskCritical();
      UsageHistory history = agent.history(critical);
      return Planner.plan(listed.inventory(), history, policy(types, critical, settings.maxDeletionsPerRun()),
          listed.now(), targetBytes.isPresent() ? targetBytes.getAsLong() : Planner.UNLIMITED);
    }));
  }
}
