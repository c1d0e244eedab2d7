package io.dockercleaner.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dockercleaner.core.Reason;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.core.RunOutcome;
import io.dockercleaner.metrics.PromText.Key;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CleanerMetricsTest {
  private static final String HOST = "test-host";

  private CleanerMetrics metrics;

  @BeforeEach
  void setUp() {
    metrics = new CleanerMetrics(HOST);
  }

  @AfterEach
  void tearDown() {
    metrics.close();
  }

  private void feed() {
    metrics.runFinished("api", RunOutcome.SUCCEEDED, Duration.ofMillis(1500));
    metrics.runFinished("api", RunOutcome.SUCCEEDED, Duration.ofMillis(500));
    metrics.runFinished("watermark", RunOutcome.TARGET_NOT_REACHED, Duration.ofSeconds(3));
    metrics.reclaimed(ResourceType.IMAGE, 1_000_000);
    metrics.reclaimed(ResourceType.IMAGE, 234);
    metrics.reclaimed(ResourceType.BUILD_CACHE, 42);
    metrics.measuredFreed(999_000);
    metrics.removed(ResourceType.CONTAINER, Reason.STOPPED_CONTAINER);
    metrics.removed(ResourceType.CONTAINER, Reason.STOPPED_CONTAINER);
    metrics.removed(ResourceType.IMAGE, Reason.DANGLING_IMAGE);
    metrics.skipped(ResourceType.IMAGE, Reason.IN_USE);
    metrics.disk(0.875, 12_345_678_901L, 4321);
    metrics.dockerUsage(ResourceType.VOLUME, 5000, 1200);
    metrics.event("container", "destroy");
    metrics.event("container", "destroy");
    metrics.event("image", "delete");
    metrics.eventStream(true);
    metrics.reconnect();
    metrics.apiRequest("container_list", 200, Duration.ofMillis(20));
    metrics.apiRequest("image_remove", 409, Duration.ofMillis(30));
    metrics.apiRequest("image_remove", 409, Duration.ofMillis(10));
    metrics.webhook("delivered");
    metrics.webhook("failed");
    metrics.lastSuccess(Instant.ofEpochSecond(1_700_000_000L));
  }

  @Test
  void scrapeHasEveryMetricWithTheValuesFedIn() {
    feed();
    Map<Key, Double> s = PromText.parse(metrics.scrape());

    assertThat(s)
        .containsEntry(key("docker_cleaner_runs_total", "trigger", "api", "outcome", "succeeded"), 2.0)
        .containsEntry(key("docker_cleaner_runs_total", "trigger", "watermark", "outcome", "target_not_reached"), 1.0)
        .containsEntry(key("docker_cleaner_run_duration_seconds_count"), 3.0)
        .containsEntry(key("docker_cleaner_run_duration_seconds_sum"), 5.0)
        .containsEntry(key("docker_cleaner_reclaimed_bytes_total", "type", "image"), 1_000_234.0)
        .containsEntry(key("docker_cleaner_reclaimed_bytes_total", "type", "build_cache"), 42.0)
        .containsEntry(key("docker_cleaner_measured_freed_bytes_total"), 999_000.0)
        .containsEntry(
            key("docker_cleaner_removed_objects_total", "type", "container", "reason", "stopped_container"), 2.0)
        .containsEntry(key("docker_cleaner_removed_objects_total", "type", "image", "reason", "dangling_image"), 1.0)
        .containsEntry(key("docker_cleaner_skipped_objects_total", "type", "image", "reason", "in_use"), 1.0)
        .containsEntry(key("docker_cleaner_disk_used_ratio"), 0.875)
        .containsEntry(key("docker_cleaner_disk_free_bytes"), 12_345_678_901.0)
        .containsEntry(key("docker_cleaner_disk_free_inodes"), 4321.0)
        .containsEntry(key("docker_cleaner_docker_usage_bytes", "type", "volume"), 5000.0)
        .containsEntry(key("docker_cleaner_docker_reclaimable_bytes", "type", "volume"), 1200.0)
        .containsEntry(key("docker_cleaner_events_total", "type", "container", "action", "destroy"), 2.0)
        .containsEntry(key("docker_cleaner_events_total", "type", "image", "action", "delete"), 1.0)
        .containsEntry(key("docker_cleaner_event_stream_connected"), 1.0)
        .containsEntry(key("docker_cleaner_event_stream_reconnects_total"), 1.0)
        .containsEntry(
            key("docker_cleaner_docker_api_requests_total", "operation", "container_list", "status", "200"), 1.0)
        .containsEntry(key("docker_cleaner_docker_api_requests_total", "operation", "image_remove", "status", "409"), 2.0)
        .containsEntry(key("docker_cleaner_docker_api_request_duration_seconds_count", "operation", "image_remove"), 2.0)
        .containsEntry(key("docker_cleaner_docker_api_request_duration_seconds_sum", "operation", "image_remove"), 0.04)
        .containsEntry(key("docker_cleaner_webhook_deliveries_total", "outcome", "delivered"), 1.0)
        .containsEntry(key("docker_cleaner_webhook_deliveries_total", "outcome", "failed"), 1.0)
        .containsEntry(key("docker_cleaner_last_success_timestamp_seconds"), 1.7e9);
    // a type never measured has no usage series rather than a made-up zero
    assertThat(s).doesNotContainKey(key("docker_cleaner_docker_usage_bytes", "type", "image"));
  }

  @Test
  void buildInfoNamesTheVersionFromTheStart() {
    Map<Key, Double> s = PromText.parse(metrics.scrape());
    // tests run from classes, not the jar: no manifest version
    assertThat(s).containsEntry(key("docker_cleaner_build_info", "version", "dev"), 1.0);
    assertThat(CleanerMetrics.version()).isEqualTo("dev");
  }

  @Test
  void theEventStreamSeriesAppearsOnlyOnceTheStreamIsReported() {
    // a one-shot never reports it: its textfile must not say "disconnected"
    assertThat(PromText.parse(metrics.scrape()).keySet()).noneMatch(k -> k.name().equals("docker_cleaner_event_stream_connected"));
    metrics.eventStream(false);
    assertThat(PromText.parse(metrics.scrape())).containsEntry(key("docker_cleaner_event_stream_connected"), 0.0);
  }

  @Test
  @Tag("process")
  void diskWatermarksAreExposedByLevel() {
    metrics.diskWatermarks(0.75, 0.85, 0.95);
    Map<Key, Double> s = PromText.parse(metrics.scrape());
    assertThat(s)
        .containsEntry(key("docker_cleaner_disk_watermark_ratio", "level", "low"), 0.75)
        .containsEntry(key("docker_cleaner_disk_watermark_ratio", "level", "high"), 0.85)
        .containsEntry(key("docker_cleaner_disk_watermark_ratio", "level", "critical"), 0.95);
    PromText.assertParsesAndOwnMetricsLintClean(PromText.promtool(metrics.scrape()));
  }

  @Test
  void everySeriesCarriesTheHostTagAndJvmMetricsArePresent() {
    feed();
    Map<Key, Double> s = PromText.parse(metrics.scrape());
    assertThat(s.keySet()).allSatisfy(k -> assertThat(k.labels()).containsEntry("host", HOST));
    assertThat(s.keySet().stream().map(Key::name))
        .contains("jvm_memory_used_bytes", "jvm_threads_live_threads", "system_cpu_count");
  }

  @Test
  void gaugesFollowTheLatestValue() {
    metrics.eventStream(true);
    metrics.eventStream(false);
    metrics.disk(0.5, 10, 1);
    metrics.disk(0.25, 20, 2);
    Map<Key, Double> s = PromText.parse(metrics.scrape());
    assertThat(s)
        .containsEntry(key("docker_cleaner_event_stream_connected"), 0.0)
        .containsEntry(key("docker_cleaner_disk_used_ratio"), 0.25)
        .containsEntry(key("docker_cleaner_disk_free_bytes"), 20.0);
  }

  @Test
  @Tag("process") // runs promtool
  void promtoolParsesTheScrapeWithoutErrors() {
    feed();
    PromText.assertParsesAndOwnMetricsLintClean(PromText.promtool(metrics.scrape()));
  }

  @Test
  @Tag("process") // runs promtool
  void promtoolRejectsBrokenText() {
    // guards the check above: promtool really parses what it is given
    PromText.Check check = PromText.promtool("# TYPE x counter\nx{a=\"1\" 2\n");
    assertThat(check.exitCode()).isEqualTo(1);
    assertThat(check.output()).contains("parsing error");
  }

  @Test
  @Tag("process") // runs promtool
  void textfileIsWrittenWithTheScrapeAndParsesWithPromtool(@TempDir Path dir) throws Exception {
    feed();
    Path file = dir.resolve("docker_cleaner.prom");
    String text = metrics.scrape();
    CleanerMetrics.writeTextfile(file, text);
    assertThat(Files.readString(file)).isEqualTo(text);
    PromText.assertParsesAndOwnMetricsLintClean(PromText.promtool(Files.readString(file)));
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).as("no temporary file left").containsExactly(file);
    }
  }

  @Test
  void textfileIsReplacedByRenameNotRewrittenInPlace(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("m.prom");
    CleanerMetrics.writeTextfile(file, "a 1\n");
    Object inodeBefore = Files.getAttribute(file, "unix:ino");
    CleanerMetrics.writeTextfile(file, "a 2\n");
    assertThat(Files.getAttribute(file, "unix:ino")).isNotEqualTo(inodeBefore);
    assertThat(Files.readString(file)).isEqualTo("a 2\n");
    assertThat(Files.getPosixFilePermissions(file))
        .extracting(Object::toString)
        .contains("OTHERS_READ", "OWNER_WRITE");
  }

  @Test
  void readersNeverSeeAPartialTextfile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("m.prom");
    String a = "a 1\n".repeat(200_000);
    String b = "b 2\n".repeat(200_000);
    CleanerMetrics.writeTextfile(file, a);
    AtomicBoolean done = new AtomicBoolean();
    Thread writer =
        new Thread(
            () -> {
              for (int i = 0; i < 30; i++) {
                CleanerMetrics.writeTextfile(file, i % 2 == 0 ? b : a);
              }
              done.set(true);
            });
    writer.start();
    int reads = 0;
    while (!done.get() || reads == 0) {
      String seen = Files.readString(file);
      assertThat(seen.equals(a) || seen.equals(b)).as("complete content, length %d", seen.length()).isTrue();
      reads++;
    }
    writer.join();
  }

  @Test
  void textfileWriteFailureNamesTheFileAndLeavesNoTemp(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("missing-dir").resolve("m.prom");
    assertThatThrownBy(() -> CleanerMetrics.writeTextfile(file, "a 1\n"))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("METRICS_TEXTFILE")
        .hasMessageContaining("m.prom");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }

  private static Key key(String name, String... labels) {
    String[] withHost = new String[labels.length + 2];
    System.arraycopy(labels, 0, withHost, 0, labels.length);
    withHost[labels.length] = "host";
    withHost[labels.length + 1] = HOST;
    return Key.of(name, withHost);
  }

  /** DOCKER_HOSTS: each host's series in the process's registry under its own host label, same names. */
  @Test
  void eachHostsSeriesCarryItsHostAndTheProcessSeriesTheMachines() {
    CleanerMetrics alpha = metrics.forHost("alpha");
    CleanerMetrics beta = metrics.forHost("beta");
    alpha.runFinished("http", RunOutcome.SUCCEEDED, Duration.ofSeconds(1));
    alpha.removed(ResourceType.CONTAINER, Reason.STOPPED_CONTAINER);
    beta.runFinished("http", RunOutcome.FAILED, Duration.ofSeconds(2));
    alpha.eventStream(true);
    beta.eventStream(false);
    alpha.diskWatermarks(0.75, 0.85, 0.95);

    String text = beta.scrape();
    assertThat(text).as("one registry: any view scrapes everything").contains("host=\"alpha\"", "host=\"" + HOST + "\"");
    Map<Key, Double> samples = PromText.parse(text);
    assertThat(samples).containsEntry(Key.of("docker_cleaner_runs_total", "host", "alpha", "trigger", "http",
        "outcome", "succeeded"), 1.0);
    assertThat(samples).containsEntry(Key.of("docker_cleaner_runs_total", "host", "beta", "trigger", "http",
        "outcome", "failed"), 1.0);
    assertThat(samples).containsEntry(Key.of("docker_cleaner_removed_objects_total", "host", "alpha",
        "type", "container", "reason", "stopped_container"), 1.0);
    assertThat(samples).containsEntry(Key.of("docker_cleaner_event_stream_connected", "host", "alpha"), 1.0);
    assertThat(samples).containsEntry(Key.of("docker_cleaner_event_stream_connected", "host", "beta"), 0.0);
    assertThat(samples).containsEntry(Key.of("docker_cleaner_disk_watermark_ratio", "host", "alpha", "level", "high"),
        0.85);
    assertThat(samples.keySet()).filteredOn(k -> k.name().equals("docker_cleaner_build_info"))
        .singleElement().satisfies(k -> assertThat(k.labels()).containsEntry("host", HOST));
    assertThat(samples.keySet()).filteredOn(k -> k.name().startsWith("jvm_"))
        .isNotEmpty().allSatisfy(k -> assertThat(k.labels()).containsEntry("host", HOST));
    // the process's own object keeps no host series of its own here
    assertThat(samples.keySet()).filteredOn(k -> k.name().equals("docker_cleaner_runs_total"))
        .noneSatisfy(k -> assertThat(k.labels()).containsEntry("host", HOST));
    beta.close(); // a view closes nothing: the registry is the process's
    assertThat(metrics.scrape()).contains("host=\"beta\"");
  }
}
