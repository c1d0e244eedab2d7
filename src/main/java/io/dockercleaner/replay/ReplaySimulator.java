package io.dockercleaner.replay;

import io.dockercleaner.core.ResourceType;
import io.dockercleaner.forecast.DiskForecaster;
import io.dockercleaner.forecast.Forecast;
import io.dockercleaner.plan.ContainerInfo;
import io.dockercleaner.plan.ImageInfo;
import io.dockercleaner.plan.ImagePattern;
import io.dockercleaner.plan.Inventory;
import io.dockercleaner.plan.Plan;
import io.dockercleaner.plan.PlanPolicy;
import io.dockercleaner.plan.PlanStep;
import io.dockercleaner.plan.Planner;
import io.dockercleaner.plan.UsageHistory;
import io.dockercleaner.plan.UseTimes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Replays a trace against a disk budget with the agent's own decision core: after every event,
 * when the bytes on disk exceed the high watermark, {@link Planner#plan} is asked (the very planner
 * the agent runs, with the same policy) for {@code usage - low} bytes, and its steps are executed in
 * order until usage is at or below the low watermark, as the executor stops on re-measuring.
 *
 * <p>Disk usage is the sum of the layers present, each counted once however many images hold it;
 * an image's Size is its layers, its SharedSize the layers another present image also holds (so
 * the planner's unique bytes are what deleting it alone frees). Bytes fetched again are counted per
 * layer: a layer a cleanup deleted and the workload then needs again is re-pulled.
 *
 * <p>The usage history mirrors what the agent's {@code UsageState} records from the event stream:
 * first seen at a pull or build, a use at each container start (and a build's base), last event
 * per image; all of it forgotten when the image is deleted, except the bounded list of uses.
 * Containers run for a use line's {@code seconds} and are removed when they stop ({@code --rm}).
 * Deterministic: the same trace, budget and policy give the same report.
 */
public final class ReplaySimulator {

  /**
   * The disk budget.
   *
   * @param diskBytes the disk's size
   * @param highRatio a cleanup starts when usage exceeds this share (0 &lt; high &lt;= 1)
   * @param lowRatio it frees down to this share (0 &lt;= low &lt;= high)
   */
  public record Budget(long diskBytes, double highRatio, double lowRatio) {
    /** Validates the budget. */
    public Budget {
      if (diskBytes <= 0) {
        throw new IllegalArgumentException("disk bytes must be > 0, was " + diskBytes);
      }
      if (!(highRatio > 0 && highRatio <= 1)) {
        throw new IllegalArgumentException("high watermark must be within (0, 100%], was " + highRatio);
      }
      if (!(lowRatio >= 0 && lowRatio <= highRatio)) {
        throw new IllegalArgumentException("low watermark must be within [0, high], was " + lowRatio);
      }
    }

    long highBytes() {
      return (long) Math.floor(diskBytes * highRatio);
    }

    long lowBytes() {
      return (long) Math.floor(diskBytes * lowRatio);
    }
  }

  /**
   * How the replay runs beyond the budget and the policy.
   *
   * @param minRunInterval the agent's MIN_RUN_INTERVAL: a cleanup starts no sooner than this after
   *     the previous one (the agent's default 60s; zero: after any event); one wanted sooner runs
   *     when the interval has passed, as the agent's next disk sample would start it
   * @param sampleInterval the forecast's disk samples are taken this often (the agent's
   *     DISK_CHECK_INTERVAL); null: no forecast evaluation
   * @param forecastEvery the forecast is judged this often (each point replays the rest of the
   *     trace, so not at every sample)
   */
  public record Options(Duration minRunInterval, Duration sampleInterval, Duration forecastEvery) {
    /** Checks the spans. */
    public Options {
      Objects.requireNonNull(minRunInterval, "minRunInterval");
      if (minRunInterval.isNegative()) {
        throw new IllegalArgumentException("min run interval must be >= 0, was " + minRunInterval);
      }
      if ((sampleInterval == null) != (forecastEvery == null)) {
        throw new IllegalArgumentException("sample interval and forecast evaluation go together");
      }
      if (sampleInterval != null && (sampleInterval.isZero() || sampleInterval.isNegative()
          || forecastEvery.compareTo(sampleInterval) < 0)) {
        throw new IllegalArgumentException("need 0 < sample interval <= forecast evaluation interval");
      }
    }

    /** A cleanup after any event, no forecast: the replay as first written. */
    public static final Options IMMEDIATE = new Options(Duration.ZERO, null, null);

    /** The agent's timing ({@code minRunInterval}, samples every 10 s), the forecast judged every 10 min. */
    public static Options agent(Duration minRunInterval) {
      return new Options(minRunInterval, Duration.ofSeconds(10), Duration.ofMinutes(10));
    }
  }

  private final Budget budget;
  private final PlanPolicy policy;
  private final Options options;
  private List<TraceEvent> events = List.of();
  private int nextEvent; // index of the event being applied: the forecast's "rest of the trace"
  private Instant lastCleanupAt;
  private boolean cleanupWanted; // above the high watermark, held back by MIN_RUN_INTERVAL
  private int deferredRuns;
  private DiskForecaster forecaster;
  private Instant nextSampleAt;
  private Instant nextEvaluationAt;
  private final List<ForecastAccuracy.Point> forecastPoints = new ArrayList<>();
  private EvaluationListener listener;

  // what is on disk
  private final Map<String, Set<String>> presentTags = new TreeMap<>(); // image id -> its tags
  private final Map<String, List<TraceEvent.Layer>> layersOf = new HashMap<>();
  private final Map<String, Instant> createdAt = new HashMap<>(); // first appearance in the trace
  private final Map<String, Integer> layerRefs = new HashMap<>();
  private final Map<String, String> tagOwner = new HashMap<>();
  private final Map<String, Set<String>> lastTags = new HashMap<>(); // tags held when deleted
  private final Set<String> deletedByCleaner = new HashSet<>(); // images
  private final Set<String> layersFreedByCleaner = new HashSet<>();
  private final TreeMap<String, Running> running = new TreeMap<>(); // container id -> run
  private long usageBytes;
  private int nextContainer;

  private final History history = new History();

  // the report
  private int cleanupRuns;
  private int deletions;
  private int misses;
  private long bytesRepulled;
  private long bytesFetched;
  private long peakUsageBytes;
  private int overflows;
  private int shortRuns;

  private record Running(String imageId, Instant until) {}

  private ReplaySimulator(Budget budget, PlanPolicy policy, Options options) {
    this.budget = budget;
    this.policy = policy;
    this.options = options;
  }

  /**
   * Replays {@code events} (in time order, as {@link TraceParser} gives them) with a cleanup after
   * any event ({@link Options#IMMEDIATE}).
   *
   * @param policy the agent's policy for the replay (its {@code agentStartedAt} should be the
   *     trace's start: the agent watched from then)
   */
  public static ReplayReport run(List<TraceEvent> events, Budget budget, PlanPolicy policy) {
    return run(events, budget, policy, Options.IMMEDIATE);
  }

  /** Replays {@code events} with the given timing and forecast evaluation. */
  public static ReplayReport run(List<TraceEvent> events, Budget budget, PlanPolicy policy, Options options) {
    return run(events, budget, policy, options, null);
  }

  /**
   * What the replay knows at a forecast evaluation point, for benches that judge another forecaster
   * on exactly the same points (bench/replay: the oracle that measures the floor of the error).
   */
  public interface EvaluationListener {
    /**
     * One evaluation point; called before the replay goes on, so the view is valid only during the call.
     *
     * @param at the sample's time
     * @param nextEvent index of the first event not yet applied (the "rest of the trace")
     * @param usageBytes bytes on disk
     * @param layersOnDisk digests of the layers on disk (read-only view)
     * @param point the agent's forecast and the actual time to full, as judged
     */
    void point(Instant at, int nextEvent, long usageBytes, Set<String> layersOnDisk, ForecastAccuracy.Point point);
  }

  /** As {@link #run(List, Budget, PlanPolicy, Options)}, telling {@code listener} (may be null) each evaluation point. */
  public static ReplayReport run(List<TraceEvent> events, Budget budget, PlanPolicy policy, Options options,
      EvaluationListener listener) {
    Objects.requireNonNull(events, "events");
    Objects.requireNonNull(budget, "budget");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(options, "options");
    ReplaySimulator sim = new ReplaySimulator(budget, policy, options);
    sim.events = events;
    sim.listener = listener;
    if (options.sampleInterval() != null && !events.isEmpty()) {
      // the agent's forecaster for its sample interval (6 h window, a checkpoint a minute at 10 s)
      sim.forecaster = DiskForecaster.forSampleInterval(options.sampleInterval());
      sim.nextSampleAt = events.get(0).at();
      sim.nextEvaluationAt = events.get(0).at();
    }
    for (sim.nextEvent = 0; sim.nextEvent < events.size(); sim.nextEvent++) {
      sim.apply(events.get(sim.nextEvent));
    }
    return new ReplayReport(policy.cleanupPolicy(), budget.diskBytes(), budget.highRatio(), budget.lowRatio(),
        events.size(), events.isEmpty() ? null : events.get(0).at(),
        events.isEmpty() ? null : events.get(events.size() - 1).at(), sim.cleanupRuns, sim.deletions,
        sim.misses, sim.bytesRepulled, sim.bytesFetched, sim.peakUsageBytes, sim.overflows, sim.shortRuns,
        sim.usageBytes, options.minRunInterval(), sim.deferredRuns,
        sim.forecaster == null ? null : ForecastAccuracy.of(sim.forecastPoints));
  }

  /** Whatever happens between events: disk samples, and a cleanup MIN_RUN_INTERVAL held back. */
  private void catchUp(Instant until) {
    while (true) {
      Instant deferredAt = cleanupWanted ? lastCleanupAt.plus(options.minRunInterval()) : null;
      Instant sampleAt = forecaster == null ? null : nextSampleAt;
      boolean deferredFirst = deferredAt != null && deferredAt.isBefore(until)
          && (sampleAt == null || deferredAt.isBefore(sampleAt));
      if (deferredFirst) {
        Instant at = deferredAt;
        running.values().removeIf(r -> !r.until().isAfter(at));
        cleanupWanted = false;
        deferredRuns++;
        cleanup(at);
      } else if (sampleAt != null && sampleAt.isBefore(until)) {
        sample(sampleAt);
        nextSampleAt = sampleAt.plus(options.sampleInterval());
      } else {
        return;
      }
    }
  }

  private void sample(Instant at) {
    forecaster.add(at, usageBytes, Math.max(0, budget.diskBytes() - usageBytes));
    if (at.isBefore(nextEvaluationAt)) {
      return;
    }
    nextEvaluationAt = nextEvaluationAt.plus(options.forecastEvery());
    Forecast f = forecaster.forecast(budget.highRatio());
    ForecastAccuracy.Point point = new ForecastAccuracy.Point(
        f.state() == Forecast.State.GROWING ? f.timeToFull() : null, timeToFullIfNothingRemoved(at));
    forecastPoints.add(point);
    if (listener != null) {
      listener.point(at, nextEvent, usageBytes, java.util.Collections.unmodifiableSet(layerRefs.keySet()), point);
    }
  }

  /**
   * From {@code at}, the time until the layers on disk reach the disk size if nothing is removed
   * (no cleanup, no remove line): the rest of the trace fetches what is not on disk; null when the
   * trace ends first.
   */
  Duration timeToFullIfNothingRemoved(Instant at) {
    long used = usageBytes;
    if (used >= budget.diskBytes()) {
      return Duration.ZERO;
    }
    Set<String> added = new HashSet<>();
    for (int i = nextEvent; i < events.size(); i++) {
      TraceEvent e = events.get(i);
      if (e.kind() == TraceEvent.Kind.REMOVE) {
        continue;
      }
      for (String image : e.baseImageId() == null ? List.of(e.imageId()) : List.of(e.baseImageId(), e.imageId())) {
        for (TraceEvent.Layer layer : layersOf.getOrDefault(image, e.layers())) {
          if (!layerRefs.containsKey(layer.digest()) && added.add(layer.digest())) {
            used += layer.sizeBytes();
          }
        }
      }
      if (used >= budget.diskBytes()) {
        return Duration.between(at, e.at());
      }
    }
    return null;
  }

  private void apply(TraceEvent e) {
    Instant at = e.at();
    catchUp(at);
    running.values().removeIf(r -> !r.until().isAfter(at)); // --rm containers that stopped
    if (!e.layers().isEmpty()) {
      layersOf.putIfAbsent(e.imageId(), e.layers());
    }
    switch (e.kind()) {
      case PULL -> {
        need(e.imageId(), at);
        tag(e.imageId(), e.tag());
        history.touch(e.imageId(), at);
      }
      case BUILD -> {
        if (e.baseImageId() != null) {
          need(e.baseImageId(), at);
          history.use(e.baseImageId(), at);
        }
        need(e.imageId(), at);
        tag(e.imageId(), e.tag());
        history.touch(e.imageId(), at);
      }
      case USE -> {
        need(e.imageId(), at);
        history.use(e.imageId(), at);
        if (e.runSeconds() > 0) {
          running.put(String.format("c%08d", nextContainer++), new Running(e.imageId(), at.plusSeconds(e.runSeconds())));
        }
      }
      case REMOVE -> {
        if (presentTags.containsKey(e.imageId())) {
          delete(e.imageId(), false);
        }
        lastTags.remove(e.imageId());
      }
    }
    if (usageBytes <= budget.highBytes()) {
      cleanupWanted = false; // the workload's own removal brought it down
    } else if (lastCleanupAt != null && at.isBefore(lastCleanupAt.plus(options.minRunInterval()))) {
      cleanupWanted = true; // MIN_RUN_INTERVAL: it runs when the interval has passed (catchUp)
    } else {
      cleanupWanted = false;
      cleanup(at);
    }
  }

  /** The workload needs the image now: fetch whatever is missing. */
  private void need(String imageId, Instant at) {
    if (presentTags.containsKey(imageId)) {
      return;
    }
    if (deletedByCleaner.remove(imageId)) {
      misses++;
    }
    for (TraceEvent.Layer layer : layersOf.get(imageId)) {
      int refs = layerRefs.merge(layer.digest(), 1, Integer::sum);
      if (refs == 1) {
        usageBytes += layer.sizeBytes();
        if (layersFreedByCleaner.remove(layer.digest())) {
          bytesRepulled += layer.sizeBytes();
        } else {
          bytesFetched += layer.sizeBytes();
        }
      }
    }
    peakUsageBytes = Math.max(peakUsageBytes, usageBytes);
    if (usageBytes > budget.diskBytes()) {
      overflows++; // the cleaner ran too late or could not free enough: a real pull fails here
    }
    Set<String> tags = new TreeSet<>();
    presentTags.put(imageId, tags);
    createdAt.putIfAbsent(imageId, at);
    history.firstSeen.put(imageId, at);
    // `docker run app:1` pulls app:1 again: the tags it had come back unless they moved on
    for (String tag : lastTags.getOrDefault(imageId, Set.of())) {
      if (!tagOwner.containsKey(tag)) {
        tag(imageId, tag);
      }
    }
  }

  private void tag(String imageId, String tag) {
    if (tag == null) {
      return;
    }
    String owner = tagOwner.put(tag, imageId);
    if (owner != null && !owner.equals(imageId) && presentTags.containsKey(owner)) {
      presentTags.get(owner).remove(tag); // the tag moved: the old image may now be dangling
    }
    presentTags.get(imageId).add(tag);
    history.repositories.computeIfAbsent(imageId, k -> new TreeSet<>()).add(ImagePattern.repository(tag));
  }

  private void delete(String imageId, boolean byCleaner) {
    Set<String> tags = presentTags.remove(imageId);
    for (String tag : tags) {
      tagOwner.remove(tag, imageId);
    }
    lastTags.put(imageId, tags);
    for (TraceEvent.Layer layer : layersOf.get(imageId)) {
      int refs = layerRefs.merge(layer.digest(), -1, Integer::sum);
      if (refs == 0) {
        layerRefs.remove(layer.digest());
        usageBytes -= layer.sizeBytes();
        if (byCleaner) {
          layersFreedByCleaner.add(layer.digest());
        }
      }
    }
    if (byCleaner) {
      deletedByCleaner.add(imageId);
    }
    history.forget(imageId);
  }

  private void cleanup(Instant at) {
    if (forecaster != null) {
      // The agent checks its thresholds on a disk sample, after handing that sample to the
      // forecaster: the usage that starts a cleanup is always a sample. Without this one the growth
      // that crossed the watermark and its cleanup would fall within one 10 s sample (a net drop)
      // and the forecaster would never see it.
      forecaster.add(at, usageBytes, Math.max(0, budget.diskBytes() - usageBytes));
    }
    cleanupRuns++;
    lastCleanupAt = at;
    long bytesToFree = usageBytes - budget.lowBytes();
    Plan plan = Planner.plan(inventory(at), history, policy, at, bytesToFree);
    for (PlanStep step : plan.steps()) {
      if (usageBytes <= budget.lowBytes()) {
        break; // the executor re-measures and stops at the low watermark
      }
      if (step.type() == ResourceType.IMAGE && presentTags.containsKey(step.id())) {
        delete(step.id(), true);
        deletions++;
      }
    }
    if (usageBytes > budget.highBytes()) {
      shortRuns++;
    }
  }

  /** The inventory the agent would list now. */
  Inventory inventory(Instant at) {
    List<ImageInfo> images = new ArrayList<>(presentTags.size());
    for (Map.Entry<String, Set<String>> e : presentTags.entrySet()) {
      long size = 0;
      long shared = 0;
      for (TraceEvent.Layer layer : layersOf.get(e.getKey())) {
        size += layer.sizeBytes();
        if (layerRefs.getOrDefault(layer.digest(), 0) > 1) {
          shared += layer.sizeBytes();
        }
      }
      List<String> tags = e.getValue().isEmpty() ? List.of(ImageInfo.NONE_TAG) : List.copyOf(e.getValue());
      images.add(new ImageInfo(e.getKey(), null, tags, createdAt.get(e.getKey()), size, shared, Map.of()));
    }
    List<ContainerInfo> containers = new ArrayList<>(running.size());
    for (Map.Entry<String, Running> r : running.entrySet()) {
      containers.add(new ContainerInfo(r.getKey(), r.getKey(), r.getValue().imageId(), "running", at, null, 0,
          Map.of(), List.of()));
    }
    return new Inventory(containers, images, List.of(), List.of());
  }

  /** What the agent's UsageState would hold after the same events. */
  private static final class History implements UsageHistory {
    final Map<String, Instant> firstSeen = new HashMap<>();
    final Map<String, Instant> lastUsed = new HashMap<>();
    final Map<String, Instant> touched = new HashMap<>();
    final Map<String, Deque<Instant>> uses = new HashMap<>(); // survives deletion, bounded
    final Map<String, Set<String>> repositories = new HashMap<>(); // survives deletion

    void use(String imageId, Instant at) {
      lastUsed.put(imageId, at);
      touch(imageId, at);
      UseTimes.record(uses.computeIfAbsent(imageId, k -> UseTimes.empty()), at);
    }

    void touch(String imageId, Instant at) {
      touched.put(imageId, at);
    }

    void forget(String imageId) {
      firstSeen.remove(imageId);
      lastUsed.remove(imageId);
      touched.remove(imageId);
    }

    @Override
    public Optional<Instant> imageLastUsed(String imageId) {
      return Optional.ofNullable(lastUsed.get(imageId));
    }

    @Override
    public Optional<Instant> imageFirstSeen(String imageId) {
      return Optional.ofNullable(firstSeen.get(imageId));
    }

    @Override
    public Optional<Instant> containerExitedAt(String containerId) {
      return Optional.empty();
    }

    @Override
    public Optional<Instant> lastTouched(ResourceType type, String id) {
      return type == ResourceType.IMAGE ? Optional.ofNullable(touched.get(id)) : Optional.empty();
    }

    @Override
    public Set<String> imageRepositories(String imageId) {
      return repositories.getOrDefault(imageId, Set.of());
    }

    @Override
    public Map<String, List<Instant>> allImageUses() {
      Map<String, List<Instant>> out = new HashMap<>();
      uses.forEach((id, list) -> out.put(id, List.copyOf(list)));
      return out;
    }

    @Override
    public List<Instant> imageUses(String imageId) {
      Deque<Instant> list = uses.get(imageId);
      return list == null ? List.of() : List.copyOf(list);
    }
  }
}
