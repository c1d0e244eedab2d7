package io.dockercleaner.notify;

import io.dockercleaner.config.WebhookEvent;
import io.dockercleaner.core.ResourceType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one webhook notification says about a run (or a threshold crossing): a plain value, built
 * by the one-shot mode or the agent and handed to {@link WebhookNotifier#notify(RunNotice)}.
 *
 * @param event the event this notice is for; only events in WEBHOOK_EVENTS are sent
 * @param host the host name shown to humans (e.g. {@code build-7})
 * @param runId the run id, e.g. {@code r-123}; may be null (a threshold crossing before a run)
 * @param trigger what started the run, e.g. {@code threshold}, {@code schedule}, {@code api},
 *     {@code oneshot}; may be null
 * @param outcome {@link io.dockercleaner.core.RunOutcome#label()}; may be null
 * @param removedByType removed (or, in a dry run, removable) counts keyed by {@link
 *     ResourceType#label()}: container, image, volume, network, build_cache
 * @param reclaimedBytesReported bytes the daemon reported as reclaimed
 * @param freedBytesMeasured bytes freed on disk as measured before/after; -1 when unknown
 * @param diskUsedRatioBefore disk used ratio 0–1 before the run; null when unknown
 * @param diskUsedRatioAfter disk used ratio 0–1 after the run; null when unknown
 * @param startedAt when the run started; may be null
 * @param finishedAt when the run finished; may be null
 * @param errors human-readable error messages (never secrets)
 * @param dryRun whether nothing was really removed
 * @param forecast the disk forecast behind a {@code disk_forecast} notice; null otherwise
 */
public record RunNotice(
    WebhookEvent event,
    String host,
    String runId,
    String trigger,
    String outcome,
    Map<String, Long> removedByType,
    long reclaimedBytesReported,
    long freedBytesMeasured,
    Double diskUsedRatioBefore,
    Double diskUsedRatioAfter,
    Instant startedAt,
    Instant finishedAt,
    List<String> errors,
    boolean dryRun,
    io.dockercleaner.forecast.Forecast forecast) {

  /** A notice about a run or a threshold (no forecast). */
  public RunNotice(WebhookEvent event, String host, String runId, String trigger, String outcome,
      Map<String, Long> removedByType, long reclaimedBytesReported, long freedBytesMeasured,
      Double diskUsedRatioBefore, Double diskUsedRatioAfter, Instant startedAt, Instant finishedAt,
      List<String> errors, boolean dryRun) {
    this(event, host, runId, trigger, outcome, removedByType, reclaimedBytesReported, freedBytesMeasured,
        diskUsedRatioBefore, diskUsedRatioAfter, startedAt, finishedAt, errors, dryRun, null);
  }

  /** {@link #freedBytesMeasured()} when nothing was measured. */
  public static final long UNKNOWN_BYTES = -1;

  /** Copies the collections (null becomes empty) so the notice stays immutable. */
  public RunNotice {
    Objects.requireNonNull(event, "event");
    Map<String, Long> removed = new LinkedHashMap<>();
    if (removedByType != null) {
      removedByType.forEach((type, count) -> removed.put(type, count == null ? 0L : count));
    }
    removedByType = Collections.unmodifiableMap(removed);
    List<String> errorList = new ArrayList<>();
    if (errors != null) {
      errors.stream().filter(Objects::nonNull).forEach(errorList::add);
    }
    errors = Collections.unmodifiableList(errorList);
  }

  /** Counts keyed by {@link ResourceType#label()}, for {@link #removedByType()}. */
  public static Map<String, Long> removedByLabel(Map<ResourceType, ? extends Number> counts) {
    Map<String, Long> byLabel = new LinkedHashMap<>();
    for (ResourceType type : ResourceType.values()) {
      Number n = counts.get(type);
      if (n != null) {
        byLabel.put(type.label(), n.longValue());
      }
    }
    return byLabel;
  }

  /** Finished minus started; null when either is unknown. */
  public Duration duration() {
    return startedAt == null || finishedAt == null ? null : Duration.between(startedAt, finishedAt);
  }

  /** The removed count for a type, 0 when absent. */
  public long removed(ResourceType type) {
    return removedByType.getOrDefault(type.label(), 0L);
  }
}
