package io.dockercleaner.api;

import io.dockercleaner.config.RateLimit;
import java.util.function.LongSupplier;

/**
 * A token bucket for API_RATE_LIMIT: holds up to {@code permits} tokens, refilled evenly over
 * {@code period}, so at most {@code permits} requests pass in any burst and the long-run rate is
 * {@code permits/period}. Thread-safe. The clock is a parameter so tests need no waiting.
 */
final class RateLimiter {
  private final double capacity;
  private final double nanosPerPermit;
  private final LongSupplier nanoClock;
  private double tokens;
  private long lastNanos;

  RateLimiter(RateLimit limit, LongSupplier nanoClock) {
    this.capacity = limit.permits();
    this.nanosPerPermit = (double) limit.period().toNanos() / limit.permits();
    this.nanoClock = nanoClock;
    this.tokens = capacity;
    this.lastNanos = nanoClock.getAsLong();
  }

  /**
   * Takes one token.
   *
   * @return 0 when a token was taken, else the whole seconds (at least 1) until one is available
   */
  synchronized long tryAcquire() {
    long now = nanoClock.getAsLong();
    tokens = Math.min(capacity, tokens + (now - lastNanos) / nanosPerPermit);
    lastNanos = now;
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    double waitNanos = (1 - tokens) * nanosPerPermit;
    return Math.max(1, (long) Math.ceil(waitNanos / 1_000_000_000.0));
  }
}
