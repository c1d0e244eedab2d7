package io.dockercleaner.cli;

import static io.dockercleaner.log.RunLog.fields;

import io.dockercleaner.config.Settings;
import io.dockercleaner.config.WebhookEvent;
import io.dockercleaner.core.Reason;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.core.RunOutcome;
import io.dockercleaner.log.RunLog;
import io.dockercleaner.metrics.CleanerMetrics;
import io.dockercleaner.notify.RunNotice;
import io.dockercleaner.notify.WebhookNotifier;
import io.dockercleaner.oneshot.Candidate;
import io.dockercleaner.oneshot.OneShotReport;
import io.dockercleaner.oneshot.OperationResult;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** What a one-shot run writes besides its log: the metrics textfile and one webhook notification. */
final class OneShotOutputs {
  private OneShotOutputs() {}

  /** METRICS_TEXTFILE: the run's docker_cleaner_* series, written atomically (temp file + rename). */
  static void metricsTextfile(Settings settings, OneShotReport report, String host, RunLog log) {
    if (settings.metricsTextfile().isEmpty()) {
      return;
    }
    Path file = settings.metricsTextfile().get();
    CleanerMetrics metrics = new CleanerMetrics(host);
    try {
      RunOutcome outcome = report.outcome();
      metrics.runFinished("oneshot", outcome, report.duration());
      // a dry run removes nothing (op.removed() lists what it would remove) and is no cleanup that
      // succeeded: it neither counts removals nor moves last_success, which alerts watch
      if (!report.dryRun()) {
        for (OperationResult op : report.operations()) {
          for (Candidate c : op.removed()) {
            metrics.removed(op.type(), Reason.removalOf(op.type()));
          }
          if (op.bytesFreed() > 0) {
            metrics.reclaimed(op.type(), op.bytesFreed());
          }
        }
        if (outcome == RunOutcome.SUCCEEDED || outcome == RunOutcome.NOTHING_RECLAIMABLE) {
          metrics.lastSuccess(Instant.now());
        }
      }
      // only docker-cleaner's own series: a one-shot's JVM metrics mean nothing to node_exporter
      String text = metrics.scrape().lines()
          .filter(l -> l.startsWith("docker_cleaner_") || l.matches("# (HELP|TYPE) docker_cleaner_.*"))
          .collect(Collectors.joining("\n", "", "\n"));
      CleanerMetrics.writeTextfile(file, text);
      log.debug(RunLog.SUMMARY, "Wrote metrics to " + file, fields());
    } catch (RuntimeException e) {
      log.error(RunLog.SUMMARY, "Cannot write METRICS_TEXTFILE " + file + ": " + e.getMessage(),
          fields("error", String.valueOf(e.getMessage())));
    } finally {
      metrics.close();
    }
  }


  /** One notification at the end of the run, when WEBHOOK_URL is set; waits for delivery (bounded). */
  static void notifyWebhooks(Vertx vertx, Settings settings, OneShotReport report, String host, Instant startedAt,
      RunLog log) {
    if (settings.notifyTargets().isEmpty()) {
      return;
    }
    RunOutcome outcome = report.outcome();
    WebhookEvent event = switch (outcome) {
      case FAILED -> WebhookEvent.RUN_FAILED;
      case PARTIAL -> WebhookEvent.RUN_PARTIAL;
      default -> WebhookEvent.RUN_SUCCEEDED;
    };
    Map<ResourceType, Integer> counts = new EnumMap<>(ResourceType.class);
    List<String> errors = new ArrayList<>();
    for (OperationResult op : report.operations()) {
      counts.put(op.type(), op.removed().size());
      if (op.error() != null) {
        errors.add(op.type().label() + ": " + op.error());
      }
    }
    WebhookNotifier notifier = WebhookNotifier.create(vertx, settings, o -> { });
    notifier.notify(new RunNotice(event, host, "oneshot-" + startedAt.getEpochSecond(), "oneshot", outcome.label(),
        RunNotice.removedByLabel(counts), report.bytesFreed(), RunNotice.UNKNOWN_BYTES, null, null, startedAt,
        Instant.now(), errors, report.dryRun()));
    // three attempts with backoff (1 s, 2 s) plus their timeouts, at most
    Duration max = settings.webhookTimeout().multipliedBy(3).plusSeconds(4);
    Main.await(notifier.flush(max).compose(v -> notifier.close()));
  }
}
