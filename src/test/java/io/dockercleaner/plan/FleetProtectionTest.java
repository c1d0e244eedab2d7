package io.dockercleaner.plan;

import static io.dockercleaner.plan.Fixtures.LONG_AGO;
import static io.dockercleaner.plan.Fixtures.NOW;
import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.core.Reason;
import io.dockercleaner.core.ResourceType;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The planner keeps what an orchestrator needs: images a Swarm service spec names (even with no
 * task here) and, unless told to include them, the kubelet's containers and their images.
 */
class FleetProtectionTest {
  private static final String DIGEST = "sha256:" + "d".repeat(64);
  private static final ImageInfo SERVICE_TAGGED =
      new ImageInfo("sha256:svc", null, List.of("web:2"), LONG_AGO, 1000, 0, Map.of());
  // what a swarm node pulls for `web:1@sha256:…`: no tag, only a repo digest (dangling to Docker)
  private static final ImageInfo SERVICE_BY_DIGEST =
      new ImageInfo("sha256:dig", null, List.of(), LONG_AGO, 1000, 0, Map.of(), List.of("web@" + DIGEST));
  private static final ImageInfo OTHER = new ImageInfo("sha256:other", null, List.of("tool:1"), LONG_AGO, 1000, 0,
      Map.of());

  private static PlanPolicy.Builder policy() {
    return PlanPolicy.builder(null).enabledTypes(EnumSet.allOf(ResourceType.class)).imagesAll(true);
  }

  private static Inventory swarm(Set<String> refs) {
    return new Inventory(List.of(), List.of(SERVICE_TAGGED, SERVICE_BY_DIGEST, OTHER), List.of(), List.of(),
        List.of(), refs);
  }

  private static Reason skipReason(Plan plan, String id) {
    return plan.skipped().stream().filter(s -> s.id().equals(id)).map(Skip::reason).findFirst().orElse(null);
  }

  private static List<String> plannedIds(Plan plan) {
    return plan.steps().stream().map(PlanStep::id).toList();
  }

  @Test
  void imagesNamedByServiceSpecsAreKeptWithoutAnyTaskOnThisNode() {
    Inventory inventory = swarm(Set.of("web:2", "web:1@" + DIGEST));
    for (Plan plan : List.of(
        Planner.sweep(inventory, UsageHistory.EMPTY, policy().build(), NOW),
        Planner.plan(inventory, UsageHistory.EMPTY, policy().build(), NOW, Planner.UNLIMITED))) {
      assertThat(plannedIds(plan)).containsExactly("sha256:other");
      assertThat(skipReason(plan, "sha256:svc")).isEqualTo(Reason.SWARM_SERVICE);
      assertThat(skipReason(plan, "sha256:dig")).isEqualTo(Reason.SWARM_SERVICE);
    }
  }

  @Test
  void aDanglingOnlySweepKeepsTheUntaggedImageASpecPinsByDigest() {
    // `docker image prune` (no -a) would delete it: it has no tag
    Plan plan = Planner.sweep(swarm(Set.of("web:1@" + DIGEST)), UsageHistory.EMPTY, policy().imagesAll(false).build(),
        NOW);
    assertThat(plannedIds(plan)).isEmpty();
    assertThat(skipReason(plan, "sha256:dig")).isEqualTo(Reason.SWARM_SERVICE);
  }

  @Test
  void withoutServicesTheSameImagesGo() {
    Plan plan = Planner.sweep(swarm(Set.of()), UsageHistory.EMPTY, policy().build(), NOW);
    assertThat(plannedIds(plan)).containsExactlyInAnyOrder("sha256:svc", "sha256:dig", "sha256:other");
  }

  @Test
  void theParentOfAServiceImageIsKeptToo() {
    ImageInfo base = new ImageInfo("sha256:base", null, List.of(), LONG_AGO, 500, 0, Map.of());
    ImageInfo child = new ImageInfo("sha256:child", "sha256:base", List.of("web:2"), LONG_AGO, 100, 0, Map.of());
    Inventory inventory = new Inventory(List.of(), List.of(base, child), List.of(), List.of(), List.of(),
        Set.of("web:2"));
    Plan plan = Planner.sweep(inventory, UsageHistory.EMPTY, policy().build(), NOW);
    assertThat(plannedIds(plan)).isEmpty();
    assertThat(skipReason(plan, "sha256:base")).isEqualTo(Reason.IN_USE);
  }

  private static final Map<String, String> POD_LABELS = Map.of(
      "io.kubernetes.pod.name", "web-7d9f", "io.kubernetes.container.name", "web",
      "io.kubernetes.pod.namespace", "default");

  private static Inventory kubelet() {
    ContainerInfo podContainer = new ContainerInfo("k1", "k8s_web_web-7d9f", "sha256:pod", "exited", LONG_AGO, LONG_AGO,
        10, POD_LABELS, List.of());
    ContainerInfo plain = new ContainerInfo("p1", "plain", "sha256:plain", "exited", LONG_AGO, LONG_AGO, 10, Map.of(),
        List.of());
    return new Inventory(List.of(podContainer, plain), List.of(
        new ImageInfo("sha256:pod", null, List.of("web:3"), LONG_AGO, 1000, 0, Map.of()),
        new ImageInfo("sha256:plain", null, List.of("tool:2"), LONG_AGO, 1000, 0, Map.of())), List.of(), List.of());
  }

  @Test
  void byDefaultTheKubeletsContainersAndTheirImagesAreLeftToTheKubelet() {
    for (Plan plan : List.of(
        Planner.sweep(kubelet(), UsageHistory.EMPTY, policy().build(), NOW),
        Planner.plan(kubelet(), UsageHistory.EMPTY, policy().build(), NOW, Planner.UNLIMITED))) {
      assertThat(plannedIds(plan)).containsExactlyInAnyOrder("p1", "sha256:plain");
      assertThat(skipReason(plan, "k1")).isEqualTo(Reason.KUBELET_MANAGED);
      assertThat(skipReason(plan, "sha256:pod")).isEqualTo(Reason.KUBELET_MANAGED);
    }
  }

  @Test
  void includeTreatsThemLikeAnyOther() {
    Plan plan = Planner.sweep(kubelet(), UsageHistory.EMPTY, policy().skipKubeletManaged(false).build(), NOW);
    assertThat(plannedIds(plan)).containsExactlyInAnyOrder("k1", "p1", "sha256:pod", "sha256:plain");
  }

  @Test
  void aRunningPodContainerIsReportedAsTheKubeletsNotAsRunning() {
    ContainerInfo running = new ContainerInfo("k2", "k8s_db", "sha256:x", "running", LONG_AGO, null, 10, POD_LABELS,
        List.of());
    Plan plan = Planner.sweep(new Inventory(List.of(running), List.of(), List.of(), List.of()), UsageHistory.EMPTY,
        policy().build(), NOW);
    assertThat(skipReason(plan, "k2")).isEqualTo(Reason.KUBELET_MANAGED);
  }
}
