package io.dockercleaner.agent;

import io.dockercleaner.config.LogFormat;
import io.dockercleaner.config.LogLevel;
import io.dockercleaner.config.Settings;
import io.dockercleaner.docker.DockerClient;
import io.dockercleaner.docker.DockerClientOptions;
import io.dockercleaner.docker.DockerHost;
import io.dockercleaner.exec.RunRecord;
import io.dockercleaner.log.RunLog;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * An {@link Agent} wired in-process the way {@code AgentCommand} wires it, on its own Vert.x
 * context, against a private test daemon. Everything that touches the agent's mutable state goes
 * through {@link #onContext}, as the agent requires.
 */
final class AgentHarness implements AutoCloseable {
  static final Duration WAIT = Duration.ofMinutes(2);

  final Vertx vertx;
  final DockerClient docker;
  final Agent agent;
  final Context context;
  /** Every finished run, in finishing order (filled from the agent's run listener). */
  final List<RunRecord> finished = new CopyOnWriteArrayList<>();
  private boolean stopped;

  private AgentHarness(Vertx vertx, DockerClient docker, Agent agent, Context context) {
    this.vertx = vertx;
    this.docker = docker;
    this.agent = agent;
    this.context = context;
  }

  /**
   * Connects to {@code host} and starts an agent with {@code env} over quiet test defaults (no
   * state dir unless given, MIN_AGE and QUIET_PERIOD 0, thresholds effectively off).
   */
  static AgentHarness start(Vertx vertx, String host, Map<String, String> env) throws Exception {
    Map<String, String> values = new HashMap<>();
    values.put("DOCKER_HOST", host);
    values.put("MIN_AGE", "0s");
    values.put("QUIET_PERIOD", "0s");
    values.put("DISK_CRITICAL_WATERMARK", "99.9%");
    values.put("DISK_HIGH_WATERMARK", "99.8%");
    values.put("DISK_LOW_WATERMARK", "99.7%");
    values.put("MIN_RUN_INTERVAL", "1s");
    values.putAll(env);
    Settings settings = Settings.of(values);
    DockerClient docker = get(DockerClient.connect(vertx, DockerClientOptions.of(DockerHost.parse(host, false, null))));
    RunLog log = new RunLog(System.out, LogFormat.TEXT, LogLevel.DEBUG, false, "test-host", Clock.systemUTC());
    Context context = vertx.getOrCreateContext();
    Agent agent = new Agent(vertx, settings, log, Clock.systemUTC(), docker);
    AgentHarness h = new AgentHarness(vertx, docker, agent, context);
    agent.onRunFinished(h.finished::add);
    h.call(agent::start);
    // as AgentRuntime once everything is bound: runs may start from here on
    h.onContext(() -> {
      agent.acceptRuns();
      return null;
    });
    return h;
  }

  /** Runs {@code action} on the agent's context and waits for its result. */
  <T> T onContext(Supplier<T> action) throws Exception {
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> {
      try {
        p.complete(action.get());
      } catch (RuntimeException e) {
        p.fail(e);
      }
    });
    return get(p.future());
  }

  /** Starts {@code action} on the agent's context and waits for the Future it returns. */
  <T> T call(Supplier<Future<T>> action) throws Exception {
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> {
      try {
        action.get().onComplete(p);
      } catch (RuntimeException e) {
        p.fail(e);
      }
    });
    return get(p.future());
  }

  /** Requests a run on the agent's context and waits until it finishes. */
  RunRecord runAndWait(TriggerRequest request) throws Exception {
    return call(() -> agent.request(request).done());
  }

  static <T> T get(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Graceful stop (saves state); idempotent. */
  void stop() throws Exception {
    if (!stopped) {
      stopped = true;
      call(() -> agent.stop(Duration.ofSeconds(10)));
      get(docker.close());
    }
  }

  @Override
  public void close() throws Exception {
    stop();
  }
}
