package io.dockercleaner.docker;

import static io.dockercleaner.docker.ClientTests.await;
import static io.dockercleaner.docker.ClientTests.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.docker.DockerException.Kind;
import io.dockercleaner.docker.model.BuildCacheRecord;
import io.dockercleaner.docker.model.ContainerSummary;
import io.dockercleaner.docker.model.DiskUsage;
import io.dockercleaner.docker.model.ImageSummary;
import io.dockercleaner.docker.model.NetworkSummary;
import io.dockercleaner.docker.model.PingInfo;
import io.dockercleaner.docker.model.PruneReport;
import io.dockercleaner.docker.model.SystemInfo;
import io.dockercleaner.docker.model.VersionInfo;
import io.dockercleaner.docker.model.VolumeSummary;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every client call against the private dockerd (DOCKER_CLEANER_TEST_HOST). Fixtures are made
 * with Debian's docker CLI; each test labels what it makes with its own run id, so prunes are
 * scoped to the test's objects, and removes them afterwards.
 */
@Tag("daemon")
class DockerClientDaemonTest {
  static final String RUN_LABEL = "dc-client-test";
  static final String KEEP_LABEL = "dc-client-keep";

  private static Vertx vertx;
  private static DockerClient client;
  private static String host;

  private String run;
  private Filters mine;
  private final List<String[]> cleanups = new ArrayList<>();

  @BeforeAll
  static void connect() {
    host = TestDaemons.main();
    vertx = ClientTests.newVertx();
    client = ClientTests.connect(vertx, host);
  }

  @AfterAll
  static void close() {
    if (client != null) {
      await(client.close());
    }
    await(vertx.close());
  }

  @BeforeEach
  void newRun() {
    run = "ct" + UUID.randomUUID().toString().substring(0, 8);
    mine = Filters.NONE.with("label", RUN_LABEL + "=" + run);
  }

  @AfterEach
  void cleanUp() {
    // newest first: containers before the images, volumes and networks they use
    for (int i = cleanups.size() - 1; i >= 0; i--) {
      TestDaemons.dockerResult(host, null, cleanups.get(i));
    }
  }

  private String docker(String... args) {
    return TestDaemons.docker(host, args);
  }

  private String container(String name, String... extraArgsThenCommand) {
    List<String> args = new ArrayList<>(List.of("create", "--name", name, "--label", RUN_LABEL + "=" + run));
    args.addAll(List.of(extraArgsThenCommand));
    cleanups.add(new String[] {"rm", "-f", name});
    return docker(args.toArray(String[]::new));
  }

  private String exitedContainer(String name, String... labels) {
    List<String> args = new ArrayList<>();
    for (String l : labels) {
      args.add("--label");
      args.add(l);
    }
    args.add(TestDaemons.TEST_IMAGE);
    args.add("true");
    String id = container(name, args.toArray(String[]::new));
    docker("start", "-a", name);
    return id;
  }

  private String runningContainer(String name, String... extraArgs) {
    List<String> args = new ArrayList<>(List.of(extraArgs));
    args.add(TestDaemons.TEST_IMAGE);
    args.add("sleep");
    args.add("3600");
    String id = container(name, args.toArray(String[]::new));
    docker("start", name);
    return id;
  }

  private String volume(String name, String... labels) {
    List<String> args = new ArrayList<>(List.of("volume", "create", "--label", RUN_LABEL + "=" + run));
    for (String l : labels) {
      args.add("--label");
      args.add(l);
    }
    args.add(name);
    cleanups.add(new String[] {"volume", "rm", "-f", name});
    return docker(args.toArray(String[]::new));
  }

  private String network(String name) {
    cleanups.add(new String[] {"network", "rm", name});
    return docker("network", "create", "--label", RUN_LABEL + "=" + run, name);
  }

  /** A classic-builder image with one small unique layer, labelled with the run id; returns its id. */
  private String image(String tag, String content) {
    if (tag != null) {
      cleanups.add(new String[] {"rmi", "-f", tag});
    }
    String id = TestDaemons.build(host, tag, "FROM " + TestDaemons.TEST_IMAGE + "\nLABEL " + RUN_LABEL + "=" + run
        + "\nRUN echo " + content + " > /content\n");
    cleanups.add(new String[] {"rmi", "-f", id});
    return id;
  }

