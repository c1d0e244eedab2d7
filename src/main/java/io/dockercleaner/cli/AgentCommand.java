package io.dockercleaner.cli;

import static io.dockercleaner.log.RunLog.fields;

import io.dockercleaner.agent.Agent;
import io.dockercleaner.agent.AgentControlImpl;
import io.dockercleaner.api.HttpApi;
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
import io.dockercleaner.notify.WebhookNotifier;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
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
    CleanerMetrics metrics = new CleanerMetrics(Main.hostname(env));
    WebhookNotifier notifier = WebhookNotifier.create(vertx, settings, metrics::webhook);
    Agent agent = new Agent(vertx, settings, log, java.time.Clock.systemUTC(), docker);
    AgentControlImpl control = new AgentControlImpl(agent);
    agent.onRunFinished(r -> {
      recordMetrics(metrics, r);
      notifier.notify(notice(r, Main.hostname(env)));
    });
    agent.onThresholdCrossed(trigger -> notifier.notify(new RunNotice(WebhookEvent.THRESHOLD_CROSSED,
        Main.hostname(env), null, trigger, null, Map.of(), 0, RunNotice.UNKNOWN_BYTES,
        agent.disk() == null || agent.disk().lastSample() == null ? null : agent.disk().lastSample().usedRatio(), null,
        java.time.Instant.now(), java.time.Instant.now(), List.of(), settings.dryRun())));
    HttpServer server;
    try {
      Main.await(agent.start());
      wireWatchMetrics(vertx, agent, metrics, control, settings);
      server = Main.await(HttpApi.start(vertx, settings, control, metrics));
      log.info(RunLog.INIT, "HTTP API on " + settings.httpListen() + " (GET /healthz /readyz /metrics /v1/status)", fields());
    } catch (RuntimeException e) {
      log.error(RunLog.INIT, "Agent failed to start: " + e.getMessage(), fields("error", String.valueOf(e.getMessage())));
      Main.await(agent.stop(Duration.ZERO).recover(x -> Future.succeededFuture()));
      Main.await(vertx.close());
      return 2;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable shutdown = () -> {
      log.info(RunLog.INIT, "Stopping: no new runs; finishing the deletions in flight", fields());
      Promise<Void> p = Promise.promise();
      vertx.runOnContext(v -> agent.stop(SHUTDOWN_WAIT).compose(x -> server.close())
          .compose(x -> notifier.flush(Duration.ofSeconds(1))).compose(x -> notifier.close())
          .onComplete(x -> p.complete()));
      try {
        p.future().toCompletionStage().toCompletableFuture().get(9, TimeUnit.SECONDS);
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

  private static void wireWatchMetrics(Vertx vertx, Agent agent, CleanerMetrics metrics, AgentControlImpl control,
      Settings settings) {
    agent.events().onEvent(e -> metrics.event(e.type(), e.baseAction()));
    agent.events().onStateChange(s -> {
      metrics.eventStream(s.connected());
      if (s.connected() && s.reconnect()) {
        metrics.reconnect();
      }
    });
    metrics.eventStream(agent.events().connected());
    vertx.setPeriodic(settings.diskCheckInterval().toMillis(), t -> {
      var sample = agent.disk() == null ? null : agent.disk().lastSample();
      if (sample != null) {
        metrics.disk(sample.usedRatio(), sample.availableBytes(), sample.freeInodes());
      }
      var df = agent.lastDiskUsage();
      if (df != null) {
        metrics.dockerUsage(ResourceType.IMAGE, df.imagesBytes(), reclaimableImages(df));
        metrics.dockerUsage(ResourceType.CONTAINER, df.containersBytes(), df.containers().stream()
            .filter(c -> !c.isActive()).mapToLong(c -> Math.max(0, c.sizeRwBytes())).sum());
        metrics.dockerUsage(ResourceType.VOLUME, df.volumesBytes(), df.volumes().stream()
            .filter(v -> v.refCount() == 0).mapToLong(v -> Math.max(0, v.sizeBytes())).sum());
        metrics.dockerUsage(ResourceType.BUILD_CACHE, df.buildCacheBytes(), df.buildCache().stream()
            .filter(b -> !b.inUse() && !b.shared()).mapToLong(b -> b.sizeBytes()).sum());
      }
      agent.docker().ping().onComplete(p -> control.daemonReachable(p.succeeded()));
    });
  }

  private static long reclaimableImages(io.dockercleaner.docker.model.DiskUsage df) {
    return df.images().stream().filter(i -> i.containers() == 0)
        .mapToLong(i -> i.sharedSizeBytes() > 0 ? i.sizeBytes() - i.sharedSizeBytes() : i.sizeBytes()).sum();
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
    if (r.outcome() == RunOutcome.SUCCEEDED || r.outcome() == RunOutcome.NOTHING_RECLAIMABLE) {
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
