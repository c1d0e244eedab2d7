package io.dockercleaner.api;

import io.dockercleaner.core.ResourceType;
import io.dockercleaner.log.LogHub;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/** An AgentControl that records every call and answers from fixed data. */
final class FakeAgent implements AgentControl {
  /** A planId the fake does not know: startRun fails with 404. */
  static final String UNKNOWN_PLAN = "plan-unknown";
  /** A planId that makes startRun fail with a plain exception (a bug in the agent). */
  static final String BROKEN_PLAN = "plan-broken";

  record PlanCall(OptionalLong targetBytes, Set<ResourceType> types) {}

  final List<RunRequest> startRuns = new CopyOnWriteArrayList<>();
  final List<PlanCall> planCalls = new CopyOnWriteArrayList<>();
  /** When set, what plan() answers (a test completes it when it wants). */
  volatile Future<JsonObject> planAnswer;
  volatile boolean daemonReachable = true;
  volatile boolean eventStreamConnected = true;
  volatile String notReadyReason = "";
  final Map<String, JsonObject> runs =
      Map.of("run-1", new JsonObject().put("id", "run-1").put("outcome", "succeeded"));

  @Override
  public boolean daemonReachable() {
    return daemonReachable;
  }

  @Override
  public boolean eventStreamConnected() {
    return eventStreamConnected;
  }

  @Override
  public String notReadyReason() {
    return notReadyReason;
  }

  @Override
  public JsonObject status() {
    return new JsonObject().put("state", "idle").put("runInProgress", false);
  }

  @Override
  public Future<JsonObject> plan(OptionalLong targetBytes, Set<ResourceType> types) {
    planCalls.add(new PlanCall(targetBytes, types));
    if (planAnswer != null) {
      return planAnswer;
    }
    return Future.succeededFuture(new JsonObject().put("id", "plan-1").put("steps", List.of()));
  }

  @Override
  public Future<RunTicket> startRun(RunRequest request) {
    startRuns.add(request);
    if (request.planId().equals(Optional.of(UNKNOWN_PLAN))) {
      return Future.failedFuture(ApiException.notFound("planId: no plan with id '" + UNKNOWN_PLAN + "'"));
    }
    if (request.planId().equals(Optional.of(BROKEN_PLAN))) {
      return Future.failedFuture(new IllegalStateException("executor exploded"));
    }
    // the first request starts run-2, later ones join it (coalescing as the agent does)
    return Future.succeededFuture(new RunTicket("run-2", startRuns.size() > 1));
  }

  @Override
  public io.vertx.core.Future<JsonObject> recommendations() {
    return io.vertx.core.Future.succeededFuture(new JsonObject().put("generatedAt", "2026-11-30T00:00:00Z")
        .put("usageHistory", true).put("recommendations", new io.vertx.core.json.JsonArray()));
  }

  @Override
  public List<JsonObject> recentRuns() {
    return List.of(runs.get("run-1"));
  }

  @Override
  public Optional<JsonObject> run(String id) {
    return Optional.ofNullable(runs.get(id));
  }

  /** The live log's hub the fake hands to the API. */
  final LogHub logHub = new LogHub(50);

  @Override
  public Optional<LogHub> logHub() {
    return Optional.of(logHub);
  }

  @Override
  public Future<JsonObject> runItems(String id) {
    if (!runs.containsKey(id)) {
      return AgentControl.super.runItems(id);
    }
    return Future.succeededFuture(new JsonObject().put("runId", id).put("source", "audit").put("items",
        new io.vertx.core.json.JsonArray().add(new JsonObject().put("type", "image").put("id", "sha256:abc")
            .put("name", "old:1").put("reason", "lru").put("reportedBytes", 1000).put("outcome", "removed"))));
  }

  @Override
  public JsonObject diskHistory() {
    return new JsonObject().put("intervalSeconds", 60).put("capacity", 1440).put("samples",
        new io.vertx.core.json.JsonArray().add(new JsonObject().put("at", "2026-01-01T00:00:00Z").put("usedRatio", 0.5)));
  }

  /** A value the fake refuses as the agent refuses an invalid one. */
  static final String INVALID_SETTING_VALUE = "150%";
  final List<Map<String, String>> settingsChanges = new CopyOnWriteArrayList<>();

  @Override
  public Future<JsonObject> changeSettings(Map<String, String> updates, String who) {
    if (updates.containsValue(INVALID_SETTING_VALUE)) {
      return Future.failedFuture(ApiException.badRequest("DISK_HIGH_WATERMARK: '150%' is invalid"));
    }
    settingsChanges.add(Map.copyOf(updates));
    return Future.succeededFuture(new JsonObject().put("changed", new io.vertx.core.json.JsonArray()));
  }
}
