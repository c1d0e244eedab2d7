package io.dockercleaner.forecast;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * Forecasts when the disk fills from the disk samples the agent takes anyway: pure (times come
 * from the samples, no clock), bounded memory, one {@link #add} per sample.
 *
 * <p>Growth is <em>gross</em> growth: the sum of every increase in used bytes between consecutive
 * samples over the time observed; decreases are left out. Cleanups make usage a saw-tooth (slow
 * climbs, sudden drops); averaging the drops in would make a disk that fills every six hours and
 * is emptied every six hours look flat. So the forecast answers "how long until full if nothing is
 * removed", which is what an alert about the disk needs.
 *
 * <p>A checkpoint (time, cumulative growth) is kept at most every {@link #resolution}, for the
 * last {@link #window}; the rate is the cumulative growth between the oldest and the newest
 * checkpoint over their distance. No forecast before {@link #minObserved} of samples.
 *
 * <p>Once a day of samples is observed, the time to the watermark and to full come from the
 * <em>daily profile</em> instead: gross growth is also kept per minute for a week (a fixed ring of
 * 10,080 minutes), and the next hours are taken to grow as the same minutes of the day grew on the
 * observed days (up to 7), on average, repeated day after day. A host that fills at night is then
 * forecast to fill at night, not at its mean rate (on replayed synthetic CI traces this halved the
 * median error of the time to full: bench/README.md). The reported growth rate is then the
 * profile's daily mean.
 */
public final class DiskForecaster {
  /** Default span of samples the rate is computed over. */
  public static final Duration DEFAULT_WINDOW = Duration.ofHours(6);
  /** Default spacing of checkpoints. */
  public static final Duration DEFAULT_RESOLUTION = Duration.ofMinutes(1);
  /** Default span of samples needed before any forecast. */
  public static final Duration DEFAULT_MIN_OBSERVED = Duration.ofMinutes(10);
  /** Growth below this many bytes per hour counts as not growing (filesystem noise: logs, metadata). */
  public static final double NOISE_BYTES_PER_HOUR = 1_000_000;

  private final Duration window;
  private final Duration resolution;
  private final Duration minObserved;

  private record Checkpoint(Instant at, long cumulativeGrowthBytes) {}

  private final ArrayDeque<Checkpoint> checkpoints = new ArrayDeque<>();

  /** Minutes of gross growth kept for the daily profile: a week. */
  static final int PROFILE_MINUTES = 7 * 1440;
  private final long[] minuteGrowth = new long[PROFILE_MINUTES]; // ring, by epoch minute
  private final long[] minuteStamp = new long[PROFILE_MINUTES]; // which epoch minute a slot holds (+1; 0 = none)
  private Instant firstAt;
  private Instant lastAt;
  private long lastUsedBytes = -1;
  private long lastAvailableBytes;
  private long cumulativeGrowthBytes;

  /** With the defaults: a 6 h window, a checkpoint a minute, a forecast after 10 min. */
  public DiskForecaster() {
    this(DEFAULT_WINDOW, DEFAULT_RESOLUTION, DEFAULT_MIN_OBSERVED);
  }

  /**
   * Spans scaled to the sampling interval: a checkpoint every 6 samples, a forecast after 60, a
   * window of 2,160 (with DISK_CHECK_INTERVAL=10s: a minute, 10 minutes and 6 hours).
   */
  public static DiskForecaster forSampleInterval(Duration interval) {
    return new DiskForecaster(interval.multipliedBy(2160), interval.multipliedBy(6), interval.multipliedBy(60));
  }

  /** Custom spans (tests and the replay simulator). */
  public DiskForecaster(Duration window, Duration resolution, Duration minObserved) {
    this.window = Objects.requireNonNull(window, "window");
    this.resolution = Objects.requireNonNull(resolution, "resolution");
    this.minObserved = Objects.requireNonNull(minObserved, "minObserved");
    if (window.compareTo(minObserved) < 0 || resolution.isNegative() || resolution.isZero()) {
      throw new IllegalArgumentException("need resolution > 0 and window >= minObserved");
    }
  }

  /**
   * One sample. Samples older than the previous one are ignored (a clock step back must not make
   * negative time).
   *
   * @param at when it was taken
   * @param usedBytes bytes in use
   * @param availableBytes bytes still usable (df's Avail)
   */
  public void add(Instant at, long usedBytes, long availableBytes) {
    if (lastAt != null && !at.isAfter(lastAt)) {
      return;
    }
    if (lastUsedBytes >= 0) {
      long growth = Math.max(0, usedBytes - lastUsedBytes);
      cumulativeGrowthBytes += growth;
      long minute = Math.floorDiv(at.getEpochSecond(), 60);
      int slot = (int) Math.floorMod(minute, (long) PROFILE_MINUTES);
      if (minuteStamp[slot] != minute + 1) {
        minuteStamp[slot] = minute + 1;
        minuteGrowth[slot] = 0;
      }
      minuteGrowth[slot] += growth;
    }
    if (firstAt == null) {
      firstAt = at;
    }
    lastAt = at;
    lastUsedBytes = usedBytes;
    lastAvailableBytes = availableBytes;
    Checkpoint newest = checkpoints.peekLast();
    if (newest == null || !at.isBefore(newest.at().plus(resolution))) {
      checkpoints.addLast(new Checkpoint(at, cumulativeGrowthBytes));
    }
    // keep one checkpoint at or before the window's start, so the window is covered in full
    while (checkpoints.size() > 2) {
      java.util.Iterator<Checkpoint> oldest = checkpoints.iterator();
      oldest.next();
      if (oldest.next().at().isAfter(at.minus(window))) {
        break;
      }
      checkpoints.removeFirst();
    }
  }

  /**
   * The forecast as of the last sample.
   *
   * @param highWatermarkRatio the high watermark, 0–1 of used + available
   */
  public Forecast forecast(double highWatermarkRatio) {
    if (lastAt == null || checkpoints.isEmpty()) {
      return Forecast.unknown(lastAt, Duration.ZERO);
    }
    Checkpoint first = checkpoints.peekFirst();
    Duration observed = Duration.between(first.at(), lastAt);
    if (observed.compareTo(minObserved) < 0) {
      return Forecast.unknown(lastAt, observed);
    }
    double seconds = observed.toMillis() / 1000.0;
    double bytesPerSecond = (cumulativeGrowthBytes - first.cumulativeGrowthBytes()) / seconds;
    long usable = lastUsedBytes + lastAvailableBytes;
    long toHighBytes = Math.max(0, (long) (highWatermarkRatio * usable) - lastUsedBytes);
    long days = Math.min(7, Duration.between(firstAt, lastAt).toDays());
    if (days >= 1) {
      // a day or more observed: the next hours grow as the same hours of the last days did (CI hosts
      // fill at night and during working hours, not at one rate)
      long[] profile = dailyProfile((int) days);
      long perDays = 0;
      for (long g : profile) {
        perDays += g;
      }
      double perSecond = perDays / (double) days / 86_400;
      if (perSecond * 3600 < NOISE_BYTES_PER_HOUR) {
        return new Forecast(Forecast.State.NOT_GROWING, lastAt, observed, perSecond, null, null);
      }
      // the profile sums `days` days: so many bytes of it are one byte of one day's growth
      return new Forecast(Forecast.State.GROWING, lastAt, observed, perSecond,
          profileTime(profile, toHighBytes * days), profileTime(profile, lastAvailableBytes * days));
    }
    if (bytesPerSecond * 3600 < NOISE_BYTES_PER_HOUR) {
      return new Forecast(Forecast.State.NOT_GROWING, lastAt, observed, bytesPerSecond, null, null);
    }
    return new Forecast(Forecast.State.GROWING, lastAt, observed, bytesPerSecond,
        secondsToDuration(toHighBytes / bytesPerSecond), secondsToDuration(lastAvailableBytes / bytesPerSecond));
  }

  /**
   * The growth of the next 24 h as the last {@code days} days grew at the same minutes of the day,
   * summed over those days: profile[j] = sum over d of the growth in minute (now - d days + j).
   */
  private long[] dailyProfile(int days) {
    long now = Math.floorDiv(lastAt.getEpochSecond(), 60);
    long[] profile = new long[1440];
    for (int d = 1; d <= days; d++) {
      for (int j = 0; j < 1440; j++) {
        long minute = now - (long) d * 1440 + j + 1;
        int slot = (int) Math.floorMod(minute, (long) PROFILE_MINUTES);
        if (minuteStamp[slot] == minute + 1) {
          profile[j] += minuteGrowth[slot];
        }
      }
    }
    return profile;
  }

  /** When the profile, repeated day after day from now, has grown by {@code bytes} (minute steps). */
  private static Duration profileTime(long[] profile, long bytes) {
    if (bytes <= 0) {
      return Duration.ZERO;
    }
    long perDay = 0;
    for (long g : profile) {
      perDay += g;
    }
    long wholeDays = (bytes - 1) / perDay;
    long rest = bytes - wholeDays * perDay;
    for (int j = 0; j < 1440; j++) {
      rest -= profile[j];
      if (rest <= 0) {
        return Duration.ofDays(wholeDays).plusMinutes(j + 1);
      }
    }
    return Duration.ofDays(wholeDays + 1);
  }

  private static Duration secondsToDuration(double seconds) {
    return Duration.ofMillis((long) Math.min(Long.MAX_VALUE / 2.0, seconds * 1000));
  }
}
