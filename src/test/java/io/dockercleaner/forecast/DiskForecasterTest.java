package io.dockercleaner.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.withinPercentage;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The forecast from samples: gross growth, saw-tooth proof, bounded window, no clock. */
class DiskForecasterTest {
  private static final long GB = 1_000_000_000L;
  private static final Instant T0 = Instant.parse("2026-11-30T00:00:00Z");
  private static final long DISK = 100 * GB;

  /** Used bytes after {@code minutes} at {@code gbPerHour}, emptied back to 40 GB every {@code cleanupMinutes}. */
  private static long sawTooth(long minutes, double gbPerHour, long cleanupMinutes) {
    long sinceCleanup = minutes % cleanupMinutes;
    return 40 * GB + (long) (sinceCleanup / 60.0 * gbPerHour * GB);
  }

  @Test
  void cleanupDropsDoNotHideGrowth() {
    DiskForecaster f = new DiskForecaster();
    long used = 0;
    // 6 h of samples every 10 s: 2 GB/h of growth, a cleanup back to 40 GB every 90 minutes
    for (long s = 0; s <= 6 * 3600; s += 10) {
      used = sawTooth(s / 60, 2, 90);
      f.add(T0.plusSeconds(s), used, DISK - used);
    }
    Forecast forecast = f.forecast(0.85);

    assertThat(forecast.state()).isEqualTo(Forecast.State.GROWING);
    assertThat(forecast.growthBytesPerSecond() * 3600 / GB).isCloseTo(2.0, within(0.05));
    double expectedHoursToFull = (DISK - used) / (2.0 * GB);
    assertThat(forecast.timeToFull().toSeconds() / 3600.0).isCloseTo(expectedHoursToFull, withinPercentage(2));
    double expectedHoursToHigh = (0.85 * DISK - used) / (2.0 * GB);
    assertThat(forecast.timeToHigh().toSeconds() / 3600.0).isCloseTo(expectedHoursToHigh, withinPercentage(2));
    assertThat(forecast.at()).isEqualTo(T0.plusSeconds(6 * 3600));
  }

  @Test
  void noForecastBeforeTenMinutesAndNoneWhenFlat() {
    DiskForecaster f = new DiskForecaster();
    for (long s = 0; s < 590; s += 10) {
      f.add(T0.plusSeconds(s), 50 * GB + s * 1_000_000, 50 * GB);
    }
    assertThat(f.forecast(0.85).state()).isEqualTo(Forecast.State.UNKNOWN);
    assertThat(f.forecast(0.85).timeToFullSecondsForMetric()).isNaN();

    DiskForecaster flat = new DiskForecaster();
    for (long s = 0; s <= 3600; s += 10) {
      // a few kB up and down: logs, metadata
      flat.add(T0.plusSeconds(s), 50 * GB + (s % 20 == 0 ? 4096 : 0), 50 * GB);
    }
    Forecast forecast = flat.forecast(0.85);
    assertThat(forecast.state()).isEqualTo(Forecast.State.NOT_GROWING);
    assertThat(forecast.timeToFullSecondsForMetric()).isInfinite();
    assertThat(forecast.fillsWithin(Duration.ofDays(365))).isFalse();
  }

  @Test
  void growthOlderThanTheWindowIsForgotten() {
    DiskForecaster f = new DiskForecaster(Duration.ofHours(1), Duration.ofMinutes(1), Duration.ofMinutes(10));
    long used = 10 * GB;
    // an hour at 10 GB/h, then an hour flat
    for (long s = 0; s <= 3600; s += 60) {
      used = 10 * GB + s * 10 * GB / 3600;
      f.add(T0.plusSeconds(s), used, DISK - used);
    }
    assertThat(f.forecast(0.85).growthBytesPerSecond() * 3600 / GB).isCloseTo(10, within(0.2));
    for (long s = 3660; s <= 2 * 3600 + 120; s += 60) {
      f.add(T0.plusSeconds(s), used, DISK - used);
    }
    assertThat(f.forecast(0.85).state()).isEqualTo(Forecast.State.NOT_GROWING);
  }