  // ---- read calls ------------------------------------------------------------------------

  @Test
  void pingVersionAndInfoDescribeTheDaemon() {
    PingInfo ping = await(client.ping());
    VersionInfo version = await(client.version());
    SystemInfo info = await(client.info());

    assertThat(ping.isPodman()).isFalse();
    assertThat(ping.apiVersion()).isEqualTo(version.apiVersion());
    assertThat(client.apiVersion()).isEqualTo(ApiVersion.parse(version.apiVersion()));
    assertThat(version.version()).isNotEmpty();
    assertThat(version.minApiVersion()).isNotEmpty();
    assertThat(info.driver()).isEqualTo("overlay2");
    assertThat(info.dockerRootDir()).isNotEmpty();
    assertThat(Path.of(info.dockerRootDir())).isDirectory();
    assertThat(client.capabilities().podman()).isFalse();
    assertThat(client.capabilities().buildCachePrune()).isTrue();
    assertThat(client.transport()).isEqualTo("epoll");
  }

  @Test
  void systemDfAndListsShowWhatExists() {
    String containerId = exitedContainer(run + "-c");
    volume(run + "-v");
    String networkId = network(run + "-n");

    DiskUsage df = await(client.systemDf());
    List<ContainerSummary> all = await(client.listContainers(true, false, mine));
    List<ContainerSummary> running = await(client.listContainers(false, false, mine));
    List<ImageSummary> images = await(client.listImages(Filters.NONE.with("reference", TestDaemons.TEST_IMAGE)));
    List<VolumeSummary> volumes = await(client.listVolumes(mine));
    List<NetworkSummary> networks = await(client.listNetworks(mine));

    assertThat(df.layersSizeBytes()).isPositive();
    assertThat(df.images()).anySatisfy(i -> assertThat(i.repoTags()).contains(TestDaemons.TEST_IMAGE));
    assertThat(df.containers()).extracting(ContainerSummary::id).contains(containerId);
    assertThat(df.volumes()).anySatisfy(v -> {
      assertThat(v.name()).isEqualTo(run + "-v");
      assertThat(v.sizeBytes()).isZero();
    });
    assertThat(all).singleElement().satisfies(c -> {
      assertThat(c.id()).isEqualTo(containerId);
      assertThat(c.name()).isEqualTo(run + "-c");
      assertThat(c.state()).isEqualTo("exited");
      assertThat(c.labels()).containsEntry(RUN_LABEL, run);
    });
    assertThat(running).isEmpty();
    assertThat(images).singleElement().satisfies(i -> {
      assertThat(i.repoTags()).contains(TestDaemons.TEST_IMAGE);
      assertThat(i.labels()).containsEntry("keep", "true");
      assertThat(i.sizeBytes()).isPositive();
    });
    assertThat(volumes).extracting(VolumeSummary::name).containsExactly(run + "-v");
    assertThat(networks).extracting(NetworkSummary::id).containsExactly(networkId);
  }

  @Test
  void inspectImageAndNetwork() {
    String networkId = network(run + "-n");
    runningContainer(run + "-c", "--network", run + "-n");

    ImageSummary image = await(client.inspectImage(TestDaemons.TEST_IMAGE));
    NetworkSummary network = await(client.inspectNetwork(run + "-n"));

    assertThat(image.id()).startsWith("sha256:");
    assertThat(image.repoTags()).contains(TestDaemons.TEST_IMAGE);
    assertThat(image.labels()).containsEntry("keep", "true");
    assertThat(image.sizeBytes()).isPositive();
    assertThat(image.createdEpochSeconds()).isPositive();
    assertThat(network.id()).isEqualTo(networkId);
    assertThat(network.name()).isEqualTo(run + "-n");
    assertThat(network.labels()).containsEntry(RUN_LABEL, run);
    assertThat(network.containers()).isEqualTo(1);
    assertThat(network.isPredefined()).isFalse();
  }

