package io.dockercleaner.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dockercleaner.core.Reason;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.core.RunOutcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The observability assets in conf/observability: the Prometheus alert rules pass {@code promtool
 * check rules} and their unit tests ({@code promtool test rules}); the Grafana dashboard's queries
 * are valid PromQL, name only metrics docker-cleaner exports, and show every docker_cleaner_ metric.
 */
@Tag("process")
class ObservabilityAssetsTest {
  private static final Path DIR = Path.of("conf/observability").toAbsolutePath();
  private static final Path RULES = DIR.resolve("prometheus-alerts.yml");
  private static final Path RULE_TESTS = DIR.resolve("prometheus-alerts.test.yml");
  private static final Path DASHBOARD = DIR.resolve("grafana-dashboard.json");
  private static final Pattern METRIC = Pattern.compile("\\bdocker_cleaner_[a-z_]+");
  /** Suffixes Prometheus adds to a timer's or counter's family name. */
  private static final Pattern SERIES_SUFFIX = Pattern.compile("_(count|sum|max|bucket)$");

  @Test
  void alertRulesPassPromtoolCheck() {
    Result r = promtool(DIR, "check", "rules", RULES.toString());
    assertThat(r.exit).as(r.output).isZero();
    assertThat(r.output).contains("SUCCESS");
  }

  @Test
  void alertRulesPassTheirUnitTests() {
    Result r = promtool(DIR, "test", "rules", RULE_TESTS.toString());
    assertThat(r.exit).as(r.output).isZero();
    assertThat(r.output).contains("SUCCESS");
  }

  @Test
  void theRuleTestsCanFail(@TempDir Path tmp) throws IOException {
    // guards the test above: a rule that never fires fails the same unit tests
    String broken = Files.readString(RULES).replace("docker_cleaner_event_stream_connected == 0",
        "docker_cleaner_event_stream_connected == 2");
    Files.writeString(tmp.resolve("prometheus-alerts.yml"), broken);
    Files.copy(RULE_TESTS, tmp.resolve("prometheus-alerts.test.yml"));

    Result r = promtool(tmp, "test", "rules", tmp.resolve("prometheus-alerts.test.yml").toString());

    assertThat(r.exit).as(r.output).isNotZero();
    assertThat(r.output).contains("DockerCleanerEventStreamDisconnected");
  }

  @Test
  void theRulesCoverTheAlertsOperatorsNeed() throws IOException {
    String rules = Files.readString(RULES);
    assertThat(rules).contains("alert: DockerCleanerRunFailed", "alert: DockerCleanerTargetNotReached",
        "alert: DockerCleanerEventStreamDisconnected", "alert: DockerCleanerDiskAboveCritical",
        "alert: DockerCleanerNoRecentSuccess", "alert: DockerCleanerNoSuccessYet");
  }

  @Test
  void dashboardQueriesAreValidPromQl(@TempDir Path tmp) throws IOException {
    List<String> exprs = dashboardExpressions();
    assertThat(exprs).hasSizeGreaterThan(15);
    // promtool parses PromQL only inside rule files: wrap each query in a recording rule, with
    // Grafana's variables replaced by values Prometheus would see
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
    for (int i = 0; i < exprs.size(); i++) {
      String expr = exprs.get(i).replace("$__rate_interval", "5m").replace("$__range", "1d")
          .replace("$host", ".*");
      rules.append("      - record: dashboard:query_").append(i).append("\n        expr: '")
          .append(expr.replace("'", "''")).append("'\n");
    }
    Path file = tmp.resolve("dashboard-rules.yml");
    Files.writeString(file, rules);

    Result r = promtool(tmp, "check", "rules", file.toString());

    assertThat(r.exit).as(r.output + "\n" + rules).isZero();
  }

  @Test
  void dashboardAndRulesNameOnlyExportedMetricsAndTheDashboardShowsEveryOne() throws IOException {
    Set<String> exported = exportedNames();
    Set<String> inDashboard = names(String.join("\n", dashboardExpressions()));
    Set<String> inRules = names(Files.readString(RULES));

    assertThat(exported).contains("docker_cleaner_build_info", "docker_cleaner_disk_watermark_ratio");
    assertThat(inDashboard).isSubsetOf(exported);
    assertThat(inRules).isSubsetOf(exported);
    Set<String> families = exported.stream().map(n -> SERIES_SUFFIX.matcher(n).replaceAll(""))
        .collect(Collectors.toCollection(TreeSet::new));
    Set<String> shownFamilies = inDashboard.stream().map(n -> SERIES_SUFFIX.matcher(n).replaceAll(""))
        .collect(Collectors.toCollection(TreeSet::new));
    assertThat(shownFamilies).as("every metric family on the dashboard").containsAll(families);
  }

  @Test
  void dashboardIsAnImportableGrafanaDashboard() throws IOException {
    JsonNode dash = new ObjectMapper().readTree(DASHBOARD.toFile());
    assertThat(dash.path("uid").asText()).isEqualTo("docker-cleaner");
    assertThat(dash.path("schemaVersion").asInt()).isPositive();
    List<Integer> ids = new ArrayList<>();
    dash.path("panels").forEach(p -> ids.add(p.path("id").asInt()));
    assertThat(ids).doesNotHaveDuplicates().doesNotContain(0);
    dash.path("panels").forEach(p -> {
      if (!"row".equals(p.path("type").asText())) {
        assertThat(p.path("datasource").path("uid").asText()).as(p.path("title").asText()).isEqualTo("${datasource}");
        assertThat(p.path("description").asText()).as(p.path("title").asText()).isNotBlank();
      }
    });
  }

  private static List<String> dashboardExpressions() throws IOException {
    JsonNode dash = new ObjectMapper().readTree(DASHBOARD.toFile());
    List<String> exprs = new ArrayList<>();
    dash.path("panels").forEach(p -> p.path("targets").forEach(t -> exprs.add(t.path("expr").asText())));
    return exprs;
  }

  private static Set<String> names(String text) {
    Set<String> out = new TreeSet<>();
    Matcher m = METRIC.matcher(text);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  /** Every series name the agent exports once everything has been reported. */
  private static Set<String> exportedNames() {
    try (CleanerMetrics metrics = new CleanerMetrics("h")) {
      metrics.runFinished("schedule", RunOutcome.SUCCEEDED, Duration.ofSeconds(1));
      metrics.reclaimed(ResourceType.IMAGE, 1);
      metrics.measuredFreed(1);
      metrics.removed(ResourceType.IMAGE, Reason.DANGLING_IMAGE);
      metrics.skipped(ResourceType.IMAGE, Reason.IN_USE);
      metrics.disk(0.5, 1, 1);
      metrics.diskWatermarks(0.75, 0.85, 0.95);
      metrics.dockerUsage(ResourceType.IMAGE, 1, 1);
      metrics.event("container", "destroy");
      metrics.eventStream(true);
      metrics.reconnect();
      metrics.apiRequest("image_list", 200, Duration.ofMillis(1));
      metrics.webhook("delivered");
      metrics.lastSuccess(Instant.now());
      metrics.diskFullEta(3600);
      metrics.thresholdDeferred(false);
      metrics.automaticCleanupPaused(false);
      return PromText.parse(metrics.scrape()).keySet().stream().map(PromText.Key::name)
          .filter(n -> n.startsWith("docker_cleaner_")).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  private record Result(int exit, String output) {}

  private static Result promtool(Path workDir, String... args) {
    List<String> cmd = new ArrayList<>(List.of(PromText.promtoolBinary().toString()));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("promtool finished").isTrue();
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      throw new AssertionError("cannot run " + cmd, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
