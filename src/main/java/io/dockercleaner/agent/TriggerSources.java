package io.dockercleaner.agent;

import static io.dockercleaner.log.RunLog.fields;

import io.dockercleaner.agent.watch.DiskSample;
import io.dockercleaner.config.Settings;
import io.dockercleaner.core.Bytes;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.core.RunOutcome;
import io.dockercleaner.docker.model.DiskUsage;
import io.dockercleaner.log.RunLog;
import io.dockercleaner.forecast.Forecast;
import io.dockercleaner.schedule.CronExpression;
import io.dockercleaner.schedule.MaintenanceWindow;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What makes the agent want a run on its own: disk samples above the high watermark (bytes or
 * inodes), Docker's own usage above DOCKER_USAGE_LIMIT / BUILD_CACHE_LIMIT, and the SCHEDULE. It
 * turns each into a {@link TriggerRequest} for the run coordinator, spacing threshold runs by
 * MIN_RUN_INTERVAL (doubling after "target not reached") so a full disk causes no tight loop.
 *
 * <p>Threading: the agent's Vert.x context.
 */
final class TriggerSources {
  /** Targets under a limit leave this much headroom (fraction of the limit). */
  private static final double LIMIT_TARGET_RATIO = 0.9;
  private static final Duration MAX_TARGET_BACKOFF = Duration.ofHours(1);

  private final Vertx vertx;
  private final Settings settings;
  private final Clock clock;
  private final RunLog log;
  private final RunCoordinator runs;
  private final Consumer<TriggerRequest> request;
  private final BooleanSupplier accepting;
  private final RuntimeSettings runtime;
  private final List<Consumer<String>> thresholdListeners = new ArrayList<>();
  private CronExpression schedule;
  private ZonedDateTime nextScheduled;
  private long scheduleTimer = -1;
  // armSchedule ran once (the agent started watching); stop() ran
  private boolean armed;
  private boolean stopped;
  private Instant lastThresholdRunEnd;
  private Duration thresholdBackoff;
  private final Supplier<Forecast> forecast;
  private final Supplier<DiskSample> lastSample;
  private final Optional<MaintenanceWindow> window;
  private Deferral deferral;

  /**
   * @param request hands a request to the agent (which may refuse it while stopping)
   * @param accepting false while the start-up may still fail, and once stopping: no trigger fires
   * @param forecast the disk forecast now (MAINTENANCE_WINDOW's exception)
   * @param lastSample the last disk sample, or null (MAINTENANCE_WINDOW's critical exception)
   */
  TriggerSources(Vertx vertx, Settings settings, RuntimeSettings runtime, Clock clock, RunLog log, RunCoordinator runs,
      Consumer<TriggerRequest> request, BooleanSupplier accepting, Supplier<Forecast> forecast,
      Supplier<DiskSample> lastSample) {
    this.runtime = runtime;
    this.forecast = forecast;
    this.lastSample = lastSample;
    this.window = settings.maintenanceWindow();
    this.vertx = vertx;
    this.settings = settings;
    this.clock = clock;
    this.log = log;
    this.runs = runs;
    this.request = request;
    this.accepting = accepting;
    this.thresholdBackoff = settings.minRunInterval();
  }

  void onThresholdCrossed(Consumer<String> listener) {
    thresholdListeners.add(listener);
  }

  /** Parses SCHEDULE as in force (the configuration, or a runtime change); fails on an invalid one. */
  void parseSchedule() {
    schedule = runtime.values().schedule().map(s -> CronExpression.parse("SCHEDULE", s)).orElse(null);
  }

  /**
   * SCHEDULE changed at runtime: the armed timer is cancelled and the new schedule (if any) armed
   * from now, so {@link #nextScheduled()} says when the new one fires. Before the schedule was first
   * armed (still starting) and after {@link #stop()} it only parses.
   */
  void replaceSchedule() {
    if (scheduleTimer >= 0) {
      vertx.cancelTimer(scheduleTimer);
      scheduleTimer = -1;
    }
    nextScheduled = null;
    if (stopped) {
      return;
    }
    parseSchedule();
    if (armed) {
      armSchedule(ZonedDateTime.now(clock));
    }
  }

  Optional<CronExpression> schedule() {
    return Optional.ofNullable(schedule);
  }

  Optional<ZonedDateTime> nextScheduled() {
    return Optional.ofNullable(nextScheduled);
  }

  /** A disk sample: a run when bytes or inodes are above their high watermark. */
  void onDiskSample(DiskSample s) {
    RuntimeSettings.Values w = runtime.values();
    boolean bytesHigh = s.usedRatio() >= w.diskHigh();
    boolean inodesHigh = s.hasInodes() && s.inodeUsedRatio() >= w.inodeHigh();
    if (!bytesHigh && !inodesHigh) {
      if (deferral != null && deferral.trigger().contains("threshold")) {
        log.info("TRIGGER", "No longer above the high watermark: the deferred " + deferral.trigger() + " run is dropped",
            fields("trigger", deferral.trigger()));
        deferral = null;
      }
      return;
    }
    // for bench/agent: when the crossing sample was taken (log timestamps have whole seconds only)
    log.debug("DISK", "Sample above the high watermark: " + Agent.describe(s),
        fields("sample_at", s.at().toString(), "used_ratio", s.usedRatio()));
    String trigger = bytesHigh ? "threshold" : "inode_threshold";
    OptionalLong bytes = bytesHigh ? OptionalLong.of(bytesAboveLowWatermark(s)) : OptionalLong.empty();
    thresholdRequest(trigger, bytes, Set.of());
  }

