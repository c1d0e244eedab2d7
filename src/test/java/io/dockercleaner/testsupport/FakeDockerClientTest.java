package io.dockercleaner.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.core.ResourceType;
import io.dockercleaner.docker.ApiVersion;
import io.dockercleaner.docker.DockerException;
import io.dockercleaner.docker.DockerException.Kind;
import io.dockercleaner.docker.Filters;
import io.dockercleaner.docker.model.ContainerSummary;
import io.dockercleaner.docker.model.DockerEvent;
import io.dockercleaner.docker.model.PruneReport;
import io.dockercleaner.testsupport.FakeDockerClient.Container;
import io.dockercleaner.testsupport.FakeDockerClient.Image;
import io.dockercleaner.testsupport.FakeDockerClient.Op;
import io.dockercleaner.testsupport.FakeDockerClient.Volume;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The fake follows dockerd's rules, so unit tests built on it mean what they say. */
class FakeDockerClientTest {
  private final MutableClock clock = new MutableClock();
  private final FakeDockerClient docker = new FakeDockerClient(clock);

  // ---- containers ------------------------------------------------------------------------------

  @Test
  void aRunningContainerIsRefusedUnlessForced() {
    Container c = docker.container("web", docker.image("app:1")).running();

    assertThat(failure(docker.removeContainer(c.id(), false, false)).kind()).isEqualTo(Kind.CONFLICT_RUNNING);
    assertThat(docker.removeContainer("web", true, false).succeeded()).isTrue();
    assertThat(docker.findContainer(c.id())).isNull();
  }

  @Test
  void aMissingContainerIs404() {
    DockerException e = failure(docker.removeContainer("nope", false, false));

    assertThat(e.status()).isEqualTo(404);
    assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
    assertThat(e.operation()).isEqualTo("DELETE /containers/{id}");
  }

  @Test
  void removingWithVolumesTakesTheAnonymousOnesOnly() {
    Volume anon = docker.anonymousVolume();
    Volume named = docker.volume("data");
    Container c = docker.container("c", docker.image("app:1")).volume(anon).volume(named);

    docker.removeContainer(c.id(), false, true);

    assertThat(docker.exists(ResourceType.VOLUME, anon.name())).isFalse();
    assertThat(docker.exists(ResourceType.VOLUME, named.name())).isTrue();
  }

  // ---- images ----------------------------------------------------------------------------------

  @Test
  void anImageUsedByAContainerIsAConflictInUse_runningHard_stoppedSoft() {
    Image running = docker.image("run:1");
    Image stopped = docker.image("stop:1");
    docker.container("r", running).running();
    docker.container("s", stopped);

    DockerException hard = failure(docker.removeImage(running.id(), true));
    DockerException soft = failure(docker.removeImage(stopped.id(), false));

    assertThat(hard.kind()).isEqualTo(Kind.CONFLICT_IN_USE);
    assertThat(hard.daemonMessage()).contains("(cannot be forced) - image is being used by running container");
    assertThat(soft.kind()).isEqualTo(Kind.CONFLICT_IN_USE);
    assertThat(docker.removeImage(stopped.id(), true).succeeded()).as("force overrides a stopped user").isTrue();
  }

  @Test
  void theLastTagOfAnImageAContainerUsesIsNotRemoved() {
    docker.container("c", docker.image("app:1"));

    DockerException e = failure(docker.removeImage("app:1", false));

    assertThat(e.daemonMessage()).startsWith("conflict: unable to remove repository reference \"app:1\" (must force)");
    assertThat(e.kind()).isEqualTo(Kind.CONFLICT_IN_USE);
  }

  @Test
  void byIdAnImageWithSeveralTagsIsRefused_byTagOnlyThatTagGoes() {
    Image img = docker.image("app:1", "app:latest");

    DockerException e = failure(docker.removeImage(img.id(), false));
    PruneReport untag = docker.removeImage("app", false).result();
    PruneReport last = docker.removeImage("app:1", false).result();

    assertThat(e.status()).isEqualTo(409);
    assertThat(e.daemonMessage()).endsWith("(must be forced) - image is referenced in multiple repositories");
    assertThat(untag.untagged()).containsExactly("app:latest");
    assertThat(untag.deleted()).isEmpty();
    assertThat(last.untagged()).containsExactly("app:1");
    assertThat(last.deleted()).containsExactly(img.id());
  }

