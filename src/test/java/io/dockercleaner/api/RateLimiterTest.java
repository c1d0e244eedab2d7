package io.dockercleaner.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.config.RateLimit;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  private final AtomicLong nanos = new AtomicLong(1_000);
  private final RateLimiter limiter = new RateLimiter(new RateLimit(10, Duration.ofMinutes(1)), nanos::get);

  @Test
  void allowsABurstOfPermitsThenTellsHowLongToWait() {
    for (int i = 0; i < 10; i++) {
      assertThat(limiter.tryAcquire()).as("request %d", i + 1).isZero();
    }
    assertThat(limiter.tryAcquire()).isEqualTo(6);
  }

  @Test
  void refillsOnePermitPerPeriodOverPermits() {
    for (int i = 0; i < 10; i++) {
      limiter.tryAcquire();
    }
    nanos.addAndGet(Duration.ofSeconds(4).toNanos());
    assertThat(limiter.tryAcquire()).as("2 s still to wait").isEqualTo(2);
    nanos.addAndGet(Duration.ofSeconds(2).toNanos());
    assertThat(limiter.tryAcquire()).isZero();
    assertThat(limiter.tryAcquire()).isEqualTo(6);
  }

  @Test
  void neverHoldsMoreThanPermitsAfterALongPause() {
    nanos.addAndGet(Duration.ofHours(5).toNanos());
    for (int i = 0; i < 10; i++) {
      assertThat(limiter.tryAcquire()).isZero();
    }
    assertThat(limiter.tryAcquire()).isPositive();
  }
}
