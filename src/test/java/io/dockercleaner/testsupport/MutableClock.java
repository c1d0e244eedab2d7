package io.dockercleaner.testsupport;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A {@link Clock} that stands still until the test moves it ({@link #set}, {@link #advance}), so
 * budgets, deadlines, ages and cut-offs are tested without sleeping. Thread-safe: code under test
 * may read it on an event loop while the test thread moves it. Copies made by {@link #withZone}
 * share the same instant.
 */
public final class MutableClock extends Clock {
  /** A fixed, readable default start: 2025-10-10T12:00:00Z. */
  public static final Instant DEFAULT_START = Instant.parse("2025-10-10T12:00:00Z");

  /** The one instant every zone view of this clock shares. */
  private static final class Now {
    private Instant instant;
  }

  private final Now now;
  private final ZoneId zone;

  /** Starts at {@link #DEFAULT_START}, in UTC. */
  public MutableClock() {
    this(DEFAULT_START);
  }

  /** Starts at {@code start}, in UTC. */
  public MutableClock(Instant start) {
    this(new Now(), ZoneOffset.UTC);
    now.instant = Objects.requireNonNull(start, "start");
  }

  private MutableClock(Now now, ZoneId zone) {
    this.now = now;
    this.zone = zone;
  }

  @Override
  public Instant instant() {
    synchronized (now) {
      return now.instant;
    }
  }

  /** Moves the clock to {@code instant} (backwards too: clocks on real hosts jump). */
  public MutableClock set(Instant instant) {
    synchronized (now) {
      now.instant = Objects.requireNonNull(instant, "instant");
    }
    return this;
  }

  /** Moves the clock forward by {@code duration} and returns the new instant. */
  public Instant advance(Duration duration) {
    synchronized (now) {
      now.instant = now.instant.plus(duration);
      return now.instant;
    }
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId newZone) {
    return new MutableClock(now, newZone);
  }

  @Override
  public String toString() {
    return "MutableClock[" + instant() + "," + zone + "]";
  }
}
