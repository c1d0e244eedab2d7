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
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The supervisor survives a real restart of the private daemon (bin/test-daemon stop + start). */
@Tag("daemon")
@ExtendWith(VertxExtension.class)
class EventSupervisorRestartTest {
  private static final Duration WAIT = Duration.ofMinutes(2);

  private static <T> T get(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Runs bin/test-daemon for the daemon behind {@code host} (/ROOT/NAME/docker.sock). */
  private static void testDaemon(String host, String command) {
    Path socket = TestDaemons.socketOf(host);
    String name = socket.getParent().getFileName().toString();
    String root = socket.getParent().getParent().toString();
    TestDaemons.Result result = TestDaemons.run(List.of("bin/test-daemon", command, name), null,
        Map.of("TEST_DAEMON_ROOT", root));
    assertThat(result.exitCode()).as("bin/test-daemon %s %s: %s", command, name, result.stderr()).isZero();
  }

  @Test
  void aDaemonRestartIsSurvivedAndEventsAfterItArrive(Vertx vertx) throws Exception {
    String host = TestDaemons.main();
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    List<DockerEvent> delivered = new CopyOnWriteArrayList<>();
    List<StreamState> states = new CopyOnWriteArrayList<>();
    AtomicInteger reconciles = new AtomicInteger();
    UsageState usage = UsageState.inMemory();
    DockerClient client = get(DockerClient.connect(vertx, DockerClientOptions.of(DockerHost.parse(host, false, null))));
    EventSupervisor supervisor = new EventSupervisor(vertx, client,
        EventSupervisorOptions.defaults().withBackoff(Duration.ofMillis(50), Duration.ofMillis(500)),
        () -> {
          Instant listedAt = Instant.now();
          return client.listImages(Filters.NONE).compose(images -> client.listContainers(true, false, Filters.NONE)
              .map(containers -> {
                usage.reconcile(images, containers, listedAt);
                reconciles.incrementAndGet();
                return null;
              }));
        })
        .onEvent(e -> {
          usage.observe(e);
          delivered.add(e);
        })
        .onStateChange(states::add);
    get(supervisor.start());
    String before = "watch/restart-before:" + suffix;
    TestDaemons.docker(host, "tag", TestDaemons.TEST_IMAGE, before);
    await().atMost(WAIT).until(() -> find(delivered, before).isPresent());

    try {
      testDaemon(host, "stop");
      await().atMost(WAIT).until(() -> !supervisor.connected());
    } finally {
      testDaemon(host, "start");
    }
    await().atMost(WAIT).until(supervisor::connected);
    String after = "watch/restart-after:" + suffix;
    TestDaemons.docker(host, "tag", TestDaemons.TEST_IMAGE, after);
    DockerEvent afterEvent = await().atMost(WAIT).until(() -> find(delivered, after), Optional::isPresent).get();

    assertThat(supervisor.reconnects()).isEqualTo(1);
    assertThat(reconciles.get()).isPositive();
    assertThat(states).extracting(StreamState::connected).containsExactly(true, false, true);
    // The reconcile after the restart listed the images; the tag after it set first seen.
    assertThat(usage.imageFirstSeen(afterEvent.actorId())).isPresent();
    assertThat(find(delivered, before)).isPresent();
    get(supervisor.stop());
    TestDaemons.docker(host, "rmi", before, after);
  }

  private static Optional<DockerEvent> find(List<DockerEvent> events, String tag) {
    return events.stream().filter(e -> e.action().equals("tag") && tag.equals(e.attribute("name"))).findFirst();
  }
}
