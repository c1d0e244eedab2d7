package io.dockercleaner.cli;

import io.dockercleaner.agent.Agent;
import io.dockercleaner.agent.AgentControlImpl;
import io.dockercleaner.api.HttpApi;
import io.dockercleaner.config.HostPort;
import io.dockercleaner.config.Settings;
import io.dockercleaner.config.WebhookEvent;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.docker.DockerClient;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.dockercleaner.log.LogHub;
import io.dockercleaner.log.LogHubAppender;
import io.dockercleaner.log.RunLog;
import io.dockercleaner.metrics.CleanerMetrics;
import io.dockercleaner.notify.RunNotice;
import io.dockercleaner.notify.WebhookNotifier;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * A started agent with everything {@code docker-cleaner agent} wires around it: the HTTP API,
 * metrics and webhook notifications. {@link AgentCommand} runs one until SIGTERM; tests start one
 * in-process on an ephemeral port ({@link #start(Vertx, Settings, Map, RunLog, DockerClient, HostPort)}).
 */
public final class AgentRuntime {
  /** A daemon that does not answer a ping within this long counts as unreachable (readiness). */
  static final Duration PING_DEADLINE = Duration.ofSeconds(3);

  private final Vertx vertx;
  private final Agent agent;
  private final AgentControlImpl control;
  private final CleanerMetrics metrics;
  private final WebhookNotifier notifier;
  private final HttpServer server;
  private final long metricsTimer;

  private AgentRuntime(Vertx vertx, Agent agent, AgentControlImpl control, CleanerMetrics metrics,
      WebhookNotifier notifier, HttpServer server, long metricsTimer) {
    this.vertx = vertx;
    this.agent = agent;
    this.control = control;
    this.metrics = metrics;
    this.notifier = notifier;
    this.server = server;
    this.metricsTimer = metricsTimer;
  }

  /** Connects to DOCKER_HOST (and its TLS settings) as {@code docker-cleaner agent} does. */
  public static Future<DockerClient> connect(Vertx vertx, Settings settings, Map<String, String> env) {
    return Main.connect(vertx, settings, env);
  }

  /**
   * Wires and starts the agent on {@code docker}, with the HTTP API on {@code listen} (port 0 = any
   * free port; {@link #port()} tells which). On failure the agent is stopped again and the future
   * fails with the cause; the caller closes {@code vertx} and {@code docker}.
   */
  public static Future<AgentRuntime> start(Vertx vertx, Settings settings, Map<String, String> env, RunLog log,
      DockerClient docker, HostPort listen) {
    String host = Main.hostname(env);
    CleanerMetrics metrics = new CleanerMetrics(host);
    metrics.diskWatermarks(settings.diskLowWatermarkRatio(), settings.diskHighWatermarkRatio(),
        settings.diskCriticalWatermarkRatio());
    WebhookNotifier notifier = WebhookNotifier.create(vertx, settings, metrics::webhook);
    Agent agent = new Agent(vertx, settings, log, Clock.systemUTC(), docker);
    // the dashboard's live log: the operations log and library diagnostics, from now on
    LogHub logHub = new LogHub();
    log.tap(logHub);
    attachLogHub(logHub);
    AgentControlImpl control = new AgentControlImpl(agent, logHub);
    metrics.automaticCleanupPaused(false);
    metrics.scheduleNextRun(() -> agent.nextScheduledRun().map(z -> z.toInstant().toEpochMilli() / 1000.0)
        .orElse(Double.NaN));
    agent.onSettingsChanged(v -> {
      metrics.diskWatermarks(v.diskLow(), v.diskHigh(), v.diskCritical());
      metrics.automaticCleanupPaused(v.paused());
    });
    agent.onRunFinished(r -> {
      AgentCommand.recordMetrics(metrics, r);
      notifier.notify(AgentCommand.notice(r, host));
    });
    agent.onThresholdCrossed(trigger -> notifier.notify(new RunNotice(WebhookEvent.THRESHOLD_CROSSED,
        host, null, trigger, null, Map.of(), 0, RunNotice.UNKNOWN_BYTES,
        usedRatioNow(agent), null,
        Instant.now(), Instant.now(), List.of(), settings.dryRun())));
    agent.onDiskForecast(f -> notifier.notify(new RunNotice(WebhookEvent.DISK_FORECAST, host, null, "forecast", null,
        Map.of(), 0, RunNotice.UNKNOWN_BYTES,
        usedRatioNow(agent), null,
        Instant.now(), Instant.now(), List.of(), settings.dryRun(), f)));
    long[] timer = {-1};
    return agent.start()
        .compose(v -> {
          // values kept from a runtime change before a restart are in force now
          var w = agent.runtimeSettings().values();
          metrics.diskWatermarks(w.diskLow(), w.diskHigh(), w.diskCritical());
          metrics.automaticCleanupPaused(w.paused());
          timer[0] = wireWatchMetrics(vertx, agent, metrics, control, settings);
          return HttpApi.start(vertx, settings, control, metrics, listen.host(), listen.port());
        })
        .map(server -> {
          // everything is validated and bound: only now may a run (RUN_ON_START, thresholds) delete
          agent.acceptRuns();
          return new AgentRuntime(vertx, agent, control, metrics, notifier, server, timer[0]);
        })
        .recover(e -> {
          if (timer[0] >= 0) {
            vertx.cancelTimer(timer[0]);
          }
          log.tap(null);
          detachLogHub();
          return agent.stop(Duration.ZERO).recover(x -> Future.succeededFuture()).compose(x -> Future.failedFuture(e));
        });
  }

  public Agent agent() {
    return agent;
  }

  public AgentControlImpl control() {
    return control;
  }

  public CleanerMetrics metrics() {
    return metrics;
  }

  public HttpServer server() {
    return server;
  }

  /** The port the HTTP API is bound to (the real one when asked for port 0). */
  public int port() {
    return server.actualPort();
  }

  /**
   * Why the agent's state was not saved at the last save (after {@link #stop}: the shutdown save),
   * or empty when it was saved or there is no STATE_DIR ({@link #persistsState()}).
   */
  public Optional<String> stateSaveFailure() {
    return agent.state() == null ? Optional.empty() : agent.state().lastSaveFailure();
  }

  /** Whether the agent keeps its state in STATE_DIR (false: in memory only). */
  public boolean persistsState() {
    return agent.state() != null && agent.state().dir() != null;
  }

  /**
   * Graceful stop: no new runs, the deletions in flight get {@code maxWait}, the server closes,
   * pending notifications get a second. Runs on a Vert.x context; the Vertx instance stays open.
   */
  public Future<Void> stop(Duration maxWait) {
    Promise<Void> stopped = Promise.promise();
    // the agent's state is touched on a Vert.x context only (see Agent)
    vertx.runOnContext(v -> {
      vertx.cancelTimer(metricsTimer);
      agent.stop(maxWait).compose(x -> server.close())
          .compose(x -> notifier.flush(Duration.ofSeconds(1))).compose(x -> notifier.close())
          .onComplete(r -> {
            detachLogHub();
            stopped.handle(r);
          });
    });
    return stopped.future();
  }

  /** Library diagnostics (logback's root logger) also go to the hub. */
  private static void attachLogHub(LogHub hub) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      LogHubAppender appender = new LogHubAppender(hub);
      appender.setContext(context);
      appender.start();
      Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      root.detachAppender(LogHubAppender.NAME);
      root.addAppender(appender);
    }
  }

  private static void detachLogHub() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(LogHubAppender.NAME);
    }
  }

  /** The used ratio of the last disk sample, or null before one (a notice's "disk" field). */
  private static Double usedRatioNow(Agent agent) {
    return agent.disk() == null || agent.disk().lastSample() == null ? null : agent.disk().lastSample().usedRatio();
  }

  private static long wireWatchMetrics(Vertx vertx, Agent agent, CleanerMetrics metrics, AgentControlImpl control,
      Settings settings) {
    agent.events().onEvent(e -> metrics.event(e.type(), e.baseAction()));
    agent.events().onStateChange(s -> {
      metrics.eventStream(s.connected());
      if (s.connected() && s.reconnect()) {
        metrics.reconnect();
      }
    });
    metrics.eventStream(agent.events().connected());
    long[] pingSeq = {0};
    long[] pingAnswered = {0};
    return vertx.setPeriodic(settings.diskCheckInterval().toMillis(), t -> {
      var sample = agent.disk() == null ? null : agent.disk().lastSample();
      if (sample != null) {
        metrics.disk(sample.usedRatio(), sample.availableBytes(), sample.freeInodes());
      }
      metrics.diskFullEta(agent.forecast().timeToFullSecondsForMetric());
      metrics.thresholdDeferred(agent.deferral().isPresent());
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
      // a frozen daemon answers nothing: readiness must not wait for the 60 s request timeout
      // an older ping answering late must not be overruled by a newer one's timer, nor the reverse:
      // a timer marks the daemon unreachable only if no ping sent since its own has succeeded
      long seq = ++pingSeq[0];
      long unanswered = vertx.setTimer(PING_DEADLINE.toMillis(), x -> {
        if (pingAnswered[0] < seq) {
          control.daemonReachable(false);
        }
      });
      agent.docker().ping().onComplete(p -> {
        vertx.cancelTimer(unanswered);
        if (p.succeeded()) {
          pingAnswered[0] = Math.max(pingAnswered[0], seq);
          control.daemonReachable(true);
        } else if (pingAnswered[0] < seq) {
          control.daemonReachable(false);
        }
      });
    });
  }

  private static long reclaimableImages(io.dockercleaner.docker.model.DiskUsage df) {
    return df.images().stream().filter(i -> i.containers() == 0)
        .mapToLong(i -> i.sharedSizeBytes() > 0 ? i.sizeBytes() - i.sharedSizeBytes() : i.sizeBytes()).sum();
  }
}
