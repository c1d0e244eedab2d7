package io.dockercleaner.exec;

import io.dockercleaner.core.ItemOutcome;
import io.dockercleaner.core.Reason;
import io.dockercleaner.plan.PlanStep;
import io.vertx.core.json.JsonObject;

/**
 * What happened to one planned object.
 *
 * @param skipReason why it was skipped (SKIPPED only), else null
 * @param error the daemon's message (FAILED only), else null
 */
public record ItemResult(PlanStep step, ItemOutcome outcome, Reason skipReason, String error) {

  public JsonObject toJson() {
    JsonObject o = new JsonObject().put("type", step.type().label()).put("id", step.id()).put("name", step.name())
        .put("reason", step.reason().label()).put("rule", step.rule()).put("estimatedBytes", step.estimatedBytes())
        .put("outcome", outcome.label());
    if (skipReason != null) {
      o.put("skipReason", skipReason.label());
    }
    if (error != null) {
      o.put("error", error);
    }
    return o;
  }
}
