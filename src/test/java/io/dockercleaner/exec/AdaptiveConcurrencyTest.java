package io.dockercleaner.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The limiter fed with latencies by hand: no clock, no daemon. */
class AdaptiveConcurrencyTest {

  private static final long MS = 1_000_000;

  /** Feeds {@code n} deletions of {@code latencyMs} each, all started under the current limit. */
  private static void feed(AdaptiveConcurrency l, int n, long latencyMs) {
    long generation = l.generation();
    for (int i = 0; i < n; i++) {
      l.onCompleted(generation, latencyMs * MS);
    }
  }

  /** One full window (max(limit, 3) deletions) of {@code latencyMs} each. */
  private static void window(AdaptiveConcurrency l, long latencyMs) {
    feed(l, Math.max(l.limit(), AdaptiveConcurrency.MIN_WINDOW), latencyMs);
  }

  @Test
  void startsAtTheInitialLimitClampedToTheCeiling() {
    assertThat(AdaptiveConcurrency.upTo(16).limit()).isEqualTo(AdaptiveConcurrency.INITIAL_LIMIT);
    assertThat(AdaptiveConcurrency.upTo(1).limit()).isEqualTo(1);
    assertThat(new AdaptiveConcurrency(8, 3, 3.0).limit()).isEqualTo(3);
    assertThat(new AdaptiveConcurrency(0, 3, 3.0).limit()).isEqualTo(1);
  }

  @Test
  void slowStartDoublesAfterEachFastWindowUpToTheCeiling() {
    AdaptiveConcurrency l = AdaptiveConcurrency.upTo(16);
    window(l, 10); // warm-up: keeps the limit
    assertThat(l.limit()).isEqualTo(2);
    feed(l, 2, 10);
    assertThat(l.limit()).as("a window needs 3 samples").isEqualTo(2);
    feed(l, 1, 10);
    assertThat(l.limit()).isEqualTo(4);
    window(l, 10);
    assertThat(l.limit()).isEqualTo(8);
    window(l, 12);
    assertThat(l.limit()).isEqualTo(16);
    window(l, 12);
    window(l, 12);
    assertThat(l.limit()).as("never above the ceiling").isEqualTo(16);
    assertThat(l.peakLimit()).isEqualTo(16);
    assertThat(l.decreases()).isZero();
  }

  @Test
  void theFirstWindowWarmsUpAndSetsNoBaseline() {
    AdaptiveConcurrency l = AdaptiveConcurrency.upTo(16);
    window(l, 200); // cold: new connections
    assertThat(l.baselineNanos()).isEqualTo(-1);
    assertThat(l.limit()).as("the warm-up window keeps the limit").isEqualTo(2);
    window(l, 50);
    assertThat(l.baselineNanos()).isEqualTo(50 * MS);
    assertThat(l.limit()).isEqualTo(4);
    window(l, 151); // slow against 50 ms, though faster than the cold window
    assertThat(l.limit()).isEqualTo(2);
  }

  @Test
  void halvesWhenAWindowMedianExceedsTheFactorTimesTheBaselineThenGrowsByOne() {
    AdaptiveConcurrency l = new AdaptiveConcurrency(4, 32, 3.0);
    window(l, 10); // warm-up, limit 4
    window(l, 10); // baseline 10 ms, limit 8
    window(l, 15); // 1.5× the baseline at twice the limit: throughput ×1.33, still paying; limit 16
    assertThat(l.limit()).isEqualTo(16);
    window(l, 31); // just over 3× the baseline
    assertThat(l.limit()).isEqualTo(8);
    assertThat(l.decreases()).isEqualTo(1);
    window(l, 10);
    assertThat(l.limit()).as("after the first halving: additive increase, not doubling").isEqualTo(9);
    window(l, 30); // exactly 3×: not slow
    assertThat(l.limit()).isEqualTo(10);
  }

  @Test
  void aDoublingThatDoesNotRaiseThroughputGoesBackAndStaysThere() {
    // the quiet daemon of the benchmark: latency grows in step with the deletions in flight
    AdaptiveConcurrency l = AdaptiveConcurrency.upTo(8);
    window(l, 5); // warm-up at 2
    window(l, 7); // 2 in flight: 0.29 per ms
    assertThat(l.limit()).isEqualTo(4);
    window(l, 13); // 4 in flight: 0.31 per ms, +8 %: only queued
    assertThat(l.limit()).isEqualTo(2);
    assertThat(l.kneeLimit()).isEqualTo(2);
    assertThat(l.decreases()).as("a knee is not a slowdown").isZero();
    for (int i = 0; i < 10; i++) {
      window(l, 7);
    }
    assertThat(l.limit()).as("never above the knee again").isEqualTo(2);
    assertThat(l.peakLimit()).isEqualTo(4);
  }

