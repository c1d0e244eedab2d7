package io.dockercleaner.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.agent.watch.DiskSample;
import io.dockercleaner.config.LogFormat;
import io.dockercleaner.config.LogLevel;
import io.dockercleaner.config.Settings;
import io.dockercleaner.forecast.Forecast;
import io.dockercleaner.log.RunLog;
import io.dockercleaner.testsupport.MutableClock;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * MAINTENANCE_WINDOW on threshold triggers: outside the window a crossing waits, unless usage is
 * above the critical watermark or the disk is forecast to fill before the window opens; the wait
 * and its reason are logged once and kept for status and plan; the run goes ahead when it opens.
 */
@ExtendWith(VertxExtension.class)
class MaintenanceWindowDeferralTest {
  private static final long GB = 1_000_000_000L;
  // Tuesday 2026-12-01 12:00 in Berlin (11:00 UTC): outside "Mon-Fri 22:00-06:00"
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T11:00:00Z"));
  private final List<TriggerRequest> requested = new ArrayList<>();
  private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
  private Forecast forecast = new Forecast(Forecast.State.NOT_GROWING, clock.instant(), Duration.ofHours(1), 0, null,
      null);
  private DiskSample last;

  private TriggerSources sources(Vertx vertx, Map<String, String> more) {
    Map<String, String> values = new java.util.HashMap<>(Map.of("MAINTENANCE_WINDOW", "Mon-Fri 22:00-06:00",
        "TZ", "Europe/Berlin", "MIN_RUN_INTERVAL", "0s"));
    values.putAll(more);
    Settings settings = Settings.of(values);
    RunLog log = new RunLog(new PrintStream(logged, true, StandardCharsets.UTF_8), LogFormat.TEXT, LogLevel.INFO,
        false, "test-host", clock);
    RunCoordinator runs = new RunCoordinator((slot, promise) -> null);
    return new TriggerSources(vertx, settings, new RuntimeSettings(settings), clock, log, runs, requested::add,
        () -> true, () -> forecast,
        () -> last);
  }

  /** A sample at {@code usedPercent} of a 100 GB disk, now. */
  private DiskSample sample(int usedPercent) {
    last = new DiskSample(clock.instant(), 100 * GB, (100 - usedPercent) * GB, (100 - usedPercent) * GB, 0, 0);
    return last;
  }

  private String log() {
    return logged.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aCrossingOutsideTheWindowWaitsUntilItOpens(Vertx vertx) {
    TriggerSources t = sources(vertx, Map.of());

    t.onDiskSample(sample(90));
    t.onDiskSample(sample(91));

    assertThat(requested).isEmpty();
    Deferral d = t.deferral().orElseThrow();
    assertThat(d.trigger()).isEqualTo("threshold");
    assertThat(d.reason()).isEqualTo("outside MAINTENANCE_WINDOW 'Mon-Fri 22:00-06:00' (opens 2026-12-01T22:00+01:00);"
        + " usage 90% is below the critical watermark 95%, the disk is not growing, after it opens");
    assertThat(d.windowOpensAt().toInstant()).isEqualTo(Instant.parse("2026-12-01T21:00:00Z"));
    assertThat(log().lines().filter(l -> l.contains("run deferred"))).as("logged once").hasSize(1);

    clock.set(Instant.parse("2026-12-01T21:00:00Z"));
    t.onDiskSample(sample(91));

    assertThat(requested).extracting(TriggerRequest::trigger).containsExactly("threshold");
    assertThat(t.deferral()).isEmpty();
    assertThat(log()).contains("The deferred threshold run goes ahead").contains("the maintenance window is open");
  }

  @Test
  void aboveTheCriticalWatermarkTheRunDoesNotWait(Vertx vertx) {
    TriggerSources t = sources(vertx, Map.of());

    t.onDiskSample(sample(96));

    assertThat(requested).extracting(TriggerRequest::trigger).containsExactly("threshold");
    assertThat(t.deferral()).isEmpty();
  }

  @Test
  void aDiskForecastToFillBeforeTheWindowOpensDoesNotWait(Vertx vertx) {
    TriggerSources t = sources(vertx, Map.of());
    // the window opens in 10 h
    forecast = new Forecast(Forecast.State.GROWING, clock.instant(), Duration.ofHours(1), 1000,
        Duration.ofHours(20), Duration.ofHours(30));
    t.onDiskSample(sample(90));
    assertThat(requested).as("fills in 30 h: after the window opens").isEmpty();
    assertThat(t.deferral().orElseThrow().reason()).contains("the disk is forecast to fill in 1d 6h");

    forecast = new Forecast(Forecast.State.GROWING, clock.instant(), Duration.ofHours(1), 1000,
        Duration.ofHours(1), Duration.ofHours(2));
    t.onDiskSample(sample(90));
    assertThat(requested).as("fills in 2 h: before").extracting(TriggerRequest::trigger).containsExactly("threshold");
    assertThat(log()).contains("the disk is forecast to fill before the window opens");
  }

  @Test
  void aDeferredRunIsDroppedWhenUsageFallsBackAndNothingWaitsWithoutAWindow(Vertx vertx) {
    TriggerSources t = sources(vertx, Map.of());
    t.onDiskSample(sample(90));
    assertThat(t.deferral()).isPresent();
    t.onDiskSample(sample(70));
    assertThat(t.deferral()).isEmpty();
    assertThat(log()).contains("No longer above the high watermark: the deferred threshold run is dropped");

    TriggerSources always = sources(vertx, Map.of("MAINTENANCE_WINDOW", ""));
    always.onDiskSample(sample(90));
    assertThat(requested).extracting(TriggerRequest::trigger).containsExactly("threshold");
  }
}
