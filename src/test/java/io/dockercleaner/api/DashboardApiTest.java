package io.dockercleaner.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.api.ApiClient.Response;
import io.dockercleaner.config.Settings;
import io.dockercleaner.metrics.CleanerMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dashboard's side of the HTTP API on 127.0.0.1: its files, the security headers, the live
 * log stream and the read endpoints the pages use, against {@link FakeAgent}.
 */
@ExtendWith(VertxExtension.class)
class DashboardApiTest {
  private static final String TOKEN = "ui-token";
  private static final Map<String, String> AUTH = Map.of("Authorization", "Bearer " + TOKEN);
  private static final List<String> UI_FILES = List.of("index.html", "app.js", "style.css", "favicon.svg");

  private Vertx vertx;
  private FakeAgent agent;
  private CleanerMetrics metrics;
  private ApiClient client;
  private int port;

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

  private void start(Map<String, String> env) {
    HttpServer server = HttpApi.start(vertx, Settings.of(env), agent, metrics, "127.0.0.1", 0).await();
    port = server.actualPort();
    client = new ApiClient(vertx, port);
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = HttpApi.class.getResourceAsStream("/" + HttpApi.UI_WEBROOT + "/" + name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void uiIndexIsServedWithTheStrictContentSecurityPolicy() {
    start(Map.of());
    Response r = client.get("/ui/");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.headers().get("Content-Type")).startsWith("text/html");
    assertThat(r.body()).contains("<script type=\"module\" src=\"app.js\"></script>");
    String csp = r.headers().get("Content-Security-Policy");
    assertThat(csp).isEqualTo(HttpApi.CONTENT_SECURITY_POLICY).contains("frame-ancestors 'none'")
        .contains("script-src 'self';").contains("style-src 'self';").doesNotContain("unsafe-inline")
        .doesNotContain("unsafe-eval").doesNotContain("http");
    assertThat(r.headers().get("X-Frame-Options")).isEqualTo("DENY");
    assertThat(r.headers().get("X-Content-Type-Options")).isEqualTo("nosniff");
  }

  @Test
  void slashlessUiRedirectsToTheIndex() {
    start(Map.of());
    Response r = client.get("/ui");
    assertThat(r.status()).isEqualTo(302);
    assertThat(r.headers().get("Location")).isEqualTo("/ui/");
  }

  @ParameterizedTest
  @ValueSource(strings = {"app.js", "style.css", "favicon.svg"})
  void everyUiFileIsServedWithItsType(String file) {
    start(Map.of());
    Response r = client.get("/ui/" + file);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.headers().get("Content-Type")).startsWith(
        Map.of("app.js", "text/javascript", "style.css", "text/css", "favicon.svg", "image/svg+xml").get(file));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "app.js", "style.css"})
  void uiTextFilesAreDeclaredUtf8WhateverTheJvmsDefaultCharset(String file) {
    // the files hold non-ASCII text (→, …); an agent started without a UTF-8 locale has another
    // default charset, and Chromium then showed "â†'" for "→" (seen in a screenshot)
    start(Map.of());
    Response r = client.get("/ui/" + file);
    assertThat(r.headers().get("Content-Type")).containsIgnoringCase("charset=utf-8");
  }

  @Test
  void uiFilesLoadNothingFromElsewhereAndHaveNoInlineScriptOrStyle() throws IOException {
    Pattern external = Pattern.compile("(https?:)?//[a-z0-9.-]+\\.[a-z]{2,}", Pattern.CASE_INSENSITIVE);
    for (String file : UI_FILES) {
      String text = resource(file);
      // the SVG namespace is a name, not a request
      String withoutNamespaces = text.replace("http://www.w3.org/2000/svg", "");
      assertThat(external.matcher(withoutNamespaces).find()).as("%s refers to another host", file).isFalse();
    }
    String html = resource("index.html");
    assertThat(Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>").matcher(html).find()).as("inline script").isFalse();
    assertThat(html).doesNotContain("<style").doesNotContain(" style=").doesNotContain("onclick=");
    assertThat(resource("app.js")).doesNotContain("innerHTML").doesNotContain("eval(").doesNotContain("new Function");
  }

  @Test
  void noCorsHeadersEvenForAnotherOrigin() {
    start(Map.of());
    Response r = client.get("/v1/status", Map.of("Origin", "http://evil.example"));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.headers().names()).noneMatch(n -> n.toLowerCase().startsWith("access-control-"));
    Response preflight = ApiClient.await(client.send(HttpMethod.OPTIONS, "/v1/runs",
        Map.of("Origin", "http://evil.example", "Access-Control-Request-Method", "POST"), null));
    assertThat(preflight.status()).isEqualTo(405);
    assertThat(preflight.headers().names()).noneMatch(n -> n.toLowerCase().startsWith("access-control-"));
  }

  @Test
  void settingsListEveryValueWithItsSourceAndMaskSecrets() {
    start(Map.of("API_TOKEN", TOKEN, "DISK_HIGH_WATERMARK", "90%"));
    Response r = client.get("/v1/settings");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).doesNotContain(TOKEN);
    Map<String, JsonObject> byName = new java.util.HashMap<>();
    r.json().getJsonArray("settings").forEach(o -> byName.put(((JsonObject) o).getString("name"), (JsonObject) o));
    assertThat(byName.get("API_TOKEN").getString("value")).isEqualTo("***");
    assertThat(byName.get("API_TOKEN").getString("source")).isEqualTo("env");
    assertThat(byName.get("DISK_HIGH_WATERMARK").getString("value")).isEqualTo("90%");
    assertThat(byName.get("DISK_LOW_WATERMARK").getString("source")).isEqualTo("default");
  }

  @Test
  void diskHistoryAndRunItemsComeFromTheAgent() {
    start(Map.of());
    Response history = client.get("/v1/disk/history");
    assertThat(history.status()).isEqualTo(200);
    assertThat(history.json()).isEqualTo(agent.diskHistory());
    Response items = client.get("/v1/runs/run-1/items");
    assertThat(items.status()).isEqualTo(200);
    assertThat(items.json().getJsonArray("items").getJsonObject(0).getString("name")).isEqualTo("old:1");
    Response unknown = client.get("/v1/runs/nope/items");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.error()).contains("nope");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/v1/settings", "/v1/disk/history", "/v1/runs/run-1/items", "/v1/logs/stream"})
  void dashboardReadsNeedTheTokenWhenReadsDo(String path) {
    start(Map.of("API_TOKEN", TOKEN, "API_TOKEN_FOR_READ", "true"));
    assertThat(client.get(path).status()).isEqualTo(401);
    assertThat(client.get(path, Map.of("Authorization", "Bearer wrong")).status()).isEqualTo(401);
    if (!path.equals("/v1/logs/stream")) { // a stream never completes: checked by the stream test
      assertThat(client.get(path, AUTH).status()).isEqualTo(200);
    }
  }

  @Test
  void uiFilesNeedNoTokenButStartingARunStillDoes() {
    start(Map.of("API_TOKEN", TOKEN, "API_TOKEN_FOR_READ", "true"));
    assertThat(client.get("/ui/").status()).isEqualTo(200);
    assertThat(client.postJson("/v1/runs", null, "{}").status()).isEqualTo(401);
  }

  @ParameterizedTest
  @ValueSource(strings = {"after=-1", "after=x", "after=1&after=2", "since=3"})
  void logStreamRejectsABadQuery(String query) {
    start(Map.of());
    Response r = client.get("/v1/logs/stream?" + query);
    assertThat(r.status()).isEqualTo(400);
  }

  @Test
  void logStreamSendsTheBacklogThenLiveLinesAsServerSentEvents(VertxTestContext test) {
    start(Map.of("API_TOKEN", TOKEN, "API_TOKEN_FOR_READ", "true"));
    agent.logHub.publish(Instant.parse("2026-01-01T00:00:00Z"), "INFO", "INIT", "before the reader");
    HttpClient http = vertx.createHttpClient();
    StringBuilder received = new StringBuilder();
    http.request(new RequestOptions().setHost("127.0.0.1").setPort(port).setURI("/v1/logs/stream")
            .addHeader("Authorization", "Bearer " + TOKEN))
        .compose(req -> req.send())
        .onComplete(test.succeeding(resp -> {
          test.verify(() -> {
            assertThat(resp.statusCode()).isEqualTo(200);
            assertThat(resp.getHeader("Content-Type")).startsWith("text/event-stream");
            assertThat(resp.getHeader("Content-Security-Policy")).isEqualTo(HttpApi.CONTENT_SECURITY_POLICY);
          });
          resp.handler((Buffer chunk) -> {
            received.append(chunk.toString(StandardCharsets.UTF_8));
            if (received.indexOf("before the reader") >= 0 && received.indexOf("after the reader") < 0
                && received.indexOf("published") < 0) {
              received.append("published");
              agent.logHub.publish(Instant.parse("2026-01-01T00:00:01Z"), "WARN", "DISK", "after the reader");
            }
            if (received.indexOf("after the reader") >= 0) {
              test.verify(() -> {
                assertThat(received.toString()).contains("id: 1\nevent: log\ndata: {\"seq\":1,")
                    .contains("id: 2\nevent: log\ndata: {\"seq\":2,\"timestamp\":\"2026-01-01T00:00:01.000Z\",\"level\":\"WARN\"");
                assertThat(agent.logHub.subscriberCount()).isEqualTo(1);
              });
              http.close().onComplete(test.succeedingThenComplete());
            }
          });
        }));
  }

  @Test
  void aClosedLogStreamUnsubscribes() {
    start(Map.of());
    HttpClient http = vertx.createHttpClient();
    java.util.concurrent.atomic.AtomicBoolean closedByClient = new java.util.concurrent.atomic.AtomicBoolean();
    http.request(new RequestOptions().setHost("127.0.0.1").setPort(port).setURI("/v1/logs/stream?after=0"))
        .compose(req -> req.send())
        .onSuccess((HttpClientResponse resp) -> resp.handler(chunk -> {
          // the first chunk is written after the reader subscribed
          if (closedByClient.compareAndSet(false, true)) {
            assertThat(agent.logHub.subscriberCount()).isEqualTo(1);
            http.close();
          }
        }));
    org.awaitility.Awaitility.await().atMost(30, TimeUnit.SECONDS)
        .until(() -> closedByClient.get() && agent.logHub.subscriberCount() == 0);
  }

  @Test
  void changingSettingsNeedsTheTokenEvenWhenReadsAreOpen() {
    start(Map.of("API_TOKEN", TOKEN));
    Response r = ApiClient.await(client.send(HttpMethod.PUT, "/v1/settings",
        Map.of("Content-Type", "application/json"), "{\"DISK_HIGH_WATERMARK\":\"90%\"}"));
    assertThat(r.status()).isEqualTo(401);
    assertThat(agent.settingsChanges).isEmpty();
    assertThat(client.get("/v1/settings").status()).as("reads stay open").isEqualTo(200);
  }

  @Test
  void changingSettingsIsForbiddenWithoutAConfiguredToken() {
    start(Map.of());
    Response r = ApiClient.await(client.send(HttpMethod.PUT, "/v1/settings",
        Map.of("Content-Type", "application/json"), "{\"DISK_HIGH_WATERMARK\":\"90%\"}"));
    assertThat(r.status()).isEqualTo(403);
    assertThat(agent.settingsChanges).isEmpty();
  }

  @Test
  void aSettingsChangeReachesTheAgentAsText() {
    start(Map.of("API_TOKEN", TOKEN));
    Response r = ApiClient.await(client.send(HttpMethod.PUT, "/v1/settings",
        Map.of("Content-Type", "application/json", "Authorization", "Bearer " + TOKEN),
        "{\"DISK_HIGH_WATERMARK\":\"90%\",\"AUTOMATIC_CLEANUP_PAUSED\":true}"));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(agent.settingsChanges).containsExactly(Map.of("DISK_HIGH_WATERMARK", "90%", "AUTOMATIC_CLEANUP_PAUSED", "true"));
    assertThat(r.json().getJsonArray("changed")).isNotNull();
    assertThat(r.json().getJsonArray("settings")).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "[]", "{}", "{\"DISK_HIGH_WATERMARK\":[1]}", "{\"DISK_HIGH_WATERMARK\":null}", "{bad"})
  void aMalformedSettingsChangeIs400AndReachesNoAgent(String body) {
    start(Map.of("API_TOKEN", TOKEN));
    Response r = ApiClient.await(client.send(HttpMethod.PUT, "/v1/settings",
        Map.of("Content-Type", "application/json", "Authorization", "Bearer " + TOKEN), body));
    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(agent.settingsChanges).isEmpty();
  }

  @Test
  void anInvalidValueIs400WithTheAgentsMessage() {
    start(Map.of("API_TOKEN", TOKEN));
    Response r = ApiClient.await(client.send(HttpMethod.PUT, "/v1/settings",
        Map.of("Content-Type", "application/json", "Authorization", "Bearer " + TOKEN),
        "{\"DISK_HIGH_WATERMARK\":\"" + FakeAgent.INVALID_SETTING_VALUE + "\"}"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.error()).contains("DISK_HIGH_WATERMARK");
  }
}
