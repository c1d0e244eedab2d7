package io.dockercleaner.cli;

import io.dockercleaner.agent.Agent;
import io.dockercleaner.agent.AgentControlImpl;
import io.dockercleaner.api.AgentControl;
import io.dockercleaner.api.HttpApi;
import io.dockercleaner.api.MultiHostControl;
import io.dockercleaner.config.HostPort;
import io.dockercleaner.config.HostSpec;
import io.dockercleaner.config.Settings;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.docker.DockerClient;
import io.dockercleaner.exec.Rehearsal;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.dockercleaner.log.LogHub;
import io.dockercleaner.log.LogHubAppender;
import io.dockercleaner.log.RunLog;
import io.dockercleaner.metrics.CleanerMetrics;
import io.dockercleaner.notify.WebhookNotifier;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * A started agent with everything {@code docker-cleaner agent} wires around it: the HTTP API,
 * metrics and webhook notifications. {@link AgentCommand} runs one until SIGTERM; tests start one
 * in-process on an ephemeral port ({@link #start(Vertx, Settings, Map, RunLog, DockerClient, HostPort)}).
 *
 * <p>With DOCKER_HOSTS ({@link #startHosts}) it watches several daemons: one {@link HostAgent}
 * (one agent core) per host, sharing the event loop, the HTTP API (each host under {@code
 * /v1/hosts/{host}/}, every host at the top level), one metrics registry (each host's series
 * with its {@code host} label), the notifier (notices carry the host) and the live log.
 */
public final class AgentRuntime {
  /** A daemon that does not answer a ping within this long counts as unreachable (readiness). */
  static final Duration PING_DEADLINE = Duration.ofSeconds(3);

  private final Vertx vertx;
  private final List<HostAgent> hosts;
  private final CleanerMetrics metrics;
  private final List<WebhookNotifier> notifiers;
  private final HttpServer server;

  private AgentRuntime(Vertx vertx, List<HostAgent> hosts, CleanerMetrics metrics, List<WebhookNotifier> notifiers,
      HttpServer server) {
    this.vertx = vertx;
    this.hosts = hosts;
    this.metrics = metrics;
    this.notifiers = notifiers;
    this.server = server;
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
    WebhookNotifier notifier = WebhookNotifier.create(vertx, settings, metrics::webhook);
    // the dashboard's live log: the operations log and library diagnostics, from now on
    LogHub logHub = new LogHub();
    log.tap(logHub);
    attachLogHub(logHub);
    HostAgent only = new HostAgent(vertx, host, settings, env, log, metrics, notifier, logHub);
    return only.start(docker)
        .compose(v -> rehearse(vertx, settings, log))
        .compose(v -> HttpApi.start(vertx, settings, only.control(), metrics, listen.host(), listen.port()))
        .map(server -> {
          // everything is validated and bound: only now may a run (RUN_ON_START, thresholds) delete
          only.acceptRuns();
          return new AgentRuntime(vertx, List.of(only), metrics, List.of(notifier), server);
        })
        .recover(e -> {
          log.tap(null);
          detachLogHub();
          return only.stop(Duration.ZERO).recover(x -> Future.succeededFuture()).compose(x -> Future.failedFuture(e));
        });
  }

  /**
   * DOCKER_HOSTS: one agent core per host ({@code hosts}: each host's resolved settings, validated
   * by the caller), then the HTTP API on {@code listen}; runs may start only once the API is bound,
   * on every host. A host that cannot be reached does not fail the start: it is retried in the
   * background and the others are watched meanwhile. Fails only when the API cannot be served;
   * then every host is stopped again and nothing was deleted.
   */
  public static Future<AgentRuntime> startHosts(Vertx vertx, Settings settings, Map<HostSpec, Settings> hosts,
      Map<String, String> env, RunLog log, HostPort listen) {
    CleanerMetrics metrics = new CleanerMetrics(Main.hostname(env));
    WebhookNotifier shared = WebhookNotifier.create(vertx, settings, metrics::webhook);
    List<WebhookNotifier> notifiers = new ArrayList<>(List.of(shared));
    LogHub logHub = new LogHub();
    log.tap(logHub);
    attachLogHub(logHub);
    List<HostAgent> agents = new ArrayList<>();
    Map<String, AgentControl> views = new LinkedHashMap<>();
    hosts.forEach((spec, hostSettings) -> {
      WebhookNotifier notifier = shared;
      if (!notificationSettings(hostSettings).equals(notificationSettings(settings))) {
        // the host sends its notices elsewhere (its own WEBHOOK_URL, ...): a notifier of its own
        notifier = WebhookNotifier.create(vertx, hostSettings, metrics::webhook);
        notifiers.add(notifier);
      }
      HostAgent agent = new HostAgent(vertx, spec.name(), hostSettings, env, log.forHost(spec.name()),
          metrics.forHost(spec.name()), notifier, logHub);
      agents.add(agent);
      views.put(spec.name(), agent.view());
    });
    MultiHostControl all = new MultiHostControl(views, logHub);
    Promise<AgentRuntime> started = Promise.promise();
    vertx.runOnContext(x -> {
      // every host connects on its own, retried while it cannot be reached: a slow, frozen or
      // missing daemon holds up neither the others nor the API; none runs before acceptRuns()
      agents.forEach(HostAgent::startRetrying);
      rehearse(vertx, settings, log)
          .compose(v -> HttpApi.start(vertx, settings, all, metrics, listen.host(), listen.port()))
          .map(server -> {
            // every host's settings and files were validated before, the API is bound: runs may delete
            agents.forEach(HostAgent::acceptRuns);
            return new AgentRuntime(vertx, List.copyOf(agents), metrics, notifiers, server);
          })
          .recover(e -> {
            log.tap(null);
            detachLogHub();
            return Future.join(agents.stream().map(a -> a.stop(Duration.ZERO).compose(v -> a.closeClient())).toList())
                .recover(y -> Future.succeededFuture()).compose(y -> Future.<AgentRuntime>failedFuture(e));
          })
          .onComplete(started);
    });
    return started.future();
  }

  /**
   * The delete path rehearsed on an in-process stand-in ({@link Rehearsal}) before the HTTP API is
   * bound (so /healthz, HTTP runs and the SIGTERM handler all come after it) and before any run may
   * start, so the first run does not compete with the JIT compiler for the CPU the daemon needs.
   * Always succeeds: a rehearsal that failed is a WARN line.
   */
  private static Future<Void> rehearse(Vertx vertx, Settings settings, RunLog log) {
    return Rehearsal.run(vertx, Rehearsal.DEFAULT_DELETIONS, settings.deleteConcurrency(), settings.logFormat(),
        settings.logLevel(), Clock.systemUTC()).map(r -> {
          log.info(RunLog.INIT, "Rehearsed the delete path: " + r.removed() + " made-up deletions on an in-process "
              + "stand-in for the daemon in " + r.took().toMillis() + " ms (nothing real deleted)",
              RunLog.fields("rehearsal_deletions", r.removed(), "rehearsal_ms", r.took().toMillis()));
          return (Void) null;
        }).recover(e -> {
          log.warn(RunLog.INIT, "Delete path not rehearsed (" + e.getMessage() + "); the first run will be slower",
              RunLog.fields("error", String.valueOf(e.getMessage())));
          return Future.succeededFuture();
        });
  }

  /** The settings a notifier is made from: a host with other values gets its own notifier. */
  private static Map<String, String> notificationSettings(Settings s) {
    Map<String, String> out = new java.util.TreeMap<>();
    s.effective().forEach((k, v) -> {
      if (k.startsWith("WEBHOOK_") || k.equals("NOTIFY_TARGETS") || k.startsWith("SMTP_")) {
        out.put(k, v);
      }
    });
    return out;
  }

  /** The (first) host's agent core; null while that host is not connected (DOCKER_HOSTS). */
  public Agent agent() {
    return hosts.get(0).agent();
  }

  /** The (first) host's HTTP view of its core. */
  public AgentControlImpl control() {
    return hosts.get(0).control();
  }

  /** The process's metrics (with one daemon: its series too). */
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
   * or empty when it was saved or there is no STATE_DIR ({@link #persistsState()}). With several
   * hosts: the first host whose state was not saved, named.
   */
  public Optional<String> stateSaveFailure() {
    for (HostAgent h : hosts) {
      Agent a = h.agent();
      Optional<String> failure = a == null || a.state() == null ? Optional.empty() : a.state().lastSaveFailure();
      if (failure.isPresent()) {
        return hosts.size() == 1 ? failure : Optional.of(h.name() + ": " + failure.get());
      }
    }
    return Optional.empty();
  }

  /** Whether the agent keeps its state in STATE_DIR (false: in memory only). */
  public boolean persistsState() {
    return hosts.stream().anyMatch(h -> h.settings().stateDir().isPresent());
  }

  /**
   * Graceful stop: no new runs, the deletions in flight get {@code maxWait}, the server closes,
   * pending notifications get a second. Runs on a Vert.x context; the Vertx instance stays open.
   */
  public Future<Void> stop(Duration maxWait) {
    Promise<Void> stopped = Promise.promise();
    // the agent's state is touched on a Vert.x context only (see Agent)
    vertx.runOnContext(v -> {
      Future.join(hosts.stream().map(h -> h.stop(maxWait)).toList()).recover(x -> Future.succeededFuture())
          .compose(x -> server.close())
          .compose(x -> Future.join(notifiers.stream().map(n -> n.flush(Duration.ofSeconds(1))).toList()))
          .compose(x -> Future.join(notifiers.stream().map(WebhookNotifier::close).toList()))
          .onComplete(r -> {
            detachLogHub();
            stopped.handle(r.mapEmpty());
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

  /** Per-host gauges (disk, forecast, df) and the readiness ping, every DISK_CHECK_INTERVAL. */
  static long wireWatchMetrics(Vertx vertx, Agent agent, CleanerMetrics metrics, AgentControlImpl control,
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
