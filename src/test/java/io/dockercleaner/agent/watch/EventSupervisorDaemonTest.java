package io.dockercleaner.agent.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dockercleaner.docker.DockerClient;
import io.dockercleaner.docker.DockerClientOptions;
import io.dockercleaner.docker.DockerHost;
import io.dockercleaner.docker.Filters;
import io.dockercleaner.docker.model.DockerEvent;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The supervisor against the real private daemon, reached through a proxy the test can cut. */
@Tag("daemon")
@ExtendWith(VertxExtension.class)
class EventSupervisorDaemonTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final String host = TestDaemons.main();
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private final List<DockerEvent> delivered = new CopyOnWriteArrayList<>();
  private final List<StreamState> states = new CopyOnWriteArrayList<>();
  private final AtomicInteger reconciles = new AtomicInteger();
  private final UsageState usage = UsageState.inMemory();
  private UnixProxy proxy;
  private Path dir;
  private DockerClient client;
  private EventSupervisor supervisor;

  private static <T> T get(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    dir = Files.createTempDirectory(Path.of("/tmp"), "dcw");
    proxy = new UnixProxy(vertx, dir.resolve("p.sock"),
        SocketAddress.domainSocketAddress(TestDaemons.socketOf(host).toString()));
    get(proxy.start());
    client = get(DockerClient.connect(vertx, DockerClientOptions.of(DockerHost.parse(proxy.address(), false, null))));
    // As the agent does: after a loss, re-read the full inventory into the usage state.
    supervisor = new EventSupervisor(vertx, client,
        EventSupervisorOptions.defaults().withBackoff(Duration.ofMillis(20), Duration.ofMillis(500)),
        () -> {
          Instant listedAt = Instant.now();
          return client.listImages(Filters.NONE).compose(images -> client.listContainers(true, false, Filters.NONE)
              .map(containers -> {
                usage.reconcile(images, containers, listedAt);
                reconciles.incrementAndGet();
                return null;
              }));
        })
        .onEvent(event -> {
          usage.observe(event);
          delivered.add(event);
        })
        .onStateChange(states::add);
    get(supervisor.start());
  }

  @AfterEach
  void tearDown() throws Exception {
    get(supervisor.stop());
    get(proxy.cut());
    TestDaemons.deleteTree(dir);
  }

  private Optional<DockerEvent> find(String type, String action, String attribute, String value) {
    return delivered.stream().filter(e -> e.type().equals(type) && e.action().equals(action)
        && value.equals(e.attribute(attribute))).findFirst();
  }

  private DockerEvent awaitEvent(String type, String action, String attribute, String value) {
    return await().atMost(WAIT).until(() -> find(type, action, attribute, value), Optional::isPresent).get();
  }

  @Test
  void eventsOfATaggedImageAndItsContainerUpdateTheUsageState() {
    String tag = "watch/app:" + suffix;
    String imageId = TestDaemons.build(host, tag, "FROM " + TestDaemons.TEST_IMAGE + "\nLABEL run=" + suffix + "\n");
    String name = "watch-c-" + suffix;
    TestDaemons.docker(host, "run", "--name", name, tag, "true");
    String containerId = TestDaemons.docker(host, "inspect", "-f", "{{.Id}}", name);

    DockerEvent tagged = awaitEvent("image", "tag", "name", tag);
    DockerEvent started = awaitEvent("container", "start", "name", name);
    DockerEvent died = awaitEvent("container", "die", "name", name);
    assertThat(tagged.actorId()).isEqualTo(imageId);
    assertThat(started.attribute("image")).isEqualTo(tag);
    assertThat(usage.imageFirstSeen(imageId)).contains(tagged.instant());
    assertThat(usage.imageLastUsed(imageId)).contains(started.instant());
    assertThat(usage.containerExitedAt(containerId)).contains(died.instant());
    assertThat(supervisor.lastEventAt()).isAfterOrEqualTo(died.instant());
    assertThat(supervisor.malformed()).isZero();
    TestDaemons.docker(host, "rm", name);
  }

  @Test
  void aCutStreamIsReconciledAndResumedSoTheEventFromTheGapArrivesOnce() throws Exception {
    String before = "watch/before:" + suffix;
    String during = "watch/during:" + suffix;
    TestDaemons.docker(host, "tag", TestDaemons.TEST_IMAGE, before);
    DockerEvent beforeEvent = awaitEvent("image", "tag", "name", before);
    long newestBeforeCut = delivered.stream().mapToLong(DockerEvent::timeNano).max().orElseThrow();

    get(proxy.cut());
    await().atMost(WAIT).until(() -> !supervisor.connected());
    // Straight to the daemon, while the agent cannot hear it.
    TestDaemons.docker(host, "tag", TestDaemons.TEST_IMAGE, during);
    int reconcilesBefore = reconciles.get();
    get(proxy.start());

    DockerEvent duringEvent = awaitEvent("image", "tag", "name", during);
    assertThat(supervisor.connected()).isTrue();
    assertThat(supervisor.reconnects()).isEqualTo(1);
    assertThat(reconciles.get()).isGreaterThan(reconcilesBefore);
    // Resubscribed with since = the newest event seen, formatted SECONDS.NANOS.
    assertThat(proxy.eventRequestLines().get(proxy.eventRequestLines().size() - 1))
        .contains("since=" + EventPosition.formatSince(newestBeforeCut));
    // The daemon replays the boundary event (since is inclusive): dropped, not delivered twice.
    assertThat(delivered.stream().filter(e -> e.equals(beforeEvent))).hasSize(1);
    assertThat(supervisor.duplicatesDropped()).isPositive();
    assertThat(usage.imageFirstSeen(duringEvent.actorId())).isPresent();
    assertThat(states).extracting(StreamState::connected).containsSubsequence(true, false, true);
    assertThat(states.get(states.size() - 1).reconnect()).isTrue();
    TestDaemons.docker(host, "rmi", before, during);
  }
}
