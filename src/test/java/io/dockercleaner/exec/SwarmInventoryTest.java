package io.dockercleaner.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.core.Reason;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.docker.DockerException;
import io.dockercleaner.plan.Inventory;
import io.dockercleaner.plan.Plan;
import io.dockercleaner.plan.PlanPolicy;
import io.dockercleaner.plan.PlanStep;
import io.dockercleaner.plan.Planner;
import io.dockercleaner.plan.Skip;
import io.dockercleaner.plan.UsageHistory;
import io.dockercleaner.testsupport.FakeDockerClient;
import io.dockercleaner.testsupport.FakeDockerClient.Image;
import io.dockercleaner.testsupport.FakeDockerClient.Op;
import io.dockercleaner.testsupport.FakeDockerClient.SwarmRole;
import io.dockercleaner.testsupport.MutableClock;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The inventory carries what Swarm services need on this node: a manager's service specs; on a
 * worker (or outside a swarm) the daemon cannot list them, so only this node's task containers
 * count, and the listing still succeeds.
 */
class SwarmInventoryTest {
  private static final String DIGEST = "sha256:" + "e".repeat(64);

  private final MutableClock clock = new MutableClock();
  private final FakeDockerClient docker = new FakeDockerClient(clock);
  private Image web;
  private Image task;
  private Image tool;

  private void images() {
    web = docker.image().digest("web@" + DIGEST); // pulled by digest for a service: no tag
    task = docker.image("worker-task:1");
    tool = docker.image("tool:1");
    docker.container("web.1.abc", task).swarmTask("jobs", "worker-task:1@sha256:" + "f".repeat(64)).exited();
    clock.advance(Duration.ofDays(2));
  }

  private static <T> T await(Future<T> f) {
    assertThat(f.isComplete()).as("the fake completes synchronously").isTrue();
    if (f.failed()) {
      throw (RuntimeException) f.cause();
    }
    return f.result();
  }

  private Plan sweep(Inventory inventory) {
    PlanPolicy policy = PlanPolicy.builder(null).enabledTypes(EnumSet.of(ResourceType.IMAGE)).imagesAll(true).build();
    return Planner.sweep(inventory, UsageHistory.EMPTY, policy, clock.instant());
  }

  private static List<String> planned(Plan plan) {
    return plan.steps().stream().map(PlanStep::id).toList();
  }

  private static Reason reason(Plan plan, String id) {
    return plan.skipped().stream().filter(s -> s.id().equals(id)).map(Skip::reason).findFirst().orElse(null);
  }

  @Test
  void aManagerKeepsTheImageOfAServiceWithNoTaskOnThisNode() {
    docker.swarm(SwarmRole.MANAGER).service("web", "web:1@" + DIGEST);
    images();
    Inventory inventory = await(InventoryLoader.load(docker, EnumSet.of(ResourceType.IMAGE), clock.instant()));
    assertThat(inventory.serviceImageRefs()).contains("web:1@" + DIGEST);
    Plan plan = sweep(inventory);
    assertThat(reason(plan, web.id())).isEqualTo(Reason.SWARM_SERVICE);
    assertThat(reason(plan, task.id())).as("a stopped task's image").isEqualTo(Reason.SWARM_SERVICE);
    assertThat(planned(plan)).containsExactly(tool.id());
    assertThat(docker.calls(Op.LIST_SERVICES)).hasSize(1);
  }

  @Test
  void theAgentsListingFromSystemDfCarriesTheServicesToo() {
    docker.swarm(SwarmRole.MANAGER).service("web", "web:1@" + DIGEST);
    images();
    Inventory inventory = await(docker.systemDf().compose(df -> InventoryLoader.load(docker, df, false,
        clock.instant())));
    assertThat(planned(sweep(inventory))).containsExactly(tool.id());
  }

  @Test
  void aWorkerCannotSeeSpecsAndKeepsTheImagesOfItsOwnTasks() {
    docker.swarm(SwarmRole.WORKER).service("web", "web:1@" + DIGEST); // exists, but only managers list it
    images();
    Inventory inventory = await(InventoryLoader.load(docker, EnumSet.of(ResourceType.IMAGE), clock.instant()));
    Plan plan = sweep(inventory);
    assertThat(reason(plan, task.id())).isEqualTo(Reason.SWARM_SERVICE);
    assertThat(planned(plan)).containsExactlyInAnyOrder(web.id(), tool.id());
  }

  /** A recall with what an agent remembered, recording what it is told. */
  private static final class Recall implements InventoryLoader.SwarmTaskRecall {
    final java.util.Map<String, String> remembered = new java.util.LinkedHashMap<>();
    final java.util.List<String> seen = new java.util.ArrayList<>();
    java.util.Set<String> listed;

    @Override
    public void seen(List<io.dockercleaner.docker.model.ContainerSummary> containers, java.time.Instant now) {
      containers.forEach(c -> seen.add(c.name()));
    }