  @Test
  void aParentWithAChildIsRefused_deletingTheChildTakesItsUntaggedParent() {
    Image parent = docker.image();
    Image child = docker.image("child:1").parent(parent);

    assertThat(failure(docker.removeImage(parent.id(), false)).daemonMessage()).contains("dependent child images");
    PruneReport r = docker.removeImage(child.id(), false).result();

    assertThat(r.deleted()).containsExactly(child.id(), parent.id());
  }

  @Test
  void imagePrune_danglingByDefault_allWithDanglingFalse_neverWhatAContainerUses() {
    Image dangling = docker.image();
    Image tagged = docker.image("app:1");
    Image used = docker.image();
    docker.container("c", used);

    PruneReport first = docker.pruneImages(Filters.NONE).result();
    PruneReport second = docker.pruneImages(Filters.NONE.with("dangling", "false")).result();

    assertThat(first.deleted()).containsExactly(dangling.id());
    assertThat(second.deleted()).containsExactly(tagged.id());
    assertThat(second.untagged()).containsExactly("app:1");
    assertThat(docker.exists(ResourceType.IMAGE, used.id())).isTrue();
  }

  // ---- prune filters ---------------------------------------------------------------------------

  @Test
  void untilKeepsWhatIsNewerThanTheCutOffAndPrunesTheCutOffInstantItself() {
    Instant now = clock.instant();
    Container old = docker.container("old", docker.image("app:1")).created(now.minus(Duration.ofHours(3)));
    Container atCutOff = docker.container("edge", docker.image("app:2")).created(now.minus(Duration.ofHours(2)));
    Container young = docker.container("young", docker.image("app:3")).created(now.minus(Duration.ofMinutes(5)));

    PruneReport r = docker.pruneContainers(Filters.NONE.with("until", "2h")).result();

    assertThat(r.deleted()).containsExactly(old.id(), atCutOff.id());
    assertThat(docker.exists(ResourceType.CONTAINER, young.id())).isTrue();
    assertThat(docker.pruneContainers(Filters.NONE.with("until", Long.toString(now.getEpochSecond()))).result()
        .deleted()).containsExactly(young.id());
  }

  @Test
  void labelFiltersMatchAsDockerdDoes_negatedOnesExcludeOnlyWhenAllMatch() {
    Image img = docker.image("app:1");
    Container keep = docker.container("keep", img).label("keep", "true").label("tier", "db");
    Container half = docker.container("half", img).label("keep", "true");
    Container plain = docker.container("plain", img);

    PruneReport r = docker.pruneContainers(Filters.NONE.with("label!", "keep=true").with("label!", "tier")).result();

    assertThat(r.deleted()).containsExactly(half.id(), plain.id());
    assertThat(docker.exists(ResourceType.CONTAINER, keep.id())).isTrue();
  }

  @Test
  void containersInheritTheirImagesLabels() {
    Image img = docker.image("app:1").label("keep", "true");
    docker.container("c", img).label("own", "x");

    List<ContainerSummary> listed = docker.listContainers(true, false, Filters.NONE).result();

    assertThat(listed.get(0).labels()).containsEntry("keep", "true").containsEntry("own", "x");
  }

  @Test
  void volumePrune_anonymousOnlyFromApi142_namedTooBefore_neverInUse() {
    Volume anon = docker.anonymousVolume();
    Volume named = docker.volume("data");
    Volume used = docker.anonymousVolume();
    docker.container("c", docker.image("app:1")).volume(used);

    assertThat(docker.pruneVolumes(Filters.NONE).result().deleted()).containsExactly(anon.name());
    docker.apiVersion(ApiVersion.of(1, 41));
    assertThat(docker.pruneVolumes(Filters.NONE).result().deleted()).containsExactly(named.name());
    assertThat(docker.exists(ResourceType.VOLUME, used.name())).isTrue();
  }

  @Test
  void aFilterTheDaemonDoesNotTakeIs400() {
    DockerException e = failure(docker.pruneVolumes(Filters.NONE.with("until", "24h")));

    assertThat(e.status()).isEqualTo(400);
    assertThat(e.daemonMessage()).isEqualTo("invalid filter 'until'");
  }

  @Test
  void networks_runningContainersHoldThem_predefinedOnesStay_pruneReportsNames() {
    FakeDockerClient.Network busy = docker.network("busy");
    FakeDockerClient.Network idle = docker.network("idle");
    docker.container("r", docker.image("app:1")).running().network(busy);

    assertThat(failure(docker.removeNetwork("busy")).status()).isEqualTo(403);
    assertThat(failure(docker.removeNetwork("bridge")).status()).isEqualTo(403);
    assertThat(docker.pruneNetworks(Filters.NONE).result().deleted()).containsExactly(idle.name());
    assertThat(docker.exists(ResourceType.NETWORK, busy.id())).isTrue();
  }

