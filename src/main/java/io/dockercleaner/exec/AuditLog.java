package io.dockercleaner.exec;

import io.vertx.core.json.JsonObject;
import io.dockercleaner.plan.PlanStep;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.io.RandomAccessFile;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail in {@code STATE_DIR/audit.jsonl}: for every deletion an intent line ({@code
 * "phase":"intent"}, written before the request goes out) and an outcome line ({@code
 * "phase":"outcome"}: object, reason, rule, bytes, outcome, run id). After a crash, an intent
 * without its outcome names a deletion that may or may not have happened: at the next start the
 * agent asks the daemon and writes the missing outcome line ({@link #unresolvedIntents}, {@link
 * #resolved}). Lines are small and written with one append each; a failed write throws, and the
 * executor marks the run.
 */
public final class AuditLog implements Executor.AuditSink {
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
  public static final String FILE_NAME = "audit.jsonl";

  private final Path file;
  private final Clock clock;

  public AuditLog(Path stateDir, Clock clock) {
    this.file = stateDir == null ? null : stateDir.resolve(FILE_NAME);
    this.clock = clock;
  }

  public Path file() {
    return file;
  }

  @Override
  public void append(RunRecord run, ItemResult r, long reportedBytes) {
    if (file == null) {
      return;
    }
    write(r.toJson().put("phase", "outcome").put("time", clock.instant().toString()).put("runId", run.id())
        .put("trigger", run.trigger()).put("dryRun", run.dryRun()).put("reportedBytes", reportedBytes));
  }

  @Override
  public void intent(RunRecord run, PlanStep step, String method) {
    if (file == null) {
      return;
    }
    write(new JsonObject().put("phase", "intent").put("time", clock.instant().toString()).put("runId", run.id())
        .put("trigger", run.trigger()).put("type", step.type().label()).put("id", step.id()).put("name", step.name())
        .put("reason", step.reason().label()).put("rule", step.rule()).put("estimatedBytes", step.estimatedBytes())
        .put("method", method).put("outcome", "pending"));
  }

  /**
   * Intent lines that have no outcome line for the same run and object, among the last {@code
   * maxBytes} of the file (a crash leaves them at the end; the bound keeps a start-up cheap on a
   * trail of months). Empty without STATE_DIR or file.
   */
  public List<JsonObject> unresolvedIntents(long maxBytes) throws IOException {
    if (file == null || !Files.exists(file)) {
      return List.of();
    }
    String tail;
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long start = Math.max(0, raf.length() - maxBytes);
      byte[] bytes = new byte[(int) (raf.length() - start)];
      raf.seek(start);
      raf.readFully(bytes);
      tail = new String(bytes, StandardCharsets.UTF_8);
      if (start > 0) {
        int nl = tail.indexOf('\n');
        tail = nl < 0 ? "" : tail.substring(nl + 1); // the first line may be cut
      }
    }
    Map<String, JsonObject> open = new LinkedHashMap<>();
    for (String text : tail.split("\n")) {
      if (text.isBlank()) {
        continue;
      }
      JsonObject line;
      try {
        line = new JsonObject(text);
      } catch (RuntimeException e) {
        LOG.warn("audit file {}: a line that is not JSON was skipped", file);
        continue;
      }
      String key = line.getString("runId") + " " + line.getString("id");
      if ("intent".equals(line.getString("phase"))) {
        open.put(key, line);
      } else if ("outcome".equals(line.getString("phase"))) {
        open.remove(key);
      }
    }
    return new ArrayList<>(open.values());
  }

  /**
   * The outcome line of an intent left unresolved by an agent that stopped mid-request, as found at
   * restart: {@code removed} when the object is gone, else {@code failed}.
   */
  public void resolved(JsonObject intent, boolean gone) {
    if (file == null) {
      return;
    }
    JsonObject line = new JsonObject().put("phase", "outcome").put("time", clock.instant().toString())
        .put("runId", intent.getString("runId")).put("trigger", intent.getString("trigger"))
        .put("type", intent.getString("type")).put("id", intent.getString("id")).put("name", intent.getString("name"))
        .put("reason", intent.getString("reason")).put("outcome", gone ? "removed" : "failed")
        .put("reportedBytes", 0L).put("reconciledAtStart", true);
    if (!gone) {
      line.put("error", "the agent stopped before the daemon answered; at restart the object was still there");
    }
    write(line);
  }

  /** A runtime settings change: {@code "phase":"setting"}, the name, old and new values, and who. */
  public void setting(String name, String oldValue, String newValue, String who) {
    if (file == null) {
      return;
    }
    write(new JsonObject().put("phase", "setting").put("time", clock.instant().toString()).put("setting", name)
        .put("old", oldValue).put("new", newValue).put("by", who));
  }

  /**
   * What the trail says about one run's items, in the order they were first written: for each
   * object its outcome line, or its intent line ({@code "outcome":"pending"}) while no outcome was
   * written. At most {@code maxItems}. Reads the whole file line by line (memory stays bounded; a
   * cheap text test skips other runs' lines before parsing): call it off the event loop. Empty
   * without STATE_DIR or file.
   */
  public List<JsonObject> runItems(String runId, int maxItems) throws IOException {
    if (file == null || !Files.exists(file)) {
      return List.of();
    }
    String marker = "\"runId\":" + io.vertx.core.json.Json.encode(runId);
    Map<String, JsonObject> byObject = new LinkedHashMap<>();
    try (var reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String text;
      while ((text = reader.readLine()) != null) {
        if (!text.contains(marker)) {
          continue;
        }
        JsonObject line;
        try {
          line = new JsonObject(text);
        } catch (RuntimeException e) {
          continue; // a torn line (a crash mid-append): the rest of the trail still counts
        }
        if (!runId.equals(line.getString("runId"))) {
          continue;
        }
        String key = line.getString("type") + " " + line.getString("id");
        boolean outcome = "outcome".equals(line.getString("phase"));
        if (outcome || !byObject.containsKey(key)) {
          if (!byObject.containsKey(key) && byObject.size() >= maxItems) {
            continue;
          }
          byObject.put(key, line);
        }
      }
    }
    return new ArrayList<>(byObject.values());
  }

  private synchronized void write(JsonObject line) {
    try {
      // one short append per line; deletions are the slow part, not this write
      Files.write(file, (line.encode() + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
          StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    } catch (IOException e) {
      LOG.warn("cannot append to the audit file {}: {}", file, e.getMessage());
      throw new UncheckedIOException("cannot append to " + file + ": " + e.getMessage(), e);
    }
  }
}
