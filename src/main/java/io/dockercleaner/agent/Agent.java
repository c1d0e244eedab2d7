package io.dockercleaner.agent;

import static io.dockercleaner.log.RunLog.fields;

import io.dockercleaner.agent.watch.DiskHistory;
import io.dockercleaner.agent.watch.DiskMonitor;
import io.dockercleaner.agent.watch.DiskSample;
import io.dockercleaner.agent.watch.EventSupervisor;
import io.dockercleaner.agent.watch.EventSupervisorOptions;
import io.dockercleaner.agent.watch.UsageState;
import io.dockercleaner.config.Settings;
import io.dockercleaner.core.Bytes;
import io.dockercleaner.core.ItemOutcome;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.core.RunOutcome;
import io.dockercleaner.docker.DockerClient;
import io.dockercleaner.docker.Filters;
import io.dockercleaner.docker.model.DiskUsage;
import io.dockercleaner.exec.AuditLog;
import io.dockercleaner.exec.Executor;
import io.dockercleaner.exec.RunRecord;
import io.dockercleaner.forecast.DiskForecaster;
import io.dockercleaner.forecast.Forecast;
import io.dockercleaner.forecast.ForecastAlert;
import io.dockercleaner.log.RunLog;
import io.dockercleaner.plan.Plan;
import io.dockercleaner.plan.Planner;
import io.dockercleaner.plan.UsageHistory;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;

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
  /** Of those, how many keep their planned steps and item results in memory ({@link RunRecord#compact()}). */
  public static final int RECENT_RUNS_WITH_ITEMS = 10;
  /** Plans kept for {@code planId} requests. */
  public static final int RECENT_PLANS = 20;
  /** Targets under a limit leave this much headroom (fraction of the limit). */
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
  private long dfTimer = -1;
  private long saveTimer = -1;
  private volatile DiskUsage lastDf;
  private volatile Instant lastDfAt;
  private volatile DiskHistory diskHistory = DiskHistory.defaults();
  // true while a history save runs: saves are once a minute, a slow disk must not queue them up
  private final java.util.concurrent.atomic.AtomicBoolean savingHistory = new java.util.concurrent.atomic.AtomicBoolean();

  // run coordination (agent context only)
  private final RunCoordinator runs = new RunCoordinator(this::startRun);
  private CleanupRun cleanup;
  private final Deque<RunRecord> recent = new ArrayDeque<>();
  // finished runs' summaries, kept in STATE_DIR across restarts (the dashboard's Runs page)
  private volatile RunHistory runHistory = new RunHistory(RunHistory.DEFAULT_CAPACITY);
  private final PlanStore plans = new PlanStore(RECENT_PLANS);
  private volatile boolean stopping;
  // false until acceptRuns(): thresholds and the schedule start no run while the start-up may still fail
  private boolean acceptingRuns;
  private final List<Consumer<RunRecord>> runListeners = new ArrayList<>();
  private final TriggerSources triggers;
  private final DiskForecaster forecaster;
  private final ForecastAlert forecastAlert;
  private volatile Forecast forecast = Forecast.unknown(null, Duration.ZERO);
  private final List<Consumer<Forecast>> forecastListeners = new ArrayList<>();
  private final RuntimeSettings runtime;
  private final List<Consumer<RuntimeSettings.Values>> settingsListeners = new ArrayList<>();
  private AuditLog audit;

  public Agent(Vertx vertx, Settings settings, RunLog log, Clock clock, DockerClient docker) {
    this.vertx = vertx;
    this.settings = settings;
    this.log = log;
    this.clock = clock;
    this.docker = docker;
    this.startedAt = clock.instant();
    this.runtime = new RuntimeSettings(settings);
    this.triggers = new TriggerSources(vertx, settings, runtime, clock, log, runs, this::requestQuietly,
        () -> acceptingRuns && !stopping, () -> forecast, () -> disk == null ? null : disk.lastSample());
    this.forecastAlert = new ForecastAlert(settings.forecastAlert());
    this.forecaster = DiskForecaster.forSampleInterval(settings.diskCheckInterval());
  }

  /** Called once per episode when the disk is forecast to fill within FORECAST_ALERT. */
  public Agent onDiskForecast(Consumer<Forecast> listener) {
    forecastListeners.add(listener);
    return this;
  }

  /** The forecast as of the last disk sample. */
  public Forecast forecast() {
    return forecast;
  }

  /** Why a threshold run is waiting for MAINTENANCE_WINDOW, if one is. */
  public Optional<Deferral> deferral() {
    return triggers.deferral();
  }

  /** Every disk sample: the forecast first (the maintenance window's exception uses it), then the thresholds. */
  private void onDiskSample(DiskSample s) {
    forecaster.add(s.at(), s.usedBytes(), s.availableBytes());
    // the high watermark in force: PUT /v1/settings may have changed it
    forecast = forecaster.forecast(runtime.values().diskHigh());
    forecastAlert.onForecast(forecast).ifPresent(f -> {
      log.warn("FORECAST", "Disk forecast to fill in " + Forecast.human(f.timeToFull()) + " (high watermark in "
          + Forecast.human(f.timeToHigh()) + ") at " + Bytes.human(Math.round(f.growthBytesPerSecond() * 3600))
          + "/h of growth, below FORECAST_ALERT " + Forecast.human(settings.forecastAlert()),
          fields("time_to_full_seconds", f.timeToFull().toSeconds(), "growth_bytes_per_hour",
              Math.round(f.growthBytesPerSecond() * 3600)));
      forecastListeners.forEach(l -> l.accept(f));
    });
    triggers.onDiskSample(s);
  }

  /** Called after every run, on the agent context (metrics, notifications). */
  public Agent onRunFinished(Consumer<RunRecord> listener) {
    runListeners.add(listener);
    return this;
  }

  /** Called when a threshold trigger fires, with the trigger name. */
  public Agent onThresholdCrossed(Consumer<String> listener) {
    triggers.onThresholdCrossed(listener);
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

  /** The settings an operator may change at runtime (watermarks, SCHEDULE, pause). */
  public RuntimeSettings runtimeSettings() {
    return runtime;
  }

  /** Called after every runtime settings change, on the agent context (metrics). */
  public Agent onSettingsChanged(Consumer<RuntimeSettings.Values> listener) {
    settingsListeners.add(listener);
    return this;
  }

  /**
   * Applies a runtime settings change (all or nothing), saves it to STATE_DIR, writes one audit
   * line per changed value ({@code "phase":"setting"}: who, when, old, new) and logs it; then
   * re-checks the thresholds against the last disk sample, so that a lowered watermark starts a
   * run at once. Call on the agent's context.
   *
   * @throws io.dockercleaner.config.ConfigException naming the setting when a value is invalid
   */
  public Future<List<RuntimeSettings.Change>> changeSettings(Map<String, String> updates, String who) {
    List<RuntimeSettings.Change> changes = runtime.apply(updates);
    if (changes.isEmpty()) {
      return Future.succeededFuture(changes);
    }
    for (RuntimeSettings.Change c : changes) {
      log.info("SETTINGS", c.name() + " changed from " + c.oldValue() + " to " + c.newValue() + " by " + who,
          fields("setting", c.name(), "old", c.oldValue(), "new", c.newValue(), "by", who));
    }
    if (changes.stream().anyMatch(c -> c.name().equals(RuntimeSettings.SCHEDULE))) {
      triggers.replaceSchedule();
      log.info("SCHEDULE", triggers.schedule().map(c -> "Schedule is now " + c + ", next run "
          + triggers.nextScheduled().map(z -> z.toOffsetDateTime().toString()).orElse("never")).orElse("Schedule is off"),
          fields("next", triggers.nextScheduled().map(z -> z.toInstant().toString()).orElse(null)));
    }
    settingsListeners.forEach(l -> l.accept(runtime.values()));
    Optional<Path> dir = settings.stateDir();
    Future<Void> saved = dir.isEmpty() ? Future.succeededFuture() : vertx.executeBlocking(() -> {
      runtime.save(dir.get());
      for (RuntimeSettings.Change c : changes) {
        if (audit != null) {
          audit.setting(c.name(), c.oldValue(), c.newValue(), who);
        }
      }
      return null;
    }, true);
    return saved.map(v -> {
      if (acceptingRuns && disk != null && disk.lastSample() != null) {
        triggers.onDiskSample(disk.lastSample());
      }
      return changes;
    });
  }

  /** Disk used % over the last 24 h (one sample a minute), for the dashboard's chart. */
  public DiskHistory diskHistory() {
    return diskHistory;
  }

  public Vertx vertx() {
    return vertx;
  }

  public DiskUsage lastDiskUsage() {
    return lastDf;
  }

  /** SCHEDULE in force (the configuration's or a runtime change) with its zone; empty = none. */
  public Optional<String> schedule() {
    return triggers.schedule().map(Object::toString);
  }

  public Optional<ZonedDateTime> nextScheduledRun() {
    return triggers.nextScheduled();
  }

  public boolean stopping() {
    return stopping;
  }

  // ---- start / stop --------------------------------------------------------------------------

  /** Starts watching; fails on invalid agent settings (SCHEDULE) or an unusable STATE_DIR. */
  public Future<Void> start() {
    try {
      triggers.parseSchedule();
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
      try {
        for (RuntimeSettings.Change c : runtime.load(stateDir.get())) {
          log.info("SETTINGS", c.name() + " is " + c.newValue() + " (changed at runtime, kept in "
              + RuntimeSettings.FILE_NAME + "; the configuration says " + c.oldValue() + ")", fields());
        }
      } catch (IOException | RuntimeException e) {
        log.warn("SETTINGS", "Runtime settings not loaded, using the configuration: " + e.getMessage(), fields());
      }
      // a SCHEDULE changed at runtime before the restart replaces the configuration's
      triggers.parseSchedule();
      try {
        runHistory = RunHistory.load(stateDir.get(), RunHistory.DEFAULT_CAPACITY);
      } catch (IOException e) {
        // a list of past runs is not worth refusing to start for (the audit trail keeps their items)
        log.warn("STATE", "Run history not loaded, starting a new one: " + e.getMessage(), fields());
      }
      try {
        diskHistory = DiskHistory.load(stateDir.get(), DiskHistory.DEFAULT_INTERVAL, DiskHistory.DEFAULT_CAPACITY,
            clock.instant());
      } catch (IOException e) {
        // a chart is not worth refusing to start for: start a new one
        log.warn("STATE", "Disk history not loaded, starting a new one: " + e.getMessage(), fields());
      }
    } else {
      log.warn("INIT", "STATE_DIR is not set: last-use history lives in memory only and is lost on restart",
          fields());
      state = UsageState.inMemory();
    }
    hadHistoryAtStart = state.hadHistory();
    audit = new AuditLog(stateDir.orElse(null), clock);
    executor = new Executor(docker, clock, audit, log);
    cleanup = new CleanupRun(this, executor);
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
        .compose(v -> resolveAuditIntents(audit))
        .compose(v -> events.start(state.lastEventTimeNano()))
        .compose(v -> diskPathToWatch().map(p -> {
          disk = new DiskMonitor(vertx, p, clock);
          return p;
        }).compose(p -> disk.sample()).map(sample -> {
          log.info("DISK", "Watching " + disk.path() + ": " + describe(sample), fields());
          recordHistory(sample);
          forecaster.add(sample.at(), sample.usedBytes(), sample.availableBytes());
          disk.startPeriodic(settings.diskCheckInterval(), s -> {
                recordHistory(s);
                onDiskSample(s);
              },
              err -> log.warn("DISK", "Cannot measure " + disk.path() + ": " + err.getMessage(), fields()));
          return (Void) null;
        }).recover(err -> {
          if (err instanceof RemoteDaemonException) {
            log.info("DISK", err.getMessage(), fields());
            return Future.succeededFuture();
          }
          // a containerised agent may not see DockerRootDir: thresholds off, schedule and HTTP still work
          log.warn("DISK", "Disk thresholds are off: cannot measure the daemon's filesystem (" + err.getMessage()
              + "); mount it read-only and set DISK_PATH", fields());
          return Future.succeededFuture();
        }))
        .compose(v -> refreshDf())
        .map(v -> {
          dfTimer = vertx.setPeriodic(settings.dfInterval().toMillis(), t -> refreshDf());
          saveTimer = vertx.setPeriodic(STATE_SAVE_INTERVAL.toMillis(), t -> saveState());
          triggers.armSchedule(ZonedDateTime.now(clock));
          // RUN_ON_START fires from acceptRuns(), once the runtime has validated and bound everything
          log.info("INIT", "Agent started (watermarks " + pct(settings.diskLowWatermarkRatio()) + "–"
              + pct(settings.diskHighWatermarkRatio()) + ", critical " + pct(settings.diskCriticalWatermarkRatio())
              + triggers.schedule().map(c -> ", schedule " + c + ", next " + triggers.nextScheduled().orElse(null)).orElse("")
              + (settings.dryRun() ? ", DRY RUN: nothing will be deleted" : "") + ")", fields("dry_run", settings.dryRun()));
          return null;
        });
  }

  /** Why the disk watermarks are off for a daemon on another machine (not an error). */
  private static final class RemoteDaemonException extends RuntimeException {
    RemoteDaemonException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * The filesystem the disk watermarks watch: DISK_PATH, else the daemon's DockerRootDir when the
   * daemon is on this machine (a unix socket, or tcp to a loopback address). A remote daemon's data
   * root is not ours to measure (a local folder of the same name would be measured instead):
   * watermarks are off there and DOCKER_USAGE_LIMIT ({@code /system/df}) is the threshold.
   */
  private Future<Path> diskPathToWatch() {
    if (settings.diskPath().isEmpty() && !isLocal(docker.host())) {
      return Future.failedFuture(new RemoteDaemonException("Disk watermarks are off: the daemon at "
          + docker.host().describe() + " is on another machine (its data root is not on this filesystem); "
          + (settings.dockerUsageLimitBytes().isPresent()
              ? "DOCKER_USAGE_LIMIT " + Bytes.human(settings.dockerUsageLimitBytes().getAsLong()) + " (/system/df) applies"
              : "set DOCKER_USAGE_LIMIT for a threshold from /system/df, or DISK_PATH for a mounted data root")));
    }
    return DiskMonitor.resolvePath(settings.diskPath(), docker);
  }

  /** A daemon on this machine: a unix socket, or tcp to a loopback address. */
  static boolean isLocal(io.dockercleaner.docker.DockerHost host) {
    if (host.isUnix()) {
      return true;
    }
    String h = host.host() == null ? "" : host.host();
    return h.equals("localhost") || h.equals("::1") || h.equals("[::1]") || h.startsWith("127.");
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
      triggers.onDiskSample(disk.lastSample());
    }
    if (lastDf != null) {
      triggers.onDiskUsage(lastDf);
    }
  }

  /**
   * Graceful stop: no new triggers, the deletions in flight finish (not the whole plan), state is
   * saved. Completes within about {@code maxWait}.
   */
  public Future<Void> stop(Duration maxWait) {
    stopping = true;
    runs.clear("the agent is shutting down");
    triggers.stop();
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
    RunCoordinator.Slot slot = runs.current();
    Future<RunRecord> running = slot == null ? Future.succeededFuture() : slot.done.future();
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
            if (settings.stateDir().isPresent()) {
              diskHistory.save(settings.stateDir().get());
              runHistory.save(settings.stateDir().get());
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

  /** How much of the audit file's end is read at start for intents left without an outcome. */
  static final long AUDIT_TAIL_BYTES = 4L << 20;

  /**
   * An agent killed between a deletion's intent line and its outcome line left a deletion that
   * may or may not have happened: ask the daemon (is the object still listed?) and write the
   * missing outcome line, so the trail says what happened to every deletion. Never fails the start.
   */
  private Future<Void> resolveAuditIntents(AuditLog audit) {
    // up to AUDIT_TAIL_BYTES read and parsed: off the event loop
    return vertx.<List<JsonObject>>executeBlocking(() -> audit.unresolvedIntents(AUDIT_TAIL_BYTES), false)
        .compose(open -> resolveAuditIntents(audit, open), err -> {
          log.warn("AUDIT", "Cannot read the audit file to resolve unfinished deletions: " + err.getMessage(), fields());
          return Future.succeededFuture();
        });
  }

  private Future<Void> resolveAuditIntents(AuditLog audit, List<JsonObject> open) {
    if (open.isEmpty()) {
      return Future.succeededFuture();
    }
    Set<String> types = new HashSet<>();
    open.forEach(l -> types.add(l.getString("type", "")));
    Future<Set<String>> present = listedIds(types);
    return present.map(ids -> {
      int gone = 0;
      int there = 0;
      for (JsonObject intent : open) {
        boolean isGone = !ids.contains(intent.getString("id"));
        try {
          audit.resolved(intent, isGone);
        } catch (RuntimeException e) {
          log.warn("AUDIT", "Cannot append to the audit file: " + e.getMessage(), fields());
          return (Void) null;
        }
        if (isGone) {
          gone++;
        } else {
          there++;
        }
        log.warn("AUDIT", "Deletion of " + intent.getString("type") + " " + intent.getString("name") + " (run "
            + intent.getString("runId") + ") had no outcome: the agent stopped mid-request; the object is "
            + (isGone ? "gone (audited removed)" : "still there (audited failed)"),
            fields("id", intent.getString("id"), "run_id", intent.getString("runId"), "gone", isGone));
      }
      log.warn("AUDIT", open.size() + " deletion(s) of an earlier process had no outcome line: " + gone + " gone, "
          + there + " still there; outcome lines added", fields("gone", gone, "still_there", there));
      return (Void) null;
    }).recover(err -> {
      log.warn("AUDIT", "Cannot resolve " + open.size() + " unfinished deletion(s) of an earlier process: "
          + err.getMessage() + "; they stay without an outcome line", fields());
      return Future.succeededFuture();
    });
  }

  /** Ids (volumes: names) of every listed object of these types. */
  private Future<Set<String>> listedIds(Set<String> types) {
    Set<String> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
    List<Future<?>> calls = new ArrayList<>();
    if (types.contains(ResourceType.CONTAINER.label())) {
      calls.add(docker.listContainers(true, false, Filters.NONE).onSuccess(l -> l.forEach(c -> ids.add(c.id()))));
    }
    if (types.contains(ResourceType.IMAGE.label())) {
      calls.add(docker.listImages(Filters.NONE, true).onSuccess(l -> l.forEach(i -> ids.add(i.id()))));
    }
    if (types.contains(ResourceType.VOLUME.label())) {
      calls.add(docker.listVolumes(Filters.NONE).onSuccess(l -> l.forEach(v -> ids.add(v.name()))));
    }
    if (types.contains(ResourceType.NETWORK.label())) {
      calls.add(docker.listNetworks(Filters.NONE).onSuccess(l -> l.forEach(n -> ids.add(n.id()))));
    }
    if (types.contains(ResourceType.BUILD_CACHE.label()) && docker.capabilities().buildCachePrune()) {
      calls.add(docker.listBuildCache().onSuccess(l -> l.forEach(b -> ids.add(b.id()))));
    }
    return Future.all(calls).map(v -> ids);
  }

  Future<Void> refreshDf() {
    return docker.systemDf().map(df -> {
      lastDf = df;
      lastDfAt = clock.instant();
      triggers.onDiskUsage(df);
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

  private void recordHistory(DiskSample s) {
    boolean kept = diskHistory.record(new DiskHistory.Point(s.at(), s.usedRatio(),
        s.hasInodes() ? s.inodeUsedRatio() : null));
    Optional<Path> dir = settings.stateDir();
    if (!kept || dir.isEmpty() || !savingHistory.compareAndSet(false, true)) {
      return;
    }
    DiskHistory h = diskHistory;
    vertx.executeBlocking(() -> {
      h.save(dir.get());
      return null;
    }, false).onComplete(r -> {
      savingHistory.set(false);
      if (r.failed()) {
        log.warn("STATE", "Cannot save the disk history: " + r.cause().getMessage(), fields());
      }
    });
  }

  /** What Docker itself uses: layers + writable layers + volumes + unshared build cache. */
  public static long dockerUsageBytes(DiskUsage df) {
    return df.layersSizeBytes() + df.containersBytes() + df.volumesBytes() + df.buildCacheBytes();
  }

  // ---- runs ----------------------------------------------------------------------------------

  /** The run in progress, or null. */
  public RunRecord currentRun() {
    RunCoordinator.Slot slot = runs.current();
    return slot == null ? null : slot.record;
  }

  public List<RunRecord> recentRuns() {
    synchronized (recent) {
      return List.copyOf(recent);
    }
  }

  public Optional<RunRecord> run(String id) {
    RunRecord c = currentRun();
    if (c != null && c.id().equals(id)) {
      return Optional.of(c);
    }
    synchronized (recent) {
      return recent.stream().filter(r -> r.id().equals(id)).findFirst();
    }
  }

  /**
   * Finished runs' summaries, newest first, at most {@link RunHistory#DEFAULT_CAPACITY}: this
   * process's runs and, with STATE_DIR, those before the last restarts.
   */
  public List<io.vertx.core.json.JsonObject> runHistory() {
    return runHistory.list();
  }

  /** A finished run's summary from the history (also runs before a restart). */
  public Optional<io.vertx.core.json.JsonObject> historicRun(String id) {
    return runHistory.find(id);
  }

  /** Writes the run history to STATE_DIR on a worker, in order (one file, replaced atomically). */
  private void saveRunHistory() {
    Optional<Path> dir = settings.stateDir();
    if (dir.isEmpty()) {
      return;
    }
    RunHistory h = runHistory;
    vertx.executeBlocking(() -> {
      h.save(dir.get());
      return null;
    }, true).onFailure(e -> log.warn("STATE", "Cannot save the run history: " + e.getMessage(),
        fields("error", String.valueOf(e.getMessage()))));
  }

  /** Whether a run with this id is queued (not started yet). */
  public boolean queued(String id) {
    return runs.queuedIds().contains(id);
  }

  /**
   * Result of {@link #request}: the run that serves the request (its id is final even while
   * queued), whether it joined a queued request of the same kind, and its completion.
   */
  public record Ticket(String runId, boolean joined, Future<RunRecord> done) {}

  /**
   * Starts a run, or queues the request behind the current one (merged only with a queued request
   * of the same kind; see {@link RunCoordinator}).
   *
   * @throws IllegalStateException when the agent is shutting down or the queue is full
   */
  public Ticket request(TriggerRequest req) {
    if (stopping) {
      throw new IllegalStateException("the agent is shutting down");
    }
    RunCoordinator.Ticket t = runs.request(req);
    return new Ticket(t.runId(), t.joined(), t.done());
  }

  /** A request from a trigger source; dropped when the agent is stopping or the queue is full. */
  private void requestQuietly(TriggerRequest req) {
    try {
      request(req);
    } catch (IllegalStateException e) {
      log.debug("TRIGGER", req.trigger() + " not queued: " + e.getMessage(), fields());
    }
  }

  long bytesAboveLowWatermark(DiskSample s) {
    return triggers.bytesAboveLowWatermark(s);
  }

  private Void startRun(RunCoordinator.Slot slot, Promise<RunRecord> finished) {
    TriggerRequest req = slot.request;
    long target = req.targetBytes().isPresent() ? req.targetBytes().getAsLong() : Planner.UNLIMITED;
    RunRecord record = new RunRecord(slot.runId, req.trigger(), req.dryRun() || settings.dryRun(), clock.instant(), target);
    slot.record = record;
    log.info("RUN", "Run " + record.id() + " started (trigger " + req.trigger() + (record.dryRun() ? ", dry run" : "")
        + (req.fullSequence() ? ", full sequence" : "")
        + (req.targetBytes().isPresent() ? ", target " + Bytes.human(target) : "") + ")",
        fields("run_id", record.id(), "trigger", req.trigger(), "dry_run", record.dryRun()));
    Future<RunRecord> work;
    try {
      work = cleanup.run(record, req);
    } catch (RuntimeException e) {
      work = Future.failedFuture(e);
    }
    work.recover(err -> {
      record.error(String.valueOf(err.getMessage()));
      record.finish(clock.instant(), RunOutcome.FAILED);
      return Future.succeededFuture(record);
    }).onComplete(r -> finished(record, req, finished));
    return null;
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
      // the newest runs keep their items (the fallback of /v1/runs/{id}/items for runs without
      // audit lines); older ones keep their summary only
      int position = 0;
      for (RunRecord r : recent) {
        if (position++ >= RECENT_RUNS_WITH_ITEMS) {
          r.compact();
        }
      }
    }
    runHistory.add(record.toSummaryJson());
    saveRunHistory();
    triggers.runFinished(req, record.outcome());
    log.info("RUN", "Run " + record.id() + " " + record.outcome().label() + ": removed "
        + record.count(ItemOutcome.REMOVED) + (record.dryRun() ? " (dry run: would remove " + record.count(ItemOutcome.WOULD_REMOVE) + ")" : "")
        + ", skipped " + record.count(ItemOutcome.SKIPPED) + ", failed " + record.count(ItemOutcome.FAILED)
        + "; " + Bytes.human(record.reportedBytes()) + " reported"
        + (record.measuredFreedBytes() >= 0 ? ", " + Bytes.human(record.measuredFreedBytes()) + " measured" : "")
        + (record.auditFailures() > 0 ? "; AUDIT INCOMPLETE: " + record.auditFailures() + " lines could not be written" : ""),
        fields("run_id", record.id(), "outcome", record.outcome().label(), "space_freed_bytes", record.reportedBytes(),
            "dry_run", record.dryRun(), "audit_failures", record.auditFailures()));
    for (Consumer<RunRecord> l : runListeners) {
      try {
        l.accept(record);
      } catch (RuntimeException e) {
        log.warn("RUN", "run listener failed: " + e, fields());
      }
    }
    refreshDf();
    saveState();
    // completes the slot: the coordinator then starts the next queued request, if any
    done.complete(record);
  }

  Future<DiskSample> sampleOrNull() {
    return disk == null ? Future.succeededFuture(null) : disk.sample().otherwise((DiskSample) null);
  }

  void dfRefreshed(DiskUsage df) {
    lastDf = df;
    lastDfAt = clock.instant();
  }

  // ---- planning ------------------------------------------------------------------------------

  /** A plan for the API ({@code GET /v1/plan}): computed, stored under an id, nothing deleted. */
  public Future<Map.Entry<String, Plan>> plan(OptionalLong targetBytes, Set<ResourceType> types) {
    return cleanup.plan(targetBytes, types).map(plan -> Map.entry(plans.put(plan), plan));
  }

  /** Suggestions with their numbers ({@code GET /v1/recommendations}); deletes nothing. */
  public Future<List<io.dockercleaner.recommend.Recommendation>> recommendations() {
    return cleanup.recommendations();
  }

  /** Whether a stored plan exists. */
  public boolean hasPlan(String id) {
    return plans.contains(id);
  }

  PlanStore plans() {
    return plans;
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

      @Override
      public java.util.List<Instant> imageUses(String imageId) {
        return s.imageUses(imageId);
      }

      @Override
      public java.util.Map<String, java.util.List<Instant>> allImageUses() {
        return s.allImageUses();
      }

      @Override
      public java.util.Set<String> imageRepositories(String imageId) {
        return s.imageRepositories(imageId);
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

  Clock clock() {
    return clock;
  }

  RunLog log() {
    return log;
  }
}
