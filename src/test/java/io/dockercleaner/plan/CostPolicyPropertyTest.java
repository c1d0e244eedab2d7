package io.dockercleaner.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.core.ResourceType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Properties of CLEANUP_POLICY=cost over seeded random inventories (plain loops, no framework): the
 * policy only reorders what the core allows, and a higher chance of reuse never moves an image
 * earlier.
 */
class CostPolicyPropertyTest {
  private static final Instant NOW = Instant.parse("2026-01-20T12:00:00Z");
  private static final int CASES = 300;

  private record Case(Inventory inventory, Fixtures.MapHistory history, Set<String> protectedIds,
      List<String> keepPatterns) {}

  /** Images in a few repositories, some protected by label, pattern or a running container. */
  private static Case randomCase(Random random) {
    List<ImageInfo> images = new ArrayList<>();
    List<ContainerInfo> containers = new ArrayList<>();
    Fixtures.MapHistory history = new UsesHistory();
    Set<String> protectedIds = new HashSet<>();
    int count = 3 + random.nextInt(25);
    for (int i = 0; i < count; i++) {
      String id = String.format("sha256:%064d", i);
      String repo = "repo" + random.nextInt(4);
      boolean tagged = random.nextInt(5) > 0;
      List<String> tags = tagged ? List.of(repo + ":t" + i) : List.of();
      String parent = i > 0 && random.nextInt(6) == 0 ? String.format("sha256:%064d", random.nextInt(i)) : null;
      boolean keepLabel = random.nextInt(8) == 0;
      Instant created = NOW.minus(Duration.ofHours(2 + random.nextInt(24 * 30)));
      long size = (1 + random.nextInt(500)) * 1_000_000L;
      images.add(new ImageInfo(id, parent, tags, created, size, random.nextBoolean() ? 0 : size / 3,
          keepLabel ? Map.of("keep", "true") : Map.of()));
      if (keepLabel) {
        protectedIds.add(id);
      }
      if (tagged && repo.equals("repo3")) {
        protectedIds.add(id); // KEEP_IMAGES repo3:*
      }
      if (random.nextInt(7) == 0) {
        containers.add(new ContainerInfo("c" + i, "c" + i, id, "running", created, null, 0, Map.of(), List.of()));
        protectedIds.add(id);
      }
      int uses = random.nextInt(6);
      Instant at = created;
      for (int u = 0; u < uses; u++) {
        at = at.plus(Duration.ofMinutes(1 + random.nextInt(60 * 48)));
        if (at.isAfter(NOW.minus(Duration.ofHours(1)))) {
          break;
        }
        ((UsesHistory) history).use(id, at);
      }
      history.seen(id, created);
    }
    return new Case(new Inventory(containers, images, List.of(), List.of()), history, protectedIds, List.of("repo3:*"));
  }

  /** MapHistory with a list of uses per image. */
  private static final class UsesHistory extends Fixtures.MapHistory {
    final Map<String, List<Instant>> uses = new HashMap<>();

    void use(String id, Instant at) {
      uses.computeIfAbsent(id, k -> new ArrayList<>()).add(at);
      used(id, at);
    }

    @Override
    public List<Instant> imageUses(String imageId) {
      return uses.getOrDefault(imageId, List.of());
    }
  }

  private static PlanPolicy policy(Case c, CleanupPolicy order, ReuseModel model) {
    return PlanPolicy.builder(NOW.minus(Duration.ofDays(60)))
        .labelFilter(labels -> !"true".equals(labels.get("keep")))
        .keepImagePatterns(c.keepPatterns())
        .minAge(Duration.ofHours(1))
        .cleanupPolicy(order)
        .reuseModel(model)
        .build();
  }

  private static List<String> imageSteps(Plan plan) {
    return plan.steps().stream().filter(s -> s.type() == ResourceType.IMAGE).map(PlanStep::id).toList();
  }

  @Test
  void costNeverPlansAProtectedOrInUseImageAndPlansExactlyWhatLruPlans() {
    Random random = new Random(13);
    for (int n = 0; n < CASES; n++) {
      Case c = randomCase(random);
      Plan cost = Planner.plan(c.inventory(), c.history(), policy(c, CleanupPolicy.COST, ReuseModel.standard()), NOW,
          Planner.UNLIMITED);
      Plan lru = Planner.plan(c.inventory(), c.history(), policy(c, CleanupPolicy.LRU, ReuseModel.standard()), NOW,
          Planner.UNLIMITED);
      List<String> planned = imageSteps(cost);
      for (String id : planned) {
        assertThat(c.protectedIds()).as("case %d: planned %s", n, id).doesNotContain(id);
      }
      assertThat(planned).as("case %d: the policy only reorders", n).containsExactlyInAnyOrderElementsOf(imageSteps(lru));
      // children before parents, under cost too
      for (ImageInfo image : c.inventory().images()) {
        int self = planned.indexOf(image.id());
        int parent = image.parentId() == null ? -1 : planned.indexOf(image.parentId());
        if (self >= 0 && parent >= 0) {
          assertThat(self).as("case %d: %s before its parent", n, image.id()).isLessThan(parent);
        }
      }
    }
  }

  @Test
  void costStepsCarryTheirEvidence() {
    Random random = new Random(7);
    for (int n = 0; n < 50; n++) {
      Case c = randomCase(random);
      Plan cost = Planner.plan(c.inventory(), c.history(), policy(c, CleanupPolicy.COST, ReuseModel.standard()), NOW,
          Planner.UNLIMITED);
      for (PlanStep step : cost.steps()) {
        if (step.reason() == io.dockercleaner.core.Reason.UNUSED_IMAGE) {
          assertThat(step.rule()).contains("(cost: ").containsPattern("P\\(use within [0-9a-z]+\\)=").contains("re-pull");
        }
      }
    }
  }

  @Test
  void aHigherReuseChanceNeverMovesAnImageEarlier() {
    Random random = new Random(42);
    for (int n = 0; n < CASES; n++) {
      Case c = randomCase(random);
      Map<String, Double> chance = new HashMap<>();
      for (ImageInfo image : c.inventory().images()) {
        chance.put(image.id(), random.nextInt(5) / 4.0); // ties are common: the LRU tie-break matters
      }
      ImageInfo raised = c.inventory().images().get(random.nextInt(c.inventory().images().size()));
      Map<String, Double> higher = new HashMap<>(chance);
      higher.put(raised.id(), Math.min(1.0, chance.get(raised.id()) + 0.25 + random.nextInt(3) * 0.25));
      long budget = random.nextBoolean() ? Planner.UNLIMITED : (1 + random.nextInt(2000)) * 1_000_000L;
      List<String> before = imageSteps(Planner.plan(c.inventory(), c.history(),
          policy(c, CleanupPolicy.COST, table(chance)), NOW, budget));
      List<String> after = imageSteps(Planner.plan(c.inventory(), c.history(),
          policy(c, CleanupPolicy.COST, table(higher)), NOW, budget));
      int was = before.indexOf(raised.id());
      int now = after.indexOf(raised.id());
      if (now >= 0) {
        assertThat(was).as("case %d: planned after the raise, so planned before it", n).isGreaterThanOrEqualTo(0);
        assertThat(now).as("case %d: rank of %s", n, raised.id()).isGreaterThanOrEqualTo(was);
      }
    }
  }

  /** A model that answers from a table: the property is about the ordering, not the estimates. */
  private static ReuseModel table(Map<String, Double> chance) {
    return (inventory, history, now) -> image ->
        new ReuseEstimate(chance.get(image.id()), image.uniqueBytes(), "table " + chance.get(image.id()));
  }
}
