package io.dockercleaner.exec;

import io.dockercleaner.core.ItemOutcome;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.core.RunOutcome;
import io.dockercleaner.plan.PlanStep;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The record of one cleanup run: what was planned, what happened to each item, bytes estimated vs
 * reported by the daemon vs measured on the filesystem, and the outcome. Mutated only by the run
 * that owns it (on one Vert.x context); read through {@link #toJson()}.
 */
public final class RunRecord {
  private final String id;
  private final String trigger;
  private final boolean dryRun;
  private final Instant startedAt;
  private final long targetBytes;
  private List<PlanStep> planned = new ArrayList<>();
  private List<ItemResult> items = new ArrayList<>();
  // set by compact(): the summary of a finished run whose steps and items were let go
  private JsonObject compactedSummary;
  private final List<String> errors = new ArrayList<>();
  // deletions sent to the daemon and not answered yet, by object id (live progress)
  private final Map<String, PlanStep> inFlight = new LinkedHashMap<>();
  private Instant finishedAt;
  private RunOutcome outcome;
  private long estimatedBytes;
  private long reportedBytes;
  private Long diskUsedBytesBefore;
  private Long diskUsedBytesAfter;
  private Double diskUsedRatioBefore;
  private Double diskUsedRatioAfter;
  private String planId;
  private int auditFailures;
  /** Failed items listed by {@link #errors()}; the rest are counted. */
  public static final int MAX_LISTED_FAILURES = 20;

  public RunRecord(String id, String trigger, boolean dryRun, Instant startedAt, long targetBytes) {
    this.id = id;
    this.trigger = trigger;
    this.dryRun = dryRun;
    this.startedAt = startedAt;
    this.targetBytes = targetBytes;
  }

  public String id() {
    return id;
  }

  public String trigger() {
    return trigger;
  }

  public boolean dryRun() {
    return dryRun;
  }

  public Instant startedAt() {
    return startedAt;
  }

  public synchronized Instant finishedAt() {
    return finishedAt;
  }

  public synchronized RunOutcome outcome() {
    return outcome;
  }

  public long targetBytes() {
    return targetBytes;
  }

  public synchronized void planned(List<PlanStep> steps, long estimated, String planId) {
    planned.addAll(steps);
    estimatedBytes = estimated;
    this.planId = planId;
  }

  public synchronized List<PlanStep> plannedSteps() {
    return List.copyOf(planned);
  }

  public synchronized void add(ItemResult r) {
    items.add(r);
    inFlight.remove(r.step().id());
  }

  /** A deletion (or the prune call covering it) was sent to the daemon; it ends with {@link #add}. */
  public synchronized void started(PlanStep step) {
    inFlight.put(step.id(), step);
  }

  public synchronized List<ItemResult> items() {
    return List.copyOf(items);
  }

  public synchronized void error(String message) {
    errors.add(message);
  }

  /** Records a run-level error unless the same message is already there. */
  public synchronized void errorOnce(String message) {
    if (!errors.contains(message)) {
      errors.add(message);
    }
  }

  /** An audit line could not be written: counted, and the first message kept. */
  public synchronized void auditFailed(String message) {
    if (auditFailures++ == 0) {
      errors.add("audit trail incomplete: " + message);
    }
  }

  /** Audit lines that could not be written during this run. */
  public synchronized int auditFailures() {
    return auditFailures;
  }

  /**
   * Run-level errors, then the failed items (at most {@value #MAX_LISTED_FAILURES}, then how many
   * more), so a run with failures never reports an empty list.
   */
  public synchronized List<String> errors() {
    List<String> out = new ArrayList<>(errors);
    int listed = 0;
    int failed = 0;
    for (ItemResult i : items) {
      if (i.outcome() == ItemOutcome.FAILED) {
        failed++;
        if (listed < MAX_LISTED_FAILURES) {
          out.add(i.step().type().label() + " " + i.step().name() + ": " + i.error());
          listed++;
        }
      }
    }
    if (failed > listed) {
      out.add("... and " + (failed - listed) + " more failed items");
    }
    return Collections.unmodifiableList(out);
  }

  /** Failed items counted by their error with ids left out, so alike failures count together. */
  public synchronized Map<String, Integer> failuresByError() {
    Map<String, Integer> m = new java.util.TreeMap<>();
    for (ItemResult i : items) {
      if (i.outcome() == ItemOutcome.FAILED) {
        String key = String.valueOf(i.error()).replaceAll("(sha256:)?[0-9a-f]{12,64}", "<id>");
        m.merge(key.length() > 160 ? key.substring(0, 160) : key, 1, Integer::sum);
      }
    }
    return m;
  }

  public synchronized void reported(long bytes) {
    reportedBytes += bytes;
  }

  public synchronized long reportedBytes() {
    return reportedBytes;
  }

  public synchronized long estimatedBytes() {
    return estimatedBytes;
  }

  public synchronized void diskBefore(long usedBytes, double ratio) {
    diskUsedBytesBefore = usedBytes;
    diskUsedRatioBefore = ratio;
  }

  public synchronized void diskAfter(long usedBytes, double ratio) {
    diskUsedBytesAfter = usedBytes;
    diskUsedRatioAfter = ratio;
  }

  public synchronized Double diskUsedRatioBefore() {
    return diskUsedRatioBefore;
  }

  public synchronized Double diskUsedRatioAfter() {
    return diskUsedRatioAfter;
  }

  /** Bytes freed as measured on the filesystem (before − after), or -1 when not measured. */
  public synchronized long measuredFreedBytes() {
    return diskUsedBytesBefore == null || diskUsedBytesAfter == null ? -1
        : Math.max(0, diskUsedBytesBefore - diskUsedBytesAfter);
  }

  public synchronized void finish(Instant at, RunOutcome outcome) {
    this.finishedAt = at;
    this.outcome = outcome;
  }

  public synchronized long count(ItemOutcome o) {
    return items.stream().filter(i -> i.outcome() == o).count();
  }

  public synchronized Map<ResourceType, Long> removedByType() {
    Map<ResourceType, Long> m = new EnumMap<>(ResourceType.class);
    for (ItemResult i : items) {
      if (i.outcome() == ItemOutcome.REMOVED || i.outcome() == ItemOutcome.WOULD_REMOVE) {
        m.merge(i.step().type(), 1L, Long::sum);
      }
    }
    return m;
  }

  /**
   * Lets go of a finished run's planned steps and item results and keeps its summary, so that the
   * runs an agent keeps in memory cost memory by their number, not by their size (a run of 10,000
   * deletions holds 10,000 of each). The items stay in the audit trail. No effect while running.
   */
  public synchronized void compact() {
    if (finishedAt == null || compactedSummary != null) {
      return;
    }
    compactedSummary = toSummaryJson().put("itemsInMemory", false);
    planned = new ArrayList<>(0);
    items = new ArrayList<>(0);
  }

  /** True once {@link #compact()} let go of the items. */
  public synchronized boolean compacted() {
    return compactedSummary != null;
  }

  /** Summary without items (for lists). */
  public synchronized JsonObject toSummaryJson() {
    if (compactedSummary != null) {
      return compactedSummary.copy();
    }
    JsonObject removed = new JsonObject();
    removedByType().forEach((t, n) -> removed.put(t.label(), n));
    return new JsonObject().put("id", id).put("trigger", trigger).put("dryRun", dryRun)
        .put("startedAt", startedAt.toString()).put("finishedAt", finishedAt == null ? null : finishedAt.toString())
        .put("outcome", outcome == null ? "running" : outcome.label())
        .put("targetBytes", targetBytes == Long.MAX_VALUE ? null : targetBytes)
        .put("planId", planId)
        .put("planned", planned.size()).put("removed", count(ItemOutcome.REMOVED) + count(ItemOutcome.WOULD_REMOVE))
        .put("skipped", count(ItemOutcome.SKIPPED)).put("failed", count(ItemOutcome.FAILED))
        .put("removedByType", removed)
        .put("estimatedBytes", estimatedBytes).put("reportedBytes", reportedBytes)
        .put("measuredFreedBytes", measuredFreedBytes())
        .put("diskUsedRatioBefore", diskUsedRatioBefore).put("diskUsedRatioAfter", diskUsedRatioAfter)
        .put("errors", new JsonArray(new ArrayList<>(errors())))
        .put("failuresByError", new JsonObject(new LinkedHashMap<>(failuresByError())))
        .put("auditFailures", auditFailures)
        .put("progress", progressJson());
  }

  /**
   * Live progress for the dashboard: items planned and done (any outcome), deletions in flight
   * and the object of the oldest of them ({@code current}, null when none is in flight).
   */
  private JsonObject progressJson() {
    PlanStep current = inFlight.isEmpty() ? null : inFlight.values().iterator().next();
    return new JsonObject().put("planned", planned.size()).put("done", items.size()).put("inFlight", inFlight.size())
        .put("current", current == null ? null : new JsonObject().put("type", current.type().label())
            .put("id", current.id()).put("name", current.name()).put("estimatedBytes", current.estimatedBytes()));
  }

  /** Full record with per-item outcomes. */
  public synchronized JsonObject toJson() {
    JsonArray arr = new JsonArray();
    items.forEach(i -> arr.add(i.toJson()));
    return toSummaryJson().put("items", arr);
  }
}
