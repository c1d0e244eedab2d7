package io.dockercleaner.ops;

import static org.awaitility.Awaitility.await;

import io.dockercleaner.cli.AgentRuntime;
import io.dockercleaner.config.HostPort;
import io.dockercleaner.config.Settings;
import io.dockercleaner.config.SettingsLoader;
import io.dockercleaner.docker.DockerClient;
import io.dockercleaner.log.RunLog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The real agent (the same wiring as {@code docker-cleaner agent}) in-process against the private
 * daemon, with its HTTP API on 127.0.0.1 and an ephemeral port, driven by the JDK HTTP client.
 */
final class OpsAgent implements AutoCloseable {
  static final String TOKEN = "ops-test-token";
  /** Bounds that turn a hang into a failure; no test asserts how long anything takes. */
  static final Duration HANG_GUARD = Duration.ofMinutes(2);

  /** One HTTP answer. */
  record Response(int status, Map<String, List<String>> headers, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }

    String error() {
      return json().getString("error");
    }

    String header(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
          .map(e -> e.getValue().get(0)).orElse(null);
    }
  }

  private final Vertx vertx;
  private final DockerClient docker;
  private final AgentRuntime runtime;
  private final HttpClient http;
  private final ByteArrayOutputStream logs;

  private OpsAgent(Vertx vertx, DockerClient docker, AgentRuntime runtime, ByteArrayOutputStream logs) {
    this.vertx = vertx;
    this.docker = docker;
    this.runtime = runtime;
    this.logs = logs;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
  }

  /**
   * Starts an agent on {@code daemonHost} with test defaults (no age limits, a token, a high rate
   * limit, volumes off) overridden by {@code kv} (name, value pairs; a null value unsets).
   */
  static OpsAgent start(String daemonHost, String... kv) {
    Map<String, String> env = new HashMap<>();
    env.put("DOCKER_HOST", daemonHost);
    env.put("HOSTNAME", "ops-host");
    env.put("MIN_AGE", "0s");
    env.put("QUIET_PERIOD", "0s");
    env.put("API_TOKEN", TOKEN);
    env.put("API_RATE_LIMIT", "1000/min");
    env.put("LOG_FORMAT", "json");
    // the test must decide every run: no disk-threshold runs whatever the machine's disk holds
    env.put("DISK_HIGH_WATERMARK", "99%");
    env.put("DISK_LOW_WATERMARK", "98%");
    env.put("DISK_CRITICAL_WATERMARK", "100%");
    env.put("INODE_HIGH_WATERMARK", "99%");
    env.put("INODE_LOW_WATERMARK", "98%");
    for (int i = 0; i < kv.length; i += 2) {
      if (kv[i + 1] == null) {
        env.remove(kv[i]);
      } else {
        env.put(kv[i], kv[i + 1]);
      }
    }
    Settings settings = SettingsLoader.load(List.of("agent"), env).settings();
    ByteArrayOutputStream logs = new ByteArrayOutputStream();
    RunLog log = new RunLog(new PrintStream(logs, true, StandardCharsets.UTF_8), settings.logFormat(),
        settings.logLevel(), false, "ops-host", Clock.systemUTC());
    // as Main: one event loop, so the agent and its HTTP API share a thread
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(1)
        .setWorkerPoolSize(2).setInternalBlockingPoolSize(2));
    DockerClient docker = join(AgentRuntime.connect(vertx, settings, env));
    AgentRuntime runtime = join(AgentRuntime.start(vertx, settings, env, log, docker, new HostPort("127.0.0.1", 0)));
    return new OpsAgent(vertx, docker, runtime, logs);
  }

  AgentRuntime runtime() {
    return runtime;
  }

  int port() {
    return runtime.port();
  }

  String logs() {
    return logs.toString(StandardCharsets.UTF_8);
  }

  // --- HTTP ---

  CompletableFuture<Response> sendAsync(String method, String path, Map<String, String> headers, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
        .timeout(HANG_GUARD)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString())
        .thenApply(r -> new Response(r.statusCode(), r.headers().map(), r.body()));
  }

  Response send(String method, String path, Map<String, String> headers, String body) {
    try {
      return sendAsync(method, path, headers, body).get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(method + " " + path + " failed: " + e, e);
    }
  }

  Response get(String path) {
    return send("GET", path, Map.of(), null);
  }

  Response getAuthorized(String path) {
    return send("GET", path, Map.of("Authorization", "Bearer " + TOKEN), null);
  }

  static Map<String, String> jsonWithToken() {
    return Map.of("Authorization", "Bearer " + TOKEN, "Content-Type", "application/json");
  }

  /** POST /v1/runs with the token; asserts 202 and returns the run id. */
  String startRun(String body) {
    Response r = send("POST", "/v1/runs", jsonWithToken(), body);
    if (r.status() != 202) {
      throw new AssertionError("POST /v1/runs " + body + " -> " + r.status() + " " + r.body());
    }
    return r.json().getString("runId");
  }

  /** GET /v1/runs/{id} until the run has an outcome; returns the full record. */
  JsonObject awaitRun(String id) {
    JsonObject[] last = new JsonObject[1];
    await().atMost(HANG_GUARD).pollInterval(Duration.ofMillis(50)).until(() -> {
      Response r = get("/v1/runs/" + id);
      if (r.status() != 200) {
        return false;
      }
      last[0] = r.json();
      return io.dockercleaner.testsupport.AgentProcess.hasFinished(last[0]);
    });
    return last[0];
  }

  /** Waits until the agent runs nothing and has nothing pending; returns GET /v1/runs. */
  JsonArray awaitIdle() {
    await().atMost(HANG_GUARD).pollInterval(Duration.ofMillis(50)).until(() -> {
      JsonObject status = get("/v1/status").json();
      // answered on the agent's event loop, so never between a run and its follow-up
      return status.getValue("currentRun") == null;
    });
    return get("/v1/runs").json().getJsonArray("runs");
  }

  /** Items of a run record with outcome {@code removed}: "type/id". */
  static List<String> removed(JsonObject run) {
    return run.getJsonArray("items").stream().map(JsonObject.class::cast)
        .filter(i -> "removed".equals(i.getString("outcome")))
        .map(i -> i.getString("type") + "/" + i.getString("id")).sorted().toList();
  }

  @Override
  public void close() {
    try {
      join(runtime.stop(Duration.ofSeconds(5)).compose(v -> docker.close()).recover(e -> Future.succeededFuture()));
    } finally {
      join(vertx.close());
    }
  }

  static <T> T join(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError(e.getCause().toString(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e.toString(), e);
    }
  }
}