  @Test
  void aSampleOlderThanTheLastIsIgnored() {
    DiskForecaster f = new DiskForecaster();
    for (long s = 0; s <= 1200; s += 60) {
      f.add(T0.plusSeconds(s), 10 * GB + s * 1_000_000, 50 * GB);
    }
    Forecast before = f.forecast(0.85);
    f.add(T0.plusSeconds(30), 90 * GB, 1 * GB);
    assertThat(f.forecast(0.85)).isEqualTo(before);
  }

  @Test
  void theAlertFiresOncePerEpisode() {
    ForecastAlert alert = new ForecastAlert(Duration.ofHours(6));
    Instant at = T0;
    Optional<Forecast> first = alert.onForecast(growing(at, Duration.ofHours(5)));
    assertThat(first).isPresent();
    assertThat(alert.onForecast(growing(at, Duration.ofHours(4)))).as("same episode").isEmpty();
    assertThat(alert.onForecast(growing(at, Duration.ofHours(7)))).as("back above, below twice").isEmpty();
    assertThat(alert.onForecast(growing(at, Duration.ofHours(5)))).as("still the same episode").isEmpty();
    assertThat(alert.onForecast(growing(at, Duration.ofHours(13)))).isEmpty();
    assertThat(alert.inEpisode()).as("ended above twice the threshold").isFalse();
    assertThat(alert.onForecast(growing(at, Duration.ofHours(2)))).as("a new episode").isPresent();
    assertThat(alert.onForecast(new Forecast(Forecast.State.NOT_GROWING, at, Duration.ofHours(1), 0, null, null)))
        .isEmpty();
    assertThat(alert.inEpisode()).isFalse();

    ForecastAlert off = new ForecastAlert(Duration.ZERO);
    assertThat(off.onForecast(growing(at, Duration.ofMinutes(1)))).isEmpty();
  }

  @Test
  void afterADayTheForecastFollowsTheDailyProfile() {
    DiskForecaster f = new DiskForecaster();
    long used = 30 * GB;
    // every night from 02:00 to 03:00, 12 GB arrive (a nightly build); nothing else grows
    Instant end = T0.plus(Duration.ofDays(3)).plus(Duration.ofHours(20));
    for (Instant at = T0; !at.isAfter(end); at = at.plusSeconds(60)) {
      long minuteOfDay = at.getEpochSecond() % 86_400 / 60;
      if (minuteOfDay >= 120 && minuteOfDay < 180) {
        used += 12 * GB / 60;
      }
      f.add(at, used, DISK - used);
    }
    assertThat(used).isEqualTo(78 * GB);
    Forecast forecast = f.forecast(0.85);

    assertThat(forecast.state()).as("no growth in the last 6 h, but every night").isEqualTo(Forecast.State.GROWING);
    assertThat(forecast.growthBytesPerSecond() * 86_400 / GB).as("the daily mean").isCloseTo(12, within(0.1));
    // 85 GB at 02:35 the next night (6 h 35 m away); full (100 GB) at 02:50 the night after (30 h 50 m)
    assertThat(forecast.timeToHigh()).isBetween(Duration.ofMinutes(6 * 60 + 33), Duration.ofMinutes(6 * 60 + 37));
    assertThat(forecast.timeToFull()).isBetween(Duration.ofMinutes(30 * 60 + 48), Duration.ofMinutes(30 * 60 + 52));
  }

  @Test
  void humanDurations() {
    assertThat(Forecast.human(Duration.ofSeconds(40))).isEqualTo("40s");
    assertThat(Forecast.human(Duration.ofMinutes(12))).isEqualTo("12m");
    assertThat(Forecast.human(Duration.ofMinutes(250))).isEqualTo("4h 10m");
    assertThat(Forecast.human(Duration.ofHours(51))).isEqualTo("2d 3h");
  }

  private static Forecast growing(Instant at, Duration toFull) {
    return new Forecast(Forecast.State.GROWING, at, Duration.ofHours(1), 1000, toFull.dividedBy(2), toFull);
  }
}
