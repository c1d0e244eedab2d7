package io.dockercleaner.agent.watch;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * Exponential back-off with jitter: the first delay is {@code initialDelay}, each further one
 * doubles, capped at {@code maxDelay}; jitter shortens each delay by up to {@code jitterRatio} of
 * it so that many agents restarted together do not hit the daemon in lock-step.
 *
 * <p>Not thread-safe: owned by one {@link EventSupervisor} and only touched from its context.
 */
public final class Backoff {
  private final Duration initialDelay;
  private final Duration maxDelay;
  private final double jitterRatio;
  private final DoubleSupplier random;
  private int attempts;

  /**
   * A back-off.
   *
   * @param initialDelay the first delay, positive
   * @param maxDelay the largest delay, at least {@code initialDelay}
   * @param jitterRatio 0 (none) to 1: each delay is drawn from [delay × (1 − jitterRatio), delay]
   * @param random source of uniform values in [0, 1), e.g. {@code ThreadLocalRandom.current()::nextDouble}
   */
  public Backoff(Duration initialDelay, Duration maxDelay, double jitterRatio, DoubleSupplier random) {
    this.initialDelay = Objects.requireNonNull(initialDelay, "initialDelay");
    this.maxDelay = Objects.requireNonNull(maxDelay, "maxDelay");
    this.random = Objects.requireNonNull(random, "random");
    if (initialDelay.isNegative() || initialDelay.isZero()) {
      throw new IllegalArgumentException("initialDelay must be positive, got " + initialDelay);
    }
    if (maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException("maxDelay " + maxDelay + " is below initialDelay " + initialDelay);
    }
    if (!(jitterRatio >= 0 && jitterRatio <= 1)) {
      throw new IllegalArgumentException("jitterRatio must be within 0..1, got " + jitterRatio);
    }
    this.jitterRatio = jitterRatio;
  }

  /** The delay before the next attempt; each call counts one attempt. */
  public Duration next() {
    long initialNanos = initialDelay.toNanos();
    long maxNanos = maxDelay.toNanos();
    // 2^attempts without overflow: stop doubling once the cap is reached.
    long baseNanos = initialNanos;
    for (int i = 0; i < attempts && baseNanos < maxNanos; i++) {
      baseNanos = baseNanos > maxNanos / 2 ? maxNanos : baseNanos * 2;
    }
    baseNanos = Math.min(baseNanos, maxNanos);
    attempts++;
    double factor = 1.0 - jitterRatio * random.getAsDouble();
    return Duration.ofNanos(Math.max(1, (long) (baseNanos * factor)));
  }

  /** Attempts counted since the last {@link #reset()}. */
  public int attempts() {
    return attempts;
  }

  /** Starts again from {@code initialDelay} (after a connection proved healthy). */
  public void reset() {
    attempts = 0;
  }
}
