package io.dockercleaner.oneshot;

import static io.dockercleaner.log.RunLog.fields;

import io.dockercleaner.config.LabelFilter;
import io.dockercleaner.config.Settings;
import io.dockercleaner.core.Bytes;
import io.dockercleaner.core.ItemOutcome;
import io.dockercleaner.core.Reason;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.docker.DockerClient;
import io.dockercleaner.docker.DockerException;
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
import io.dockercleaner.plan.Skip;
import io.dockercleaner.plan.UsageHistory;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The one-shot cleanup (the v1 contract): containers → images → volumes → networks → build cache,
 * each with the configured filters; one operation failing does not stop the others. It decides
 * nothing itself: the inventory goes through the one planner ({@link Planner#sweep}) with the
 * policy every trigger uses ({@link PolicyFromSettings}), and the {@link Executor} deletes — so a
 * dry run lists exactly what a real run removes, and KEEP_IMAGES, MIN_AGE and the label filters
 * protect here exactly as in the agent. This class only reports, in the contract's log format.
 */
public final class OneShotRun {
  /**
   * The most deletions in flight, the adaptive limiter's ceiling (containers, volumes, and images
   * when a prune call cannot express the plan).
   */
  static final int DELETE_CONCURRENCY = 4;

  private final DockerClient docker;
  private final Settings settings;
  private final RunLog log;
  private final Clock clock;
  private final boolean dryRun;

  public OneShotRun(DockerClient docker, Settings settings, RunLog log, Clock clock, boolean dryRun) {
    this.docker = docker;
    this.settings = settings;
    this.log = log;
    this.clock = clock;
    this.dryRun = dryRun;
  }

  /** The policy of this run: the configuration's, without usage history. */
  PlanPolicy policy() {
    return PolicyFromSettings.builder(settings, docker.capabilities().buildCachePrune(), null).build();
  }

  /** Runs every operation in order; the returned Future always succeeds with the report. */
  public Future<OneShotReport> run() {
    Instant started = clock.instant();
    Instant now = clock.instant();
    PlanPolicy policy = policy();
    warnBuildCacheLabels();
    return InventoryLoader.load(docker, policy.enabledTypes(), now).compose(inventory -> {
      Plan plan = Planner.sweep(inventory, UsageHistory.EMPTY, policy, now);
      reportSkipped(plan);
      RunRecord record = new RunRecord("oneshot-" + UUID.randomUUID().toString().substring(0, 8), "oneshot", dryRun,
          started, Planner.UNLIMITED);
      record.planned(plan.steps(), plan.estimatedBytes(), null);
      Map<ResourceType, OperationResult> results = new EnumMap<>(ResourceType.class);
      Executor executor = new Executor(docker, clock, (r, item, bytes) -> { }, log);
      return executor.sweep(record, plan, inventory, policy, now, Executor.Budget.unlimited(DELETE_CONCURRENCY),
          dryRun, !docker.capabilities().podman(), () -> false, t -> results.put(t.type(), finish(t)))
          .map(r -> report(results, started));
    }).recover(err -> {
      // the inventory could not be read: nothing was deleted, every enabled operation failed
      String message = err instanceof DockerException de ? de.getMessage() : String.valueOf(err);
      Map<ResourceType, OperationResult> results = new EnumMap<>(ResourceType.class);
      for (ResourceType type : Executor.SWEEP_ORDER) {
        if (policy.enabled(type)) {
          log.error(type.operation(), "Failed: " + message, fields("error", message, "dry_run", dryRun, "count", 0));
          results.put(type, new OperationResult(type, OperationResult.Status.FAILED, List.of(), 0, Duration.ZERO, message));
        }
      }
      return Future.succeededFuture(report(results, started));
    });
  }

  /**
   * Plans without deleting (PRUNE_FORCE=false shows this before asking): what a real run would
   * remove, per enabled type.
   */
  public Future<List<Selection>> preview() {
    Instant now = clock.instant();
    PlanPolicy policy = policy();
    return InventoryLoader.load(docker, policy.enabledTypes(), now).map(inventory -> {
      Plan plan = Planner.sweep(inventory, UsageHistory.EMPTY, policy, now);
      List<Selection> out = new ArrayList<>();
      for (ResourceType type : Executor.SWEEP_ORDER) {
        if (policy.enabled(type)) {
          List<Candidate> candidates = plan.steps().stream().filter(s -> s.type() == type)
              .map(OneShotRun::candidate).toList();
          out.add(new Selection(type, candidates, skippedCounts(plan, type)));
        }
      }
      return out;
    });
  }

  private OneShotReport report(Map<ResourceType, OperationResult> byType, Instant started) {
    List<OperationResult> ordered = new ArrayList<>();
    for (ResourceType type : Executor.SWEEP_ORDER) {
      OperationResult r = byType.get(type);
      if (r != null) {
        ordered.add(r);
      } else if (type == ResourceType.BUILD_CACHE && settings.buildCacheEnabled()) {
        String why = docker.capabilities().podman() ? "Podman has no build cache prune" : "no build cache prune on this daemon";
        log.warn(type.operation(), "Unsupported by this daemon, skipped: " + why, fields("dry_run", dryRun));
        ordered.add(new OperationResult(type, OperationResult.Status.UNSUPPORTED, List.of(), 0, Duration.ZERO, null));
      } else {
        log.debug(type.operation(), "Skipped: disabled by configuration", fields("dry_run", dryRun));
        ordered.add(new OperationResult(type, OperationResult.Status.DISABLED, List.of(), 0, Duration.ZERO, null));
      }
    }
    return new OneShotReport(List.copyOf(ordered), dryRun, Duration.between(started, clock.instant()));
  }

  /** One type done: its summary line and its operation result. */
  private OperationResult finish(Executor.TypeResult t) {
    ResourceType type = t.type();
    List<Candidate> removed = t.items().stream()
        .filter(i -> i.outcome() == ItemOutcome.REMOVED || i.outcome() == ItemOutcome.WOULD_REMOVE)
        .map(i -> candidate(i.step())).toList();
    List<ItemResult> failed = t.with(ItemOutcome.FAILED);
    long bytes = t.reportedBytes();
    if (t.operationError() != null && removed.isEmpty()) {
      log.error(type.operation(), "Failed: " + t.operationError(), fields("error", t.operationError(), "dry_run", dryRun,
          "duration_seconds", seconds(t.duration()), "count", 0));
      return new OperationResult(type, OperationResult.Status.FAILED, List.of(), 0, t.duration(), t.operationError());
    }
    String verb = dryRun ? "Would remove " : "Removed ";
    String freed = type == ResourceType.NETWORK ? "" : " (" + Bytes.human(bytes) + (dryRun ? " would be freed)" : " freed)");
    OperationResult.Status status = failed.isEmpty() ? OperationResult.Status.SUCCEEDED : OperationResult.Status.FAILED;
    String error = failed.isEmpty() ? null : failed.stream().map(i -> i.step().name() + ": " + i.error())
        .collect(Collectors.joining("; "));
    if (!failed.isEmpty() && removed.isEmpty()) {
      log.error(type.operation(), "Failed: could not remove " + what(type) + ": " + error,
          fields("error", error, "dry_run", dryRun, "duration_seconds", seconds(t.duration()), "count", 0));
      return new OperationResult(type, status, List.of(), 0, t.duration(), error);
    }
    log.info(type.operation(), verb + removed.size() + " " + what(type) + freed,
        fields("count", removed.size(), "space_freed_bytes", bytes, "duration_seconds", seconds(t.duration()),
            "dry_run", dryRun, "status", status.label(), "method", t.method()));
    return new OperationResult(type, status, removed, bytes, t.duration(), error);
  }

  private String what(ResourceType type) {
    return switch (type) {
      case CONTAINER -> "stopped containers";
      case IMAGE -> settings.pruneAll() ? "unused images" : "dangling images";
      case VOLUME -> settings.pruneVolumesAll() ? "unused volumes" : "unused anonymous volumes";
      case NETWORK -> "unused networks";
      case BUILD_CACHE -> "build cache records";
    };
  }

  private static Candidate candidate(PlanStep s) {
    return new Candidate(s.type(), s.id(), s.name(), s.estimatedBytes());
  }

  private void warnBuildCacheLabels() {
    if (settings.buildCacheEnabled() && !settings.labelFilters().isEmpty() && docker.capabilities().buildCachePrune()) {
      log.warn(ResourceType.BUILD_CACHE.operation(), "Label filters (" + labelText()
          + ") cannot protect build cache: BuildKit cache records carry no labels", fields("dry_run", dryRun));
    }
  }

  private static Map<Reason, Integer> skippedCounts(Plan plan, ResourceType type) {
    Map<Reason, Integer> counts = new LinkedHashMap<>();
    for (Skip s : plan.skipped()) {
      if (s.type() == type) {
        counts.merge(s.reason(), 1, Integer::sum);
      }
    }
    return counts;
  }

  /** WARN lines: what each type left alone, and why (running containers are not worth a line). */
  private void reportSkipped(Plan plan) {
    for (ResourceType type : Executor.SWEEP_ORDER) {
      for (Map.Entry<Reason, Integer> e : skippedCounts(plan, type).entrySet()) {
        if (e.getKey() == Reason.RUNNING) {
          continue; // running containers are not cleanup candidates; saying so on every run is noise
        }
        String why = switch (e.getKey()) {
          case PROTECTED_LABEL -> "protected by the label filter " + labelText();
          case IN_USE -> "in use";
          case TOO_YOUNG -> "newer than the age filter (PRUNE_FILTER_UNTIL " + settings.until() + ", MIN_AGE "
              + Planner.human(settings.minAge()) + ")";
          case NAMED_VOLUME -> "named (set PRUNE_VOLUMES_ALL=true to include named volumes)";
          case KEEP_IMAGES_PATTERN -> "matching KEEP_IMAGES " + String.join(",", settings.keepImages());
          case KEEP_TAGS_PER_REPO -> "among the newest KEEP_TAGS_PER_REPO=" + settings.keepTagsPerRepo() + " tags";
          case SWARM_SERVICE -> "named by a Swarm service (swarm_service)";
          case KUBELET_MANAGED -> "managed by the kubelet (kubelet_managed; KUBELET_MANAGED=include to include them)";
          default -> e.getKey().label();
        };
        log.warn(type.operation(), "Skipped " + e.getValue() + " " + type.label().replace('_', ' ')
            + (e.getValue() == 1 ? "" : "s") + ": " + why,
            fields("count", e.getValue(), "reason", e.getKey().label(), "dry_run", dryRun));
      }
    }
  }

  private String labelText() {
    return settings.labelFilters().stream().map(LabelFilter::toString).collect(Collectors.joining(","));
  }

  static double seconds(Duration d) {
    return Math.round(d.toMillis() / 10.0) / 100.0;
  }

  /** Map of type → count of removed objects (for summaries and notifications). */
  public static Map<ResourceType, Integer> countsByType(OneShotReport report) {
    Map<ResourceType, Integer> m = new LinkedHashMap<>();
    for (OperationResult r : report.operations()) {
      m.put(r.type(), r.removed().size());
    }
    return m;
  }

}
