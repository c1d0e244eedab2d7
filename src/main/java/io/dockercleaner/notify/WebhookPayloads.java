package io.dockercleaner.notify;

import io.dockercleaner.config.WebhookFormat;
import io.dockercleaner.core.ResourceType;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The request bodies of webhook notifications: pure functions of a {@link RunNotice}.
 *
 * <p>JSON ({@code WEBHOOK_FORMAT=json}), snake_case keys:
 *
 * <pre>{@code
 * {"event": "run_partial", "host": "build-7", "run_id": "r-123", "trigger": "threshold",
 *  "outcome": "partial", "dry_run": false,
 *  "removed": {"container": 3, "image": 12, "volume": 0, "network": 0, "build_cache": 0},
 *  "reclaimed_bytes_reported": 4200000000, "freed_bytes_measured": 4100000000,
 *  "disk": {"used_ratio_before": 0.91, "used_ratio_after": 0.74},
 *  "started_at": "2026-11-28T10:00:00Z", "finished_at": "2026-11-28T10:00:12.5Z",
 *  "duration_seconds": 12.5, "errors": [], "summary": "docker-cleaner on build-7: ..."}
 * }</pre>
 *
 * Unknown values are {@code null}: {@code freed_bytes_measured} when not measured, the disk
 * ratios, times, run id, trigger and outcome when not known.
 *
 * <p>Slack ({@code WEBHOOK_FORMAT=slack}): {@code text} (the {@link #summary(RunNotice)}) plus
 * {@code blocks}: a mrkdwn section with the summary, a section of fields, and, when there are
 * errors, a section listing them.
 */
public final class WebhookPayloads {
  /** Errors listed in a Slack message; the rest are counted. */
  static final int SLACK_MAX_ERRORS = 10;
  /** Slack rejects section texts over 3000 characters. */
  static final int SLACK_MAX_TEXT_CHARS = 3000;
  /** Slack's limit for one field's text. */
  static final int SLACK_MAX_FIELD_CHARS = 2000;

  private WebhookPayloads() {}

  /** The request body for the format, as sent (and signed). */
  public static Buffer body(RunNotice notice, WebhookFormat format) {
    JsonObject payload = format == WebhookFormat.SLACK ? slack(notice) : json(notice);
    return payload.toBuffer();
  }

  /** The JSON payload. */
  public static JsonObject json(RunNotice n) {
    JsonObject removed = new JsonObject();
    removedCounts(n).forEach(removed::put);
    Duration duration = n.duration();
    return new JsonObject()
        .put("event", n.event().configName())
        .put("host", n.host())
        .put("run_id", n.runId())
        .put("trigger", n.trigger())
        .put("outcome", n.outcome())
        .put("dry_run", n.dryRun())
        .put("removed", removed)
        .put("reclaimed_bytes_reported", n.reclaimedBytesReported())
        .put("freed_bytes_measured", n.freedBytesMeasured() < 0 ? null : n.freedBytesMeasured())
        .put(
            "disk",
            new JsonObject()
                .put("used_ratio_before", n.diskUsedRatioBefore())
                .put("used_ratio_after", n.diskUsedRatioAfter()))
        .put("started_at", iso(n.startedAt()))
        .put("finished_at", iso(n.finishedAt()))
        .put("duration_seconds", duration == null ? null : duration.toMillis() / 1000.0)
        .put("errors", new JsonArray(new ArrayList<>(n.errors())))
        .put("summary", summary(n));
  }

  /** The Slack payload (incoming-webhook message with blocks). */
  public static JsonObject slack(RunNotice n) {
    String summary = summary(n);
    JsonArray blocks = new JsonArray().add(textSection(truncate(slackEscape(summary), SLACK_MAX_TEXT_CHARS)));
    JsonArray fields = new JsonArray();
    field(fields, "Event", n.event().configName());
    if (n.outcome() != null) {
      field(fields, "Outcome", n.outcome() + (n.dryRun() ? " (dry run)" : ""));
    }
    if (n.trigger() != null) {
      field(fields, "Trigger", n.trigger());
    }
    field(fields, n.dryRun() ? "Removable" : "Removed", removedText(n));
    field(fields, "Reclaimed (reported)", humanBytes(n.reclaimedBytesReported()));
    field(
        fields,
        "Freed (measured)",
        n.freedBytesMeasured() < 0 ? "unknown" : humanBytes(n.freedBytesMeasured()));
    String disk = diskText(n);
    if (disk != null) {
      field(fields, "Disk used", disk);
    }
    Duration duration = n.duration();
    if (duration != null) {
      field(fields, "Duration", String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0));
    }
    blocks.add(new JsonObject().put("type", "section").put("fields", fields));
    if (!n.errors().isEmpty()) {
      StringBuilder errs = new StringBuilder("*Errors*");
      n.errors().stream()
          .limit(SLACK_MAX_ERRORS)
          .forEach(e -> errs.append("\n• ").append(slackEscape(e)));
      if (n.errors().size() > SLACK_MAX_ERRORS) {
        errs.append("\n… and ").append(n.errors().size() - SLACK_MAX_ERRORS).append(" more");
      }
      blocks.add(textSection(truncate(errs.toString(), SLACK_MAX_TEXT_CHARS)));
    }
    return new JsonObject().put("text", slackEscape(summary)).put("blocks", blocks);
  }

  /**
   * One line for humans, e.g. {@code docker-cleaner on build-7: run r-123 (threshold) partial —
   * removed 12 images, 3 containers; 4.2 GB reclaimed; disk 91% → 74%}. Reclaimed bytes are the
   * measured ones when known, else the reported ones.
   */
  public static String summary(RunNotice n) {
    StringBuilder s = new StringBuilder("docker-cleaner on ").append(n.host()).append(": ");
    if (n.runId() != null) {
      s.append("run ").append(n.runId());
      if (n.trigger() != null) {
        s.append(" (").append(n.trigger()).append(')');
      }
      s.append(' ').append(n.outcome() != null ? n.outcome() : n.event().configName().replace('_', ' '));
    } else {
      s.append(n.event().configName().replace('_', ' '));
    }
    if (n.dryRun()) {
      s.append(" [dry run]");
    }
    s.append(" — ").append(n.dryRun() ? "would remove " : "removed ").append(removedText(n));
    long bytes = n.freedBytesMeasured() >= 0 ? n.freedBytesMeasured() : n.reclaimedBytesReported();
    s.append("; ").append(humanBytes(bytes)).append(n.dryRun() ? " reclaimable" : " reclaimed");
    String disk = diskText(n);
    if (disk != null) {
      s.append("; disk ").append(disk);
    }
    if (!n.errors().isEmpty()) {
      s.append("; ").append(plural(n.errors().size(), "error", "errors"));
    }
    return s.toString();
  }

  /**
   * Bytes in decimal units with one decimal (as the docker CLI shows sizes): {@code 512 B},
   * {@code 4.2 GB}.
   */
  public static String humanBytes(long bytes) {
    if (bytes < 1000) {
      return bytes + " B";
    }
    String[] units = {"kB", "MB", "GB", "TB", "PB", "EB"};
    double value = bytes;
    int unit = -1;
    while (value >= 999.95 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  /** All five types (0 when absent) in prune order, then any other keys as given. */
  private static Map<String, Long> removedCounts(RunNotice n) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (ResourceType type : ResourceType.values()) {
      counts.put(type.label(), n.removed(type));
    }
    n.removedByType().forEach(counts::putIfAbsent);
    return counts;
  }

  /** {@code 12 images, 3 containers}: largest count first, zeros left out; {@code nothing}. */
  private static String removedText(RunNotice n) {
    List<Map.Entry<ResourceType, Long>> nonZero = new ArrayList<>();
    for (ResourceType type : ResourceType.values()) {
      long count = n.removed(type);
      if (count != 0) {
        nonZero.add(Map.entry(type, count));
      }
    }
    if (nonZero.isEmpty()) {
      return "nothing";
    }
    // stable sort: ties keep prune order
    nonZero.sort(Comparator.comparing(Map.Entry<ResourceType, Long>::getValue).reversed());
    List<String> parts = new ArrayList<>();
    for (Map.Entry<ResourceType, Long> e : nonZero) {
      parts.add(countOf(e.getKey(), e.getValue()));
    }
    return String.join(", ", parts);
  }

  private static String countOf(ResourceType type, long count) {
    return switch (type) {
      case CONTAINER -> plural(count, "container", "containers");
      case IMAGE -> plural(count, "image", "images");
      case VOLUME -> plural(count, "volume", "volumes");
      case NETWORK -> plural(count, "network", "networks");
      case BUILD_CACHE -> plural(count, "build cache record", "build cache records");
    };
  }

  private static String plural(long count, String one, String many) {
    return count + " " + (count == 1 ? one : many);
  }

  /** {@code 91% → 74%}, {@code 91%} or null. */
  private static String diskText(RunNotice n) {
    if (n.diskUsedRatioBefore() == null && n.diskUsedRatioAfter() == null) {
      return null;
    }
    if (n.diskUsedRatioAfter() == null) {
      return percent(n.diskUsedRatioBefore());
    }
    if (n.diskUsedRatioBefore() == null) {
      return "→ " + percent(n.diskUsedRatioAfter());
    }
    return percent(n.diskUsedRatioBefore()) + " → " + percent(n.diskUsedRatioAfter());
  }

  private static String percent(double ratio) {
    return Math.round(ratio * 100) + "%";
  }

  private static String iso(Instant t) {
    return t == null ? null : t.toString();
  }

  private static JsonObject textSection(String mrkdwn) {
    return new JsonObject()
        .put("type", "section")
        .put("text", new JsonObject().put("type", "mrkdwn").put("text", mrkdwn));
  }

  private static void field(JsonArray fields, String title, String value) {
    fields.add(
        new JsonObject()
            .put("type", "mrkdwn")
            .put("text", truncate("*" + title + "*\n" + slackEscape(value), SLACK_MAX_FIELD_CHARS)));
  }

  /** Slack's three control characters in message text. */
  static String slackEscape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String truncate(String s, int maxChars) {
    return s.length() <= maxChars ? s : s.substring(0, maxChars - 1) + "…";
  }
}
