package io.dockercleaner.cli;

import static io.dockercleaner.log.RunLog.fields;

import io.dockercleaner.config.Settings;
import io.dockercleaner.config.StartupChecks;
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
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code docker-cleaner agent}: wires the agent, its HTTP API, metrics and notifications, and
 * handles SIGTERM/SIGINT: stop taking triggers, finish the deletions in flight, save state, exit
 * within 10 s: 0 when the state was saved (or there is no STATE_DIR), 1 when it could not be (see
 * {@link #reportStop}). A start-up that fails exits 2, having deleted nothing.
 */
final class AgentCommand {
  /** SIGTERM budget: the deletions in flight get this long; the whole shutdown stays under 10 s. */
  static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(7);
  /** The whole stop (deletions in flight, state save, server close, notifications) gets this long. */
  static final Duration STOP_LIMIT = Duration.ofSeconds(9);

  private AgentCommand() {}

  static int run(Vertx vertx, Settings settings, Map<String, String> env, RunLog log) {
    if (!settings.hosts().isEmpty()) {
      return runHosts(vertx, settings, env, log);
    }
    log.info(RunLog.INIT, "docker-cleaner " + Main.version() + " starting agent", fields("dry_run", settings.dryRun()));
    DockerClient docker;
    try {
      docker = Main.await(Main.connect(vertx, settings, env));
    } catch (DockerException e) {
      log.error(RunLog.INIT, Main.cannotConnect(settings, e), fields("error", e.getMessage()));
      Main.await(vertx.close());
      return 2;
    }
    log.info(RunLog.INIT, "Connected to " + (docker.capabilities().podman() ? "Podman " : "Docker ")
        + docker.versionInfo().version() + " at " + docker.host().describe() + " (API " + docker.apiVersion() + ", "
        + docker.transport() + ")", fields());
    return startAndServe(vertx, settings, log,
        () -> AgentRuntime.start(vertx, settings, env, log, docker, settings.httpListen()),
        "GET /healthz /readyz /metrics /v1/status");
  }

  /**
   * The agent across DOCKER_HOSTS: every host's settings (its own values, its docker context), its
   * STATE_DIR and DISK_PATH are validated before any host is contacted (exit 2 naming the host,
   * nothing deleted); then one agent core per host and the HTTP API, runs only once it is bound. A
   * host that cannot be reached is retried in the background and does not stop the others.
   */
  private static int runHosts(Vertx vertx, Settings settings, Map<String, String> env, RunLog log) {
    log.info(RunLog.INIT, "docker-cleaner " + Main.version() + " starting agent across " + settings.hosts().size()
        + " hosts: " + String.join(", ", settings.hosts().stream().map(h -> h.toString()).toList()),
        fields("dry_run", settings.dryRun()));
    Map<io.dockercleaner.config.HostSpec, Settings> hosts;
    java.util.List<String> problems = new java.util.ArrayList<>();
    try {
      hosts = MultiHostRun.resolve(settings, env, true);
      hosts.forEach((h, s) -> {
        problems.addAll(StartupChecks.checkAgentHost(h.name(), s));
        try {
          Main.dockerHost(s, env).checkCertificates();
        } catch (DockerException e) {
          problems.add("DOCKER_HOSTS host '" + h.name() + "': " + e.operation() + ": " + e.daemonMessage());
        }
      });
    } catch (io.dockercleaner.config.ConfigException e) {
      hosts = Map.of();
      problems.addAll(e.errors());
    }
    if (!problems.isEmpty()) {
      problems.forEach(p -> log.error(RunLog.INIT, "Invalid configuration: " + p, fields()));
      log.error(RunLog.INIT, "Nothing was done: invalid host configuration", fields());
      Main.await(vertx.close());
      return 2;
    }
    Map<io.dockercleaner.config.HostSpec, Settings> validHosts = hosts;
    return startAndServe(vertx, settings, log,
        () -> AgentRuntime.startHosts(vertx, settings, validHosts, env, log, settings.httpListen()),
        "GET /healthz /readyz /metrics /v1/status; one host: /v1/hosts/{host}/status, /runs, /plan");
  }

  /**
   * Starts the runtime (validated and bound before any run may delete), then serves until a
   * signal; exit 2 when the start fails.
   */
  private static int startAndServe(Vertx vertx, Settings settings, RunLog log,
      java.util.function.Supplier<io.vertx.core.Future<AgentRuntime>> start, String endpoints) {
    AgentRuntime runtime;
    try {
      runtime = Main.await(start.get());
      log.info(RunLog.INIT, "HTTP API on " + settings.httpListen() + " (" + endpoints + ")", fields());
      warnIfReadsAreOpen(settings, log);
    } catch (RuntimeException e) {
      log.error(RunLog.INIT, "Agent failed to start: " + e.getMessage(), fields("error", String.valueOf(e.getMessage())));
      Main.await(vertx.close());
      return 2;
    }
    return serve(vertx, settings, runtime, log);
  }

  /** Serves until SIGTERM/SIGINT, then stops gracefully; returns the exit code ({@link #reportStop}). */
  private static int serve(Vertx vertx, Settings settings, AgentRuntime runtime, RunLog log) {
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicReference<String> unfinished = new AtomicReference<>();
    Runnable shutdown = () -> {
      log.info(RunLog.INIT, "Stopping: no new runs; finishing the deletions in flight", fields());
      try {
        runtime.stop(SHUTDOWN_WAIT).toCompletionStage().toCompletableFuture().get(STOP_LIMIT.toSeconds(), TimeUnit.SECONDS);
      } catch (Exception e) {
        unfinished.set(e instanceof java.util.concurrent.TimeoutException
            ? "the shutdown did not finish within " + STOP_LIMIT.toSeconds() + " s" : String.valueOf(e));
      }
      stopped.countDown();
    };
    Signals.onTerminate(shutdown);
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int code = reportStop(runtime, settings, unfinished.get(), log);
    vertx.close();
    return code;
  }

  /**
   * The last log line says what really happened to the state: "state saved" only when the final
   * save succeeded. Exit 1 when the state could not be saved (or the shutdown did not finish): the
   * last-use history since the previous save is lost, and the next start is more conservative.
   */
  static int reportStop(AgentRuntime runtime, Settings settings, String unfinished, RunLog log) {
    if (unfinished != null) {
      log.error(RunLog.INIT, "Stopped without saving the state for certain: " + unfinished, fields("error", unfinished));
      return 1;
    }
    if (!runtime.persistsState()) {
      log.info(RunLog.INIT, "Stopped (no STATE_DIR: the last-use history was kept in memory only)", fields());
      return 0;
    }
    var failure = runtime.stateSaveFailure();
    if (failure.isPresent()) {
      log.error(RunLog.INIT, "Stopped, but the state was NOT saved to STATE_DIR " + settings.stateDir().orElse(null)
          + " (" + failure.get() + "): the last-use history since the previous save is lost", fields("error", failure.get()));
      return 1;
    }
    log.info(RunLog.INIT, "Stopped; state saved", fields());
    return 0;
  }

  /** A read API that answers anyone who reaches a non-loopback HTTP_LISTEN is said so at start. */
  static void warnIfReadsAreOpen(Settings settings, RunLog log) {
    if (settings.apiTokenForRead() || StartupChecks.isLoopback(settings.httpListen().host())) {
      return;
    }
    boolean token = settings.apiToken().isPresent() || settings.apiTokenFile().isPresent();
    log.warn(RunLog.INIT, "The read API (GET /v1/status, /v1/runs, /metrics) on " + settings.httpListen()
        + " answers anyone who can reach it without a token: "
        + (token ? "API_TOKEN_FOR_READ=false" : "API_OPEN_READ=true and no API_TOKEN")
        + (token ? "; set API_TOKEN_FOR_READ=true to require the token" : ""), fields());
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
    if (r.auditFailures() > 0) {
      metrics.auditWriteFailures(r.auditFailures());
    }
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