  // ---- deletions -------------------------------------------------------------------------

  @Test
  void deletesEachKindThenAnswersNotFound() {
    String containerId = exitedContainer(run + "-c");
    String imageId = image(run + "-img:1", run);
    volume(run + "-v");
    network(run + "-n");

    await(client.removeContainer(containerId, false, true));
    PruneReport imageReport = await(client.removeImage(run + "-img:1", false));
    await(client.removeVolume(run + "-v"));
    await(client.removeNetwork(run + "-n"));

    assertThat(imageReport.untagged()).containsExactly(run + "-img:1");
    assertThat(imageReport.deleted()).contains(imageId);
    assertThat(docker("ps", "-aq", "--filter", "label=" + RUN_LABEL + "=" + run)).isEmpty();
    assertThat(failure(client.removeContainer(containerId, false, false)).kind()).isEqualTo(Kind.NOT_FOUND);
    assertThat(failure(client.removeImage(imageId, false)).kind()).isEqualTo(Kind.NOT_FOUND);
    assertThat(failure(client.removeVolume(run + "-v")).kind()).isEqualTo(Kind.NOT_FOUND);
    assertThat(failure(client.removeNetwork(run + "-n")).kind()).isEqualTo(Kind.NOT_FOUND);
    assertThat(failure(client.inspectImage(imageId)).status()).isEqualTo(404);
    assertThat(failure(client.inspectNetwork(run + "-n")).kind()).isEqualTo(Kind.NOT_FOUND);
  }

  @Test
  void imageUsedByAContainerIsInUse() {
    String imageId = image(run + "-img:1", run);
    container(run + "-stopped", run + "-img:1", "true");

    DockerException byTag = failure(client.removeImage(run + "-img:1", false));
    runningContainer(run + "-running");
    String usedImageId = docker("image", "inspect", "-f", "{{.Id}}", TestDaemons.TEST_IMAGE);
    DockerException byIdWhileRunning = failure(client.removeImage(usedImageId, false));

    assertThat(byTag.status()).isEqualTo(409);
    assertThat(byTag.kind()).isEqualTo(Kind.CONFLICT_IN_USE);
    assertThat(byTag.daemonMessage()).contains("is using its referenced image");
    assertThat(byIdWhileRunning.status()).isEqualTo(409);
    assertThat(byIdWhileRunning.kind()).isEqualTo(Kind.CONFLICT_IN_USE);
    assertThat(docker("image", "inspect", "-f", "{{.Id}}", imageId)).isEqualTo(imageId);
  }

  @Test
  void runningContainerCannotBeRemovedWithoutForce() {
    String id = runningContainer(run + "-c");

    DockerException e = failure(client.removeContainer(id, false, false));

    assertThat(e.status()).isEqualTo(409);
    assertThat(e.kind()).isEqualTo(Kind.CONFLICT_RUNNING);
    assertThat(docker("inspect", "-f", "{{.State.Running}}", id)).isEqualTo("true");
  }

  @Test
  void volumeUsedByAContainerIsInUse() {
    volume(run + "-v");
    container(run + "-c", "-v", run + "-v:/data", TestDaemons.TEST_IMAGE, "true");

    DockerException e = failure(client.removeVolume(run + "-v"));

    assertThat(e.kind()).isEqualTo(Kind.CONFLICT_IN_USE);
  }

  // ---- prunes ----------------------------------------------------------------------------

  @Test
  void pruneContainersHonoursLabelNotLabelAndUntil() {
    String doomed = exitedContainer(run + "-a");
    String kept = exitedContainer(run + "-b", KEEP_LABEL + "=yes");
    String running = runningContainer(run + "-r");

    PruneReport tooYoung = await(client.pruneContainers(mine.with("until", "1h")));
    PruneReport report = await(client.pruneContainers(mine.with("label!", KEEP_LABEL)));

    assertThat(tooYoung.deleted()).isEmpty();
    assertThat(report.deleted()).containsExactly(doomed);
    assertThat(report.spaceReclaimedBytes()).isGreaterThanOrEqualTo(0);
    assertThat(docker("ps", "-aq", "--no-trunc", "--filter", "label=" + RUN_LABEL + "=" + run))
        .contains(kept, running).doesNotContain(doomed);
  }