  /** Bytes to free to get under the low watermark. */
  long bytesAboveLowWatermark(DiskSample s) {
    long base = s.usedBytes() + s.availableBytes();
    return Math.max(0, s.usedBytes() - (long) (runtime.values().diskLow() * base));
  }

  /** A fresh {@code /system/df}: a run when Docker's usage or its build cache is above its limit. */
  void onDiskUsage(DiskUsage df) {
    OptionalLong limit = settings.dockerUsageLimitBytes();
    long total = Agent.dockerUsageBytes(df);
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

  private void thresholdRequest(String trigger, OptionalLong bytes, Set<ResourceType> types) {
    TriggerRequest req = TriggerRequest.threshold(trigger, bytes, types, settings.dryRun());
    // paused by an operator (dashboard or PUT /v1/settings): thresholds start no run
    if (!accepting.getAsBoolean() || runtime.values().paused() || runs.queuedLike(req)) {
      return;
    }
    Optional<Deferral> wait = mustWait(trigger);
    if (wait.isPresent()) {
      if (deferral == null || !deferral.trigger().equals(trigger)) {
        deferral = wait.get();
        log.info("TRIGGER", trigger + " crossed, run deferred: " + deferral.reason(),
            fields("trigger", trigger, "window_opens_at", String.valueOf(deferral.windowOpensAt())));
      }
      return;
    }
    if (deferral != null) {
      log.info("TRIGGER", "The deferred " + deferral.trigger() + " run goes ahead (deferred since " + deferral.since()
          + "): " + whyNow(), fields("trigger", trigger));
      deferral = null;
    }
    if (runs.busy()) {
      request.accept(req); // queued behind the current run, at most once per kind
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
    request.accept(req);
  }

  /** Why a threshold run may not start now, when MAINTENANCE_WINDOW says so; empty = go ahead. */
  Optional<Deferral> mustWait(String trigger) {
    if (window.isEmpty()) {
      return Optional.empty();
    }
    ZonedDateTime now = ZonedDateTime.now(clock);
    if (window.get().isOpen(now)) {
      return Optional.empty();
    }
    DiskSample s = lastSample.get();
    if (s != null && s.usedRatio() >= runtime.values().diskCritical()) {
      return Optional.empty();
    }
    ZonedDateTime opens = window.get().nextOpening(now).orElse(null);
    Forecast f = forecast.get();
    if (opens != null && f.fillsWithin(Duration.between(now, opens))) {
      return Optional.empty();
    }
    String used = s == null ? "" : "usage " + pct(s.usedRatio()) + " is below the critical watermark "
        + pct(runtime.values().diskCritical()) + ", ";
    String fills = switch (f.state()) {
      case GROWING -> "the disk is forecast to fill in " + Forecast.human(f.timeToFull());
      case NOT_GROWING -> "the disk is not growing";
      case UNKNOWN -> "no forecast yet";
    };
    return Optional.of(new Deferral(clock.instant(), trigger, "outside MAINTENANCE_WINDOW '" + window.get()
        + "' (opens " + (opens == null ? "never" : opens.toOffsetDateTime()) + "); " + used + fills
        + (opens == null ? "" : ", after it opens"), opens));
  }

  /** Why a deferred run may start now (for the log). */
  private String whyNow() {
    ZonedDateTime now = ZonedDateTime.now(clock);
    if (window.isPresent() && window.get().isOpen(now)) {
      return "the maintenance window is open";
    }
    DiskSample s = lastSample.get();
    if (s != null && s.usedRatio() >= runtime.values().diskCritical()) {
      return "usage " + pct(s.usedRatio()) + " reached the critical watermark";
    }
    return "the disk is forecast to fill before the window opens";
  }

  private static String pct(double ratio) {
    return Math.round(ratio * 100) + "%";
  }

  /** The threshold run waiting for the window, if any. */
  Optional<Deferral> deferral() {
    return Optional.ofNullable(deferral);
  }

  /** A run finished: threshold runs space the next one. */
  void runFinished(TriggerRequest req, RunOutcome outcome) {
    boolean thresholdRun = req.trigger().contains("threshold") || req.trigger().endsWith("_limit");
    if (!req.fullSequence() && thresholdRun) {
      lastThresholdRunEnd = clock.instant();
      thresholdBackoff = outcome == RunOutcome.TARGET_NOT_REACHED
          ? min(thresholdBackoff.multipliedBy(2), MAX_TARGET_BACKOFF) : settings.minRunInterval();
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** Arms the schedule's next firing after {@code after}. */
  void armSchedule(ZonedDateTime after) {
    armed = true;
    if (schedule == null || stopped) {
      return;
    }
    nextScheduled = schedule.next(after);
    long delay = Math.max(1, Duration.between(ZonedDateTime.now(clock), nextScheduled).toMillis());
    ZonedDateTime firing = nextScheduled;
    scheduleTimer = vertx.setTimer(delay, t -> {
      TriggerRequest req = TriggerRequest.fullSequence("schedule", settings.dryRun());
      if (runtime.values().paused()) {
        log.info("SCHEDULE", "Scheduled run skipped: automatic cleanup is paused", fields());
      } else if (accepting.getAsBoolean() && !runs.queuedLike(req)) {
        request.accept(req);
      }
      // re-arm from the firing time, not "now", so one firing never counts twice
      armSchedule(firing);
    });
  }

  /** Stops the schedule. */
  void stop() {
    stopped = true;
    if (scheduleTimer >= 0) {
      vertx.cancelTimer(scheduleTimer);
    }
    schedule = null;
  }
}
