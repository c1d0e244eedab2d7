package io.dockercleaner.agent;

import static io.dockercleaner.log.RunLog.fields;

import io.dockercleaner.agent.watch.DiskSample;
import io.dockercleaner.api.AgentControl;
import io.dockercleaner.api.ApiException;
import io.dockercleaner.api.RunRequest;
import io.dockercleaner.api.RunTicket;
import io.dockercleaner.config.Settings;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.docker.model.DiskUsage;
import io.dockercleaner.exec.AuditLog;
import io.dockercleaner.exec.RunRecord;
import io.dockercleaner.log.LogHub;
import io.dockercleaner.plan.Plan;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/** The HTTP API's view of the {@link Agent}. */
public final class AgentControlImpl implements AgentControl {
  /** Most items a run's page lists (MAX_DELETIONS_PER_RUN is 500 by default). */
  static final int MAX_RUN_ITEMS = 10_000;

  private final Agent agent;
  private final LogHub logHub;
  private volatile boolean daemonReachable = true;

  public AgentControlImpl(Agent agent) {
    this(agent, null);
  }

  /** With the live log's hub ({@code null}: none). */
  public AgentControlImpl(Agent agent, LogHub logHub) {
    this.agent = agent;
    this.logHub = logHub;
  }

  @Override
  public Optional<Settings> settings() {
    return Optional.of(agent.settings());
  }

  @Override
  public Optional<LogHub> logHub() {
    return Optional.ofNullable(logHub);
  }

  @Override
  public JsonObject runtimeSettings() {
    RuntimeSettings r = agent.runtimeSettings();
    JsonObject values = new JsonObject();
    JsonArray changed = new JsonArray();
    RuntimeSettings.EDITABLE.forEach(n -> {
      values.put(n, r.values().raw().get(n));
      if (r.changedAtRuntime(n)) {
        changed.add(n);
      }
    });
    return new JsonObject().put("editable", new JsonArray(RuntimeSettings.EDITABLE)).put("values", values)
        .put("changedAtRuntime", changed);
  }

  @Override
  public Future<JsonObject> changeSettings(java.util.Map<String, String> updates, String who) {
    try {
      return agent.changeSettings(updates, who).map(changes -> {
        JsonArray out = new JsonArray();
        changes.forEach(c -> out.add(new JsonObject().put("name", c.name()).put("old", c.oldValue()).put("new", c.newValue())));
        return new JsonObject().put("changed", out);
      });
    } catch (io.dockercleaner.config.ConfigException e) {
      // nothing changed: RuntimeSettings applies all or nothing
      return Future.failedFuture(ApiException.badRequest(e.getMessage()));
    }
  }

  @Override
  public JsonObject diskHistory() {
    return agent.diskHistory().toJson();
  }

  @Override
  public Future<JsonObject> runItems(String id) {
    AuditLog audit = new AuditLog(agent.settings().stateDir().orElse(null), java.time.Clock.systemUTC());
    // the trail may be long: read it on a worker thread
    return agent.vertx().<List<JsonObject>>executeBlocking(() -> audit.runItems(id, MAX_RUN_ITEMS), false)
        .compose(lines -> {
          if (!lines.isEmpty()) {
            JsonArray items = new JsonArray();
            lines.forEach(l -> items.add(auditItem(l)));
            return Future.succeededFuture(new JsonObject().put("runId", id).put("source", "audit").put("items", items));
          }
          Optional<RunRecord> record = agent.run(id);
          if (record.isEmpty() && agent.historicRun(id).isPresent()) {
            // before the last restart, with no audit lines (a dry run): its items were not kept
            return Future.succeededFuture(new JsonObject().put("runId", id).put("source", "history")
                .put("items", new JsonArray()));
          }
          if (record.isEmpty()) {
            return Future.failedFuture(ApiException.notFound("no run with id '" + id
                + "' in memory or in the audit trail"));
          }
          JsonArray items = new JsonArray();
          record.get().items().forEach(i -> items.add(i.toJson().put("reportedBytes", null)));
          // an older run's items were let go (RunRecord.compact): no items kept, as for a pre-restart one
          String source = record.get().compacted() ? "history" : "memory";
          return Future.succeededFuture(new JsonObject().put("runId", id).put("source", source).put("items", items));
        });
  }

