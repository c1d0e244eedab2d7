package io.dockercleaner.agent;

import io.dockercleaner.config.ConfigException;
import io.dockercleaner.config.Settings;
import io.dockercleaner.config.ValueParsers;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings an operator may change while the agent runs (the dashboard's Settings page, {@code
 * PUT /v1/settings}): the disk and inode watermarks, SCHEDULE and whether automatic cleanup
 * (thresholds and SCHEDULE) is paused. Values are validated by the parsers and cross-checks used at
 * start ({@link Settings#of}: a low watermark below its high one, the high one at most the critical
 * one; SCHEDULE as a cron expression in the start-up TZ unless it has its own {@code CRON_TZ=}); a
 * change with any bad value changes nothing. An empty SCHEDULE turns the schedule off, as an unset
 * one does at start. Changed values are kept in {@code STATE_DIR/runtime-settings.json} and win
 * over the configuration at the next start.
 *
 * <p>Thread-safe: one immutable {@link Values} swapped atomically.
 */
public final class RuntimeSettings {
  /** The file in STATE_DIR. */
  public static final String FILE_NAME = "runtime-settings.json";
  /** Not a start-up setting: automatic cleanup is paused (true/false, yes/no, on/off, 1/0). */
  public static final String PAUSED = "AUTOMATIC_CLEANUP_PAUSED";
  /** The cron schedule of full runs (empty = none). */
  public static final String SCHEDULE = "SCHEDULE";
  /** Names that may be changed, in display order. */
  public static final List<String> EDITABLE = List.of("DISK_HIGH_WATERMARK", "DISK_LOW_WATERMARK",
      "DISK_CRITICAL_WATERMARK", "INODE_HIGH_WATERMARK", "INODE_LOW_WATERMARK", SCHEDULE, PAUSED);

  /**
   * The values in force; {@code raw} holds each as last written (e.g. {@code 85%}); {@code
   * schedule} is SCHEDULE with its zone ({@code CRON_TZ=Zone ...}, as {@link Settings#schedule()}),
   * empty when there is none.
   */
  public record Values(double diskHigh, double diskLow, double diskCritical, double inodeHigh, double inodeLow,
      java.util.Optional<String> schedule, boolean paused, Map<String, String> raw) {}

  /** One changed value, for the audit and the log. */
  public record Change(String name, String oldValue, String newValue) {}

  private volatile Values values;
  // names changed at runtime (now or before a restart): their source is "runtime"
  private final java.util.Set<String> changed = java.util.concurrent.ConcurrentHashMap.newKeySet();

  // TZ is not editable: a runtime SCHEDULE without CRON_TZ= fires in the start-up TZ
  private final String tz;

  public RuntimeSettings(Settings settings) {
    Map<String, String> raw = new LinkedHashMap<>();
    Map<String, String> effective = settings.effective();
    for (String name : EDITABLE) {
      raw.put(name, name.equals(PAUSED) ? "false" : effective.getOrDefault(name, ""));
    }
    tz = effective.getOrDefault("TZ", "");
    values = new Values(settings.diskHighWatermarkRatio(), settings.diskLowWatermarkRatio(),
        settings.diskCriticalWatermarkRatio(), settings.inodeHighWatermarkRatio(), settings.inodeLowWatermarkRatio(),
        settings.schedule(), false, Map.copyOf(raw));
  }

  public Values values() {
    return values;
  }

  /** Whether {@code name} was changed at runtime (now or before the last restart). */
  public boolean changedAtRuntime(String name) {
    return changed.contains(name);
  }

  /**
   * Validates and applies {@code updates} (name → raw value) as one change: all or nothing.
   *
   * @return the values that really changed (empty when every value was already in force)
   * @throws ConfigException naming the setting and the value when anything is invalid or unknown
   */
  public synchronized List<Change> apply(Map<String, String> updates) {
    for (String name : updates.keySet()) {
      if (!EDITABLE.contains(name)) {
        throw new ConfigException(name + ": cannot be changed at runtime; editable: " + String.join(", ", EDITABLE));
      }
    }
    Map<String, String> raw = new LinkedHashMap<>(values.raw());
    updates.forEach((k, v) -> raw.put(k, v == null ? "" : v.trim()));
    boolean paused = ValueParsers.parseBoolean(PAUSED, raw.get(PAUSED));
    Map<String, String> startUp = new LinkedHashMap<>(raw);
    startUp.remove(PAUSED);
    startUp.put("TZ", tz);
    // the same parsers and cross-checks as at start
    Settings checked = Settings.of(startUp);
    List<Change> changes = new ArrayList<>();
    for (String name : EDITABLE) {
      if (!raw.get(name).equals(values.raw().get(name))) {
        changes.add(new Change(name, values.raw().get(name), raw.get(name)));
      }
    }
    values = new Values(checked.diskHighWatermarkRatio(), checked.diskLowWatermarkRatio(),
        checked.diskCriticalWatermarkRatio(), checked.inodeHighWatermarkRatio(), checked.inodeLowWatermarkRatio(),
        checked.schedule(), paused, Map.copyOf(raw));
    changes.forEach(c -> changed.add(c.name()));
    return changes;
  }

  /** Writes the changed values to {@code dir/runtime-settings.json} (temporary file + rename). */
  public void save(Path dir) throws IOException {
    JsonObject saved = new JsonObject();
    Values v = values;
    for (String name : EDITABLE) {
      if (changed.contains(name)) {
        saved.put(name, v.raw().get(name));
      }
    }
    Path target = dir.resolve(FILE_NAME);
    Path temp = dir.resolve(FILE_NAME + ".tmp");
    Files.writeString(temp, new JsonObject().put("version", 1).put("values", saved).encode(), StandardCharsets.UTF_8);
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * Applies the values saved in {@code dir} (validated as any change). No file: nothing changes.
   *
   * @return the changes applied
   * @throws IOException when the file cannot be read or parsed
   * @throws ConfigException when a saved value is no longer valid (e.g. against a new critical watermark)
   */
  public List<Change> load(Path dir) throws IOException {
    Path file = dir.resolve(FILE_NAME);
    if (!Files.exists(file)) {
      return List.of();
    }
    Map<String, String> saved = new LinkedHashMap<>();
    try {
      JsonObject o = new JsonObject(Files.readString(file, StandardCharsets.UTF_8)).getJsonObject("values", new JsonObject());
      o.forEach(e -> saved.put(e.getKey(), String.valueOf(e.getValue())));
    } catch (RuntimeException e) {
      throw new IOException(file + " cannot be parsed: " + e.getMessage(), e);
    }
    List<Change> changes = apply(saved);
    changed.addAll(saved.keySet());
    return changes;
  }
}
