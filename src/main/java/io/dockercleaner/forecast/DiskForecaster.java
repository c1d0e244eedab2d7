package io.dockercleaner.forecast;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

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
 *
 * <p>Optionally the caller also reports which image each fetch was ({@link #fetched}) and which
 * images left the disk ({@link #removed}). Growth measured while cleanups keep deleting contains
 * re-fetches of images the cleanups deleted; in the future the forecast asks about (nothing removed
 * from now on) an image that is <em>on disk now</em> is not fetched again. So the growth of an
 * image's re-fetch (a fetch after it was removed) is left out of the rate and the profile while
 * that image is on disk; re-fetches of images not on disk now stay in (they still come back when
 * needed), and so do first fetches (new images keep coming). Without these calls nothing changes.
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

  /** A re-fetch: the growth of {@code bytes} in {@code epochMinute} was an image coming back. */
  private record Refetch(long epochMinute, String imageId, long bytes, boolean again) {}

  /** Bound on remembered image ids and re-fetches (memory stays bounded on busy hosts). */
  static final int MAX_IMAGES = 100_000;
  static final boolean RECURRENCE = Boolean.getBoolean("dc.forecast.recurrence");
  /** Minutes either side of a re-fetch's own over which its bytes are looked for in the growth. */
  static final int REFETCH_SPREAD_MINUTES = 5;
  private final ArrayDeque<Refetch> refetches = new ArrayDeque<>(); // the last week, oldest first
  private final Set<String> onDisk = new HashSet<>(); // fetched and not removed since
  private final LinkedHashSet<String> removedBefore = new LinkedHashSet<>(); // a fetch of these is a re-fetch

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
  public synchronized void add(Instant at, long usedBytes, long availableBytes) {
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
   * An image arrived on disk (pulled, built, loaded) at {@code at}, adding about {@code bytes}
   * (its size; the growth left out for it is capped by the growth measured around that time).
   */
  public synchronized void fetched(Instant at, String imageId, long bytes) {
    Objects.requireNonNull(imageId, "imageId");
    long minute = Math.floorDiv(at.getEpochSecond(), 60);
    boolean again = removedBefore.remove(imageId) || Boolean.getBoolean("dc.forecast.allFetches");
    if (bytes > 0) {
      refetches.addLast(new Refetch(minute, imageId, bytes, again));
    }
    while (!refetches.isEmpty() && (refetches.size() > MAX_IMAGES
        || refetches.peekFirst().epochMinute() <= minute - PROFILE_MINUTES)) {
      refetches.removeFirst();
    }
    if (onDisk.size() < MAX_IMAGES) {
      onDisk.add(imageId);
    }
  }

  /** An image left the disk (deleted by a cleanup or by anyone): a later fetch of it is a re-fetch. */
  public synchronized void removed(String imageId) {
    Objects.requireNonNull(imageId, "imageId");
    onDisk.remove(imageId);
    removedBefore.remove(imageId);
    removedBefore.add(imageId);
    if (removedBefore.size() > MAX_IMAGES) {
      Iterator<String> oldest = removedBefore.iterator();
      oldest.next();
      oldest.remove();
    }
  }

  /**
   * Per epoch minute from {@code fromMinute} (inclusive) for {@code count} minutes: the gross
   * growth, less the re-fetches of images on disk now (each taken from its own minute first, then
   * from the nearest minutes within {@link #REFETCH_SPREAD_MINUTES}, never below zero).
   */
  private long[] netGrowth(long fromMinute, int count) {
    long[] net = new long[count];
    for (int i = 0; i < count; i++) {
      long minute = fromMinute + i;
      int slot = (int) Math.floorMod(minute, (long) PROFILE_MINUTES);
      net[i] = minuteStamp[slot] == minute + 1 ? minuteGrowth[slot] : 0;
    }
    for (Refetch r : refetches) {
      if (!r.again() || (!RECURRENCE && !onDisk.contains(r.imageId()))) {
        continue; // not on disk now: it comes back when needed, its growth stays
      }
      long left = r.bytes();
      for (int d = 0; d <= REFETCH_SPREAD_MINUTES && left > 0; d++) {
        for (int sign : d == 0 ? new int[] {0} : new int[] {-1, 1}) {
          int i = (int) (r.epochMinute() + sign * d - fromMinute);
          if (i >= 0 && i < count && left > 0) {
            long take = Math.min(left, net[i]);
            net[i] -= take;
            left -= take;
          }
        }
      }
    }
    return net;
  }

  /**
   * The forecast as of the last sample.
   *
   * @param highWatermarkRatio the high watermark, 0–1 of used + available
   */
  public synchronized Forecast forecast(double highWatermarkRatio) {
    if (lastAt == null || checkpoints.isEmpty()) {
      return Forecast.unknown(lastAt, Duration.ZERO);
    }
    Checkpoint first = checkpoints.peekFirst();
    Duration observed = Duration.between(first.at(), lastAt);
    if (observed.compareTo(minObserved) < 0) {
      return Forecast.unknown(lastAt, observed);
    }
    double seconds = observed.toMillis() / 1000.0;
    double bytesPerSecond = (cumulativeGrowthBytes - first.cumulativeGrowthBytes() - refetchedWithin(first.at())) / seconds;
    long usable = lastUsedBytes + lastAvailableBytes;
    long toHighBytes = Math.max(0, (long) (highWatermarkRatio * usable) - lastUsedBytes);
    long days = Math.min(7, Duration.between(firstAt, lastAt).toDays());
    if (days >= 1) {
      // a day or more observed: the next hours grow as the same hours of the last days did (CI hosts
      // fill at night and during working hours, not at one rate)
      if (Boolean.getBoolean("dc.forecast.scenarios")) {
        return scenarioForecast((int) days, toHighBytes, observed);
      }
      long[] profile = dailyProfile((int) days);
      long perDays = 0;
      for (long g : profile) {
        perDays += g;
      }
      double perSecond = perDays / (double) days / 86_400;
      if (perSecond * 3600 < NOISE_BYTES_PER_HOUR) {
        return new Forecast(Forecast.State.NOT_GROWING, lastAt, observed, perSecond, null, null);
      }
      if (RECURRENCE) {
        TreeMap<Long, Long> bumps = recurrenceBumps();
        return new Forecast(Forecast.State.GROWING, lastAt, observed, perSecond,
            bumpedTime(profile, (int) days, bumps, toHighBytes), bumpedTime(profile, (int) days, bumps, lastAvailableBytes));
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
    long from = now - (long) days * 1440 + 1;
    long[] net = netGrowth(from, days * 1440);
    long[] profile = new long[1440];
    for (int d = 1; d <= days; d++) {
      for (int j = 0; j < 1440; j++) {
        profile[j] += net[(int) ((now - (long) d * 1440 + j + 1) - from)];
      }
    }
    return profile;
  }

  /**
   * Each of the last {@code days} days as a scenario of the future: the growth observed from that
   * day's same minute onward, repeated; the forecast times are the medians over the scenarios.
   */
  private Forecast scenarioForecast(int days, long toHighBytes, Duration observed) {
    long now = Math.floorDiv(lastAt.getEpochSecond(), 60);
    int count = days * 1440;
    long[] net = netGrowth(now - count + 1, count);
    long total = 0;
    for (long g : net) {
      total += g;
    }
    double perSecond = total / (double) days / 86_400;
    if (perSecond * 3600 < NOISE_BYTES_PER_HOUR) {
      return new Forecast(Forecast.State.NOT_GROWING, lastAt, observed, perSecond, null, null);
    }
    long[] toFull = new long[days];
    long[] toHigh = new long[days];
    for (int d = 1; d <= days; d++) {
      int start = (days - d) * 1440;
      toFull[d - 1] = scenarioMinutes(net, start, d * 1440, lastAvailableBytes);
      toHigh[d - 1] = scenarioMinutes(net, start, d * 1440, toHighBytes);
    }
    return new Forecast(Forecast.State.GROWING, lastAt, observed, perSecond, median(toHigh), median(toFull));
  }

  /** Minutes until net[start..start+period) repeated has grown by {@code bytes}; MAX_VALUE: never. */
  private static long scenarioMinutes(long[] net, int start, int period, long bytes) {
    if (bytes <= 0) {
      return 0;
    }
    long perPeriod = 0;
    for (int k = 0; k < period; k++) {
      perPeriod += net[start + k];
    }
    if (perPeriod <= 0) {
      return Long.MAX_VALUE;
    }
    long whole = (bytes - 1) / perPeriod;
    long rest = bytes - whole * perPeriod;
    for (int k = 0; k < period; k++) {
      rest -= net[start + k];
      if (rest <= 0) {
        return whole * period + k + 1;
      }
    }
    return (whole + 1) * period;
  }

  private static Duration median(long[] minutes) {
    long[] sorted = minutes.clone();
    java.util.Arrays.sort(sorted);
    int n = sorted.length;
    double m = n % 2 == 1 ? sorted[n / 2]
        : (sorted[n / 2 - 1] == Long.MAX_VALUE || sorted[n / 2] == Long.MAX_VALUE ? Long.MAX_VALUE
            : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0);
    return m >= Long.MAX_VALUE / 2.0 ? null : Duration.ofSeconds(Math.round(m * 60));
  }

  /** Growth since {@code since} that re-fetched images on disk now (what the window rate leaves out). */
  private long refetchedWithin(Instant since) {
    if (refetches.isEmpty()) {
      return 0;
    }
    long from = Math.floorDiv(since.getEpochSecond(), 60);
    long now = Math.floorDiv(lastAt.getEpochSecond(), 60);
    int count = (int) Math.min(PROFILE_MINUTES, now - from + 1);
    long gross = 0;
    long net = 0;
    long[] netMinutes = netGrowth(now - count + 1, count);
    for (int i = 0; i < count; i++) {
      long minute = now - count + 1 + i;
      int slot = (int) Math.floorMod(minute, (long) PROFILE_MINUTES);
      gross += minuteStamp[slot] == minute + 1 ? minuteGrowth[slot] : 0;
      net += netMinutes[i];
    }
    return gross - net;
  }

  /**
   * Images fetched again before and not on disk now come back once more (at most once: with
   * nothing removed they then stay): at the last fetch plus the median gap between their fetches,
   * rolled forward past now. Key: minutes from now (1 = the next minute), value: bytes.
   */
  private TreeMap<Long, Long> recurrenceBumps() {
    long now = Math.floorDiv(lastAt.getEpochSecond(), 60);
    Map<String, List<Refetch>> byImage = new HashMap<>();
    Set<String> recurring = new HashSet<>();
    for (Refetch r : refetches) {
      byImage.computeIfAbsent(r.imageId(), k -> new ArrayList<>()).add(r);
      if (r.again()) {
        recurring.add(r.imageId());
      }
    }
    TreeMap<Long, Long> bumps = new TreeMap<>();
    for (String id : recurring) {
      if (onDisk.contains(id)) {
        continue;
      }
      List<Refetch> fs = byImage.get(id);
      if (fs.size() < 2) {
        continue;
      }
      long[] gaps = new long[fs.size() - 1];
      for (int i = 1; i < fs.size(); i++) {
        gaps[i - 1] = fs.get(i).epochMinute() - fs.get(i - 1).epochMinute();
      }
      Arrays.sort(gaps);
      long gap = Math.max(60, gaps[gaps.length / 2]);
      long next = fs.get(fs.size() - 1).epochMinute() + gap;
      if (next <= now) {
        next += ((now - next) / gap + 1) * gap;
      }
      bumps.merge(next - now, fs.get(fs.size() - 1).bytes(), Long::sum);
    }
    return bumps;
  }

  /** Like {@link #profileTime} with the one-time bumps added (minutes from now). */
  private static Duration bumpedTime(long[] profile, int days, TreeMap<Long, Long> bumps, long bytes) {
    if (bytes <= 0) {
      return Duration.ZERO;
    }
    if (bumps.isEmpty()) {
      return profileTime(profile, bytes * days);
    }
    long horizon = (bumps.lastKey() + 1439) / 1440 * 1440; // whole days, so the profile stays aligned
    double grown = 0;
    for (long k = 1; k <= horizon; k++) {
      grown += profile[(int) ((k - 1) % 1440)] / (double) days + bumps.getOrDefault(k, 0L);
      if (grown >= bytes) {
        return Duration.ofMinutes(k);
      }
    }
    long perDay = 0;
    for (long g : profile) {
      perDay += g;
    }
    if (perDay <= 0) {
      return null;
    }
    return Duration.ofMinutes(horizon).plus(profileTime(profile, (long) Math.ceil((bytes - grown) * days)));
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