  @Test
  void aLoadedDaemonThatGainsFromConcurrencyFindsAHigherKnee() {
    // the loaded daemon of the benchmark: 4 in flight still paid, 8 did not
    AdaptiveConcurrency l = AdaptiveConcurrency.upTo(16);
    window(l, 60); // warm-up
    window(l, 45); // 2 in flight: 0.044 per ms
    window(l, 65); // 4: 0.062 per ms, +38 %
    assertThat(l.limit()).isEqualTo(8);
    window(l, 127); // 8: 0.063 per ms, +2 %
    assertThat(l.limit()).isEqualTo(4);
    assertThat(l.kneeLimit()).isEqualTo(4);
  }

  @Test
  void belowTheKneeASlowdownHalvesAndTheLimitGrowsBackOnlyToTheKnee() {
    AdaptiveConcurrency l = AdaptiveConcurrency.upTo(16);
    window(l, 10); // warm-up
    window(l, 10); // 2
    window(l, 10); // 4
    window(l, 10); // 8
    window(l, 22); // 16: 0.73 per ms against 0.8: knee at 8
    assertThat(l.limit()).isEqualTo(8);
    window(l, 40); // 4× the baseline: halve
    assertThat(l.limit()).isEqualTo(4);
    for (int i = 0; i < 10; i++) {
      window(l, 10);
    }
    assertThat(l.limit()).isEqualTo(8);
  }

  @Test
  void oneSlowDeletionInAWindowDoesNotHalve() {
    AdaptiveConcurrency l = new AdaptiveConcurrency(4, 16, 3.0);
    window(l, 10); // warm-up, limit 4
    long g = l.generation();
    l.onCompleted(g, 10 * MS);
    l.onCompleted(g, 2_000 * MS); // one big image
    l.onCompleted(g, 11 * MS);
    l.onCompleted(g, 9 * MS);
    assertThat(l.limit()).isEqualTo(8);
    assertThat(l.decreases()).isZero();
  }

  @Test
  void deletionsStartedBeforeAChangeDoNotCount() {
    AdaptiveConcurrency l = AdaptiveConcurrency.upTo(16);
    window(l, 10); // warm-up
    long before = l.generation();
    feed(l, 3, 10); // limit 2 → 4
    assertThat(l.generation()).isNotEqualTo(before);
    for (int i = 0; i < 20; i++) {
      l.onCompleted(before, 1_000 * MS); // stragglers from the old limit, slow
      l.onOverload(before);
    }
    assertThat(l.limit()).isEqualTo(4);
    assertThat(l.decreases()).isZero();
  }

  @Test
  void anOverloadHalvesAtOnceButNeverBelowOne() {
    AdaptiveConcurrency l = AdaptiveConcurrency.upTo(16);
    window(l, 10); // warm-up
    window(l, 10);
    window(l, 10);
    assertThat(l.limit()).isEqualTo(8);
    l.onOverload(l.generation());
    assertThat(l.limit()).isEqualTo(4);
    for (int i = 0; i < 5; i++) {
      l.onOverload(l.generation());
    }
    assertThat(l.limit()).isEqualTo(1);
    window(l, 10_000);
    assertThat(l.limit()).as("slow windows at 1 stay at 1").isEqualTo(1);
  }

  @Test
  void aCeilingOfOneIsSequential() {
    AdaptiveConcurrency l = AdaptiveConcurrency.upTo(1);
    for (int i = 0; i < 10; i++) {
      window(l, 5);
    }
    assertThat(l.limit()).isEqualTo(1);
    assertThat(l.peakLimit()).isEqualTo(1);
  }

  @Test
  void aLastingSlowdownBecomesTheNewBaselineAndTheLimitGrowsAgain() {
    AdaptiveConcurrency l = new AdaptiveConcurrency(4, 16, 3.0);
    window(l, 10); // warm-up
    window(l, 10);
    assertThat(l.limit()).isEqualTo(8);
    window(l, 100); // the daemon slows down for good (10× the baseline)
    window(l, 100);
    window(l, 100);
    assertThat(l.limit()).isEqualTo(1);
    assertThat(l.baselineNanos()).isEqualTo(10 * MS);
    for (int i = 0; i < AdaptiveConcurrency.BASELINE_WINDOWS; i++) {
      window(l, 100);
    }
    assertThat(l.baselineNanos()).as("the fast windows aged out").isEqualTo(100 * MS);
    // the one 10 ms window leaves the last 16 with the 13th of those windows: +1 for each of the other 3
    assertThat(l.limit()).as("grows again once the slow daemon is the normal").isEqualTo(4);
  }

  @Test
  void latenciesBelowAMillisecondDoNotMakeEveryWindowSlow() {
    AdaptiveConcurrency l = AdaptiveConcurrency.upTo(16);
    window(l, 0); // warm-up
    window(l, 0); // a fake client answering at once
    window(l, 0);
    window(l, 1);
    window(l, 1);
    assertThat(l.limit()).isEqualTo(16);
  }

  @Test
  void refusesACeilingBelowOneAndAFactorOfOneOrLess() {
    assertThatThrownBy(() -> new AdaptiveConcurrency(1, 0, 3.0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxLimit must be at least 1, got 0");
    assertThatThrownBy(() -> new AdaptiveConcurrency(1, 4, 1.0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("slowFactor must be more than 1");
  }
}
