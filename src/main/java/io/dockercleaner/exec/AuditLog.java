package io.dockercleaner.exec;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail: one JSON line per deletion attempt (object, reason, rule, bytes, outcome, run id)
 * appended to {@code STATE_DIR/audit.jsonl}. Lines are small and written with one append each.
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
  public synchronized void append(RunRecord run, ItemResult r, long reportedBytes) {
    if (file == null) {
      return;
    }
    JsonObject line = r.toJson().put("time", clock.instant().toString()).put("runId", run.id())
        .put("trigger", run.trigger()).put("reportedBytes", reportedBytes);
    try {
      // one short append per deletion; deletions are the slow part, not this write
      Files.write(file, (line.encode() + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
          StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    } catch (IOException e) {
      LOG.warn("cannot append to the audit file {}: {}", file, e.getMessage());
    }
  }
}
