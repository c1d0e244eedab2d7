package io.dockercleaner.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dockercleaner.metrics.PromText;
import io.dockercleaner.testsupport.CliRun;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the operations surface reports about runs: /metrics (checked by promtool, values equal to
 * the run records), and webhooks from the agent and from a one-shot run, received by a real
 * HTTP server on 127.0.0.1.
 */
@Tag("daemon")
class MetricsAndWebhookTest {
  private static DaemonFixture d;
  private Vertx vertx;
  private HttpServer receiver;
  private final List<JsonObject> received = new CopyOnWriteArrayList<>();
  private final List<String> receivedPaths = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void daemon() {
    d = new DaemonFixture(TestDaemons.main());
  }

  @BeforeEach
  void scenario() {
    d.reset();
    d.stopped("stopped", TestDaemons.TEST_IMAGE);
    d.image("ops/unused:1", null, "unused");
    d.dangling("ops/dangling:1", null);
    d.image("ops/keep:1", "keep=true", "keep");
    d.network("net-unused");
    vertx = Vertx.vertx();
    receiver = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      receivedPaths.add(req.path());
      received.add(body.toJsonObject());
      req.response().setStatusCode(204).end();
    }));
    OpsAgent.join(receiver.listen(0, "127.0.0.1"));
  }

  @AfterEach
  void closeReceiver() {
    OpsAgent.join(vertx.close());
  }

  private String hookUrl() {
    return "http://127.0.0.1:" + receiver.actualPort() + "/hook";
  }

  @Test
  void metricsPassPromtoolAndAgreeWithTheRunRecords() {
    try (OpsAgent agent = OpsAgent.start(d.host())) {
      JsonObject cleaning = agent.awaitRun(agent.startRun("{}"));
      JsonObject nothingLeft = agent.awaitRun(agent.startRun("{}"));
      JsonObject dryRun = agent.awaitRun(agent.startRun("{\"dryRun\": true}"));
      assertThat(cleaning.getString("outcome")).isEqualTo("succeeded");
      assertThat(nothingLeft.getString("outcome")).isEqualTo("nothing_reclaimable");
      assertThat(dryRun.getString("outcome")).isEqualTo("nothing_reclaimable");
      JsonArray runs = agent.get("/v1/runs").json().getJsonArray("runs");
      assertThat(runs).hasSize(3);

      OpsAgent.Response scrape = agent.get("/metrics");
      assertThat(scrape.status()).isEqualTo(200);
      assertThat(scrape.header("Content-Type")).startsWith("text/plain; version=0.0.4");
      PromText.assertParsesAndOwnMetricsLintClean(PromText.promtool(scrape.body()));
      Map<PromText.Key, Double> samples = PromText.parse(scrape.body());

      Map<PromText.Key, Double> expectedRuns = new HashMap<>();
      for (Object o : runs) {
        JsonObject run = (JsonObject) o;
        expectedRuns.merge(PromText.Key.of("docker_cleaner_runs_total", "host", "ops-host",
            "trigger", run.getString("trigger"), "outcome", run.getString("outcome")), 1.0, Double::sum);
      }
      assertThat(only(samples, "docker_cleaner_runs_total")).isEqualTo(expectedRuns);

      Map<PromText.Key, Double> expectedRemoved = new HashMap<>();
      for (Object o : runs) {
        JsonObject full = agent.get("/v1/runs/" + ((JsonObject) o).getString("id")).json();
        for (Object i : full.getJsonArray("items")) {
          JsonObject item = (JsonObject) i;
          if ("removed".equals(item.getString("outcome"))) {
            expectedRemoved.merge(PromText.Key.of("docker_cleaner_removed_objects_total", "host", "ops-host",
                "type", item.getString("type"), "reason", item.getString("reason")), 1.0, Double::sum);
          }
        }
      }
      assertThat(expectedRemoved).isNotEmpty();
      assertThat(only(samples, "docker_cleaner_removed_objects_total")).isEqualTo(expectedRemoved);
      // by type, as the run records sum them
      Map<String, Double> byType = new TreeMap<>();
      only(samples, "docker_cleaner_removed_objects_total").forEach((k, v) -> byType.merge(k.labels().get("type"), v, Double::sum));
      Map<String, Double> recordByType = new TreeMap<>();
      cleaning.getJsonObject("removedByType").forEach(e -> recordByType.put(e.getKey(), ((Number) e.getValue()).doubleValue()));
      assertThat(byType).isEqualTo(recordByType);
      assertThat(samples.get(PromText.Key.of("docker_cleaner_run_duration_seconds_count", "host", "ops-host")))
          .isEqualTo(3.0);
    }
  }

  private static Map<PromText.Key, Double> only(Map<PromText.Key, Double> samples, String name) {
    Map<PromText.Key, Double> out = new HashMap<>();
    samples.forEach((k, v) -> {
      if (k.name().equals(name)) {
        out.put(k, v);
      }
    });
    return out;
  }

  @Test
  void theAgentNotifiesTheWebhookOfARunWithItsRecord() {
    try (OpsAgent agent = OpsAgent.start(d.host(), "WEBHOOK_URL", hookUrl(), "WEBHOOK_EVENTS", "run_succeeded")) {
      JsonObject run = agent.awaitRun(agent.startRun("{}"));
      assertThat(run.getString("outcome")).isEqualTo("succeeded");
      await().atMost(OpsAgent.HANG_GUARD).until(() -> !received.isEmpty());
      JsonObject payload = received.get(0);
      assertThat(receivedPaths).containsExactly("/hook");
      assertThat(payload.getString("event")).isEqualTo("run_succeeded");
      assertThat(payload.getString("run_id")).isEqualTo(run.getString("id"));
      assertThat(payload.getString("outcome")).isEqualTo(run.getString("outcome"));
      assertThat(payload.getString("trigger")).isEqualTo("http");
      assertThat(payload.getString("host")).isEqualTo("ops-host");
      assertThat(nonZero(payload.getJsonObject("removed"))).isEqualTo(nonZero(run.getJsonObject("removedByType")));
      assertThat(payload.getLong("reclaimed_bytes_reported")).isEqualTo(run.getLong("reportedBytes"));
    }
    assertThat(received).hasSize(1);
  }

  @Test
  void aOneShotRunNotifiesOnceAndWritesTheMetricsTextfile(@TempDir Path tmp) throws Exception {
    Path textfile = tmp.resolve("x.prom");
    CliRun r = CliRun.run(Map.of("DOCKER_HOST", d.host(), "LOG_FORMAT", "json", "HOSTNAME", "ops-host",
        "PRUNE_FILTER_UNTIL", "0", "MIN_AGE", "0", "WEBHOOK_URL", hookUrl(), "WEBHOOK_EVENTS", "run_succeeded",
        "METRICS_TEXTFILE", textfile.toString()));
    assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();

    // the one-shot waits for delivery before it exits: the notification is already here
    assertThat(received).hasSize(1);
    JsonObject payload = received.get(0);
    assertThat(payload.getString("event")).isEqualTo("run_succeeded");
    assertThat(payload.getString("trigger")).isEqualTo("oneshot");
    assertThat(payload.getString("outcome")).isEqualTo("succeeded");
    Map<String, Long> summaryByType = new TreeMap<>();
    r.summary().get("by_type").fields().forEachRemaining(e -> {
      long count = e.getValue().get("count").asLong();
      if (count > 0) {
        summaryByType.put(e.getKey(), count);
      }
    });
    assertThat(summaryByType).containsEntry("container", 1L).containsEntry("image", 1L).containsEntry("network", 1L);
    assertThat(nonZero(payload.getJsonObject("removed"))).isEqualTo(summaryByType);

    String text = Files.readString(textfile);
    PromText.assertParsesAndOwnMetricsLintClean(PromText.promtool(text));
    Map<PromText.Key, Double> samples = PromText.parse(text);
    assertThat(samples.keySet()).allMatch(k -> k.name().startsWith("docker_cleaner_"));
    assertThat(samples.get(PromText.Key.of("docker_cleaner_runs_total", "host", "ops-host", "trigger", "oneshot",
        "outcome", "succeeded"))).isEqualTo(1.0);
    assertThat(samples.get(PromText.Key.of("docker_cleaner_last_success_timestamp_seconds", "host", "ops-host")))
        .isPositive();
    Map<String, Long> metricByType = new TreeMap<>();
    only(samples, "docker_cleaner_removed_objects_total")
        .forEach((k, v) -> metricByType.merge(k.labels().get("type"), v.longValue(), Long::sum));
    assertThat(metricByType).isEqualTo(summaryByType);
    // reclaimed bytes by type as the summary reports them
    r.summary().get("by_type").fields().forEachRemaining(e -> {
      long bytes = e.getValue().get("space_freed_bytes").asLong();
      if (bytes > 0) {
        assertThat(samples.get(PromText.Key.of("docker_cleaner_reclaimed_bytes_total", "host", "ops-host",
            "type", e.getKey()))).as(e.getKey()).isEqualTo((double) bytes);
      }
    });
  }

  @Test
  void aOneShotDryRunTextfileCountsTheRunButNoRemovalsAndNoSuccess(@TempDir Path tmp) throws Exception {
    Path textfile = tmp.resolve("dry.prom");
    CliRun r = CliRun.run(Map.of("DOCKER_HOST", d.host(), "LOG_FORMAT", "json", "HOSTNAME", "ops-host",
        "PRUNE_FILTER_UNTIL", "0", "MIN_AGE", "0", "DRY_RUN", "true", "METRICS_TEXTFILE", textfile.toString()));
    assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
    // the dry run did find candidates: they must not show up as removals
    assertThat(r.itemIds("container")).isNotEmpty();

    String text = Files.readString(textfile);
    PromText.assertParsesAndOwnMetricsLintClean(PromText.promtool(text));
    Map<PromText.Key, Double> samples = PromText.parse(text);
    assertThat(only(samples, "docker_cleaner_runs_total").values()).containsExactly(1.0);
    assertThat(samples.keySet()).extracting(PromText.Key::name)
        .doesNotContain("docker_cleaner_removed_objects_total", "docker_cleaner_reclaimed_bytes_total",
            "docker_cleaner_last_success_timestamp_seconds", "docker_cleaner_event_stream_connected");
    assertThat(samples).containsEntry(PromText.Key.of("docker_cleaner_build_info", "host", "ops-host", "version", "dev"),
        1.0);
  }

  @Test
  void anAgentDryRunDoesNotMoveLastSuccessAndTheWatermarksAreExposed() {
    try (OpsAgent agent = OpsAgent.start(d.host(), "DISK_CRITICAL_WATERMARK", "100%")) {
      JsonObject dryRun = agent.awaitRun(agent.startRun("{\"dryRun\": true}"));
      assertThat(dryRun.getBoolean("dryRun")).isTrue();

      Map<PromText.Key, Double> samples = PromText.parse(agent.get("/metrics").body());
      assertThat(only(samples, "docker_cleaner_runs_total").values()).containsExactly(1.0);
      assertThat(samples.keySet()).extracting(PromText.Key::name)
          .doesNotContain("docker_cleaner_last_success_timestamp_seconds", "docker_cleaner_removed_objects_total");
      assertThat(samples).containsEntry(
          PromText.Key.of("docker_cleaner_disk_watermark_ratio", "host", "ops-host", "level", "critical"), 1.0);
      assertThat(samples.keySet()).extracting(PromText.Key::name).contains("docker_cleaner_build_info");
    }
  }

  private static Map<String, Long> nonZero(JsonObject counts) {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach(e -> {
      long n = ((Number) e.getValue()).longValue();
      if (n > 0) {
        out.put(e.getKey(), n);
      }
    });
    return out;
  }
}
