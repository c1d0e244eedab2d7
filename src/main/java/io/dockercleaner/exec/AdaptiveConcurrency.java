package io.dockercleaner.exec;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * How many deletions may be in flight at once, adapted to how the daemon copes (slow start that
 * stops at the knee, AIMD after it, judged on latency). The daemon serves concurrent deletions
 * faster than sequential ones only until it saturates; beyond that knee more in flight only
 * queues inside the daemon: every deletion waits longer, and so do other clients' requests.
 *
 * <p>Completed deletions are judged in windows of {@code max(limit, 3)} samples, counting only
 * deletions started under the current limit (those started before a change say nothing about
 * it). The first window only warms up (measured: its deletions took 3–4× the next ones, on new
 * connections and cold code): it keeps the limit and sets no baseline.
 *
 * <p><b>The knee.</b> In slow start the limit doubles after each window, but only while doubling
 * pays: a window's throughput is estimated as {@code limit / median latency}, and when it is less
 * than {@value #KNEE_GAIN} × the throughput of the window before the doubling, the extra
 * deletions in flight only queued. The limit then goes back to the previous one, which becomes the
 * ceiling for the rest of the run. Measured on this project's 2-core machine: on a quiet daemon
 * 100 image deletions took the same 0.36–0.39 s at 2, 4 and 8 in flight while a concurrent
 * {@code GET /containers/json} slowed with each step (p99 ratio 0.8–1.8 at 2, 2.7 at 8); on a
 * loaded one 4 and 8 still helped (3.65 s at 1, 2.03 s at 4, 1.68 s at 8).
 *
 * <p><b>Slowdowns.</b> A window is <em>slow</em> when its median latency exceeds
 * {@code slowFactor} × the baseline, the smallest window median among the last {@value
 * #BASELINE_WINDOWS} windows (so a lasting change of the daemon's speed becomes the new normal).
 * A slow window or an overload signal (a deletion that failed or timed out) halves the limit,
 * never below 1, and ends slow start; after that a window that is not slow adds 1, never above the
 * knee or the ceiling. A median, not a single deletion, decides: one big image that takes long to
 * remove is not a slow daemon.
 *
 * <p>Pure (no clock: the caller measures latencies), so it is tested by feeding it numbers.
 * Thread-safe.
 */
public final class AdaptiveConcurrency {

  /** The limit a run starts with (or the ceiling, when lower). */
  public static final int INITIAL_LIMIT = 2;
  /** A window whose median latency exceeds this × the baseline is slow. */
  public static final double SLOW_FACTOR = 3.0;
  /**
   * Doubling the limit must raise the estimated throughput at least this much, else the limit goes
   * back and stays (the knee).
   */
  public static final double KNEE_GAIN = 1.25;
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
  /** The limit found to be the knee (growing past it did not pay), or 0 before one is found. */
  private int kneeLimit;
  /** The limit and estimated throughput (deletions per ms) of the last judged window, or 0 before one. */
  private int lastJudgedLimit;
  private double lastJudgedThroughput;

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

  /** The limit found to be the knee (doubling past it did not raise throughput), or 0 while none was found. */
  public synchronized int kneeLimit() {
    return kneeLimit;
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
    windowSize = 0;
    if (!warmedUp) {
      // the warm-up window keeps the limit: the next one, measured warm, is what a doubling is judged against
      warmedUp = true;
      return;
    }
    boolean slow = !recentMedians.isEmpty() && median > slowFactor * baseline();
    recentMedians.addLast(median);
    if (recentMedians.size() > BASELINE_WINDOWS) {
      recentMedians.removeFirst();
    }
    double throughput = limit / (double) Math.max(median, MIN_BASELINE_NANOS);
    if (slow) {
      decrease();
    } else if (slowStart && lastJudgedLimit > 0 && lastJudgedLimit < limit
        && throughput < KNEE_GAIN * lastJudgedThroughput) {
      // the doubling did not pay: back to the limit before it, and never above it again in this run
      slowStart = false;
      kneeLimit = lastJudgedLimit;
      setLimit(kneeLimit);
    } else {
      lastJudgedLimit = limit;
      lastJudgedThroughput = throughput;
      int next = slowStart ? limit * 2 : limit + 1;
      setLimit(kneeLimit > 0 ? Math.min(next, kneeLimit) : next);
    }
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
    return "limit " + limit + " (peak " + peakLimit + ", max " + maxLimit + ", knee "
        + (kneeLimit > 0 ? String.valueOf(kneeLimit) : "none") + ", halved " + decreases + "×, baseline "
        + (recentMedians.isEmpty() ? "none" : String.format("%.1f ms", baseline() / 1e6)) + ")";
  }
}
