package io.dockercleaner.cli;

import static io.dockercleaner.log.RunLog.fields;

import io.dockercleaner.config.Settings;
import io.dockercleaner.config.WebhookEvent;
import io.dockercleaner.core.ItemOutcome;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.core.RunOutcome;
import io.dockercleaner.docker.DockerClient;
import io.dockercleaner.docker.DockerException;
import io.dockercleaner.exec.ItemResult;
import io.dockercleaner.exec.RunRecord;
import io.dockercleaner.log.RunLog;
import io.dockercleaner.metrics.CleanerMetrics;
import io.dockercleaner.notify.RunNotice;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code docker-cleaner agent}: wires the agent, its HTTP API, metrics and notifications, and
 * handles SIGTERM/SIGINT: stop taking triggers, finish the deletions in flight, save state, exit 0
 * within 10 s.
 */
final class AgentCommand {
  /** SIGTERM budget: the deletions in flight get this long; the whole shutdown stays under 10 s. */
  static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(7);

  private AgentCommand() {}

  static int run(Vertx vertx, Settings settings, Map<String, String> env, RunLog log) {
    log.info(RunLog.INIT, "docker-cleaner " + Main.version() + " starting agent", fields("dry_run", settings.dryRun()));
    DockerClient docker;
    try {
      docker = Main.await(Main.connect(vertx, settings, env));
    } catch (DockerException e) {
      log.error(RunLog.INIT, "Cannot connect to the Docker daemon: " + e.daemonMessage(), fields("error", e.getMessage()));
      Main.await(vertx.close());
      return 2;
    }
    log.info(RunLog.INIT, "Connected to " + (docker.capabilities().podman() ? "Podman " : "Docker ")
        + docker.versionInfo().version() + " at " + docker.host().describe() + " (API " + docker.apiVersion() + ", "
        + docker.transport() + ")", fields());
    AgentRuntime runtime;
    try {
      runtime = Main.await(AgentRuntime.start(vertx, settings, env, log, docker, settings.httpListen()));
      log.info(RunLog.INIT, "HTTP API on " + settings.httpListen() + " (GET /healthz /readyz /metrics /v1/status)", fields());
    } catch (RuntimeException e) {
      log.error(RunLog.INIT, "Agent failed to start: " + e.getMessage(), fields("error", String.valueOf(e.getMessage())));
      Main.await(vertx.close());
      return 2;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable shutdown = () -> {
      log.info(RunLog.INIT, "Stopping: no new runs; finishing the deletions in flight", fields());
      try {
        runtime.stop(SHUTDOWN_WAIT).toCompletionStage().toCompletableFuture().get(9, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.warn(RunLog.INIT, "Shutdown did not finish cleanly: " + e, fields());
      }
      stopped.countDown();
    };
    Signals.onTerminate(shutdown);
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info(RunLog.INIT, "Stopped; state saved", fields());
    vertx.close();
    return 0;
  }

  static void recordMetrics(CleanerMetrics metrics, RunRecord r) {
    Duration d = Duration.between(r.startedAt(), r.finishedAt());
    metrics.runFinished(r.trigger(), r.outcome(), d);
    Map<ResourceType, Long> bytes = new EnumMap<>(ResourceType.class);
    for (ItemResult i : r.items()) {
      if (i.outcome() == ItemOutcome.REMOVED) {
        metrics.removed(i.step().type(), i.step().reason());
        bytes.merge(i.step().type(), i.step().estimatedBytes(), Long::sum);
      } else if (i.outcome() == ItemOutcome.SKIPPED && i.skipReason() != null) {
        metrics.skipped(i.step().type(), i.skipReason());
      }
    }
    bytes.forEach(metrics::reclaimed);
    if (r.measuredFreedBytes() > 0 && !r.dryRun()) {
      metrics.measuredFreed(r.measuredFreedBytes());
    }
    // a dry run deletes nothing: it must not hide that real cleanups stopped succeeding
    if (!r.dryRun() && (r.outcome() == RunOutcome.SUCCEEDED || r.outcome() == RunOutcome.NOTHING_RECLAIMABLE)) {
      metrics.lastSuccess(r.finishedAt());
    }
  }

  static RunNotice notice(RunRecord r, String host) {
    WebhookEvent event = switch (r.outcome()) {
      case FAILED -> WebhookEvent.RUN_FAILED;
      case PARTIAL -> WebhookEvent.RUN_PARTIAL;
      case TARGET_NOT_REACHED -> WebhookEvent.TARGET_NOT_REACHED;
      default -> WebhookEvent.RUN_SUCCEEDED;
    };
    return new RunNotice(event, host, r.id(), r.trigger(), r.outcome().label(),
        RunNotice.removedByLabel(r.removedByType()), r.reportedBytes(), r.measuredFreedBytes(),
        r.diskUsedRatioBefore(), r.diskUsedRatioAfter(), r.startedAt(), r.finishedAt(), r.errors(), r.dryRun());
  }
}
