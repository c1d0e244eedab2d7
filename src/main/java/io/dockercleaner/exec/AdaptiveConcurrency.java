package io.dockercleaner.exec;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * How many deletions may be in flight at once, adapted to how the daemon copes (AIMD with slow
 * start, judged on latency). The daemon serves concurrent deletions 2–4× faster than sequential
 * ones, until it saturates: then every deletion waits longer and so do other clients' requests.
 *
 * <p>Completed deletions are judged in windows of {@code max(limit, 3)} samples, counting only
 * deletions started under the current limit (those started before a change say nothing about
 * it). A window is <em>slow</em> when its median latency exceeds {@code slowFactor} × the
 * baseline, the smallest window median among the last {@value #BASELINE_WINDOWS} windows (so a
 * lasting change of the daemon's speed becomes the new normal). The first window only warms up
 * (measured: its deletions took 3–4× the next ones, on new connections and cold code); it grows
 * the limit but sets no baseline. A slow window or an overload
 * signal (a deletion that failed or timed out) halves the limit, never below 1; a fast window
 * doubles it while in slow start (until the first halving), else adds 1, never above the ceiling.
 * A median, not a single deletion, decides: one big image that takes long to remove is not a
 * slow daemon.
 *
 * <p>Pure (no clock: the caller measures latencies), so it is tested by feeding it numbers.
 * Thread-safe.
 */
public final class AdaptiveConcurrency {

  /** The limit a run starts with (or the ceiling, when lower). */
  public static final int INITIAL_LIMIT = 2;
  /** A window whose median latency exceeds this × the baseline is slow. */
  public static final double SLOW_FACTOR = 3.0;
  /** Window medians remembered for the baseline. */
  static final int BASELINE_WINDOWS = 16;
  /** Fewest samples that make a window (at limits 1 and 2 a single sample is too noisy). */
  static final int MIN_WINDOW = 3;
  /** Latencies below this are noise (a fake client, a 1 ms answer): the baseline is at least this. */
  static final long MIN_BASELINE_NANOS = 1_000_000;

  private final int maxLimit;
  private final double slowFactor;
  private int limit;
  private int peakLimit;
  private boolean slowStart = true;
  /** False during the first window: new connections and cold code make it slow, so it sets no baseline. */
  private boolean warmedUp;
  private long generation;
  private long[] window = new long[MIN_WINDOW];
  private int windowSize;
  private final ArrayDeque<Long> recentMedians = new ArrayDeque<>();
  private int decreases;

  /**
   * @param initialLimit the first limit (clamped to 1..maxLimit)
   * @param maxLimit the ceiling: never more in flight than this (at least 1)
   * @param slowFactor a window is slow above this × the baseline (more than 1)
   */
  public AdaptiveConcurrency(int initialLimit, int maxLimit, double slowFactor) {
    if (maxLimit < 1) {
      throw new IllegalArgumentException("maxLimit must be at least 1, got " + maxLimit);
    }
    if (!(slowFactor > 1.0)) {
      throw new IllegalArgumentException("slowFactor must be more than 1, got " + slowFactor);
    }
    this.maxLimit = maxLimit;
    this.slowFactor = slowFactor;
    this.limit = Math.max(1, Math.min(initialLimit, maxLimit));
    this.peakLimit = limit;
  }

  /** The default limiter under {@code maxLimit}: starts at {@link #INITIAL_LIMIT}, slow at {@link #SLOW_FACTOR}×. */
  public static AdaptiveConcurrency upTo(int maxLimit) {
    return new AdaptiveConcurrency(INITIAL_LIMIT, maxLimit, SLOW_FACTOR);
  }

  /** Deletions that may be in flight now. */
  public synchronized int limit() {
    return limit;
  }

  /** The highest limit reached so far. */
  public synchronized int peakLimit() {
    return peakLimit;
  }

  /** How often the limit was halved. */
  public synchronized int decreases() {
    return decreases;
  }

  /** The ceiling. */
  public int maxLimit() {
    return maxLimit;
  }

  /** Changes with every change of the limit; pass the value read at a deletion's start to {@link #onCompleted}. */
  public synchronized long generation() {
    return generation;
  }

  /** The current baseline latency in nanoseconds, or -1 before the first full window. */
  public synchronized long baselineNanos() {
    return recentMedians.isEmpty() ? -1 : baseline();
  }

  /**
   * A deletion started in generation {@code startGeneration} finished after {@code latencyNanos}.
   * Feed only deletions that did work (removed): a 404 or 409 answers at once and would make the
   * daemon look faster than it is.
   */
  public synchronized void onCompleted(long startGeneration, long latencyNanos) {
    if (startGeneration != generation) {
      return;
    }
    window[windowSize++] = Math.max(0, latencyNanos);
    if (windowSize < window.length) {
      return;
    }
    long median = median(window, windowSize);
    boolean slow = !recentMedians.isEmpty() && median > slowFactor * baseline();
    if (warmedUp) {
      recentMedians.addLast(median);
      if (recentMedians.size() > BASELINE_WINDOWS) {
        recentMedians.removeFirst();
      }
    }
    warmedUp = true;
    if (slow) {
      decrease();
    } else {
      setLimit(slowStart ? limit * 2 : limit + 1);
    }
    windowSize = 0;
    window = new long[Math.max(limit, MIN_WINDOW)];
  }

  /**
   * A deletion started in generation {@code startGeneration} failed in a way that suggests an
   * overloaded daemon (timed out, a server error): halve now.
   */
  public synchronized void onOverload(long startGeneration) {
    if (startGeneration != generation) {
      return;
    }
    decrease();
    windowSize = 0;
    window = new long[Math.max(limit, MIN_WINDOW)];
  }

  private void decrease() {
    slowStart = false;
    decreases++;
    setLimit(limit / 2);
  }

  private void setLimit(int next) {
    int clamped = Math.max(1, Math.min(maxLimit, next));
    if (clamped != limit) {
      limit = clamped;
      peakLimit = Math.max(peakLimit, limit);
      generation++;
    }
  }

  private long baseline() {
    long min = Long.MAX_VALUE;
    for (long m : recentMedians) {
      min = Math.min(min, m);
    }
    return Math.max(min, MIN_BASELINE_NANOS);
  }

  private static long median(long[] values, int n) {
    long[] sorted = Arrays.copyOf(values, n);
    Arrays.sort(sorted);
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  @Override
  public synchronized String toString() {
    return "limit " + limit + " (peak " + peakLimit + ", max " + maxLimit + ", halved " + decreases + "×, baseline "
        + (recentMedians.isEmpty() ? "none" : String.format("%.1f ms", baseline() / 1e6)) + ")";
  }
}
