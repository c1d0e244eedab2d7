package io.dockercleaner.plan;

import static io.dockercleaner.plan.Fixtures.LONG_AGO;
import static io.dockercleaner.plan.Fixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.core.ResourceType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The README's table of protections per mode is the code's ({@link Protection}), and each row is
 * what the planner really does: for every protection, an object protected only by it is kept in
 * the modes the table says and planned in the others.
 */
class ProtectionTableTest {
  private static final Instant AGENT_START = NOW.minus(Duration.ofDays(30));

  @Test
  void theReadmeShowsTheTableOfTheCode() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    assertThat(readme).contains(String.join("\n", Protection.markdownTable()));
  }

  /** One scenario: an inventory whose object {@code target} is protected only by the row's rule. */
  private record Scenario(Inventory inventory, Fixtures.MapHistory history, UnaryOperator<PlanPolicy.Builder> policy,
      String target) {}

  private static Scenario scenario(Protection p) {
    Fixtures.MapHistory history = new Fixtures.MapHistory();
    ImageInfo unusedTagged = new ImageInfo("sha256:t", null, List.of("app:v1"), LONG_AGO, 1000, 0, Map.of());
    ImageInfo dangling = new ImageInfo("sha256:d", null, List.of(), LONG_AGO, 1000, 0, Map.of());
    ContainerInfo stopped = new ContainerInfo("c1", "c1", "sha256:x", "exited", LONG_AGO, LONG_AGO, 10, Map.of(), List.of());
    UnaryOperator<PlanPolicy.Builder> none = b -> b;
    return switch (p) {
      case LABEL_FILTER -> new Scenario(inv(List.of(new ContainerInfo("c1", "c1", "sha256:x", "exited", LONG_AGO, LONG_AGO,
          10, Map.of("keep", "true"), List.of())), List.of()), history,
          b -> b.labelFilter(l -> !"true".equals(l.get("keep"))), "c1");
      case KEEP_IMAGES -> new Scenario(inv(List.of(), List.of(unusedTagged)), history,
          b -> b.keepImagePatterns(List.of("app:v[0-9]")).imagesAll(true), "sha256:t");
      case KEEP_TAGS_PER_REPO -> new Scenario(inv(List.of(), List.of(unusedTagged)), history,
          b -> b.keepTagsPerRepo(1).imagesAll(true), "sha256:t");
      case MIN_AGE -> new Scenario(inv(List.of(new ContainerInfo("c1", "c1", "sha256:x", "exited", LONG_AGO,
          NOW.minusSeconds(60), 10, Map.of(), List.of())), List.of()), history, b -> b.minAge(Duration.ofHours(1)), "c1");
      case IN_USE -> new Scenario(inv(List.of(new ContainerInfo("c1", "c1", "sha256:d", "running", LONG_AGO, null, 10,
          Map.of(), List.of())), List.of(dangling)), history, none, "sha256:d");
      case SWARM_SERVICES -> new Scenario(new Inventory(List.of(), List.of(dangling), List.of(), List.of(), List.of(),
          Set.of("sha256:d")), history, none, "sha256:d");
      case KUBELET_MANAGED -> new Scenario(inv(List.of(new ContainerInfo("c1", "k8s_c1", "sha256:x", "exited", LONG_AGO,
          LONG_AGO, 10, Map.of("io.kubernetes.pod.name", "p"), List.of())), List.of()), history, none, "c1");
      case NAMED_VOLUMES -> new Scenario(new Inventory(List.of(), List.of(),
          List.of(new VolumeInfo("data", false, Map.of(), LONG_AGO, 10, 0)), List.of()), history, none, "data");
      case PRUNE_FILTER_UNTIL -> new Scenario(inv(List.of(new ContainerInfo("c1", "c1", "sha256:x", "exited",
          NOW.minus(Duration.ofHours(2)), NOW.minus(Duration.ofHours(2)), 10, Map.of(), List.of())), List.of()), history,
          b -> b.untilAge(Duration.ofHours(24)), "c1");
      case TAGGED_IMAGES -> new Scenario(inv(List.of(), List.of(unusedTagged)), history, b -> b.imagesAll(false), "sha256:t");
      case LAST_USE -> {
        history.used("sha256:t", NOW.minusSeconds(60));
        yield new Scenario(inv(List.of(), List.of(unusedTagged)), history,
            b -> b.minAge(Duration.ofHours(1)).imagesAll(true), "sha256:t");
      }
      case QUIET_PERIOD -> {
        history.touched(ResourceType.CONTAINER, "c1", NOW.minusSeconds(30));
        yield new Scenario(inv(List.of(stopped), List.of()), history, b -> b.quietPeriod(Duration.ofMinutes(2)), "c1");
      }
    };
  }

  private static Inventory inv(List<ContainerInfo> containers, List<ImageInfo> images) {
    return new Inventory(containers, images, List.of(), List.of());
  }

  @ParameterizedTest
  @EnumSource(Protection.class)
  void eachRowIsWhatThePlannerDoes(Protection p) {
    Scenario s = scenario(p);
    Set<ResourceType> all = EnumSet.allOf(ResourceType.class);
    // the one-shot: a sweep without agent and without history; quiet period needs events, so the
    // one-shot's policy has none (PolicyFromSettings) — as in the real wiring
    PlanPolicy.Builder oneShot = s.policy().apply(PlanPolicy.builder(null).enabledTypes(all).volumesAll(false));
    if (p == Protection.QUIET_PERIOD) {
      oneShot.quietPeriod(Duration.ZERO);
    }
    boolean keptByOneShot = !planned(Planner.sweep(s.inventory(), UsageHistory.EMPTY, oneShot.build(), NOW), s.target());
    PlanPolicy agent = s.policy().apply(PlanPolicy.builder(AGENT_START).enabledTypes(all)).build();
    boolean keptBySweep = !planned(Planner.sweep(s.inventory(), s.history(), agent, NOW), s.target());
    boolean keptByTargeted = !planned(Planner.plan(s.inventory(), s.history(), agent, NOW, Planner.UNLIMITED), s.target());
    Plan oneShotPlan = Planner.sweep(s.inventory(), UsageHistory.EMPTY, oneShot.build(), NOW);
    if (p.oneShot() && expectedReason(p) != null) {
      assertThat(oneShotPlan.skipped()).as(p + ": kept for that reason").anyMatch(k -> k.id().equals(s.target())
          && k.reason() == expectedReason(p));
    }
    assertThat(keptByOneShot).as(p + " in the one-shot").isEqualTo(p.oneShot());
    assertThat(keptBySweep).as(p + " in schedule/start runs").isEqualTo(p.sweep());
    assertThat(keptByTargeted).as(p + " in threshold/HTTP runs").isEqualTo(p.targeted());
  }

  private static io.dockercleaner.core.Reason expectedReason(Protection p) {
    return switch (p) {
      case LABEL_FILTER -> io.dockercleaner.core.Reason.PROTECTED_LABEL;
      case KEEP_IMAGES -> io.dockercleaner.core.Reason.KEEP_IMAGES_PATTERN;
      case KEEP_TAGS_PER_REPO -> io.dockercleaner.core.Reason.KEEP_TAGS_PER_REPO;
      case MIN_AGE, PRUNE_FILTER_UNTIL, LAST_USE -> io.dockercleaner.core.Reason.TOO_YOUNG;
      case IN_USE -> io.dockercleaner.core.Reason.IN_USE;
      case NAMED_VOLUMES -> io.dockercleaner.core.Reason.NAMED_VOLUME;
      case SWARM_SERVICES -> io.dockercleaner.core.Reason.SWARM_SERVICE;
      case KUBELET_MANAGED -> io.dockercleaner.core.Reason.KUBELET_MANAGED;
      case QUIET_PERIOD -> io.dockercleaner.core.Reason.RECENTLY_TOUCHED;
      case TAGGED_IMAGES -> null; // not a candidate at all, as `docker image prune` without -a
    };
  }

  private static boolean planned(Plan plan, String id) {
    Set<String> ids = new HashSet<>();
    plan.steps().forEach(s -> ids.add(s.id()));
    return ids.contains(id);
  }
}
