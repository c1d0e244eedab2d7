package io.dockercleaner.exec;

import io.vertx.core.json.JsonObject;
import io.dockercleaner.plan.PlanStep;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail in {@code STATE_DIR/audit.jsonl}: for every deletion an intent line ({@code
 * "phase":"intent"}, written before the request goes out) and an outcome line ({@code
 * "phase":"outcome"}: object, reason, rule, bytes, outcome, run id). After a crash, an intent
 * without its outcome names a deletion that may or may not have happened. Lines are small and
 * written with one append each; a failed write throws, and the executor marks the run.
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
