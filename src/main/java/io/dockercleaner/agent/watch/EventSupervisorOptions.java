package io.dockercleaner.agent.watch;

import io.dockercleaner.docker.Filters;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of an {@link EventSupervisor}.
 *
 * @param filters the {@code /events} filters (e.g. types), {@link Filters#NONE} for all events
 * @param initialBackoff the first delay after the stream is lost
 * @param maxBackoff the largest delay; also how long a new stream must stay open (or deliver an
 *     event) before the back-off starts again from {@code initialBackoff}
 * @param jitterRatio 0..1, see {@link Backoff}
 * @param dedupWindowEvents how many recent events are remembered to drop the ones the daemon sends
 *     again after a resubscription ({@code since} is inclusive, and it replays from its buffer of
 *     256 events)
 */
public record EventSupervisorOptions(
    Filters filters, Duration initialBackoff, Duration maxBackoff, double jitterRatio, int dedupWindowEvents) {

  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofSeconds(1);
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
  public static final double DEFAULT_JITTER_RATIO = 0.2;
  /** Twice dockerd's in-memory event buffer (256), so a full replay is recognised. */
  public static final int DEFAULT_DEDUP_WINDOW_EVENTS = 512;

  /** Validates. */
  public EventSupervisorOptions {
    Objects.requireNonNull(filters, "filters");
    // Backoff validates the delays and the ratio with precise messages.
    new Backoff(initialBackoff, maxBackoff, jitterRatio, () -> 0);
    if (dedupWindowEvents < 1) {
      throw new IllegalArgumentException("dedupWindowEvents must be at least 1, got " + dedupWindowEvents);
    }
  }

  /** The defaults: all events, 1 s doubling to 30 s, 20 % jitter. */
  public static EventSupervisorOptions defaults() {
    return new EventSupervisorOptions(Filters.NONE, DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF,
        DEFAULT_JITTER_RATIO, DEFAULT_DEDUP_WINDOW_EVENTS);
  }

  /** A copy with other back-off delays (tests use milliseconds). */
  public EventSupervisorOptions withBackoff(Duration initial, Duration max) {
    return new EventSupervisorOptions(filters, initial, max, jitterRatio, dedupWindowEvents);
  }

  /** A copy with other filters. */
  public EventSupervisorOptions withFilters(Filters newFilters) {
    return new EventSupervisorOptions(newFilters, initialBackoff, maxBackoff, jitterRatio, dedupWindowEvents);
  }
}
