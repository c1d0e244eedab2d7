package io.dockercleaner.api;

import io.dockercleaner.config.RateLimit;
import java.util.function.LongSupplier;

/**
 * API_RATE_LIMIT as a generic cell rate algorithm (a token bucket in exact integer nanoseconds):
 * up to {@code permits} requests pass in a burst, and one more each {@code period/permits}.
 * Thread-safe. The clock is a parameter so tests need no waiting.
 */
final class RateLimiter {
  private final long intervalNanos;
  private final long burstToleranceNanos;
  private final LongSupplier nanoClock;
  /** When the bucket would be empty again if no request came ("theoretical arrival time"). */
  private long theoreticalArrivalNanos;

  RateLimiter(RateLimit limit, LongSupplier nanoClock) {
    this.intervalNanos = limit.period().toNanos() / limit.permits();
    this.burstToleranceNanos = intervalNanos * (limit.permits() - 1);
    this.nanoClock = nanoClock;
    this.theoreticalArrivalNanos = nanoClock.getAsLong();
  }

  /**
   * Takes one permit.
   *
   * @return 0 when a permit was taken, else the whole seconds (at least 1) until one is available
   */
  synchronized long tryAcquire() {
    long now = nanoClock.getAsLong();
    long tat = Math.max(theoreticalArrivalNanos, now);
    long waitNanos = tat - now - burstToleranceNanos;
    if (waitNanos > 0) {
      return Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
    }
    theoreticalArrivalNanos = tat + intervalNanos;
    return 0;
  }
}
