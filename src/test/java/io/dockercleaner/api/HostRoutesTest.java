package io.dockercleaner.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.api.ApiClient.Response;
import io.dockercleaner.config.Settings;
import io.dockercleaner.metrics.CleanerMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP API of an agent watching several hosts (DOCKER_HOSTS): {@code /v1/hosts/{host}/...}
 * reaches that host only, an unknown host is a 404 naming the hosts, the top level is the
 * all-hosts view (status by host, runs merged with their host; runs and plans must name a host),
 * and readiness holds while at least one host is ready. An agent with one daemon has no host routes.
 */
@ExtendWith(VertxExtension.class)
class HostRoutesTest {
  private static final String TOKEN = "hosts-token";
  private static final Map<String, String> AUTH = Map.of("Authorization", "Bearer " + TOKEN);

  private final FakeAgent alpha = new FakeAgent();
  private final FakeAgent beta = new FakeAgent();
  private final CleanerMetrics metrics = new CleanerMetrics("test-host");
  private ApiClient client;

  private void start(Vertx vertx, AgentControl control) {
    HttpServer server = HttpApi.start(vertx, Settings.of(Map.of("API_TOKEN", TOKEN, "API_RATE_LIMIT", "1000/min")),
        control, metrics, "127.0.0.1", 0).await();
    client = new ApiClient(vertx, server.actualPort());
  }

  private MultiHostControl twoHosts() {
    Map<String, AgentControl> hosts = new LinkedHashMap<>();
    hosts.put("alpha", alpha);
    hosts.put("beta", beta);
    return new MultiHostControl(hosts, null);
  }

  @AfterEach
  void tearDown() {
    if (client != null) {
      client.close();
    }
    metrics.close();
  }

  @Test
  void aRunOnOneHostReachesThatHostOnlyAndItsLocationNamesTheHost(Vertx vertx) {
    start(vertx, twoHosts());
    Response r = client.postJson("/v1/hosts/beta/runs", TOKEN, "{\"dryRun\": true}");
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    assertThat(r.headers().get("Location")).isEqualTo("/v1/hosts/beta/runs/run-2");
    assertThat(beta.startRuns).hasSize(1);
    assertThat(alpha.startRuns).isEmpty();

    assertThat(client.get("/v1/hosts/alpha/plan", AUTH).status()).isEqualTo(200);
    assertThat(alpha.planCalls).hasSize(1);
    assertThat(beta.planCalls).isEmpty();
  }

  @Test
  void anUnknownHostIsA404NamingTheHosts(Vertx vertx) {
    start(vertx, twoHosts());
    for (String path : new String[] {"/v1/hosts/gamma/status", "/v1/hosts/gamma/runs", "/v1/hosts/gamma/runs/run-1"}) {
      Response r = client.get(path);
      assertThat(r.status()).as(path).isEqualTo(404);
      assertThat(r.json().getString("error")).as(path).contains("'gamma'", "alpha, beta");
    }
    assertThat(client.postJson("/v1/hosts/gamma/runs", TOKEN, "{}").status()).isEqualTo(404);
    assertThat(alpha.startRuns).isEmpty();
    assertThat(beta.startRuns).isEmpty();
  }

  @Test
  void theTopLevelIsTheAllHostsViewAndRunsAndPlansMustNameAHost(Vertx vertx) {
    start(vertx, twoHosts());
    JsonObject status = client.get("/v1/status").json();
    assertThat(status.getJsonObject("hosts").fieldNames()).containsExactly("alpha", "beta");
    assertThat(status.getJsonObject("hosts").getJsonObject("alpha")).isEqualTo(alpha.status());
    assertThat(status.getLong("hostsReady")).isEqualTo(2L);

    JsonObject run = client.get("/v1/runs/run-1").json();
    assertThat(run.getString("host")).as("the first host that knows the run").isEqualTo("alpha");

    Response post = client.postJson("/v1/runs", TOKEN, "{}");
    assertThat(post.status()).isEqualTo(400);
    assertThat(post.json().getString("error")).contains("/v1/hosts/{host}/", "alpha, beta");
    assertThat(client.get("/v1/plan", AUTH).status()).isEqualTo(400);
    assertThat(alpha.startRuns).isEmpty();
    assertThat(beta.startRuns).isEmpty();
    assertThat(alpha.planCalls).isEmpty();
  }

  @Test
  void readyWhileAtLeastOneHostIsReady(Vertx vertx) {
    start(vertx, twoHosts());
    beta.eventStreamConnected = false;
    beta.notReadyReason = "the event stream is not connected";
    Response oneDown = client.get("/readyz");
    assertThat(oneDown.status()).isEqualTo(200);
    assertThat(client.get("/v1/status").json().getLong("hostsReady")).isEqualTo(1L);

    alpha.daemonReachable = false;
    alpha.notReadyReason = "the Docker daemon is not reachable";
    Response allDown = client.get("/readyz");
    assertThat(allDown.status()).isEqualTo(503);
    assertThat(allDown.json().getString("reason")).contains("alpha: the Docker daemon is not reachable",
        "beta: the event stream is not connected");
  }

  @Test
  void anAgentWithOneDaemonHasNoHostRoutes(Vertx vertx) {
    start(vertx, alpha);
    Response r = client.get("/v1/hosts/alpha/status");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().getString("error")).contains("DOCKER_HOSTS is not set");
    assertThat(client.get("/v1/status").json()).isEqualTo(alpha.status());
    assertThat(client.postJson("/v1/runs", TOKEN, "{}").status()).isEqualTo(202);
  }
}
