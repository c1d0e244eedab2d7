package io.dockercleaner.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.core.Reason;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.plan.Plan;
import io.dockercleaner.plan.Skip;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/plan} lists the kept objects whose reason has evidence, with it; the others only as counts. */
class PlanJsonEvidenceTest {
  @Test
  void keptImagesWithEvidenceAreListedWithIt() {
    String why = "task of service web (abc) seen on this node at 2026-11-30T10:00:00Z";
    Plan plan = new Plan(List.of(), List.of(
        new Skip(ResourceType.IMAGE, "sha256:a", "web:1", Reason.SWARM_SERVICE, why),
        new Skip(ResourceType.IMAGE, "sha256:b", "tool:1", Reason.IN_USE)), 0, 100, false);
    JsonObject json = AgentControlImpl.planJson("p1", plan);
    assertThat(json.getJsonObject("skipped").getInteger("swarm_service")).isEqualTo(1);
    assertThat(json.getJsonObject("skipped").getInteger("in_use")).isEqualTo(1);
    assertThat(json.getJsonArray("evidence")).isEqualTo(new JsonArray().add(new JsonObject().put("type", "image")
        .put("id", "sha256:a").put("name", "web:1").put("reason", "swarm_service").put("evidence", why)));
  }
}
