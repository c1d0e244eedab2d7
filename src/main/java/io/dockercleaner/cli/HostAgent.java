package io.dockercleaner.cli;

import static io.dockercleaner.log.RunLog.fields;

import io.dockercleaner.agent.Agent;
import io.dockercleaner.agent.AgentControlImpl;
import io.dockercleaner.api.AgentControl;
import io.dockercleaner.api.ApiException;
import io.dockercleaner.api.RunRequest;
import io.dockercleaner.api.RunTicket;
import io.dockercleaner.config.Settings;
import io.dockercleaner.config.WebhookEvent;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.docker.DockerClient;
import io.dockercleaner.docker.DockerException;
import io.dockercleaner.log.LogHub;
import io.dockercleaner.log.RunLog;
import io.dockercleaner.metrics.CleanerMetrics;
import io.dockercleaner.notify.RunNotice;
import io.dockercleaner.notify.WebhookNotifier;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One watched daemon with everything the agent wires around it: the {@link Agent} core (its
 * event stream, usage state, thresholds, runs), its series in the metrics, its notices, its
 * readiness ping. An agent watching one daemon has one; with DOCKER_HOSTS there is one per host,
 * sharing the event loop, the HTTP API, the metrics registry, the notifier and the live log.
 *
 * <p>With DOCKER_HOSTS a host that cannot be reached is retried with a backoff ({@link
 * #startRetrying}) and never holds the others up; its view answers 503 for runs and plans and
 * shows {@code connected: false} in its status until it is up. Runs start only after {@link
 * #acceptRuns()} (the runtime has validated and bound everything), also for a host that comes up
 * later. Call everything on the Vert.x context.
 */
final class HostAgent {
  /** First wait before reconnecting to a host that was down at start; doubles up to {@link #MAX_RETRY}. */
  static final Duration FIRST_RETRY = Duration.ofSeconds(1);
  static final Duration MAX_RETRY = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final String name;
  private final Settings settings;
  private final Map<String, String> env;
  private final RunLog log;
  private final CleanerMetrics metrics;
  private final WebhookNotifier notifier;
  private final LogHub logHub;
  private final View view = new View();

  private volatile Agent agent;
  private volatile AgentControlImpl control;
  private DockerClient docker;
  private long metricsTimer = -1;
  private long retryTimer = -1;
  private Duration nextRetry = FIRST_RETRY;
  private volatile String downReason = "connecting";
  private String loggedDownReason;
  private boolean accepting;
  private boolean stopping;

  /**
   * @param name the host's name: its log lines, metrics and notices carry it
   * @param settings the host's settings (its own values included)
   */
  HostAgent(Vertx vertx, String name, Settings settings, Map<String, String> env, RunLog log, CleanerMetrics metrics,
      WebhookNotifier notifier, LogHub logHub) {
    this.vertx = vertx;
    this.name = name;
    this.settings = settings;
    this.env = env;
    this.log = log;
    this.metrics = metrics;
    this.notifier = notifier;
    this.logHub = logHub;
  }

  String name() {
    return name;
  }

  Settings settings() {
    return settings;
  }

  /** The running core, or null while the host is not connected. */
  Agent agent() {
    return agent;
  }

  /** The running core's HTTP view, or null while the host is not connected. */
  AgentControlImpl control() {
    return control;
  }

  /** This host's view for the HTTP API, whether it is up or not. */
  AgentControl view() {
    return view;
  }

  CleanerMetrics metrics() {
    return metrics;
  }

  /**
   * Wires and starts the core on a connected client. Fails (the core stopped again, the client
   * left to the caller) when the core cannot start.
   */
  Future<Void> start(DockerClient client) {
    Agent a = new Agent(vertx, settings, log, Clock.systemUTC(), client);
    AgentControlImpl c = new AgentControlImpl(a, logHub);
    metrics.diskWatermarks(settings.diskLowWatermarkRatio(), settings.diskHighWatermarkRatio(),
        settings.diskCriticalWatermarkRatio());
    metrics.automaticCleanupPaused(false);
    // reads the field, not this core: after a failed start and a retry the gauge (registered once
    // per name and host) must see the core that runs
    metrics.scheduleNextRun(() -> {
      Agent running = agent;
      return running == null ? Double.NaN
          : running.nextScheduledRun().map(z -> z.toInstant().toEpochMilli() / 1000.0).orElse(Double.NaN);
    });
    a.onSettingsChanged(v -> {
      metrics.diskWatermarks(v.diskLow(), v.diskHigh(), v.diskCritical());
      metrics.automaticCleanupPaused(v.paused());
    });
    a.onRunFinished(r -> {
      AgentCommand.recordMetrics(metrics, r);
      notifier.notify(AgentCommand.notice(r, name));
    });
    a.onThresholdCrossed(trigger -> notifier.notify(new RunNotice(WebhookEvent.THRESHOLD_CROSSED,
        name, null, trigger, null, Map.of(), 0, RunNotice.UNKNOWN_BYTES, usedRatioNow(a), null,
        Instant.now(), Instant.now(), List.of(), settings.dryRun())));
    a.onDiskForecast(f -> notifier.notify(new RunNotice(WebhookEvent.DISK_FORECAST, name, null, "forecast", null,
        Map.of(), 0, RunNotice.UNKNOWN_BYTES, usedRatioNow(a), null,
        Instant.now(), Instant.now(), List.of(), settings.dryRun(), f)));
    return a.start().map(v -> {
      // values kept from a runtime change before a restart are in force now
      var w = a.runtimeSettings().values();
      metrics.diskWatermarks(w.diskLow(), w.diskHigh(), w.diskCritical());
      metrics.automaticCleanupPaused(w.paused());
      metricsTimer = AgentRuntime.wireWatchMetrics(vertx, a, metrics, c, settings);
      docker = client;
      control = c;
      agent = a;
      downReason = null;
      return (Void) null;
    }).recover(e -> a.stop(Duration.ZERO).recover(x -> Future.succeededFuture())
        .compose(x -> Future.failedFuture(e)));
  }

  /**
   * DOCKER_HOSTS: connects and starts the core now and, while the host cannot be reached, again
   * after a backoff (1 s doubling to 30 s), logging each new reason once. Returns at once.
   */
  void startRetrying() {
    tryStart();
  }

  private void tryStart() {
    retryTimer = -1;
    if (stopping) {
      return;
    }
    Future<Void> started = Main.connect(vertx, settings, env).compose(client -> {
      if (stopping) {
        return client.close().recover(x -> Future.succeededFuture()).mapEmpty();
      }
      log.info(RunLog.INIT, "Connected to " + (client.capabilities().podman() ? "Podman " : "Docker ")
          + client.versionInfo().version() + " at " + client.host().describe() + " (API " + client.apiVersion() + ", "
          + client.transport() + ")", fields());
      return start(client).recover(e -> client.close().recover(x -> Future.succeededFuture())
          .compose(x -> Future.failedFuture(e)));
    });
    started.onComplete(r -> {
      if (r.succeeded()) {
        nextRetry = FIRST_RETRY;
        if (loggedDownReason != null) {
          log.info(RunLog.INIT, "Host is up: watching it", fields());
          loggedDownReason = null;
        }
        if (stopping) {
          stopCore(Duration.ZERO).onComplete(x -> closeClient());
        } else if (accepting && agent != null) {
          agent.acceptRuns();
        }
      } else if (!stopping) {
        String why = r.cause() instanceof DockerException d ? Main.cannotConnect(settings, d)
            : String.valueOf(r.cause().getMessage());
        downReason = why;
        metrics.eventStream(false);
        if (!why.equals(loggedDownReason)) {
          log.warn(RunLog.INIT, "Host not watched yet: " + why + "; the other hosts go on; retrying (every "
              + MAX_RETRY.toSeconds() + " s at most)", fields("error", why));
          loggedDownReason = why;
        }
        retryTimer = vertx.setTimer(nextRetry.toMillis(), t -> tryStart());
        nextRetry = nextRetry.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : nextRetry.multipliedBy(2);
      }
    });
  }

  /** Runs may start from now on (RUN_ON_START, thresholds); a host that comes up later starts them then. */
  void acceptRuns() {
    accepting = true;
    if (agent != null) {
      agent.acceptRuns();
    }
  }

  /**
   * Graceful stop: no new runs or attempts, the deletions in flight get {@code maxWait}, state
   * saved. An attempt still connecting (a daemon that does not answer) is not waited for: it stops
   * its core and closes its client itself when it ends; that core never accepted a run.
   */
  Future<Void> stop(Duration maxWait) {
    stopping = true;
    if (retryTimer >= 0) {
      vertx.cancelTimer(retryTimer);
      retryTimer = -1;
    }
    return stopCore(maxWait);
  }

  private Future<Void> stopCore(Duration maxWait) {
    if (metricsTimer >= 0) {
      vertx.cancelTimer(metricsTimer);
      metricsTimer = -1;
    }
    Agent a = agent;
    return a == null ? Future.succeededFuture() : a.stop(maxWait);
  }

  /** Closes the client after {@link #stop}. */
  Future<Void> closeClient() {
    return docker == null ? Future.succeededFuture() : docker.close().recover(e -> Future.succeededFuture());
  }

  private static Double usedRatioNow(Agent agent) {
    return agent.disk() == null || agent.disk().lastSample() == null ? null : agent.disk().lastSample().usedRatio();
  }

  /** The HTTP API's view of this host: the core's while it runs, a "not connected" one before. */
  private final class View implements AgentControl {
    private AgentControl up() {
      AgentControlImpl c = control;
      if (c == null) {
        throw new ApiException(503, "host '" + name + "' is not connected: " + downReason);
      }
      return c;
    }

    private <T> Future<T> upOrFail(java.util.function.Function<AgentControl, Future<T>> call) {
      try {
        return call.apply(up());
      } catch (ApiException e) {
        return Future.failedFuture(e);
      }
    }

    @Override
    public boolean daemonReachable() {
      AgentControlImpl c = control;
      return c != null && c.daemonReachable();
    }

    @Override
    public boolean eventStreamConnected() {
      AgentControlImpl c = control;
      return c != null && c.eventStreamConnected();
    }

    @Override
    public String notReadyReason() {
      AgentControlImpl c = control;
      return c == null ? "not connected: " + downReason : c.notReadyReason();
    }

    /** The core's status with {@code host}, {@code connected} (daemon answers and events flow) and {@code error}. */
    @Override
    public JsonObject status() {
      AgentControlImpl c = control;
      if (c == null) {
        return new JsonObject().put("host", name).put("connected", false).put("error", downReason)
            .put("daemon", new JsonObject().put("address", Main.describeAddress(settings, env)))
            .put("dryRun", settings.dryRun());
      }
      boolean connected = c.daemonReachable() && c.eventStreamConnected();
      return new JsonObject().put("host", name).put("connected", connected)
          .put("error", connected ? null : c.notReadyReason()).mergeIn(c.status());
    }

    @Override
    public Future<JsonObject> plan(OptionalLong targetBytes, Set<ResourceType> types) {
      return upOrFail(c -> c.plan(targetBytes, types));
    }

    @Override
    public Future<RunTicket> startRun(RunRequest request) {
      return upOrFail(c -> c.startRun(request));
    }

    @Override
    public List<JsonObject> recentRuns() {
      AgentControlImpl c = control;
      return c == null ? List.of() : c.recentRuns();
    }

    @Override
    public Future<JsonObject> recommendations() {
      return upOrFail(AgentControl::recommendations);
    }

    @Override
    public Optional<JsonObject> run(String id) {
      AgentControlImpl c = control;
      return c == null ? Optional.empty() : c.run(id);
    }

    @Override
    public Future<JsonObject> runItems(String id) {
      return upOrFail(c -> c.runItems(id));
    }

    @Override
    public JsonObject diskHistory() {
      return up().diskHistory();
    }

    @Override
    public JsonObject runtimeSettings() {
      AgentControlImpl c = control;
      return c == null ? AgentControl.super.runtimeSettings() : c.runtimeSettings();
    }

    @Override
    public Future<JsonObject> changeSettings(Map<String, String> updates, String who) {
      return upOrFail(c -> c.changeSettings(updates, who));
    }

    @Override
    public Optional<Settings> settings() {
      return Optional.of(settings);
    }

    @Override
    public Optional<LogHub> logHub() {
      return Optional.ofNullable(logHub);
    }
  }
}
