package io.dockercleaner.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.dockercleaner.testsupport.AgentProcess;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk forecast and MAINTENANCE_WINDOW in {@code bin/docker-cleaner agent}, measured on a
 * 64 MiB tmpfs the test mounts (DISK_PATH) so that its usage is the test's alone: growth there
 * brings one {@code disk_forecast} notice to a local receiver; a crossing outside the window
 * waits, with its reason in status, plan and log.
 */
@Tag("daemon")
class ForecastAndWindowIT {
  private static final long MIB = 1024 * 1024;

  @TempDir
  Path dir;
  private Path disk;

  @BeforeEach
  void mountDisk() throws Exception {
    disk = Files.createDirectory(dir.resolve("disk"));
    TestDaemons.Result r = TestDaemons.run(List.of("mount", "-t", "tmpfs", "-o", "size=64m", "dc-forecast-test",
        disk.toString()), null, Map.of());
    assertThat(r.exitCode()).as("mount tmpfs (bin/test runs as root): %s", r.stderr()).isZero();
  }

  @AfterEach
  void unmountDisk() {
    TestDaemons.run(List.of("umount", disk.toString()), null, Map.of());
  }

  private void fill(String name, long mib) {
    TestDaemons.Result r = TestDaemons.run(List.of("dd", "if=/dev/zero", "of=" + disk.resolve(name), "bs=1M",
        "count=" + mib), null, Map.of());
    assertThat(r.exitCode()).as("dd: %s", r.stderr()).isZero();
  }

  @Test
  void growthBringsOneDiskForecastNotice() throws Exception {
    List<JsonObject> notices = new CopyOnWriteArrayList<>();
    HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/", ex -> {
      notices.add(new JsonObject(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    http.start();
    Map<String, String> env = AgentProcess.baseEnv(TestDaemons.main());
    // a sample every 100 ms: a forecast after 60 samples (6 s) instead of 10 minutes
    env.putAll(Map.of("STATE_DIR", dir.resolve("state").toString(), "DISK_PATH", disk.toString(),
        "DISK_CHECK_INTERVAL", "100ms", "FORECAST_ALERT", "6h", "WEBHOOK_EVENTS", "disk_forecast",
        "WEBHOOK_URL", "http://127.0.0.1:" + http.getAddress().getPort() + "/hook"));
    try (AgentProcess agent = AgentProcess.start(env)) {
      agent.awaitReady();
      assertThat(agent.get("/v1/status").json().getJsonObject("forecast").getString("state"))
          .as("no forecast from a few samples").isEqualTo("unknown");
      fill("blob", 24);

      await().atMost(AgentProcess.WAIT).until(() -> !notices.isEmpty());
      JsonObject notice = notices.get(0);
      assertThat(notice.getString("event")).isEqualTo("disk_forecast");
      JsonObject forecast = notice.getJsonObject("forecast");
      assertThat(forecast.getString("state")).isEqualTo("growing");
      long toFull = forecast.getLong("timeToFullSeconds");
      assertThat(toFull).isPositive().isLessThan(6 * 3600);
      assertThat(notice.getString("summary")).startsWith("docker-cleaner on e2e-host: disk forecast to fill in ");

      JsonObject status = agent.get("/v1/status").json().getJsonObject("forecast");
      assertThat(status.getString("state")).isEqualTo("growing");
      assertThat(status.getLong("growthBytesPerHour")).isPositive();
      double eta = agent.metric("docker_cleaner_disk_full_eta_seconds").orElseThrow();
      assertThat(eta).isPositive().isFinite();
      assertThat(agent.sigterm()).isZero();
      assertThat(agent.output().lines().filter(l -> l.contains("Disk forecast to fill in"))).as("once per episode")
          .hasSize(1);
    } finally {
      http.stop(0);
    }
    assertThat(notices).hasSize(1);
  }

  @Test
  void aCrossingOutsideTheWindowWaitsAndSaysWhy() throws Exception {
    fill("blob", 58); // about 90 % of the tmpfs, before the agent starts: no growth to see
    ZonedDateTime opens = ZonedDateTime.now(ZoneOffset.UTC).plusHours(12);
    String window = String.format("%02d:%02d-%02d:%02d", opens.getHour(), opens.getMinute(),
        opens.plusHours(1).getHour(), opens.getMinute());
    Map<String, String> env = AgentProcess.baseEnv(TestDaemons.main());
    env.putAll(Map.of("STATE_DIR", dir.resolve("state").toString(), "DISK_PATH", disk.toString(),
        "DISK_HIGH_WATERMARK", "80%", "DISK_LOW_WATERMARK", "70%", "DISK_CRITICAL_WATERMARK", "99%",
        "MAINTENANCE_WINDOW", window, "TZ", "UTC"));
    try (AgentProcess agent = AgentProcess.start(env)) {
      agent.awaitReady();
      await().atMost(AgentProcess.WAIT).until(() -> agent.get("/v1/status").json().getValue("deferral") != null);
      JsonObject status = agent.get("/v1/status").json();
      JsonObject deferral = status.getJsonObject("deferral");
      assertThat(deferral.getString("trigger")).isEqualTo("threshold");
      assertThat(deferral.getString("reason")).startsWith("outside MAINTENANCE_WINDOW '" + window + "'")
          .contains("below the critical watermark 99%");
      assertThat(status.getJsonObject("maintenanceWindow").getBoolean("open")).isFalse();
      assertThat(agent.plan("").getJsonObject("deferred").getString("reason")).isEqualTo(deferral.getString("reason"));
      // gauges are refreshed every DISK_CHECK_INTERVAL
      await().atMost(AgentProcess.WAIT).until(() -> agent.metric("docker_cleaner_threshold_deferred").orElse(0) == 1.0);
      assertThat(agent.runs()).as("no run while deferred").isEmpty();
      assertThat(agent.output()).contains("threshold crossed, run deferred: outside MAINTENANCE_WINDOW");
      assertThat(agent.sigterm()).isZero();
    }
  }
}
