package io.dockercleaner.plan;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The bounded list of one image's uses, kept by the agent's usage state and by the replay
 * simulator alike, so the {@link ReuseModel} sees the same history in both.
 */
public final class UseTimes {
  /**
   * Uses closer than this to the previous one are one use: {@code docker run} sends create and
   * start within milliseconds, and a job starting five containers from one image is one need.
   */
  public static final Duration MIN_SPACING = Duration.ofMinutes(1);

  private UseTimes() {}

  /**
   * Appends a use unless it is within {@link #MIN_SPACING} after the newest one (or older than
   * it), keeping at most {@link UsageHistory#MAX_IMAGE_USES}, newest last.
   *
   * @return true when recorded
   */
  public static boolean record(Deque<Instant> uses, Instant at) {
    Instant last = uses.peekLast();
    if (last != null && at.isBefore(last.plus(MIN_SPACING))) {
      return false;
    }
    uses.addLast(at);
    while (uses.size() > UsageHistory.MAX_IMAGE_USES) {
      uses.removeFirst();
    }
    return true;
  }

  /** A new empty list. */
  public static Deque<Instant> empty() {
    return new ArrayDeque<>();
  }
}
