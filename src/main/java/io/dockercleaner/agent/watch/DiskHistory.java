package io.dockercleaner.agent.watch;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Disk used % over time for the dashboard's chart: a bounded ring of at most one sample per
 * {@link #interval()} (default one a minute for 24 h), kept in {@code STATE_DIR/disk-history.json}
 * so that a restart keeps the picture.
 *
 * <p>Thread-safe. {@link #load} and {@link #save} do file I/O: call them off the event loop.
 */
public final class DiskHistory {
  /** The file in STATE_DIR. */
  public static final String FILE_NAME = "disk-history.json";
  /** One sample a minute ... */
  public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);
  /** ... for 24 hours. */
  public static final int DEFAULT_CAPACITY = 24 * 60;
  private static final int FORMAT_VERSION = 1;

  /**
   * One sample.
   *
   * @param inodeUsedRatio null when the filesystem reports no inodes
   */
  public record Point(Instant at, double usedRatio, Double inodeUsedRatio) {}

  private final Duration interval;
  private final int capacity;
  private final ArrayDeque<Point> points = new ArrayDeque<>();

  public DiskHistory(Duration interval, int capacity) {
    if (interval.isNegative() || interval.isZero() || capacity < 1) {
      throw new IllegalArgumentException("interval must be positive and capacity at least 1");
    }
    this.interval = interval;
    this.capacity = capacity;
  }

  public static DiskHistory defaults() {
    return new DiskHistory(DEFAULT_INTERVAL, DEFAULT_CAPACITY);
  }

  public Duration interval() {
    return interval;
  }

  public int capacity() {
    return capacity;
  }

  /**
   * Adds a sample unless the last one is less than {@link #interval()} older (samples arrive every
   * DISK_CHECK_INTERVAL, far more often than the chart needs). Returns whether it was kept.
   */
  public synchronized boolean record(Point p) {
    Point last = points.peekLast();
    if (last != null && p.at().isBefore(last.at().plus(interval))) {
      return false;
    }
    points.addLast(p);
    while (points.size() > capacity) {
      points.removeFirst();
    }
    return true;
  }

  /** The samples, oldest first. */
  public synchronized List<Point> points() {
    return new ArrayList<>(points);
  }

  /** {@code {"intervalSeconds":60,"capacity":1440,"samples":[{"at":…,"usedRatio":…,"inodeUsedRatio":…}]}}. */
  public synchronized JsonObject toJson() {
    JsonArray samples = new JsonArray();
    for (Point p : points) {
      samples.add(new JsonObject().put("at", p.at().toString()).put("usedRatio", p.usedRatio())
          .put("inodeUsedRatio", p.inodeUsedRatio()));
    }
    return new JsonObject().put("intervalSeconds", interval.toSeconds()).put("capacity", capacity).put("samples", samples);
  }

  /** Writes the ring to {@code dir/disk-history.json} through a temporary file and a rename. */
  public void save(Path dir) throws IOException {
    JsonArray rows = new JsonArray();
    for (Point p : points()) {
      rows.add(new JsonArray().add(p.at().getEpochSecond()).add(p.usedRatio()).add(p.inodeUsedRatio()));
    }
    byte[] bytes = new JsonObject().put("version", FORMAT_VERSION).put("samples", rows).encode()
        .getBytes(StandardCharsets.UTF_8);
    Path target = dir.resolve(FILE_NAME);
    Path temp = dir.resolve(FILE_NAME + ".tmp");
    Files.write(temp, bytes);
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * The ring saved in {@code dir}, keeping only samples newer than {@code now} minus the ring's
   * span; empty when there is no file. A file that cannot be parsed is an {@link IOException}
   * (the caller logs it and starts empty: a chart is not worth refusing to start for).
   */
  public static DiskHistory load(Path dir, Duration interval, int capacity, Instant now) throws IOException {
    DiskHistory h = new DiskHistory(interval, capacity);
    Path file = dir.resolve(FILE_NAME);
    if (!Files.exists(file)) {
      return h;
    }
    Instant oldest = now.minus(interval.multipliedBy(capacity));
    try {
      JsonObject o = new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
      JsonArray rows = o.getJsonArray("samples", new JsonArray());
      for (int i = 0; i < rows.size(); i++) {
        JsonArray r = rows.getJsonArray(i);
        Instant at = Instant.ofEpochSecond(r.getLong(0));
        Number inode = r.getNumber(2);
        if (at.isAfter(oldest) && !at.isAfter(now)) {
          h.record(new Point(at, r.getNumber(1).doubleValue(), inode == null ? null : inode.doubleValue()));
        }
      }
    } catch (RuntimeException e) {
      throw new IOException(file + " is not a disk history: " + e.getMessage(), e);
    }
    return h;
  }
}
