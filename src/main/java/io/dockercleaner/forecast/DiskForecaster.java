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
      cumulativeGrowthBytes += Math.max(0, usedBytes - lastUsedBytes);
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
    if (bytesPerSecond * 3600 < NOISE_BYTES_PER_HOUR) {
      return new Forecast(Forecast.State.NOT_GROWING, lastAt, observed, bytesPerSecond, null, null);
    }
    long usable = lastUsedBytes + lastAvailableBytes;
    long toHighBytes = Math.max(0, (long) (highWatermarkRatio * usable) - lastUsedBytes);
    return new Forecast(Forecast.State.GROWING, lastAt, observed, bytesPerSecond,
        secondsToDuration(toHighBytes / bytesPerSecond), secondsToDuration(lastAvailableBytes / bytesPerSecond));
  }

  private static Duration secondsToDuration(double seconds) {
    return Duration.ofMillis((long) Math.min(Long.MAX_VALUE / 2.0, seconds * 1000));
  }
}