  @Test
  void buildCachePrune_anchoredIdRemovesOneRecord_inUseStays() {
    FakeDockerClient.CacheRecord a = docker.buildCache("RUN a").sizeBytes(10);
    docker.buildCache("RUN b");
    FakeDockerClient.CacheRecord busy = docker.buildCache("RUN c").inUse(true);

    PruneReport one = docker.pruneBuildCache(Filters.NONE.with("id", "^" + a.id() + "$"), true).result();
    PruneReport rest = docker.pruneBuildCache(Filters.NONE, true).result();

    assertThat(one.deleted()).containsExactly(a.id());
    assertThat(one.spaceReclaimedBytes()).isEqualTo(10);
    assertThat(rest.deleted()).hasSize(1).doesNotContain(busy.id());
  }

  @Test
  void systemDfAnswersFromTheInventory() {
    Image img = docker.image("app:1").sizeBytes(500);
    docker.container("c", img).sizeRwBytes(7);
    docker.volume("v").sizeBytes(30);

    var df = docker.systemDf().result();

    assertThat(df.imagesBytes()).isEqualTo(500);
    assertThat(df.containersBytes()).isEqualTo(7);
    assertThat(df.volumesBytes()).isEqualTo(30);
    assertThat(df.images().get(0).containers()).isEqualTo(1);
  }

  // ---- faults and the call log -----------------------------------------------------------------

  @Test
  void aFaultOnAnObjectMatchesEveryReferenceToIt_andOnceMeansOnce() {
    Image img = docker.image("app:1");
    docker.fault(Op.REMOVE_IMAGE).on("app:1").once().fail(500, "boom");

    DockerException e = failure(docker.removeImage(img.id(), false));

    assertThat(e.kind()).isEqualTo(Kind.HTTP_ERROR);
    assertThat(docker.exists(ResourceType.IMAGE, img.id())).isTrue();
    assertThat(docker.removeImage(img.id(), false).succeeded()).isTrue();
  }

  @Test
  void heldCallsStayInFlightUntilReleased_andTheEffectHappensOnRelease() {
    Image a = docker.image("a:1");
    Image b = docker.image("b:1");
    docker.fault(Op.REMOVE_IMAGE).held();

    Future<PruneReport> first = docker.removeImage(a.id(), false);
    Future<PruneReport> second = docker.removeImage(b.id(), false);
    assertThat(docker.inFlight()).isEqualTo(2);
    assertThat(docker.exists(ResourceType.IMAGE, a.id())).isTrue();
    docker.releaseHeld();

    assertThat(first.succeeded() && second.succeeded()).isTrue();
    assertThat(docker.maxDeletionsInFlight()).isEqualTo(2);
    assertThat(docker.removedIds(ResourceType.IMAGE)).containsExactly(a.id(), b.id());
  }

  @Test
  void aNeverCompletingCallStaysInFlight() {
    docker.fault(Op.LIST_CONTAINERS).never();

    Future<List<ContainerSummary>> f = docker.listContainers(true, false, Filters.NONE);

    assertThat(f.isComplete()).isFalse();
    assertThat(docker.calls(Op.LIST_CONTAINERS)).singleElement().matches(c -> !c.isDone());
  }

  @Test
  void withVertx_delayedCallsCompleteOnTimersAndRemovalsReachTheEventStream() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      FakeDockerClient async = new FakeDockerClient(vertx, clock);
      Container c = async.container("web", async.image("app:1"));
      List<DockerEvent> events = new CopyOnWriteArrayList<>();
      async.events(Filters.NONE, null, new io.dockercleaner.docker.codec.EventDecoder.Listener() {
        @Override
        public void onEvent(DockerEvent event) {
          events.add(event);
        }

        @Override
        public void onMalformed(String reason, int lineLengthBytes) {
          throw new AssertionError("malformed event line: " + reason);
        }
      }).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      async.fault(Op.REMOVE_CONTAINER).after(Duration.ofMillis(5));

      async.removeContainer(c.id(), false, false).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !events.isEmpty());
      assertThat(events.get(0).type()).isEqualTo("container");
      assertThat(events.get(0).action()).isEqualTo("destroy");
      assertThat(events.get(0).actorId()).isEqualTo(c.id());
    } finally {
      vertx.close().await();
    }
  }

  private static DockerException failure(Future<?> f) {
    assertThat(f.failed()).as("call failed").isTrue();
    assertThat(f.cause()).isInstanceOf(DockerException.class);
    return (DockerException) f.cause();
  }
}
