package io.dockercleaner.agent;

import static io.dockercleaner.log.RunLog.fields;

import io.dockercleaner.agent.watch.DiskMonitor;
import io.dockercleaner.agent.watch.DiskSample;
import io.dockercleaner.agent.watch.EventSupervisor;
import io.dockercleaner.agent.watch.EventSupervisorOptions;
import io.dockercleaner.agent.watch.UsageState;
import io.dockercleaner.config.LabelFilter;
import io.dockercleaner.config.Settings;
import io.dockercleaner.core.Bytes;
import io.dockercleaner.core.ItemOutcome;
import io.dockercleaner.core.Reason;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.core.RunOutcome;
import io.dockercleaner.docker.DockerClient;
import io.dockercleaner.docker.Filters;
import io.dockercleaner.docker.model.DiskUsage;
import io.dockercleaner.exec.AuditLog;
import io.dockercleaner.exec.Executor;
import io.dockercleaner.exec.ItemResult;
import io.dockercleaner.exec.RunRecord;
import io.dockercleaner.log.RunLog;
import io.dockercleaner.oneshot.Candidate;
import io.dockercleaner.oneshot.OneShotRun;
import io.dockercleaner.oneshot.OperationResult;
import io.dockercleaner.plan.Plan;
import io.dockercleaner.plan.PlanPolicy;
import io.dockercleaner.plan.PlanStep;
import io.dockercleaner.plan.Planner;
import io.dockercleaner.plan.UsageHistory;
import io.dockercleaner.schedule.CronExpression;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The long-running agent: follows the daemon's events (last use), watches the disk, and when a
 * threshold, the schedule or a request fires, frees just enough within a budget, most expendable
 * first. One run at a time; triggers arriving during a run coalesce into at most one follow-up.
 *
 * <p>Threading: everything but the read-only accessors runs on the agent's Vert.x context.
 */
public final class Agent {
  /** Run records kept in memory. */
  public static final int RECENT_RUNS = 100;
  /** Plans kept for {@code planId} requests. */
  public static final int RECENT_PLANS = 20;
  /** Targets under a limit leave this much headroom (fraction of the limit). */
  private static final double LIMIT_TARGET_RATIO = 0.9;
  private static final Duration MAX_TARGET_BACKOFF = Duration.ofHours(1);
  private static final Duration STATE_SAVE_INTERVAL = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final Settings settings;
  private final RunLog log;
  private final Clock clock;
  private final DockerClient docker;
  private final Instant startedAt;
  private UsageState state;
  private boolean hadHistoryAtStart;
  private Instant firstReconcileAt;
  private EventSupervisor events;
  private DiskMonitor disk;
  private Executor executor;
  private CronExpression schedule;
  private ZonedDateTime nextScheduled;
  private long scheduleTimer = -1;
  private long dfTimer = -1;
  private long saveTimer = -1;
  private volatile DiskUsage lastDf;
  private volatile Instant lastDfAt;

  // run coordination (agent context only)
  private RunRecord current;
  private TriggerRequest pending;
  private Promise<RunRecord> currentDone;
  private final Deque<RunRecord> recent = new ArrayDeque<>();
  private final Map<String, Plan> plans = new LinkedHashMap<>();
  private Instant lastThresholdRunEnd;
  private Duration thresholdBackoff;
  private volatile boolean stopping;
  // false until acceptRuns(): thresholds and the schedule start no run while the start-up may still fail
  private boolean acceptingRuns;
  private final List<Consumer<RunRecord>> runListeners = new ArrayList<>();
  private final List<Consumer<String>> thresholdListeners = new ArrayList<>();

  public Agent(Vertx vertx, Settings settings, RunLog log, Clock clock, DockerClient docker) {
    this.vertx = vertx;
    this.settings = settings;
    this.log = log;
    this.clock = clock;
    this.docker = docker;
    this.startedAt = clock.instant();
    this.thresholdBackoff = settings.minRunInterval();
  }

  /** Called after every run, on the agent context (metrics, notifications). */
  public Agent onRunFinished(Consumer<RunRecord> listener) {
    runListeners.add(listener);
    return this;
  }

  /** Called when a threshold trigger fires, with the trigger name. */
  public Agent onThresholdCrossed(Consumer<String> listener) {
    thresholdListeners.add(listener);
    return this;
  }

  public DockerClient docker() {
    return docker;
  }

