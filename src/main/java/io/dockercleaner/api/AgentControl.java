package io.dockercleaner.api;

import io.dockercleaner.core.ResourceType;
import io.dockercleaner.log.LogHub;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What the HTTP API needs from the agent; the agent implements it. {@link HttpApi} calls every
 * method on its event loop, so none may block. A returned Future may fail with an {@link
 * ApiException} to choose the HTTP status and message (e.g. an unknown plan id); any other
 * failure becomes a 500.
 */
public interface AgentControl {
  /** Whether the last contact with the Docker daemon succeeded (for {@code /readyz}). */
  boolean daemonReachable();

  /** Whether the Docker event stream is currently connected (for {@code /readyz}). */
  boolean eventStreamConnected();

  /** Why the agent is not ready, for the {@code /readyz} body; any text when it is ready. */
  String notReadyReason();

  /** The {@code GET /v1/status} body. */
  JsonObject status();

  /**
   * A cleanup plan computed now, without removing anything. The JSON includes an {@code id} that
   * a later {@link RunRequest#planId()} may name.
   *
   * @param targetBytes bytes to free; empty = the agent's configured goal
   * @param types types to consider; empty = the configured types
   */
  Future<JsonObject> plan(OptionalLong targetBytes, Set<ResourceType> types);

  /**
   * Starts a run, or joins the run in progress ({@link RunTicket#joined()}). Called only with a
   * request that passed validation, authentication and the rate limit.
   */
  Future<RunTicket> startRun(RunRequest request);

  /** Recent runs, newest first, as shown by {@code GET /v1/runs}. */
  List<JsonObject> recentRuns();

  /** {@code GET /v1/recommendations}: suggestions with their numbers; deletes nothing. */
  Future<JsonObject> recommendations();

  /** One run by id (in progress or recent); empty when unknown. */
  Optional<JsonObject> run(String id);

  // --- several hosts (DOCKER_HOSTS; defaults: an agent watching one daemon) ---

  /** The names of the hosts this agent watches, in configuration order; empty for one daemon. */
  default List<String> hostNames() {
    return List.of();
  }

  /** One host's view, for {@code /v1/hosts/{host}/...}; empty when there is no such host. */
  default Optional<AgentControl> host(String name) {
    return Optional.empty();
  }

  /** The settings this view runs with (a host's own values included), for {@code GET /v1/settings}. */
  default Optional<io.dockercleaner.config.Settings> settings() {
    return Optional.empty();
  }

  // --- for the dashboard (defaults: an agent that keeps none of it) ---

  /** The live log's lines and subscribers; empty when the agent keeps none. */
  default Optional<LogHub> logHub() {
    return Optional.empty();
  }

  /**
   * Every item of a run: from the audit trail (so it survives a restart and the in-memory list of
   * recent runs), else from the run's record in memory (dry runs write no audit lines). The body
   * is {@code {"runId", "source": "audit"|"memory", "items": [...]}}. Fails with a 404 {@link
   * ApiException} when neither knows the run.
   */
  default Future<JsonObject> runItems(String id) {
    return Future.failedFuture(ApiException.notFound("no run with id '" + id + "'"));
  }

  /** Disk used % samples for the chart, as {@code DiskHistory.toJson()}. */
  default JsonObject diskHistory() {
    return new JsonObject().put("intervalSeconds", 60).put("capacity", 0).put("samples", new io.vertx.core.json.JsonArray());
  }

  /**
   * The settings editable at runtime: {@code {"editable": [names], "values": {name: raw},
   * "changedAtRuntime": [names]}}; an agent without them lists none.
   */
  default JsonObject runtimeSettings() {
    return new JsonObject().put("editable", new io.vertx.core.json.JsonArray()).put("values", new JsonObject())
        .put("changedAtRuntime", new io.vertx.core.json.JsonArray());
  }

  /**
   * Changes runtime settings, all or nothing. The Future fails with a 400 {@link ApiException}
   * naming the setting when a value is invalid or not editable; it succeeds with {@code
   * {"changed": [{"name","old","new"}]}}.
   *
   * @param who who asked, for the audit trail and the log
   */
  default Future<JsonObject> changeSettings(java.util.Map<String, String> updates, String who) {
    return Future.failedFuture(ApiException.notFound("this agent has no runtime settings"));
  }
}
