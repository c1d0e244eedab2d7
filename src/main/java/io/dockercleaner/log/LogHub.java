package io.dockercleaner.log;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The agent's recent log lines for the dashboard's live log: a bounded ring of the last {@link
 * #DEFAULT_CAPACITY} lines plus live subscribers, fed by {@link RunLog} (operations) and {@link
 * LogHubAppender} (library and internal diagnostics).
 *
 * <p>Publishing never blocks and never waits for a reader: each subscriber has its own bounded
 * queue; when a slow reader's queue is full, further lines are counted as dropped (the reader
 * then gets a marker saying how many) instead of growing memory or holding up the writer, which
 * may be an event loop or a deletion's callback.
 */
public final class LogHub {
  /** Lines kept for readers that connect later (about 200 KiB at ~100 bytes per line). */
  public static final int DEFAULT_CAPACITY = 2000;
  /** Lines a subscriber may have waiting before further ones are dropped. */
  public static final int DEFAULT_SUBSCRIBER_QUEUE_LINES = 1000;

  /** One line; {@code json} is encoded once at publish time and shared by every reader. */
  public record Line(long seq, Instant at, String level, String operation, String message, String json) {}

  private final int capacity;
  private final ArrayDeque<Line> ring = new ArrayDeque<>();
  private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
  private long nextSeq = 1;

  public LogHub() {
    this(DEFAULT_CAPACITY);
  }

  public LogHub(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
    }
    this.capacity = capacity;
  }

  /** Adds a line to the ring and offers it to every subscriber; never blocks on a reader. */
  public void publish(Instant at, String level, String operation, String message) {
    Line line;
    synchronized (this) {
      long seq = nextSeq++;
      String json = new JsonObject().put("seq", seq).put("timestamp", JsonLines.timestamp(at)).put("level", level)
          .put("operation", operation).put("message", message).encode();
      line = new Line(seq, at, level, operation, message, json);
      ring.addLast(line);
      while (ring.size() > capacity) {
        ring.removeFirst();
      }
    }
    for (Subscriber s : subscribers) {
      s.offer(line);
    }
  }

  /** The ring's lines with a sequence number above {@code afterSeq}, oldest first. */
  public synchronized List<Line> since(long afterSeq) {
    List<Line> out = new ArrayList<>();
    for (Line l : ring) {
      if (l.seq() > afterSeq) {
        out.add(l);
      }
    }
    return out;
  }

  /** Subscribers connected now. */
  public int subscriberCount() {
    return subscribers.size();
  }

  /**
   * Registers a reader. The ring's lines after {@code afterSeq} are queued first (as many as fit),
   * then live lines. {@code wakeUp} is called, from the publishing thread, when the queue goes
   * from empty to non-empty: it must only schedule the reader (e.g. {@code context.runOnContext}),
   * never do the work itself. Registration and backlog are atomic with respect to publishing, so
   * no line is missed or seen twice.
   */
  public Subscriber subscribe(long afterSeq, int queueLines, Runnable wakeUp) {
    Subscriber s = new Subscriber(queueLines, wakeUp);
    synchronized (this) {
      for (Line l : ring) {
        if (l.seq() > afterSeq) {
          s.offer(l);
        }
      }
      subscribers.add(s);
    }
    return s;
  }

  /** Removes a reader; its queued lines are discarded. */
  public void unsubscribe(Subscriber s) {
    subscribers.remove(s);
  }

  /** One reader's bounded queue. Thread-safe: filled by publishers, drained by the reader. */
  public static final class Subscriber {
    private final int maxLines;
    private final Runnable wakeUp;
    private final ArrayDeque<Line> queue = new ArrayDeque<>();
    private long dropped;
    private boolean wakeUpPending;

    Subscriber(int maxLines, Runnable wakeUp) {
      this.maxLines = maxLines;
      this.wakeUp = wakeUp;
    }

    void offer(Line line) {
      boolean wake;
      synchronized (this) {
        if (queue.size() >= maxLines) {
          dropped++;
        } else {
          queue.addLast(line);
        }
        wake = !wakeUpPending;
        wakeUpPending = true;
      }
      if (wake) {
        wakeUp.run();
      }
    }

    /**
     * Takes up to {@code max} lines. When it returns an empty batch with no drops, the next
     * offered line calls {@code wakeUp} again.
     */
    public synchronized Batch take(int max) {
      List<Line> lines = new ArrayList<>(Math.min(max, queue.size()));
      while (lines.size() < max && !queue.isEmpty()) {
        lines.add(queue.removeFirst());
      }
      long droppedNow = dropped;
      dropped = 0;
      if (queue.isEmpty()) {
        wakeUpPending = false;
      }
      return new Batch(lines, droppedNow, !queue.isEmpty());
    }

    /** Lines waiting now (for tests and the reader's own bookkeeping). */
    public synchronized int queued() {
      return queue.size();
    }
  }

  /**
   * Lines taken from a subscriber's queue.
   *
   * @param droppedBefore lines dropped because the queue was full, since the previous batch
   * @param more whether lines are still waiting
   */
  public record Batch(List<Line> lines, long droppedBefore, boolean more) {}
}