  public EventSupervisor events() {
    return events;
  }

  public UsageState state() {
    return state;
  }

  public DiskMonitor disk() {
    return disk;
  }

  public Instant startedAt() {
    return startedAt;
  }

  public DiskUsage lastDiskUsage() {
    return lastDf;
  }

  public Optional<ZonedDateTime> nextScheduledRun() {
    return Optional.ofNullable(nextScheduled);
  }

  public boolean stopping() {
    return stopping;
  }

  // ---- start / stop --------------------------------------------------------------------------

  /** Starts watching; fails on invalid agent settings (SCHEDULE) or an unusable STATE_DIR. */
  public Future<Void> start() {
    try {
      schedule = settings.schedule().map(s -> CronExpression.parse("SCHEDULE", s)).orElse(null);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    Optional<Path> stateDir = settings.stateDir();
    if (stateDir.isPresent()) {
      try {
        Files.createDirectories(stateDir.get());
      } catch (IOException e) {
        return Future.failedFuture(new IllegalArgumentException("STATE_DIR: cannot create '" + stateDir.get()
            + "': " + e.getMessage()));
      }
      state = UsageState.load(stateDir.get(), clock.instant());
    } else {
      log.warn("INIT", "STATE_DIR is not set: last-use history lives in memory only and is lost on restart",
          fields());
      state = UsageState.inMemory();
    }
    hadHistoryAtStart = state.hadHistory();
    executor = new Executor(docker, clock, new AuditLog(stateDir.orElse(null), clock));
    events = new EventSupervisor(vertx, docker, EventSupervisorOptions.defaults(), this::reconcile);
    events.onEvent(state::observe);
    events.onStateChange(s -> {
      if (s.connected()) {
        log.info("EVENTS", "Event stream connected" + (s.reconnect() ? " again (resumed with since)" : ""), fields());
      } else if (!stopping) {
        log.warn("EVENTS", "Event stream lost: " + s.reason() + "; backing off, then reconciling and resubscribing",
            fields("error", s.reason()));
      }
    });
    return reconcile()
        .compose(v -> events.start(state.lastEventTimeNano()))
        .compose(v -> DiskMonitor.resolvePath(settings.diskPath(), docker).map(p -> {
          disk = new DiskMonitor(vertx, p, clock);
          return p;
        }).compose(p -> disk.sample()).map(sample -> {
          log.info("DISK", "Watching " + disk.path() + ": " + describe(sample), fields());
          disk.startPeriodic(settings.diskCheckInterval(), this::onDiskSample,
              err -> log.warn("DISK", "Cannot measure " + disk.path() + ": " + err.getMessage(), fields()));
          return (Void) null;
        }).recover(err -> {
          // a containerised agent may not see DockerRootDir: thresholds off, schedule and HTTP still work
          log.warn("DISK", "Disk thresholds are off: cannot measure the daemon's filesystem (" + err.getMessage()
              + "); mount it read-only and set DISK_PATH", fields());
          return Future.succeededFuture();
        }))
        .compose(v -> refreshDf())
        .map(v -> {
          dfTimer = vertx.setPeriodic(settings.dfInterval().toMillis(), t -> refreshDf());
          saveTimer = vertx.setPeriodic(STATE_SAVE_INTERVAL.toMillis(), t -> saveState());
          armSchedule(ZonedDateTime.now(clock));
          log.info("INIT", "Agent started (watermarks " + pct(settings.diskLowWatermarkRatio()) + "–"
              + pct(settings.diskHighWatermarkRatio()) + ", critical " + pct(settings.diskCriticalWatermarkRatio())
              + (schedule != null ? ", schedule " + schedule + ", next " + nextScheduled : "")
              + (settings.dryRun() ? ", DRY RUN: nothing will be deleted" : "") + ")", fields("dry_run", settings.dryRun()));
          return null;
        });
  }

  /**
   * Lets runs start, once everything around the agent (HTTP API, token, webhooks) is validated and
   * bound: a start-up that fails afterwards must have deleted nothing. Fires RUN_ON_START's run and
   * re-checks the thresholds seen while starting (they were held back until now). Call once, on the
   * agent's context, after {@link #start()} succeeded.
   */
  public void acceptRuns() {
    acceptingRuns = true;
    if (settings.runOnStart()) {
      request(TriggerRequest.fullSequence("start", settings.dryRun()));
    }
    if (disk != null && disk.lastSample() != null) {
      onDiskSample(disk.lastSample());
    }
    if (lastDf != null) {
      checkDockerLimits(lastDf);
    }
  }

  /**
   * Graceful stop: no new triggers, the deletions in flight finish (not the whole plan), state is
   * saved. Completes within about {@code maxWait}.
   */
  public Future<Void> stop(Duration maxWait) {
    stopping = true;
    pending = null;
    if (scheduleTimer >= 0) {
      vertx.cancelTimer(scheduleTimer);
    }
    if (dfTimer >= 0) {
      vertx.cancelTimer(dfTimer);
    }
    if (saveTimer >= 0) {
      vertx.cancelTimer(saveTimer);
    }
    if (disk != null) {
      disk.stop();
    }
    Promise<Void> waited = Promise.promise();
    Future<RunRecord> running = currentDone == null ? Future.succeededFuture() : currentDone.future();
    long timer = vertx.setTimer(Math.max(1, maxWait.toMillis()), t -> waited.tryComplete());
    running.onComplete(r -> {
      vertx.cancelTimer(timer);
      waited.tryComplete();
    });
    return waited.future()
        .compose(v -> events == null ? Future.succeededFuture() : events.stop().recover(e -> Future.succeededFuture()))
        .map(v -> {
          try {
            if (state != null) {
              state.saveNow();
            }
          } catch (IOException e) {
            log.error("STATE", "Cannot save state: " + e.getMessage(), fields("error", e.getMessage()));
          }
          return null;
        });
  }

  // ---- watching ------------------------------------------------------------------------------

  /** Full inventory → usage state (at start and after every event-stream loss). */
  private Future<Void> reconcile() {
    Instant now = clock.instant();
    return docker.listImages(Filters.NONE).compose(images -> docker.listContainers(true, false, Filters.NONE)
        .map(containers -> {
          state.reconcile(images, containers, now);
          if (firstReconcileAt == null) {
            firstReconcileAt = now;
          }
          return (Void) null;
        }));
  }

  private Future<Void> refreshDf() {
    return docker.systemDf().map(df -> {
      lastDf = df;
      lastDfAt = clock.instant();
      checkDockerLimits(df);
      return (Void) null;
    }).recover(err -> {
      log.warn("DISK", "GET /system/df failed: " + err.getMessage(), fields("error", err.getMessage()));
      return Future.succeededFuture();
    });
  }

  private void saveState() {
    if (state != null && state.changedSinceSave()) {
      state.save(vertx).onFailure(e -> log.warn("STATE", "Cannot save state: " + e.getMessage(), fields()));
    }
  }

  private void onDiskSample(DiskSample s) {
    boolean bytesHigh = s.usedRatio() >= settings.diskHighWatermarkRatio();
    boolean inodesHigh = s.hasInodes() && s.inodeUsedRatio() >= settings.inodeHighWatermarkRatio();
    if (!bytesHigh && !inodesHigh) {
      return;
    }
    // for bench/agent: when the crossing sample was taken (log timestamps have whole seconds only)
    log.debug("DISK", "Sample above the high watermark: " + describe(s),
        fields("sample_at", s.at().toString(), "used_ratio", s.usedRatio()));
    String trigger = bytesHigh ? "threshold" : "inode_threshold";
    OptionalLong bytes = bytesHigh ? OptionalLong.of(bytesAboveLowWatermark(s)) : OptionalLong.empty();
    thresholdRequest(trigger, bytes, Set.of());
  }

  private long bytesAboveLowWatermark(DiskSample s) {
    long base = s.usedBytes() + s.availableBytes();
    return Math.max(0, s.usedBytes() - (long) (settings.diskLowWatermarkRatio() * base));
  }

  private void checkDockerLimits(DiskUsage df) {
    OptionalLong limit = settings.dockerUsageLimitBytes();
    long total = dockerUsageBytes(df);
    if (limit.isPresent() && total > limit.getAsLong()) {
      thresholdRequest("docker_usage_limit",
          OptionalLong.of(total - (long) (limit.getAsLong() * LIMIT_TARGET_RATIO)), Set.of());
    }
    OptionalLong cacheLimit = settings.buildCacheLimitBytes();
    long cache = df.buildCacheBytes();
    if (cacheLimit.isPresent() && cache > cacheLimit.getAsLong()) {
      thresholdRequest("build_cache_limit",
          OptionalLong.of(cache - (long) (cacheLimit.getAsLong() * LIMIT_TARGET_RATIO)), Set.of(ResourceType.BUILD_CACHE));
    }
  }

  /** What Docker itself uses: layers + writable layers + volumes + unshared build cache. */
  public static long dockerUsageBytes(DiskUsage df) {
    return df.layersSizeBytes() + df.containersBytes() + df.volumesBytes() + df.buildCacheBytes();
  }

  private void thresholdRequest(String trigger, OptionalLong bytes, Set<ResourceType> types) {
    if (stopping || current != null || !acceptingRuns) {
      if (current != null && pending == null && !stopping) {
        pending = TriggerRequest.threshold(trigger, bytes, types, settings.dryRun());
      }
      return;
    }
    Instant now = clock.instant();
    // MIN_RUN_INTERVAL between threshold runs; longer after "target not reached" (no tight loops)
    if (lastThresholdRunEnd != null && now.isBefore(lastThresholdRunEnd.plus(thresholdBackoff))) {
      return;
    }
    thresholdListeners.forEach(l -> l.accept(trigger));
    log.warn("TRIGGER", trigger + " crossed" + (bytes.isPresent() ? ": " + Bytes.human(bytes.getAsLong()) + " to free" : ""),
        fields("trigger", trigger));
    request(TriggerRequest.threshold(trigger, bytes, types, settings.dryRun()));
  }

  private void armSchedule(ZonedDateTime after) {
    if (schedule == null || stopping) {
      return;
    }
    nextScheduled = schedule.next(after);
    long delay = Math.max(1, Duration.between(ZonedDateTime.now(clock), nextScheduled).toMillis());
    ZonedDateTime firing = nextScheduled;
    scheduleTimer = vertx.setTimer(delay, t -> {
      if (acceptingRuns) {
        request(TriggerRequest.fullSequence("schedule", settings.dryRun()));
      }
      // re-arm from the firing time, not "now", so one firing never counts twice
      armSchedule(firing);
    });
  }

  // ---- runs ----------------------------------------------------------------------------------

  /** The run in progress, or null. */
  public RunRecord currentRun() {
    return current;
  }

  public List<RunRecord> recentRuns() {
    synchronized (recent) {
      return List.copyOf(recent);
    }
  }

  public Optional<RunRecord> run(String id) {
    RunRecord c = current;
    if (c != null && c.id().equals(id)) {
      return Optional.of(c);
    }
    synchronized (recent) {
      return recent.stream().filter(r -> r.id().equals(id)).findFirst();
    }
  }

  /** Result of {@link #request}: the run that serves the request, and whether it was joined. */
  public record Ticket(RunRecord run, boolean joined, Future<RunRecord> done) {}

  /**
   * Starts a run, or joins the one in progress (the request then becomes the single follow-up,
   * merged with any earlier pending one).
   */
  public Ticket request(TriggerRequest req) {
    if (stopping) {
      throw new IllegalStateException("the agent is shutting down");
    }
    if (current != null) {
      pending = pending == null ? req : merge(pending, req);
      return new Ticket(current, true, currentDone.future());
    }
    return startRun(req);
  }

  private static TriggerRequest merge(TriggerRequest a, TriggerRequest b) {
    // the follow-up serves both: the bigger target, full sequence if either asked for it
    OptionalLong target = a.targetBytes().isPresent() && b.targetBytes().isPresent()
        ? OptionalLong.of(Math.max(a.targetBytes().getAsLong(), b.targetBytes().getAsLong()))
        : a.targetBytes().isPresent() ? a.targetBytes() : b.targetBytes();
    Set<ResourceType> types = a.types().isEmpty() || b.types().isEmpty() ? Set.of() : union(a.types(), b.types());
    return new TriggerRequest(b.trigger(), a.fullSequence() || b.fullSequence(), a.dryRun() && b.dryRun(), types,
        target, b.maxDuration().or(a::maxDuration), Optional.empty());
  }

  private static Set<ResourceType> union(Set<ResourceType> a, Set<ResourceType> b) {
    Set<ResourceType> s = EnumSet.noneOf(ResourceType.class);
    s.addAll(a);
    s.addAll(b);
    return s;
  }

  private Ticket startRun(TriggerRequest req) {
    String id = "r-" + UUID.randomUUID().toString().substring(0, 8);
    long target = req.targetBytes().isPresent() ? req.targetBytes().getAsLong() : Planner.UNLIMITED;
    RunRecord record = new RunRecord(id, req.trigger(), req.dryRun() || settings.dryRun(), clock.instant(), target);
    current = record;
    currentDone = Promise.promise();
    Promise<RunRecord> done = currentDone;
    log.info("RUN", "Run " + id + " started (trigger " + req.trigger() + (record.dryRun() ? ", dry run" : "")
        + (req.targetBytes().isPresent() ? ", target " + Bytes.human(target) : "") + ")",
        fields("run_id", id, "trigger", req.trigger(), "dry_run", record.dryRun()));
    Future<RunRecord> work;
    try {
      work = req.fullSequence() ? fullSequence(record) : budgeted(record, req);
    } catch (RuntimeException e) {
      work = Future.failedFuture(e);
    }
    work.recover(err -> {
      record.error(String.valueOf(err.getMessage()));
      record.finish(clock.instant(), RunOutcome.FAILED);
      return Future.succeededFuture(record);
    }).onComplete(r -> finished(record, req, done));
    return new Ticket(record, false, done.future());
  }

  private void finished(RunRecord record, TriggerRequest req, Promise<RunRecord> done) {
    if (record.outcome() == null) {
      record.finish(clock.instant(), RunOutcome.FAILED);
    }
    synchronized (recent) {
      recent.addFirst(record);
      while (recent.size() > RECENT_RUNS) {
        recent.removeLast();
      }
    }
    boolean thresholdRun = req.trigger().contains("threshold") || req.trigger().endsWith("_limit");
    if (!req.fullSequence() && thresholdRun) {
      lastThresholdRunEnd = clock.instant();
      thresholdBackoff = record.outcome() == RunOutcome.TARGET_NOT_REACHED
          ? min(thresholdBackoff.multipliedBy(2), MAX_TARGET_BACKOFF) : settings.minRunInterval();
    }
    log.info("RUN", "Run " + record.id() + " " + record.outcome().label() + ": removed "
        + record.count(ItemOutcome.REMOVED) + (record.dryRun() ? " (dry run: would remove " + record.count(ItemOutcome.WOULD_REMOVE) + ")" : "")
        + ", skipped " + record.count(ItemOutcome.SKIPPED) + ", failed " + record.count(ItemOutcome.FAILED)
        + "; " + Bytes.human(record.reportedBytes()) + " reported"
        + (record.measuredFreedBytes() >= 0 ? ", " + Bytes.human(record.measuredFreedBytes()) + " measured" : ""),
        fields("run_id", record.id(), "outcome", record.outcome().label(), "space_freed_bytes", record.reportedBytes(),
            "dry_run", record.dryRun()));
    for (Consumer<RunRecord> l : runListeners) {
      try {
        l.accept(record);
      } catch (RuntimeException e) {
        log.warn("RUN", "run listener failed: " + e, fields());
      }
    }
    current = null;
    currentDone = null;
    done.complete(record);
    refreshDf();
    saveState();
    if (pending != null && !stopping) {
      TriggerRequest next = pending;
      pending = null;
      startRun(next);
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** The budgeted run: inventory → pure plan → executor. */
  private Future<RunRecord> budgeted(RunRecord record, TriggerRequest req) {
    Future<DiskSample> before = sampleOrNull();
    return before.compose(sampleBefore -> {
      if (sampleBefore != null) {
        record.diskBefore(sampleBefore.usedBytes(), sampleBefore.usedRatio());
      }
      boolean critical = sampleBefore != null && sampleBefore.usedRatio() >= settings.diskCriticalWatermarkRatio();
      return docker.systemDf().compose(df -> {
        lastDf = df;
        lastDfAt = clock.instant();
        Instant now = clock.instant();
        List<PlanStep> steps;
        Plan plan;
        if (req.planId().isPresent()) {
          Plan stored;
          synchronized (plans) {
            stored = plans.get(req.planId().get());
          }
          if (stored == null) {
            return Future.failedFuture(new IllegalArgumentException("unknown plan " + req.planId().get()));
          }
          // re-check every item against a fresh, unlimited plan: only still-eligible items go
          Plan fresh = Planner.plan(InventoryLoader.fromDiskUsage(df), history(critical), policy(Set.of(), critical,
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
          // a threshold request may be a coalesced follow-up carrying an old sample's bytes: the
          // disk as measured now decides (0 when already under the low watermark)
          long target = req.trigger().equals("threshold") && sampleBefore != null
              ? Math.min(record.targetBytes(), bytesAboveLowWatermark(sampleBefore)) : record.targetBytes();
          plan = Planner.plan(InventoryLoader.fromDiskUsage(df), history(critical),
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
        return executor.execute(record, steps, budget, record.dryRun(), measure, () -> stopping)
            .compose(r -> sampleOrNull().map(after -> {
              if (after != null) {
                record.diskAfter(after.usedBytes(), after.usedRatio());
                if (!reached[0] && req.trigger().equals("threshold")) {
                  reached[0] = after.usedRatio() <= settings.diskLowWatermarkRatio();
                }
              }
              record.finish(clock.instant(), outcome(record, req, plan, reached[0]));
              return record;
            }));
      });
    });
  }

  private Supplier<Future<Boolean>> targetCheck(TriggerRequest req, RunRecord record, DiskSample before,
      boolean[] reached) {
    if (disk == null || before == null) {
      return () -> Future.succeededFuture(false);
    }
    return () -> disk.sample(req.trigger().equals("inode_threshold")).map(s -> {
      boolean done;
      switch (req.trigger()) {
        case "threshold" -> done = s.usedRatio() <= settings.diskLowWatermarkRatio();
        case "inode_threshold" -> done = s.hasInodes() && s.inodeUsedRatio() <= settings.inodeLowWatermarkRatio();
        default -> done = record.targetBytes() != Planner.UNLIMITED && req.trigger().equals("http")
            && before.usedBytes() - s.usedBytes() >= record.targetBytes();
      }
      reached[0] = reached[0] || done;
      return done;
    }).otherwise(false);
  }

  private RunOutcome outcome(RunRecord record, TriggerRequest req, Plan plan, boolean reached) {
    long removed = record.count(ItemOutcome.REMOVED) + record.count(ItemOutcome.WOULD_REMOVE);
    long failed = record.count(ItemOutcome.FAILED);
    if (failed > 0) {
      return removed == 0 ? RunOutcome.FAILED : RunOutcome.PARTIAL;
    }
    if (removed == 0) {
      return RunOutcome.NOTHING_RECLAIMABLE;
    }
    boolean measuredTarget = req.trigger().equals("threshold") || req.trigger().equals("inode_threshold");
    if (measuredTarget && !reached && !record.dryRun()) {
      return RunOutcome.TARGET_NOT_REACHED;
    }
    if (!measuredTarget && record.targetBytes() != Planner.UNLIMITED && !plan.targetCovered() && !reached) {
      return RunOutcome.TARGET_NOT_REACHED;
    }
    return RunOutcome.SUCCEEDED;
  }

  private Future<DiskSample> sampleOrNull() {
    return disk == null ? Future.succeededFuture(null) : disk.sample().otherwise((DiskSample) null);
  }

  /** The scheduled / start run: the configured one-shot sequence, recorded like any run. */
  private Future<RunRecord> fullSequence(RunRecord record) {
    return sampleOrNull().compose(before -> {
      if (before != null) {
        record.diskBefore(before.usedBytes(), before.usedRatio());
      }
      return new OneShotRun(docker, settings, log, clock, record.dryRun()).run();
    }).compose(report -> {
      List<PlanStep> steps = new ArrayList<>();
      for (OperationResult op : report.operations()) {
        for (Candidate c : op.removed()) {
          PlanStep step = new PlanStep(c.type(), c.id(), c.name(), Reason.removalOf(c.type()),
              "scheduled sequence (one-shot filters)", Math.max(0, c.sizeBytes()));
          steps.add(step);
          record.add(new ItemResult(step, record.dryRun() ? ItemOutcome.WOULD_REMOVE : ItemOutcome.REMOVED, null, null));
        }
        if (op.status() == OperationResult.Status.FAILED) {
          record.error(op.type().label() + ": " + op.error());
        }
        record.reported(op.bytesFreed());
      }
      record.planned(steps, steps.stream().mapToLong(PlanStep::estimatedBytes).sum(), null);
      return sampleOrNull().map(after -> {
        if (after != null) {
          record.diskAfter(after.usedBytes(), after.usedRatio());
        }
        record.finish(clock.instant(), report.outcome());
        return record;
      });
    });
  }


  // ---- planning ------------------------------------------------------------------------------

  /** A plan for the API ({@code GET /v1/plan}): computed, stored under an id, nothing deleted. */
  public Future<Map.Entry<String, Plan>> plan(OptionalLong targetBytes, Set<ResourceType> types) {
    return sampleOrNull().compose(sample -> docker.systemDf().map(df -> {
      boolean critical = sample != null && sample.usedRatio() >= settings.diskCriticalWatermarkRatio();
      Plan plan = Planner.plan(InventoryLoader.fromDiskUsage(df), history(critical),
          policy(types, critical, settings.maxDeletionsPerRun()), clock.instant(),
          targetBytes.isPresent() ? targetBytes.getAsLong() : Planner.UNLIMITED);
      String id = "p-" + UUID.randomUUID().toString().substring(0, 8);
      synchronized (plans) {
        plans.put(id, plan);
        while (plans.size() > RECENT_PLANS) {
          plans.remove(plans.keySet().iterator().next());
        }
      }
      return Map.entry(id, plan);
    }));
  }

  /** Whether a stored plan exists. */
  public boolean hasPlan(String id) {
    synchronized (plans) {
      return plans.containsKey(id);
    }
  }

  PlanPolicy policy(Set<ResourceType> requested, boolean critical, int maxDeletions) {
    Set<ResourceType> enabled = EnumSet.noneOf(ResourceType.class);
    if (settings.containersEnabled()) {
      enabled.add(ResourceType.CONTAINER);
    }
    if (settings.imagesEnabled()) {
      enabled.add(ResourceType.IMAGE);
    }
    if (settings.volumesEnabled()) {
      enabled.add(ResourceType.VOLUME);
    }
    if (settings.buildCacheEnabled() && docker.capabilities().buildCachePrune()) {
      enabled.add(ResourceType.BUILD_CACHE);
    }
    if (!requested.isEmpty()) {
      enabled.retainAll(requested);
    }
    List<LabelFilter> labels = settings.labelFilters();
    return PlanPolicy.builder(startedAt)
        .labelFilter(l -> labels.stream().allMatch(f -> f.matches(l)))
        .keepImagePatterns(settings.keepImages())
        .keepTagsPerRepo(settings.keepTagsPerRepo())
        .minAge(settings.minAge())
        .quietPeriod(settings.quietPeriod())
        .enabledTypes(enabled)
        .volumesAll(settings.pruneVolumesAll())
        .maxDeletions(Math.max(1, maxDeletions))
        .critical(critical)
        .build();
  }

  /**
   * The usage history the planner sees. After a restart without history, first-seen times are the
   * agent's first reconcile; above the critical watermark those are hidden so images count from
   * their creation instead (the planner's rule).
   */
  UsageHistory history(boolean critical) {
    UsageState s = state;
    Instant firstReconcile = firstReconcileAt;
    boolean hideStartupFirstSeen = critical && !hadHistoryAtStart;
    return new UsageHistory() {
      @Override
      public Optional<Instant> imageLastUsed(String imageId) {
        return s.imageLastUsed(imageId);
      }

      @Override
      public Optional<Instant> imageFirstSeen(String imageId) {
        Optional<Instant> seen = s.imageFirstSeen(imageId);
        if (hideStartupFirstSeen && seen.isPresent() && firstReconcile != null && !seen.get().isAfter(firstReconcile)) {
          return Optional.empty();
        }
        return seen;
      }

      @Override
      public Optional<Instant> containerExitedAt(String containerId) {
        return s.containerExitedAt(containerId);
      }

      @Override
      public Optional<Instant> lastTouched(ResourceType type, String id) {
        return s.lastTouched(type, id);
      }
    };
  }

  // ---- helpers -------------------------------------------------------------------------------

  public static String describe(DiskSample s) {
    return pct(s.usedRatio()) + " used (" + Bytes.human(s.usedBytes()) + " of " + Bytes.human(s.totalBytes()) + ", "
        + Bytes.human(s.availableBytes()) + " available"
        + (s.hasInodes() ? ", inodes " + pct(s.inodeUsedRatio()) + " used" : "") + ")";
  }

  static String pct(double ratio) {
    return String.format(java.util.Locale.ROOT, "%.1f%%", ratio * 100);
  }


  public Instant lastDfAt() {
    return lastDfAt;
  }

  public Settings settings() {
    return settings;
  }
}