  @Test
  void pruneImagesWithDanglingFalseDeletesTaggedUnusedImages() {
    String tagged = image(run + "-img:1", run + "-tagged");
    String dangling = image(null, run + "-dangling");

    PruneReport tooYoung = await(client.pruneImages(mine.with("dangling", "false").with("until", "1h")));
    PruneReport onlyDangling = await(client.pruneImages(mine));
    PruneReport report = await(client.pruneImages(mine.with("dangling", "false")));

    assertThat(tooYoung.deleted()).isEmpty();
    assertThat(onlyDangling.deleted()).contains(dangling).doesNotContain(tagged);
    assertThat(report.deleted()).contains(tagged);
    assertThat(report.untagged()).contains(run + "-img:1");
    assertThat(report.spaceReclaimedBytes()).isPositive();
    assertThat(TestDaemons.dockerResult(host, null, "image", "inspect", tagged).exitCode()).isNotZero();
  }

  @Test
  void pruneVolumesReportsNamesAndSpace() {
    volume(run + "-full");
    volume(run + "-kept", KEEP_LABEL + "=yes");
    // 64 KiB of data so SpaceReclaimed has something to count
    docker("run", "--rm", "-v", run + "-full:/data", TestDaemons.TEST_IMAGE,
        "dd", "if=/dev/zero", "of=/data/blob", "bs=1024", "count=64");

    PruneReport report = await(client.pruneVolumes(mine.with("label!", KEEP_LABEL)));

    assertThat(report.deleted()).containsExactly(run + "-full");
    assertThat(report.spaceReclaimedBytes()).isGreaterThanOrEqualTo(64 * 1024);
    assertThat(docker("volume", "ls", "-q", "--filter", "label=" + RUN_LABEL + "=" + run)).isEqualTo(run + "-kept");
  }

  @Test
  void pruneNetworksHonoursUntil() {
    network(run + "-n");

    PruneReport tooYoung = await(client.pruneNetworks(mine.with("until", "1h")));
    PruneReport report = await(client.pruneNetworks(mine));

    assertThat(tooYoung.deleted()).isEmpty();
    assertThat(report.deleted()).containsExactly(run + "-n");
    assertThat(report.spaceReclaimedBytes()).isZero();
  }

  @Test
  void buildCacheFromABuildKitBuildIsListedAndPruned(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("Dockerfile"),
        "FROM " + TestDaemons.TEST_IMAGE + "\nRUN echo " + run + " > /content\n");
    cleanups.add(new String[] {"rmi", "-f", run + "-bk:1"});
    TestDaemons.Result build = TestDaemons.run(List.of(TestDaemons.DOCKER_CLI, "build", "--network=none", "-q",
        "-t", run + "-bk:1", dir.toString()), null, Map.of("DOCKER_HOST", host, "DOCKER_BUILDKIT", "1"));
    assertThat(build.exitCode()).as(build.stderr()).isZero();

    List<BuildCacheRecord> cache = await(client.listBuildCache());
    PruneReport tooYoung = await(client.pruneBuildCache(Filters.NONE.with("until", "1h"), true));
    PruneReport report = await(client.pruneBuildCache(Filters.NONE, true));

    assertThat(cache).isNotEmpty().anySatisfy(r -> {
      assertThat(r.id()).isNotEmpty();
      assertThat(r.type()).isNotEmpty();
      assertThat(r.createdAt()).isNotNull();
    });
    assertThat(tooYoung.deleted()).isEmpty();
    assertThat(report.deleted()).containsAll(cache.stream().filter(r -> !r.inUse()).map(BuildCacheRecord::id).toList());
    assertThat(report.spaceReclaimedBytes()).isPositive();
    assertThat(await(client.listBuildCache())).isEmpty();
  }
}
