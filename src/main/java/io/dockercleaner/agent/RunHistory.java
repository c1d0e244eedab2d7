package io.dockercleaner.agent;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The finished runs' summaries (as {@code GET /v1/runs} lists them), newest first, at most {@link
 * #capacity()}; kept in {@code STATE_DIR/runs.json} (temporary file + rename) so the dashboard's
 * Runs page and chart survive a restart. A run's items are not kept here: they are in the audit
 * trail ({@code GET /v1/runs/{id}/items}).
 *
 * <p>Thread-safe. {@link #load} and {@link #save} do file I/O: call them off the event loop.
 */
public final class RunHistory {
  /** The file in STATE_DIR. */
  public static final String FILE_NAME = "runs.json";
  /** Runs kept by default. */
  public static final int DEFAULT_CAPACITY = 200;
  private static final int FORMAT_VERSION = 1;

  private final int capacity;
  private final ArrayDeque<JsonObject> runs = new ArrayDeque<>();
  private final Object fileLock = new Object();

  public RunHistory(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1");
    }
    this.capacity = capacity;
  }

  public int capacity() {
    return capacity;
  }

  /** Adds a finished run's summary as the newest; the oldest goes beyond the capacity. */
  public synchronized void add(JsonObject summary) {
    runs.addFirst(summary.copy());
    while (runs.size() > capacity) {
      runs.removeLast();
    }
  }

  /** Newest first (copies). */
  public synchronized List<JsonObject> list() {
    List<JsonObject> out = new ArrayList<>(runs.size());
    runs.forEach(r -> out.add(r.copy()));
    return out;
  }

  /** The run with this id, if kept. */
  public synchronized Optional<JsonObject> find(String id) {
    return runs.stream().filter(r -> id.equals(r.getString("id"))).findFirst().map(JsonObject::copy);
  }

  /**
   * Writes {@code dir/runs.json} atomically (a reader never sees half a file). Saves are serialised
   * (the agent saves after each run on a worker and once more when it stops) without holding up
   * {@link #add} during the file I/O.
   */
  public void save(Path dir) throws IOException {
    synchronized (fileLock) {
      JsonArray arr;
      synchronized (this) {
        arr = new JsonArray(new ArrayList<>(runs));
      }
      String text = new JsonObject().put("version", FORMAT_VERSION).put("capacity", capacity).put("runs", arr).encode();
      Path target = dir.resolve(FILE_NAME);
      Path temp = dir.resolve(FILE_NAME + ".tmp");
      Files.writeString(temp, text, StandardCharsets.UTF_8);
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /**
   * The history saved in {@code dir} (newest first, cut to {@code capacity}); empty when there is
   * no file.
   *
   * @throws IOException when the file cannot be read or parsed
   */
  public static RunHistory load(Path dir, int capacity) throws IOException {
    RunHistory h = new RunHistory(capacity);
    Path file = dir.resolve(FILE_NAME);
    if (!Files.exists(file)) {
      return h;
    }
    try {
      JsonArray arr = new JsonObject(Files.readString(file, StandardCharsets.UTF_8)).getJsonArray("runs", new JsonArray());
      // saved newest first: add oldest first so the newest ends up first
      for (int i = Math.min(arr.size(), capacity) - 1; i >= 0; i--) {
        JsonObject run = arr.getJsonObject(i);
        if (run.getString("id") == null) {
          throw new IllegalArgumentException("run " + i + " has no id");
        }
        h.add(run);
      }
    } catch (RuntimeException e) {
      throw new IOException(file + " cannot be parsed: " + e.getMessage(), e);
    }
    return h;
  }
}