  /** An audit line as a run item: the object, why, what happened and bytes (reported by the daemon). */
  private static JsonObject auditItem(JsonObject line) {
    JsonObject o = new JsonObject().put("type", line.getString("type")).put("id", line.getString("id"))
        .put("name", line.getString("name")).put("reason", line.getString("reason")).put("rule", line.getString("rule"))
        .put("estimatedBytes", line.getValue("estimatedBytes")).put("reportedBytes", line.getValue("reportedBytes"))
        .put("outcome", line.getString("outcome")).put("time", line.getString("time"));
    if (line.getString("error") != null) {
      o.put("error", line.getString("error"));
    }
    if (line.getString("skipReason") != null) {
      o.put("skipReason", line.getString("skipReason"));
    }
    return o;
  }

  /**
   * Records the result of the latest daemon ping. A change is logged once: readiness flips with
   * it, and an operator must see why runs fail while the daemon is silent (e.g. frozen).
   */
  public void daemonReachable(boolean reachable) {
    boolean was;
    synchronized (this) {
      was = daemonReachable;
      daemonReachable = reachable;
    }
    if (was == reachable || agent.log() == null) {
      return;
    }
    if (reachable) {
      agent.log().info("DOCKER", "The Docker daemon answers again: ready", fields());
    } else {
      agent.log().warn("DOCKER", "The Docker daemon does not answer a ping: not ready (runs cannot delete until it does)",
          fields());
    }
  }

  @Override
  public boolean daemonReachable() {
    return daemonReachable;
  }

  @Override
  public boolean eventStreamConnected() {
    return agent.events() != null && agent.events().connected();
  }

  @Override
  public String notReadyReason() {
    if (!daemonReachable) {
      return "the Docker daemon is not reachable";
    }
    if (!eventStreamConnected()) {
      String why = agent.events() == null ? null : agent.events().lastDisconnectReason();
      return "the event stream is not connected" + (why == null ? "" : ": " + why);
    }
    return "ready";
  }

  @Override
  public JsonObject status() {
    Settings s = agent.settings();
    RuntimeSettings.Values w = agent.runtimeSettings().values(); // watermarks may change at runtime
    var docker = agent.docker();
    JsonObject o = new JsonObject()
        .put("daemon", new JsonObject().put("version", docker.versionInfo().version())
            .put("apiVersion", docker.apiVersion().toString()).put("podman", docker.capabilities().podman())
            .put("address", docker.host().describe()).put("transport", docker.transport()))
        .put("startedAt", agent.startedAt().toString())
        .put("dryRun", s.dryRun())
        .put("automaticCleanup", new JsonObject().put("paused", agent.runtimeSettings().values().paused()))
        .put("watermarks", new JsonObject().put("diskHigh", w.diskHigh()).put("diskLow", w.diskLow())
            .put("diskCritical", w.diskCritical()).put("inodeHigh", w.inodeHigh())
            .put("inodeLow", w.inodeLow())
            .put("dockerUsageLimitBytes", s.dockerUsageLimitBytes().isPresent() ? s.dockerUsageLimitBytes().getAsLong() : null)
            .put("buildCacheLimitBytes", s.buildCacheLimitBytes().isPresent() ? s.buildCacheLimitBytes().getAsLong() : null));
    DiskSample sample = agent.disk() == null ? null : agent.disk().lastSample();
    if (sample != null) {
      o.put("disk", new JsonObject().put("path", agent.disk().path().toString()).put("totalBytes", sample.totalBytes())
          .put("usedBytes", sample.usedBytes()).put("availableBytes", sample.availableBytes())
          .put("usedRatio", sample.usedRatio()).put("freeInodes", sample.freeInodes())
          .put("inodeUsedRatio", sample.hasInodes() ? sample.inodeUsedRatio() : null)
          .put("sampledAt", sample.at().toString()));
    } else {
      o.put("disk", null);
    }
    DiskUsage df = agent.lastDiskUsage();
    if (df != null) {
      o.put("docker", new JsonObject()
          .put("imagesBytes", df.imagesBytes()).put("containersBytes", df.containersBytes())
          .put("volumesBytes", df.volumesBytes()).put("buildCacheBytes", df.buildCacheBytes())
          .put("totalBytes", Agent.dockerUsageBytes(df))
          .put("sampledAt", agent.lastDfAt() == null ? null : agent.lastDfAt().toString()));
    }
    var ev = agent.events();
    o.put("eventStream", ev == null ? null : new JsonObject().put("connected", ev.connected())
        .put("reconnects", ev.reconnects()).put("malformed", ev.malformed()).put("events", ev.eventsReceived())
        .put("lastEventAt", ev.lastEventAt() == null ? null : ev.lastEventAt().toString())
        .put("lastDisconnectReason", ev.connected() ? null : ev.lastDisconnectReason()));
    RunRecord current = agent.currentRun();
    o.put("currentRun", current == null ? null : current.toSummaryJson());
    List<JsonObject> history = agent.runHistory();
    o.put("lastRun", history.isEmpty() ? null : history.get(0));
    o.put("schedule", agent.schedule().orElse(null));
    o.put("nextScheduledRun", agent.nextScheduledRun().map(z -> z.toInstant().toString()).orElse(null));
    o.put("forecast", agent.forecast().toJson());
    o.put("maintenanceWindow", s.maintenanceWindow().map(window -> {
      java.time.ZonedDateTime now = java.time.ZonedDateTime.now(java.time.Clock.systemUTC());
      return new JsonObject().put("window", window.toString()).put("zone", window.zone().getId()).put("open", window.isOpen(now))
          .put("nextOpening", window.nextOpening(now).map(z -> z.toOffsetDateTime().toString()).orElse(null));
    }).orElse(null));
    o.put("deferral", agent.deferral().map(Deferral::toJson).orElse(null));
    return o;
  }

