package io.dockercleaner.config;

import java.time.Duration;

/**
 * API_RATE_LIMIT: at most {@code permits} requests per {@code period} ({@code 10/min}).
 *
 * @param permits at least 1
 * @param period one second, minute or hour
 */
public record RateLimit(int permits, Duration period) {
  @Override
  public String toString() {
    String unit = period.equals(Duration.ofSeconds(1)) ? "s" : period.equals(Duration.ofMinutes(1)) ? "min" : "h";
    return permits + "/" + unit;
  }
}
