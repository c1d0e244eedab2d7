package io.dockercleaner.agent.watch;

import io.dockercleaner.docker.model.DockerEvent;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Where the event stream is: the newest event time seen (to resubscribe with {@code since}) and
 * the keys of the last events seen, to drop the ones the daemon sends again.
 *
 * <p>Duplicates are recognised by key (type, action, actor, scope, timeNano), not by time order:
 * dockerd stamps events before publishing them, so two concurrent events can arrive a few
 * microseconds out of order, and dropping "older" events would lose real ones.
 *
 * <p>Not thread-safe: only touched from the supervisor's context.
 */
public final class EventPosition {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final int windowEvents;
  private final ArrayDeque<Key> order = new ArrayDeque<>();
  private final Set<Key> recent = new HashSet<>();
  // Volatile: the supervisor's getters read it from any thread.
  private volatile long newestTimeNano;

  private record Key(long timeNano, String type, String action, String actorId, String scope) {}

  /**
   * An empty position.
   *
   * @param windowEvents how many recent event keys are remembered, at least 1
   */
  public EventPosition(int windowEvents) {
    if (windowEvents < 1) {
      throw new IllegalArgumentException("windowEvents must be at least 1, got " + windowEvents);
    }
    this.windowEvents = windowEvents;
  }

  /**
   * Records the event; returns false when it was already seen (a replay to drop).
   */
  public boolean accept(DockerEvent event) {
    Objects.requireNonNull(event, "event");
    Key key = new Key(event.timeNano(), event.type(), event.action(), event.actorId(), event.scope());
    if (!recent.add(key)) {
      return false;
    }
    order.addLast(key);
    if (order.size() > windowEvents) {
      recent.remove(order.removeFirst());
    }
    newestTimeNano = Math.max(newestTimeNano, event.timeNano());
    return true;
  }

  /** Starts from a persisted position (nanoseconds since the epoch; 0 = none). */
  public void resumeFrom(long timeNano) {
    newestTimeNano = Math.max(newestTimeNano, timeNano);
  }

  /** The newest event time seen, in nanoseconds since the epoch; 0 when none. */
  public long newestTimeNano() {
    return newestTimeNano;
  }

  /** The {@code since} value for a resubscription, or null when no event was seen. */
  public String since() {
    return newestTimeNano == 0 ? null : formatSince(newestTimeNano);
  }

  /**
   * Formats nanoseconds since the epoch as the Engine API's {@code SECONDS.NANOS} (nine digits),
   * e.g. {@code 1795880528.974467024}; dockerd compares it with nanosecond precision, inclusively.
   */
  public static String formatSince(long timeNano) {
    long seconds = Math.floorDiv(timeNano, NANOS_PER_SECOND);
    long nanos = Math.floorMod(timeNano, NANOS_PER_SECOND);
    return seconds + "." + String.format("%09d", nanos);
  }
}
