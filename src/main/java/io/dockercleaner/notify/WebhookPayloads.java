package io.dockercleaner.notify;

import io.dockercleaner.config.WebhookFormat;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.forecast.Forecast;
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
 * <p>Slack ({@link #slack}), Discord ({@link #discord}) and Microsoft Teams ({@link #teams}) show a
 * {@link #title title} with an emoji, coloured by severity (failed red, partial/target not
 * reached/threshold amber, succeeded green), the {@link #summary summary} and the same {@link
 * #facts facts}; e-mails ({@link #emailSubject}, {@link #emailText}, {@link #emailHtml}) too.
 */
public final class WebhookPayloads {
  /** Errors listed in a Slack message; the rest are counted. */
  static final int SLACK_MAX_ERRORS = 10;
  /** Slack rejects section texts over 3000 characters. */
  static final int SLACK_MAX_TEXT_CHARS = 3000;
  /** Slack's limit for one field's text. */
  static final int SLACK_MAX_FIELD_CHARS = 2000;
  /** Slack's limit for a header's text. */
  static final int SLACK_MAX_HEADER_CHARS = 150;

  private WebhookPayloads() {}

  /** Errors listed in a Discord embed, a Teams card or an e-mail; the rest are counted. */
  static final int MAX_ERRORS = 10;
  /** Discord's limits: embed description, field value, title. */
  static final int DISCORD_MAX_DESCRIPTION_CHARS = 4096;
  static final int DISCORD_MAX_FIELD_CHARS = 1024;
  static final int DISCORD_MAX_TITLE_CHARS = 256;

  /** The request body of a webhook format, as sent (and signed). */
  public static Buffer body(RunNotice notice, WebhookFormat format) {
    JsonObject payload = switch (format) {
      case SLACK -> slack(notice);
      case DISCORD -> discord(notice);
      case TEAMS -> teams(notice);
      case JSON -> json(notice);
      case EMAIL -> throw new IllegalArgumentException("an e-mail has no webhook body: see emailText");
    };
    return payload.toBuffer();
  }

  /** How bad a notice is: picks the colour and emoji of chat messages. */
  enum Severity {
    GOOD("✅", "#2EB67D", 0x2EB67D, "Good"),
    WARNING("⚠️", "#ECB22E", 0xECB22E, "Warning"),
    DANGER("❌", "#E01E5A", 0xE01E5A, "Attention");

    final String emoji;
    final String hexColour;
    final int rgb;
    final String adaptiveCardColour;

    Severity(String emoji, String hexColour, int rgb, String adaptiveCardColour) {
      this.emoji = emoji;
      this.hexColour = hexColour;
      this.rgb = rgb;
      this.adaptiveCardColour = adaptiveCardColour;
    }

    static Severity of(RunNotice n) {
      return switch (n.event()) {
        case RUN_FAILED -> DANGER;
        case RUN_PARTIAL, TARGET_NOT_REACHED, THRESHOLD_CROSSED, DISK_FORECAST -> WARNING;
        case RUN_SUCCEEDED -> GOOD;
      };
    }
  }

  /**
   * A short headline with the severity's emoji, e.g. {@code ⚠️ build-7: run partial}, {@code ✅
   * build-7: run succeeded (dry run)}; the title of chat messages and the e-mail subject.
   */
  public static String title(RunNotice n) {
    String what = switch (n.event()) {
      case RUN_FAILED -> "run failed";
      case RUN_PARTIAL -> "run partial";
      case TARGET_NOT_REACHED -> "target not reached";
      case THRESHOLD_CROSSED -> "disk threshold crossed";
      case DISK_FORECAST -> n.forecast() != null && n.forecast().timeToFull() != null
          ? "disk full in " + Forecast.human(n.forecast().timeToFull()) : "disk forecast";
      case RUN_SUCCEEDED -> "run succeeded";
    };
    return Severity.of(n).emoji + " " + n.host() + ": " + what + (n.dryRun() ? " (dry run)" : "");
  }

  /** The facts every chat format and the e-mail show, in order: title → value. */
  static List<Map.Entry<String, String>> facts(RunNotice n) {
    List<Map.Entry<String, String>> facts = new ArrayList<>();
    facts.add(Map.entry("Event", n.event().configName()));
    if (n.outcome() != null) {
      facts.add(Map.entry("Outcome", n.outcome() + (n.dryRun() ? " (dry run)" : "")));
    }
    if (n.trigger() != null) {
      facts.add(Map.entry("Trigger", n.trigger()));
    }
    if (n.runId() != null) {
      facts.add(Map.entry("Run", n.runId()));
    }
    if (n.forecast() != null && n.forecast().timeToFull() != null) {
      facts.add(Map.entry("Full in", Forecast.human(n.forecast().timeToFull())));
      facts.add(Map.entry("High watermark in", Forecast.human(n.forecast().timeToHigh())));
      facts.add(Map.entry("Growth", humanBytes(Math.round(n.forecast().growthBytesPerSecond() * 3600)) + "/h"));
    }
    facts.add(Map.entry(n.dryRun() ? "Removable" : "Removed", removedText(n)));
    facts.add(Map.entry("Reclaimed (reported)", humanBytes(n.reclaimedBytesReported())));
    facts.add(Map.entry("Freed (measured)",
        n.freedBytesMeasured() < 0 ? "unknown" : humanBytes(n.freedBytesMeasured())));
    String disk = diskText(n);
    if (disk != null) {
      facts.add(Map.entry("Disk used", disk));
    }
    Duration duration = n.duration();
    if (duration != null) {
      facts.add(Map.entry("Duration", String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0)));
    }
    return facts;
  }

  /** The errors to list (at most {@link #MAX_ERRORS}) and a last line counting the others. */
  private static List<String> listedErrors(RunNotice n, int max) {
    List<String> lines = new ArrayList<>(n.errors().stream().limit(max).toList());
    if (n.errors().size() > max) {
      lines.add("… and " + (n.errors().size() - max) + " more");
    }
    return lines;
  }

  /**
   * The Discord payload: one embed (title with emoji, colour by severity, the summary, inline
   * fields, errors), mentions disabled so no error text can ping anyone.
   */
  public static JsonObject discord(RunNotice n) {
    JsonArray fields = new JsonArray();
    for (Map.Entry<String, String> fact : facts(n)) {
      fields.add(new JsonObject().put("name", fact.getKey())
          .put("value", truncate(fact.getValue(), DISCORD_MAX_FIELD_CHARS)).put("inline", true));
    }
    List<String> errors = listedErrors(n, MAX_ERRORS);
    if (!errors.isEmpty()) {
      fields.add(new JsonObject().put("name", "Errors")
          .put("value", truncate("• " + String.join("\n• ", errors), DISCORD_MAX_FIELD_CHARS)).put("inline", false));
    }
    JsonObject embed = new JsonObject()
        .put("title", truncate(title(n), DISCORD_MAX_TITLE_CHARS))
        .put("description", truncate(summary(n), DISCORD_MAX_DESCRIPTION_CHARS))
        .put("color", Severity.of(n).rgb)
        .put("fields", fields);
    if (n.finishedAt() != null) {
      embed.put("timestamp", n.finishedAt().toString());
    }
    return new JsonObject()
        .put("username", "docker-cleaner")
        .put("content", truncate(summary(n), 2000))
        .put("embeds", new JsonArray().add(embed))
        .put("allowed_mentions", new JsonObject().put("parse", new JsonArray()));
  }

  /**
   * The Microsoft Teams payload for a Workflows ("Post to a channel when a webhook request is
   * received") webhook: a message with one Adaptive Card (1.4): a coloured title, the summary, a
   * fact set, errors.
   */
  public static JsonObject teams(RunNotice n) {
    JsonArray facts = new JsonArray();
    for (Map.Entry<String, String> fact : facts(n)) {
      facts.add(new JsonObject().put("title", fact.getKey()).put("value", fact.getValue()));
    }
    JsonArray body = new JsonArray()
        .add(new JsonObject().put("type", "TextBlock").put("text", title(n)).put("size", "Large")
            .put("weight", "Bolder").put("color", Severity.of(n).adaptiveCardColour).put("wrap", true))
        .add(new JsonObject().put("type", "TextBlock").put("text", summary(n)).put("wrap", true))
        .add(new JsonObject().put("type", "FactSet").put("facts", facts));
    List<String> errors = listedErrors(n, MAX_ERRORS);
    if (!errors.isEmpty()) {
      body.add(new JsonObject().put("type", "TextBlock").put("text", "Errors").put("weight", "Bolder")
          .put("color", "Attention"));
      for (String e : errors) {
        body.add(new JsonObject().put("type", "TextBlock").put("text", "• " + e).put("wrap", true));
      }
    }
    JsonObject card = new JsonObject()
        .put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json")
        .put("type", "AdaptiveCard")
        .put("version", "1.4")
        .put("msteams", new JsonObject().put("width", "Full"))
        .put("body", body);
    return new JsonObject()
        .put("type", "message")
        .put("summary", summary(n))
        .put("attachments", new JsonArray().add(new JsonObject()
            .put("contentType", "application/vnd.microsoft.card.adaptive")
            .put("content", card)));
  }

  /** The e-mail subject: {@code [docker-cleaner] } and the {@link #title(RunNotice)} without emoji. */
  public static String emailSubject(RunNotice n) {
    String title = title(n);
    return "[docker-cleaner] " + title.substring(title.indexOf(' ') + 1);
  }

  /** The plain-text e-mail body: the summary, the facts as aligned lines, the errors. */
  public static String emailText(RunNotice n) {
    StringBuilder out = new StringBuilder(summary(n)).append("\n\n");
    List<Map.Entry<String, String>> facts = facts(n);
    int width = facts.stream().mapToInt(f -> f.getKey().length()).max().orElse(0);
    for (Map.Entry<String, String> fact : facts) {
      out.append(String.format(Locale.ROOT, "%-" + (width + 1) + "s  %s\n", fact.getKey() + ":", fact.getValue()));
    }
    List<String> errors = listedErrors(n, MAX_ERRORS);
    if (!errors.isEmpty()) {
      out.append("\nErrors:\n");
      errors.forEach(e -> out.append("  - ").append(e).append('\n'));
    }
    out.append("\n-- \ndocker-cleaner on ").append(n.host()).append('\n');
    return out.toString();
  }

  /** The HTML e-mail body: the same content as {@link #emailText(RunNotice)}, escaped, no scripts or remote content. */
  public static String emailHtml(RunNotice n) {
    Severity severity = Severity.of(n);
    StringBuilder out = new StringBuilder("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">")
        .append("<h2 style=\"color:").append(severity.hexColour).append("\">").append(html(title(n))).append("</h2>")
        .append("<p>").append(html(summary(n))).append("</p><table>");
    for (Map.Entry<String, String> fact : facts(n)) {
      out.append("<tr><th align=\"left\">").append(html(fact.getKey())).append("</th><td>")
          .append(html(fact.getValue())).append("</td></tr>");
    }
    out.append("</table>");
    List<String> errors = listedErrors(n, MAX_ERRORS);
    if (!errors.isEmpty()) {
      out.append("<h3>Errors</h3><ul>");
      errors.forEach(e -> out.append("<li>").append(html(e)).append("</li>"));
      out.append("</ul>");
    }
    return out.append("</body></html>").toString();
  }

  /** HTML text escaping (element content and quoted attributes). */
  static String html(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
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
        .put("forecast", n.forecast() == null ? null : n.forecast().toJson())
        .put("summary", summary(n));
  }

  /**
   * The Slack payload (incoming webhook): {@code text} is the fallback for notifications; {@code
   * blocks} are a header (emoji by severity), the summary, the facts as fields, the errors and a
   * context line; the same blocks sit in an attachment coloured by severity.
   */
  public static JsonObject slack(RunNotice n) {
    String summary = summary(n);
    JsonArray blocks = new JsonArray()
        .add(new JsonObject().put("type", "header").put("text",
            new JsonObject().put("type", "plain_text").put("text", truncate(title(n), SLACK_MAX_HEADER_CHARS))
                .put("emoji", true)))
        .add(textSection(truncate(slackEscape(summary), SLACK_MAX_TEXT_CHARS)));
    JsonArray fields = new JsonArray();
    // Slack allows at most 10 fields in a section
    facts(n).stream().limit(10).forEach(f -> field(fields, f.getKey(), f.getValue()));
    blocks.add(new JsonObject().put("type", "section").put("fields", fields));
    if (!n.errors().isEmpty()) {
      StringBuilder errs = new StringBuilder("*Errors*");
      List<String> listed = listedErrors(n, SLACK_MAX_ERRORS);
      for (int i = 0; i < listed.size(); i++) {
        // the last line counts the rest when some were left out: no bullet
        boolean counted = n.errors().size() > SLACK_MAX_ERRORS && i == listed.size() - 1;
        errs.append(counted ? "\n" : "\n• ").append(slackEscape(listed.get(i)));
      }
      blocks.add(textSection(truncate(errs.toString(), SLACK_MAX_TEXT_CHARS)));
    }
    return new JsonObject()
        .put("text", slackEscape(summary))
        .put("blocks", blocks)
        .put("attachments", new JsonArray().add(new JsonObject()
            .put("color", Severity.of(n).hexColour)
            .put("fallback", slackEscape(summary))
            .put("blocks", new JsonArray().add(new JsonObject().put("type", "context").put("elements",
                new JsonArray().add(new JsonObject().put("type", "mrkdwn").put("text",
                    slackEscape("docker-cleaner on " + n.host()
                        + (n.runId() == null ? "" : " · run " + n.runId())
                        + (n.dryRun() ? " · dry run: nothing was removed" : "")))))))));
  }

  /**
   * One line for humans, e.g. {@code docker-cleaner on build-7: run r-123 (threshold) partial —
   * removed 12 images, 3 containers; 4.2 GB reclaimed; disk 91% → 74%}. Reclaimed bytes are the
   * measured ones when known, else the reported ones.
   */
  public static String summary(RunNotice n) {
    StringBuilder s = new StringBuilder("docker-cleaner on ").append(n.host()).append(": ");
    if (n.forecast() != null && n.forecast().timeToFull() != null) {
      Forecast f = n.forecast();
      s.append("disk forecast to fill in ").append(Forecast.human(f.timeToFull()))
          .append(" (high watermark in ").append(Forecast.human(f.timeToHigh())).append(") at ")
          .append(humanBytes(Math.round(f.growthBytesPerSecond() * 3600))).append("/h of growth");
      String disk = diskText(n);
      return disk == null ? s.toString() : s.append("; disk ").append(disk).toString();
    }
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
