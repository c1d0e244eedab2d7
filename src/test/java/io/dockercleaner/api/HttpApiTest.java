package io.dockercleaner.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dockercleaner.api.ApiClient.Response;
import io.dockercleaner.config.Settings;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.metrics.CleanerMetrics;
import io.dockercleaner.metrics.PromText;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@ExtendWith(VertxExtension.class)
class HttpApiTest {
  private static final String TOKEN = "s3cret-token";
  private static final Map<String, String> AUTH = Map.of("Authorization", "Bearer " + TOKEN);
  private static final Map<String, String> WITH_TOKEN = Map.of("API_TOKEN", TOKEN, "API_RATE_LIMIT", "1000/min");

  private Vertx vertx;
  private FakeAgent agent;
  private CleanerMetrics metrics;
  private ApiClient client;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    agent = new FakeAgent();
    metrics = new CleanerMetrics("test-host");
  }

  @AfterEach
  void tearDown() {
    if (client != null) {
      client.close();
    }
    metrics.close();
  }

  private Future<HttpServer> startFuture(Map<String, String> env, LongSupplier nanoClock) {
    return HttpApi.start(vertx, Settings.of(env), agent, metrics, "127.0.0.1", 0, nanoClock,
        ConnectionLimits.REQUEST_READ_TIMEOUT);
  }

  private void start(Map<String, String> env, LongSupplier nanoClock) {
    HttpServer server = startFuture(env, nanoClock).await();
    client = new ApiClient(vertx, server.actualPort());
  }

  private void start(Map<String, String> env) {
    start(env, System::nanoTime);
  }

  // --- success paths ---

  @Test
  void healthzIsAlwaysOk() {
    start(Map.of());
    Response r = client.get("/healthz");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json()).isEqualTo(new JsonObject().put("status", "ok"));
  }

  @Test
  void readyzIs200WhenDaemonAndEventStreamAreUp() {
    start(Map.of());
    Response r = client.get("/readyz");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getString("status")).isEqualTo("ready");
  }

  @Test
  void readyzIs503WithTheReasonWhenNotReady() {
    start(Map.of());
    agent.eventStreamConnected = false;
    agent.notReadyReason = "event stream disconnected: connection reset";
    Response r = client.get("/readyz");
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.json().getString("reason")).isEqualTo("event stream disconnected: connection reset");

    agent.eventStreamConnected = true;
    agent.daemonReachable = false;
    assertThat(client.get("/readyz").status()).isEqualTo(503);
  }

  @Test
  @Tag("process") // runs promtool
  void metricsServesPrometheusTextThatPromtoolParses() {
    start(Map.of());
    metrics.eventStream(true);
    metrics.reclaimed(ResourceType.IMAGE, 4096);
    Response r = client.get("/metrics");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.headers().get("Content-Type")).startsWith("text/plain; version=0.0.4");
    assertThat(PromText.parse(r.body()))
        .containsEntry(PromText.Key.of("docker_cleaner_event_stream_connected", "host", "test-host"), 1.0)
        .containsEntry(
            PromText.Key.of("docker_cleaner_reclaimed_bytes_total", "host", "test-host", "type", "image"), 4096.0);
    PromText.assertParsesAndOwnMetricsLintClean(PromText.promtool(r.body()));
  }

  @Test
  void statusReturnsTheAgentsStatus() {
    start(Map.of());
    Response r = client.get("/v1/status");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json()).isEqualTo(agent.status());
  }

  @Test
  void planPassesParsedQueryToTheAgent() {
    start(WITH_TOKEN);
    Response r = client.get("/v1/plan?targetBytes=5GB&types=image,volume", AUTH);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getString("id")).isEqualTo("plan-1");
    assertThat(agent.planCalls)
        .containsExactly(new FakeAgent.PlanCall(OptionalLong.of(5_000_000_000L), Set.of(ResourceType.IMAGE, ResourceType.VOLUME)));
  }

  @Test
  void planWithoutParametersUsesTheConfiguredGoal() {
    start(WITH_TOKEN);
    Response r = client.get("/v1/plan?targetBytes=1024", AUTH);
    assertThat(r.status()).isEqualTo(200);
    assertThat(client.get("/v1/plan", AUTH).status()).isEqualTo(200);
    assertThat(agent.planCalls)
        .containsExactly(
            new FakeAgent.PlanCall(OptionalLong.of(1024), Set.of()), new FakeAgent.PlanCall(OptionalLong.empty(), Set.of()));
  }

  @Test
  void postRunPassesEveryFieldAndAnswers202WithLocation() {
    start(WITH_TOKEN);
    Response r =
        client.postJson(
            "/v1/runs",
            TOKEN,
            "{\"dryRun\": true, \"types\": [\"image\", \"build_cache\"], \"targetBytes\": \"1.5GiB\","
                + " \"maxDuration\": \"1h30m\", \"planId\": \"plan-1\"}");
    assertThat(r.status()).isEqualTo(202);
    assertThat(r.json()).isEqualTo(new JsonObject().put("runId", "run-2").put("joined", false));
    assertThat(r.headers().get("Location")).isEqualTo("/v1/runs/run-2");
    assertThat(agent.startRuns)
        .containsExactly(
            new RunRequest(
                true,
                Set.of(ResourceType.IMAGE, ResourceType.BUILD_CACHE),
                OptionalLong.of(1_610_612_736L),
                Optional.of(Duration.ofMinutes(90)),
                Optional.of("plan-1")));
  }

  @Test
  void postRunWithoutBodyUsesDefaultsAndDryRunFromSettings() {
    Map<String, String> env = new HashMap<>(WITH_TOKEN);
    env.put("DRY_RUN", "true");
    start(env);
    Response r = ApiClient.await(client.send(HttpMethod.POST, "/v1/runs", AUTH, null));
    assertThat(r.status()).isEqualTo(202);
    Response second = client.postJson("/v1/runs", TOKEN, "{\"targetBytes\": 0}");
    assertThat(second.status()).isEqualTo(202);
    assertThat(second.json().getBoolean("joined")).isTrue();
    assertThat(agent.startRuns)
        .containsExactly(
            new RunRequest(true, Set.of(), OptionalLong.empty(), Optional.empty(), Optional.empty()),
            new RunRequest(true, Set.of(), OptionalLong.of(0), Optional.empty(), Optional.empty()));
  }

  @Test
  void listAndGetRuns() {
    start(Map.of());
    Response list = client.get("/v1/runs");
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.json().getJsonArray("runs").getJsonObject(0).getString("id")).isEqualTo("run-1");
    Response one = client.get("/v1/runs/run-1");
    assertThat(one.status()).isEqualTo(200);
    assertThat(one.json().getString("outcome")).isEqualTo("succeeded");
  }

  @Test
  void openApiDocumentIsServed() throws Exception {
    start(Map.of());
    Response r = client.get("/v1/openapi.yaml");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.headers().get("Content-Type")).startsWith("application/yaml");
    try (var in = HttpApi.class.getResourceAsStream(HttpApi.OPENAPI_RESOURCE)) {
      assertThat(r.body()).isEqualTo(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    }
    assertThat(r.body()).startsWith("openapi: 3.0.3");
  }

  // --- failures from the agent are mapped in one place ---

  @Test
  void agentApiExceptionBecomesItsStatus() {
    start(WITH_TOKEN);
    Response r = client.postJson("/v1/runs", TOKEN, "{\"planId\": \"" + FakeAgent.UNKNOWN_PLAN + "\"}");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.error()).contains("planId").contains(FakeAgent.UNKNOWN_PLAN);
  }

  @Test
  void agentBugBecomes500NamingTheEndpoint() {
    start(WITH_TOKEN);
    Response r = client.postJson("/v1/runs", TOKEN, "{\"planId\": \"" + FakeAgent.BROKEN_PLAN + "\"}");
    assertThat(r.status()).isEqualTo(500);
    assertThat(r.error()).isEqualTo("POST /v1/runs failed: executor exploded");
  }

  // --- authentication ---

  @Test
  void withoutConfiguredTokenWriteEndpointsAnswer403WithHowToEnable() {
    start(Map.of());
    Response post = client.postJson("/v1/runs", "anything", "{}");
    assertThat(post.status()).isEqualTo(403);
    assertThat(post.error()).contains("POST /v1/runs is disabled").contains("set API_TOKEN or API_TOKEN_FILE");
    Response plan = client.get("/v1/plan");
    assertThat(plan.status()).isEqualTo(403);
    assertThat(plan.error()).contains("GET /v1/plan is disabled").contains("API_TOKEN_FILE");
    assertThat(agent.startRuns).isEmpty();
    assertThat(agent.planCalls).isEmpty();
  }

  @Test
  void missingAuthorizationIs401WithBearerChallenge() {
    start(WITH_TOKEN);
    Response r = ApiClient.await(client.send(HttpMethod.POST, "/v1/runs", Map.of("Content-Type", "application/json"), "{}"));
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.headers().get("WWW-Authenticate")).startsWith("Bearer");
    assertThat(r.error()).contains("Authorization: Bearer");
    assertThat(client.get("/v1/plan").status()).isEqualTo(401);
    assertThat(agent.startRuns).isEmpty();
  }

  @Test
  void wrongTokenIs401() {
    start(WITH_TOKEN);
    Response r = client.postJson("/v1/runs", "wrong-token", "{}");
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.headers().get("WWW-Authenticate")).contains("invalid_token");
    assertThat(r.error()).isEqualTo("invalid bearer token");
    Response prefix = client.postJson("/v1/runs", TOKEN.substring(0, 5), "{}");
    assertThat(prefix.status()).isEqualTo(401);
    assertThat(agent.startRuns).isEmpty();
  }

  @Test
  void otherAuthorizationSchemeIs401() {
    start(WITH_TOKEN);
    Response r =
        ApiClient.await(
            client.send(HttpMethod.POST, "/v1/runs", Map.of("Authorization", "Basic " + TOKEN, "Content-Type", "application/json"), "{}"));
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.error()).contains("Bearer scheme");
    assertThat(agent.startRuns).isEmpty();
  }

  @Test
  void rightTokenIs202AndSchemeIsCaseInsensitive() {
    start(WITH_TOKEN);
    assertThat(client.postJson("/v1/runs", TOKEN, "{}").status()).isEqualTo(202);
    Response lower =
        ApiClient.await(
            client.send(HttpMethod.POST, "/v1/runs", Map.of("Authorization", "bearer " + TOKEN, "Content-Type", "application/json"), "{}"));
    assertThat(lower.status()).isEqualTo(202);
    assertThat(agent.startRuns).hasSize(2);
  }

  @Test
  void tokenFileIsReadOnceAndTrimmed(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("token");
    Files.writeString(file, "  file-token \n");
    start(Map.of("API_TOKEN_FILE", file.toString()));
    Files.writeString(file, "changed-later");
    assertThat(client.postJson("/v1/runs", "file-token", "{}").status()).isEqualTo(202);
    assertThat(client.postJson("/v1/runs", "changed-later", "{}").status()).isEqualTo(401);
  }

  @Test
  void emptyTokenFileFailsStart(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("token");
    Files.writeString(file, " \n");
    assertThatThrownBy(() -> startFuture(Map.of("API_TOKEN_FILE", file.toString()), System::nanoTime).await())
        .hasMessageContaining("API_TOKEN_FILE")
        .hasMessageContaining("is empty");
  }

  @Test
  void missingTokenFileFailsStart(@TempDir Path dir) {
    Path file = dir.resolve("absent");
    assertThatThrownBy(() -> startFuture(Map.of("API_TOKEN_FILE", file.toString()), System::nanoTime).await())
        .hasMessageContaining("API_TOKEN_FILE " + file)
        .hasMessageContaining("cannot read");
  }

  @Test
  void readEndpointsAreOpenByDefault() {
    start(WITH_TOKEN);
    assertThat(client.get("/v1/status").status()).isEqualTo(200);
    assertThat(client.get("/v1/runs").status()).isEqualTo(200);
    assertThat(client.get("/v1/runs/run-1").status()).isEqualTo(200);
    assertThat(client.get("/metrics").status()).isEqualTo(200);
  }

  @Test
  void tokenForReadProtectsReadEndpointsButNotProbesOrTheDocument() {
    Map<String, String> env = new HashMap<>(WITH_TOKEN);
    env.put("API_TOKEN_FOR_READ", "true");
    start(env);
    for (String path : List.of("/v1/status", "/v1/runs", "/v1/runs/run-1", "/metrics")) {
      Response anonymous = client.get(path);
      assertThat(anonymous.status()).as(path).isEqualTo(401);
      assertThat(anonymous.error()).as(path).contains("GET " + path.replace("run-1", "{id}"));
      assertThat(client.get(path, Map.of("Authorization", "Bearer nope")).status()).as(path).isEqualTo(401);
      assertThat(client.get(path, AUTH).status()).as(path).isEqualTo(200);
    }
    for (String path : List.of("/healthz", "/readyz", "/v1/openapi.yaml")) {
      assertThat(client.get(path).status()).as(path).isEqualTo(200);
    }
  }

  // --- invalid requests ---

  /** name, method, path, content type (null = none), body (null = none), status, message fragment. */
  static Stream<Arguments> invalidRequests() {
    String json = "application/json";
    return Stream.of(
        Arguments.of("unknown field", "POST", "/v1/runs", json, "{\"force\": true}", 400, "unknown field 'force'"),
        Arguments.of("dryRun string", "POST", "/v1/runs", json, "{\"dryRun\": \"yes\"}", 400, "dryRun: expected a boolean"),
        Arguments.of("dryRun null", "POST", "/v1/runs", json, "{\"dryRun\": null}", 400, "dryRun: expected a boolean (true or false), got null"),
        Arguments.of("unknown type", "POST", "/v1/runs", json, "{\"types\": [\"foo\"]}", 400, "types: unknown type 'foo'"),
        Arguments.of("types not array", "POST", "/v1/runs", json, "{\"types\": \"image\"}", 400, "types: expected an array"),
        Arguments.of("types empty", "POST", "/v1/runs", json, "{\"types\": []}", 400, "types: must not be empty"),
        Arguments.of("types number item", "POST", "/v1/runs", json, "{\"types\": [1]}", 400, "types: expected strings, got a number"),
        Arguments.of("types wrong case", "POST", "/v1/runs", json, "{\"types\": [\"IMAGE\"]}", 400, "unknown type 'IMAGE'"),
        Arguments.of("targetBytes negative", "POST", "/v1/runs", json, "{\"targetBytes\": -1}", 400, "targetBytes: -1 is negative"),
        Arguments.of("targetBytes abc", "POST", "/v1/runs", json, "{\"targetBytes\": \"abc\"}", 400, "targetBytes: invalid value 'abc'"),
        Arguments.of("targetBytes fraction", "POST", "/v1/runs", json, "{\"targetBytes\": 1.5}", 400, "targetBytes: expected a non-negative whole number"),
        Arguments.of("targetBytes huge", "POST", "/v1/runs", json, "{\"targetBytes\": 100000000000000000000}", 400, "targetBytes: 100000000000000000000 is too large"),
        Arguments.of("targetBytes bool", "POST", "/v1/runs", json, "{\"targetBytes\": true}", 400, "targetBytes: expected a non-negative whole number of bytes or a size string such as \"5GB\", got a boolean"),
        Arguments.of("maxDuration forever", "POST", "/v1/runs", json, "{\"maxDuration\": \"forever\"}", 400, "maxDuration: invalid value 'forever'"),
        Arguments.of("maxDuration zero", "POST", "/v1/runs", json, "{\"maxDuration\": \"0s\"}", 400, "maxDuration: invalid value '0s' (expected a positive duration"),
        Arguments.of("maxDuration number", "POST", "/v1/runs", json, "{\"maxDuration\": 60}", 400, "maxDuration: expected a duration string"),
        Arguments.of("planId number", "POST", "/v1/runs", json, "{\"planId\": 123}", 400, "planId: expected a string"),
        Arguments.of("planId empty", "POST", "/v1/runs", json, "{\"planId\": \"\"}", 400, "planId: expected 1 to 128 characters"),
        Arguments.of("not JSON", "POST", "/v1/runs", json, "{dryRun: true}", 400, "request body is not valid JSON"),
        Arguments.of("trailing garbage", "POST", "/v1/runs", json, "{} {}", 400, "request body is not valid JSON"),
        Arguments.of("duplicate key", "POST", "/v1/runs", json, "{\"dryRun\": true, \"dryRun\": false}", 400, "Duplicate field 'dryRun'"),
        Arguments.of("JSON array", "POST", "/v1/runs", json, "[{\"dryRun\": true}]", 400, "request body must be a JSON object, got an array"),
        Arguments.of("JSON string", "POST", "/v1/runs", json, "\"run\"", 400, "request body must be a JSON object, got a string"),
        Arguments.of("body too large", "POST", "/v1/runs", json, "{\"planId\": \"" + "x".repeat(70 * 1024) + "\"}", 413, "larger than 65536 bytes"),
        Arguments.of("text/plain", "POST", "/v1/runs", "text/plain", "{}", 415, "unsupported Content-Type 'text/plain'"),
        Arguments.of("no content type", "POST", "/v1/runs", null, "{}", 415, "missing Content-Type"),
        Arguments.of("query on POST", "POST", "/v1/runs?dryRun=true", json, "{}", 400, "unknown query parameter 'dryRun'"),
        Arguments.of("plan targetBytes abc", "GET", "/v1/plan?targetBytes=abc", null, null, 400, "targetBytes: invalid value 'abc'"),
        Arguments.of("plan targetBytes negative", "GET", "/v1/plan?targetBytes=-5", null, null, 400, "targetBytes: invalid value '-5'"),
        Arguments.of("plan targetBytes fraction", "GET", "/v1/plan?targetBytes=1.5", null, null, 400, "must be whole"),
        Arguments.of("plan types bogus", "GET", "/v1/plan?types=image,bogus", null, null, 400, "types: unknown type 'bogus'"),
        Arguments.of("plan types empty", "GET", "/v1/plan?types=", null, null, 400, "types: empty type"),
        Arguments.of("plan unknown parameter", "GET", "/v1/plan?target=5GB", null, null, 400, "unknown query parameter 'target'"),
        Arguments.of("plan repeated parameter", "GET", "/v1/plan?types=image&types=volume", null, null, 400, "'types' is given more than once"),
        Arguments.of("unknown run id", "GET", "/v1/runs/nope", null, null, 404, "no run with id 'nope'"),
        Arguments.of("unknown path", "GET", "/v1/nothing", null, null, 404, "no such endpoint: /v1/nothing"),
        Arguments.of("wrong method", "DELETE", "/v1/runs", null, null, 405, "method DELETE is not allowed on /v1/runs"),
        Arguments.of("wrong method on status", "POST", "/v1/status", json, "{}", 405, "method POST is not allowed on /v1/status"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidRequests")
  void invalidRequestIsRejectedWithStatusAndMessageAndNeverReachesTheAgent(
      String name, String method, String path, String contentType, String body, int status, String message) {
    start(WITH_TOKEN);
    Map<String, String> headers = new HashMap<>(AUTH);
    if (contentType != null) {
      headers.put("Content-Type", contentType);
    }
    Response r = ApiClient.await(client.send(HttpMethod.valueOf(method), path, headers, body));
    assertThat(r.status()).isEqualTo(status);
    assertThat(r.headers().get("Content-Type")).isEqualTo("application/json");
    assertThat(r.error()).contains(message);
    assertThat(agent.startRuns).isEmpty();
    assertThat(agent.planCalls).isEmpty();
    if (status == 405) {
      assertThat(r.headers().get("Allow")).isEqualTo(path.equals("/v1/runs") ? "GET, POST" : "GET");
    }
  }

  // --- rate limit ---

  @Test
  void eleventhRunRequestInAMinuteIs429WithRetryAfter() {
    start(Map.of("API_TOKEN", TOKEN), () -> 0L);
    for (int i = 0; i < 10; i++) {
      assertThat(client.postJson("/v1/runs", TOKEN, "{}").status()).as("request %d", i + 1).isEqualTo(202);
    }
    Response r = client.postJson("/v1/runs", TOKEN, "{}");
    assertThat(r.status()).isEqualTo(429);
    // 10/min refills one permit every 6 s
    assertThat(r.headers().get("Retry-After")).isEqualTo("6");
    assertThat(r.error()).contains("API_RATE_LIMIT is 10/min");
    assertThat(agent.startRuns).hasSize(10);
  }

  @Test
  void rejectedRequestsDoNotUseUpTheRateLimit() {
    start(Map.of("API_TOKEN", TOKEN, "API_RATE_LIMIT", "2/h"), () -> 0L);
    for (int i = 0; i < 5; i++) {
      assertThat(client.postJson("/v1/runs", TOKEN, "{\"bogus\": 1}").status()).isEqualTo(400);
      assertThat(client.postJson("/v1/runs", "wrong", "{}").status()).isEqualTo(401);
    }
    assertThat(client.postJson("/v1/runs", TOKEN, "{}").status()).isEqualTo(202);
    assertThat(client.postJson("/v1/runs", TOKEN, "{}").status()).isEqualTo(202);
    assertThat(client.postJson("/v1/runs", TOKEN, "{}").status()).isEqualTo(429);
  }

  @Test
  void concurrentRunRequestsAreEach202Or429AndExactlyTheLimitPasses() {
    start(Map.of("API_TOKEN", TOKEN, "API_RATE_LIMIT", "10/min"), () -> 0L);
    List<Future<Response>> responses = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      responses.add(
          client.send(
              HttpMethod.POST,
              "/v1/runs",
              Map.of("Authorization", "Bearer " + TOKEN, "Content-Type", "application/json"),
              "{\"dryRun\": true}"));
    }
    ApiClient.await(Future.all(responses));
    List<Response> accepted = responses.stream().map(Future::result).filter(r -> r.status() == 202).toList();
    List<Response> limited = responses.stream().map(Future::result).filter(r -> r.status() == 429).toList();
    assertThat(accepted).hasSize(10);
    assertThat(limited).hasSize(190);
    assertThat(limited).allSatisfy(r -> assertThat(r.headers().get("Retry-After")).isNotNull());
    assertThat(accepted).allSatisfy(r -> assertThat(r.json().getString("runId")).isEqualTo("run-2"));
    assertThat(accepted.stream().filter(r -> !r.json().getBoolean("joined")).count()).isEqualTo(1);
    assertThat(agent.startRuns).hasSize(10);
  }
}
