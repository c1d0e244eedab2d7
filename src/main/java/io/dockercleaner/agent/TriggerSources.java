package io.dockercleaner.agent;

import static io.dockercleaner.log.RunLog.fields;

import io.dockercleaner.agent.watch.DiskSample;
import io.dockercleaner.config.Settings;
import io.dockercleaner.core.Bytes;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.core.RunOutcome;
import io.dockercleaner.docker.model.DiskUsage;
import io.dockercleaner.log.RunLog;
import io.dockercleaner.schedule.CronExpression;
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
  private Instant lastThresholdRunEnd;
  private Duration thresholdBackoff;

  /**
   * @param request hands a request to the agent (which may refuse it while stopping)
   * @param accepting false while the start-up may still fail, and once stopping: no trigger fires
   */
  TriggerSources(Vertx vertx, Settings settings, RuntimeSettings runtime, Clock clock, RunLog log, RunCoordinator runs,
      Consumer<TriggerRequest> request, BooleanSupplier accepting) {
    this.runtime = runtime;
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

  /** Parses SCHEDULE; fails on an invalid one. */
  void parseSchedule() {
    schedule = settings.schedule().map(s -> CronExpression.parse("SCHEDULE", s)).orElse(null);
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
    if (schedule == null) {
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
    if (scheduleTimer >= 0) {
      vertx.cancelTimer(scheduleTimer);
    }
    schedule = null;
  }
}
