package io.dockercleaner.plan;

import static io.dockercleaner.plan.Fixtures.LONG_AGO;
import static io.dockercleaner.plan.Fixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.core.Reason;
import io.dockercleaner.core.ResourceType;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Untagged parents (intermediate images) in a dangling-only sweep: the daemon deletes them along
 * with their last child, so the plan lists them itself — after their children, unless protected.
 */
class SweepUntaggedParentsTest {
  private static final PlanPolicy POLICY = PlanPolicy.builder(null)
      .labelFilter(l -> !"true".equals(l.get("keep"))).enabledTypes(Set.of(ResourceType.IMAGE)).build();

  private static ImageInfo image(String id, String parent, List<String> tags, Map<String, String> labels) {
    return new ImageInfo(id, parent, tags, LONG_AGO, 100, 0, labels);
  }

  @Test
  void anUnprotectedParentGoesAfterItsDanglingChildAndAProtectedOneStays() {
    Inventory inventory = new Inventory(List.of(), List.of(
        image("sha256:child", "sha256:parent", List.of(), Map.of()),
        image("sha256:parent", null, List.of(), Map.of()),
        image("sha256:child2", "sha256:kept", List.of(), Map.of()),
        image("sha256:kept", null, List.of(), Map.of("keep", "true")),
        image("sha256:tagged-child", "sha256:busy", List.of("app:1"), Map.of()),
        image("sha256:busy", null, List.of(), Map.of())), List.of(), List.of());

    Plan plan = Planner.sweep(inventory, UsageHistory.EMPTY, POLICY, NOW);

    List<String> ids = plan.steps().stream().map(PlanStep::id).toList();
    assertThat(ids).contains("sha256:child", "sha256:parent", "sha256:child2")
        .doesNotContain("sha256:kept", "sha256:busy", "sha256:tagged-child");
    assertThat(ids.indexOf("sha256:child")).isLessThan(ids.indexOf("sha256:parent"));
    assertThat(plan.skipped()).anyMatch(k -> k.id().equals("sha256:kept") && k.reason() == Reason.PROTECTED_LABEL)
        .anyMatch(k -> k.id().equals("sha256:busy") && k.reason() == Reason.IN_USE);
  }

  @Test
  void aPruneCallIsNeverUsedForAnImageWithAnUntaggedParent() {
    Inventory inventory = new Inventory(List.of(), List.of(
        image("sha256:child", "sha256:parent", List.of(), Map.of()),
        image("sha256:parent", null, List.of(), Map.of())), List.of(), List.of());
    Plan plan = Planner.sweep(inventory, UsageHistory.EMPTY, POLICY, NOW);
    Set<String> planned = new java.util.HashSet<>();
    plan.steps().forEach(s -> planned.add(s.id()));
    assertThat(PruneModel.images(inventory, POLICY, NOW, Set.of())).isNotEqualTo(planned);
  }
}
