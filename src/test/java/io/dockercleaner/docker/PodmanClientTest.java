package io.dockercleaner.docker;

import static io.dockercleaner.docker.ClientTests.await;
import static io.dockercleaner.docker.ClientTests.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dockercleaner.docker.ClientFaultTest.Recorder;
import io.dockercleaner.docker.model.ContainerSummary;
import io.dockercleaner.docker.model.DiskUsage;
import io.dockercleaner.docker.model.DockerEvent;
import io.dockercleaner.docker.model.NetworkSummary;
import io.dockercleaner.docker.model.PingInfo;
import io.dockercleaner.docker.model.PruneReport;
import io.dockercleaner.docker.model.VersionInfo;
import io.dockercleaner.docker.model.VolumeSummary;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The client against Podman's Docker-compatible service (DOCKER_CLEANER_TEST_HOST_PODMAN).
 * Fixtures use Debian's docker CLI, which Podman's service accepts.
 */
@Tag("daemon")
class PodmanClientTest {
  private static final String RUN_LABEL = "dc-client-test";

  private static Vertx vertx;
  private static DockerClient client;
  private static String host;

  private String run;
  private Filters mine;
  private final List<String[]> cleanups = new ArrayList<>();

  @BeforeAll
  static void connect() {
    host = TestDaemons.podman();
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
    run = "pd" + UUID.randomUUID().toString().substring(0, 8);
    mine = Filters.NONE.with("label", RUN_LABEL + "=" + run);
  }

  @AfterEach
  void cleanUp() {
    for (int i = cleanups.size() - 1; i >= 0; i--) {
      TestDaemons.dockerResult(host, null, cleanups.get(i));
    }
  }

  private String docker(String... args) {
    return TestDaemons.docker(host, args);
  }

  @Test
  void pingAndVersionIdentifyPodman() {
    PingInfo ping = await(client.ping());
    VersionInfo version = await(client.version());

    assertThat(ping.isPodman()).isTrue();
    assertThat(ping.libpodApiVersion()).isNotEmpty();
    assertThat(version.apiVersion()).isEqualTo(ping.apiVersion());
    assertThat(client.apiVersion()).isEqualTo(ApiVersion.parse(version.apiVersion()));
    assertThat(client.capabilities().podman()).isTrue();
  }

  @Test
  void buildCachePruneIsUnsupported() {
    assertThat(client.capabilities().buildCachePrune()).isFalse();

    DockerException e = failure(client.pruneBuildCache(Filters.NONE, true));

    assertThat(e.kind()).isEqualTo(DockerException.Kind.UNSUPPORTED);
    assertThat(e.getMessage()).contains("Podman");
  }

  @Test
  void systemDfAndListsWork() {
    cleanups.add(new String[] {"rm", "-f", run + "-c"});
    String containerId = docker("create", "--name", run + "-c", "--label", RUN_LABEL + "=" + run,
        TestDaemons.TEST_IMAGE, "true");
    cleanups.add(new String[] {"volume", "rm", "-f", run + "-v"});
    docker("volume", "create", "--label", RUN_LABEL + "=" + run, run + "-v");
    cleanups.add(new String[] {"network", "rm", run + "-n"});
    docker("network", "create", "--label", RUN_LABEL + "=" + run, run + "-n");

    DiskUsage df = await(client.systemDf());
    List<ContainerSummary> containers = await(client.listContainers(true, false, mine));
    List<VolumeSummary> volumes = await(client.listVolumes(mine));
    List<NetworkSummary> networks = await(client.listNetworks(mine));

    assertThat(df.images()).isNotEmpty().allSatisfy(i -> assertThat(i.sizeBytes()).isPositive());
    assertThat(await(client.listImages(Filters.NONE))).anySatisfy(i ->
        assertThat(i.repoTags()).anySatisfy(t -> assertThat(t).endsWith("dc-test/busybox:latest")));
    assertThat(containers).extracting(ContainerSummary::id).containsExactly(containerId);
    assertThat(volumes).extracting(VolumeSummary::name).containsExactly(run + "-v");
    assertThat(networks).extracting(NetworkSummary::name).containsExactly(run + "-n");
  }

  @Test
  void prunesWork() {
    cleanups.add(new String[] {"rm", "-f", run + "-c"});
    String containerId = docker("create", "--name", run + "-c", "--label", RUN_LABEL + "=" + run,
        TestDaemons.TEST_IMAGE, "true");
    // an untagged image: commit without a name
    String danglingImage = docker("commit", run + "-c").replaceFirst("^sha256:", "");
    cleanups.add(new String[] {"rmi", "-f", danglingImage});
    cleanups.add(new String[] {"volume", "rm", "-f", run + "-v"});
    docker("volume", "create", "--label", RUN_LABEL + "=" + run, run + "-v");
    cleanups.add(new String[] {"network", "rm", run + "-n"});
    docker("network", "create", "--label", RUN_LABEL + "=" + run, run + "-n");

    PruneReport containers = await(client.pruneContainers(mine));
    PruneReport images = await(client.pruneImages(Filters.NONE));
    PruneReport volumes = await(client.pruneVolumes(mine));
    PruneReport networks = await(client.pruneNetworks(mine));

    assertThat(containers.deleted()).containsExactly(containerId);
    assertThat(images.deleted()).anySatisfy(id -> assertThat(id).endsWith(danglingImage));
    assertThat(images.spaceReclaimedBytes()).isPositive();
    assertThat(volumes.deleted()).containsExactly(run + "-v");
    assertThat(networks.deleted()).containsExactly(run + "-n");
    assertThat(await(client.listImages(Filters.NONE))).anySatisfy(i ->
        assertThat(i.repoTags()).anySatisfy(t -> assertThat(t).endsWith("dc-test/busybox:latest")));
  }

  @Test
  void eventsArriveTypedWithDockerActionWords() {
    Recorder recorder = new Recorder();
    DockerClient.EventStream stream = await(client.events(Filters.NONE.with("type", "volume"), null, recorder));
    try {
      docker("volume", "create", run + "-v");
      docker("volume", "rm", run + "-v");

      await().atMost(Duration.ofSeconds(ClientTests.MAX_WAIT_SECONDS)).untilAsserted(() ->
          assertThat(recorder.events).filteredOn(e -> (run + "-v").equals(e.actorId()))
              .extracting(DockerEvent::action).containsExactly("create", "destroy"));
      assertThat(recorder.events).allSatisfy(e -> assertThat(e.type()).isEqualTo("volume"));
    } finally {
      stream.close();
    }
    await(stream.ended());
  }
}