  @Override
  public Future<JsonObject> recommendations() {
    return agent.recommendations().map(list -> io.dockercleaner.recommend.Recommendation.document(list,
        java.time.Instant.now(), true));
  }

  @Override
  public Future<JsonObject> plan(OptionalLong targetBytes, Set<ResourceType> types) {
    // a threshold run waiting for the window shows in the plan too: what would go, and when
    return agent.plan(targetBytes, types).map(e -> planJson(e.getKey(), e.getValue())
        .put("deferred", agent.deferral().map(Deferral::toJson).orElse(null)));
  }

  static JsonObject planJson(String id, Plan plan) {
    JsonArray items = new JsonArray();
    plan.steps().forEach(s -> items.add(new JsonObject().put("type", s.type().label()).put("id", s.id())
        .put("name", s.name()).put("reason", s.reason().label()).put("rule", s.rule())
        .put("estimatedBytes", s.estimatedBytes())));
    JsonObject skipped = new JsonObject();
    plan.skipped().forEach(s -> skipped.put(s.reason().label(), skipped.getInteger(s.reason().label(), 0) + 1));
    // the objects kept for a reason that has evidence (which swarm service needs an image, and how
    // this node knows), so an operator can check it
    JsonArray evidence = new JsonArray();
    plan.skipped().stream().filter(s -> s.evidence() != null).forEach(s -> evidence.add(new JsonObject()
        .put("type", s.type().label()).put("id", s.id()).put("name", s.name()).put("reason", s.reason().label())
        .put("evidence", s.evidence())));
    return new JsonObject().put("id", id).put("items", items).put("totalEstimatedBytes", plan.estimatedBytes())
        .put("bytesToFree", plan.bytesToFree() == Long.MAX_VALUE ? null : plan.bytesToFree())
        .put("targetCovered", plan.targetCovered()).put("skipped", skipped).put("evidence", evidence);
  }

  @Override
  public Future<RunTicket> startRun(RunRequest request) {
    if (agent.stopping()) {
      return Future.failedFuture(new ApiException(503, "the agent is shutting down"));
    }
    if (request.planId().isPresent() && !agent.hasPlan(request.planId().get())) {
      return Future.failedFuture(ApiException.notFound("unknown planId '" + request.planId().get()
          + "' (plans are kept for the last " + Agent.RECENT_PLANS + " GET /v1/plan calls)"));
    }
    TriggerRequest t = new TriggerRequest("http", false, request.dryRun(), request.types(), request.targetBytes(),
        request.maxDuration(), request.planId());
    try {
      Agent.Ticket ticket = agent.request(t);
      return Future.succeededFuture(new RunTicket(ticket.runId(), ticket.joined()));
    } catch (RunCoordinator.QueueFullException e) {
      return Future.failedFuture(new ApiException(429, e.getMessage()));
    } catch (IllegalStateException e) {
      return Future.failedFuture(new ApiException(503, e.getMessage()));
    }
  }

  @Override
  public List<JsonObject> recentRuns() {
    List<JsonObject> out = new java.util.ArrayList<>();
    RunRecord current = agent.currentRun();
    if (current != null) {
      out.add(current.toSummaryJson());
    }
    // finished runs from the history: kept in STATE_DIR, so runs before a restart are listed too
    out.addAll(agent.runHistory());
    return out;
  }

  @Override
  public Optional<JsonObject> run(String id) {
    Optional<JsonObject> run = agent.run(id).map(RunRecord::toJson);
    if (run.isEmpty()) {
      // a run before the last restart: its summary (items: GET /v1/runs/{id}/items, from the audit)
      run = agent.historicRun(id);
    }
    if (run.isEmpty() && agent.queued(id)) {
      return Optional.of(new JsonObject().put("id", id).put("outcome", "queued"));
    }
    return run;
  }
}
