package io.dockercleaner.agent;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZonedDateTime;

/**
 * A threshold run waiting for MAINTENANCE_WINDOW: since when, for which trigger, why, and when
 * the window opens.
 */
public record Deferral(Instant since, String trigger, String reason, ZonedDateTime windowOpensAt) {
  /** For /v1/status and /v1/plan. */
  public JsonObject toJson() {
    return new JsonObject().put("since", since.toString()).put("trigger", trigger).put("reason", reason)
        .put("windowOpensAt", windowOpensAt == null ? null : windowOpensAt.toOffsetDateTime().toString());
  }
}