    @Override
    public void servicesListed(java.util.Set<String> serviceIds, java.time.Instant now) {
      listed = serviceIds;
    }

    @Override
    public java.util.Map<String, String> remembered(java.time.Instant now) {
      return remembered;
    }
  }

  @Test
  void aWorkerAgentKeepsTheImageOfATaskThatLeftTheNodeWithItsEvidence() {
    docker.swarm(SwarmRole.WORKER);
    images();
    Image gone = docker.image("gone:1"); // its task ran here, then the service was scaled to 0
    Recall recall = new Recall();
    String why = "task of service gone (abc) seen on this node at 2025-10-10T12:00:00Z";
    recall.remembered.put("gone:1", why);
    recall.remembered.put(gone.id(), why);
    Inventory inventory = await(docker.systemDf().compose(df -> InventoryLoader.load(docker, df, false,
        clock.instant(), recall)));
    assertThat(recall.seen).as("the listing's containers refresh the memory").contains("web.1.abc");
    assertThat(recall.listed).as("a worker lists no services").isNull();
    Plan plan = sweep(inventory);
    Skip kept = plan.skipped().stream().filter(s -> s.id().equals(gone.id())).findFirst().orElseThrow();
    assertThat(kept.reason()).isEqualTo(Reason.SWARM_SERVICE);
    assertThat(kept.evidence()).isEqualTo(why);
    assertThat(plan.skipped().stream().filter(s -> s.id().equals(task.id())).findFirst().orElseThrow().evidence())
        .as("a task container still here says so").isEqualTo("task container web.1.abc of service jobs is on this node");
    assertThat(planned(plan)).containsExactlyInAnyOrder(web.id(), tool.id());
  }

  @Test
  void withoutTheMemoryTheOneShotOnAWorkerRemovesTheImageOfATaskThatLeft() {
    docker.swarm(SwarmRole.WORKER);
    images();
    Image gone = docker.image("gone:1");
    Inventory inventory = await(InventoryLoader.load(docker, EnumSet.of(ResourceType.IMAGE), clock.instant()));
    assertThat(planned(sweep(inventory))).contains(gone.id());
  }

  @Test
  void onAManagerTheSpecsAreTheTruthAndGoneServicesAreReported() {
    docker.swarm(SwarmRole.MANAGER).service("web", "web:1@" + DIGEST);
    images();
    Image gone = docker.image("gone:1");
    Recall recall = new Recall();
    recall.remembered.put("gone:1", "task of service gone (abc) seen on this node at 2025-10-10T12:00:00Z");
    Inventory inventory = await(docker.systemDf().compose(df -> InventoryLoader.load(docker, df, false,
        clock.instant(), recall)));
    assertThat(recall.listed).as("the ids of the services that exist").hasSize(1);
    Plan plan = sweep(inventory);
    assertThat(planned(plan)).as("a remembered task does not outweigh the manager's specs").contains(gone.id());
    assertThat(plan.skipped().stream().filter(s -> s.id().equals(web.id())).findFirst().orElseThrow().evidence())
        .isEqualTo("named by the spec of service web");
  }

  @Test
  void aDaemonInNoSwarmListsNoServiceReferences() {
    images();
    // a leftover task container (the node left its swarm) still protects its image
    Inventory inventory = await(InventoryLoader.load(docker, EnumSet.of(ResourceType.IMAGE), clock.instant()));
    assertThat(inventory.serviceImageRefs()).containsExactlyInAnyOrder("worker-task:1@sha256:" + "f".repeat(64),
        task.id());
  }

  @Test
  void anyOtherFailureFailsTheListingSoNothingIsDeletedBlind() {
    docker.swarm(SwarmRole.MANAGER);
    docker.fault(Op.LIST_SERVICES).fail(500, "rpc error: code = Unavailable");
    images();
    Future<Inventory> listing = InventoryLoader.load(docker, EnumSet.of(ResourceType.IMAGE), clock.instant());
    assertThat(listing.failed()).isTrue();
    assertThat(listing.cause()).isInstanceOf(DockerException.class);
    assertThat(((DockerException) listing.cause()).status()).isEqualTo(500);
  }

  @Test
  void withImagesOffTheServicesAreNotAsked() {
    docker.swarm(SwarmRole.MANAGER);
    await(InventoryLoader.load(docker, EnumSet.of(ResourceType.CONTAINER), clock.instant()));
    assertThat(docker.calls(Op.LIST_SERVICES)).isEmpty();
  }

  @Test
  void podmanIsNotAskedForServices() {
    docker.podman(true);
    images();
    Inventory inventory = await(InventoryLoader.load(docker, EnumSet.of(ResourceType.IMAGE), clock.instant()));
    assertThat(inventory.serviceImageRefs()).isEmpty();
    assertThat(docker.calls(Op.LIST_SERVICES)).isEmpty();
  }
}
