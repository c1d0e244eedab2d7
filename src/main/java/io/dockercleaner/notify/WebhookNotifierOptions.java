package io.dockercleaner.notify;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of a {@link WebhookNotifier} that is not user configuration (URLs, format, events,
 * timeout and secret come from {@link io.dockercleaner.config.Settings}).
 */
public final class WebhookNotifierOptions {
  /** Notices waiting for delivery beyond which the oldest waiting one is dropped. */
  public static final int DEFAULT_QUEUE_CAPACITY = 100;
  /** Attempts per URL and notice. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  /** Delay before the 2nd attempt; doubled before each further one (1 s, 2 s, ...). */
  public static final Duration DEFAULT_RETRY_BASE_DELAY = Duration.ofSeconds(1);

  private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
  private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
  private Duration retryBaseDelay = DEFAULT_RETRY_BASE_DELAY;
  private String userAgent;

  /** Defaults everywhere. */
  public WebhookNotifierOptions() {}

  /** See {@link #DEFAULT_QUEUE_CAPACITY}. */
  public int getQueueCapacity() {
    return queueCapacity;
  }

  /** At least 1. */
  public WebhookNotifierOptions setQueueCapacity(int queueCapacity) {
    if (queueCapacity < 1) {
      throw new IllegalArgumentException("queueCapacity must be at least 1: " + queueCapacity);
    }
    this.queueCapacity = queueCapacity;
    return this;
  }

  /** See {@link #DEFAULT_MAX_ATTEMPTS}. */
  public int getMaxAttempts() {
    return maxAttempts;
  }

  /** At least 1. */
  public WebhookNotifierOptions setMaxAttempts(int maxAttempts) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
    }
    this.maxAttempts = maxAttempts;
    return this;
  }

  /** See {@link #DEFAULT_RETRY_BASE_DELAY}. */
  public Duration getRetryBaseDelay() {
    return retryBaseDelay;
  }

  /** Positive; tests use a few milliseconds. */
  public WebhookNotifierOptions setRetryBaseDelay(Duration retryBaseDelay) {
    Objects.requireNonNull(retryBaseDelay, "retryBaseDelay");
    if (retryBaseDelay.isNegative() || retryBaseDelay.isZero()) {
      throw new IllegalArgumentException("retryBaseDelay must be positive: " + retryBaseDelay);
    }
    this.retryBaseDelay = retryBaseDelay;
    return this;
  }

  /** The User-Agent header; null = {@code docker-cleaner/<version of the jar>}. */
  public String getUserAgent() {
    return userAgent;
  }

  /** See {@link #getUserAgent()}. */
  public WebhookNotifierOptions setUserAgent(String userAgent) {
    this.userAgent = userAgent;
    return this;
  }
}
