package io.dockercleaner.agent.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dockercleaner.docker.DockerClient;
import io.dockercleaner.docker.DockerClientOptions;
import io.dockercleaner.docker.DockerHost;
import io.dockercleaner.docker.model.DockerEvent;
import io.dockercleaner.testsupport.TempDirs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Faults a real daemon does not produce: garbage lines, a stream the server ends. */
@ExtendWith(VertxExtension.class)
class EventSupervisorFaultTest {
  private static final String FIRST = line("create", "c1", 1_700_000_000_000_000_100L);
  private static final String SECOND = line("start", "c1", 1_700_000_000_500_000_000L);

  private final List<String> sinceParams = new CopyOnWriteArrayList<>();
  private final List<DockerEvent> delivered = new CopyOnWriteArrayList<>();
  private final List<StreamState> states = new CopyOnWriteArrayList<>();
  private final AtomicInteger reconciles = new AtomicInteger();
  private Path dir;

  private static String line(String action, String id, long timeNano) {
    return "{\"Type\":\"container\",\"Action\":\"" + action + "\",\"Actor\":{\"ID\":\"" + id
        + "\",\"Attributes\":{\"image\":\"busybox\"}},\"scope\":\"local\",\"time\":"
        + timeNano / 1_000_000_000L + ",\"timeNano\":" + timeNano + "}\n";
  }

  @BeforeEach
  void socketDir() throws Exception {
    // short path under /tmp: a unix socket path must stay under 108 bytes
    dir = TempDirs.underTmp("dcw");
  }

  @AfterEach
  void removeSocketDir() {
    TempDirs.delete(dir);
  }

  private void serveEvents(HttpServerRequest req) {
    sinceParams.add(String.valueOf(req.getParam("since")));
    HttpServerResponse response = req.response().setChunked(true).putHeader("Content-Type", "application/json");
    if (sinceParams.size() == 1) {
      // First stream: a garbage line, an event, then the server ends the stream.
      response.write("this is not an event\n");
      response.write(FIRST);
      response.end();
    } else {
      // Resubscription: the daemon's since is inclusive, so it sends FIRST again; then a new one.
      response.write(FIRST);
      response.write(SECOND);
    }
  }

  private EventSupervisor supervisor(Vertx vertx, DockerClient client) {
    EventSupervisorOptions options = EventSupervisorOptions.defaults()
        .withBackoff(Duration.ofMillis(10), Duration.ofMillis(200));
    return new EventSupervisor(vertx, client, options, () -> {
      reconciles.incrementAndGet();
      return Future.succeededFuture();
    }).onEvent(delivered::add).onStateChange(states::add);
  }

  @Test
  void malformedLinesAreCountedAndTheEndedStreamIsResumedSinceTheLastEventWithoutDuplicates(Vertx vertx)
      throws Exception {
    FakeDaemon fake = new FakeDaemon(vertx, dir.resolve("d.sock"), this::serveEvents);
    fake.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    DockerClient client = DockerClient.connect(vertx, DockerClientOptions.of(
        DockerHost.parse(fake.address(), false, null))).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    EventSupervisor supervisor = supervisor(vertx, client);
    supervisor.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

    await().atMost(Duration.ofSeconds(30)).until(() -> delivered.size() == 2);
    assertThat(delivered).extracting(DockerEvent::action).containsExactly("create", "start");
    assertThat(supervisor.malformed()).isEqualTo(1);
    assertThat(supervisor.duplicatesDropped()).isEqualTo(1);
    assertThat(supervisor.reconnects()).isEqualTo(1);
    assertThat(reconciles.get()).isEqualTo(1);
    assertThat(sinceParams).containsExactly("null", "1700000000.000000100");
    assertThat(supervisor.connected()).isTrue();
    assertThat(supervisor.lastEventAt()).isEqualTo(delivered.get(1).instant());
    assertThat(states).extracting(StreamState::connected, StreamState::reconnect)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(true, false),
            org.assertj.core.groups.Tuple.tuple(false, false),
            org.assertj.core.groups.Tuple.tuple(true, true));
    assertThat(states.get(1).reason()).isEqualTo("GET /events: the daemon ended the event stream");

    supervisor.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(supervisor.connected()).isFalse();
    assertThat(states.get(states.size() - 1)).isEqualTo(new StreamState(false, "stopped", false));
  }

  @Test
  void aFailingReconcileIsRetriedBeforeResubscribing(Vertx vertx) throws Exception {
    FakeDaemon fake = new FakeDaemon(vertx, dir.resolve("d.sock"), this::serveEvents);
    fake.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    DockerClient client = DockerClient.connect(vertx, DockerClientOptions.of(
        DockerHost.parse(fake.address(), false, null))).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    AtomicInteger attempts = new AtomicInteger();
    EventSupervisor supervisor = new EventSupervisor(vertx, client, EventSupervisorOptions.defaults()
        .withBackoff(Duration.ofMillis(10), Duration.ofMillis(200)), () -> attempts.incrementAndGet() < 3
            ? Future.failedFuture("inventory unavailable") : Future.succeededFuture())
        .onEvent(delivered::add);
    supervisor.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

    await().atMost(Duration.ofSeconds(30)).until(() -> delivered.size() == 2);
    assertThat(attempts.get()).isEqualTo(3);
    // Only the successful reconcile leads to a subscription.
    assertThat(sinceParams).hasSize(2);
    assertThat(supervisor.reconnects()).isEqualTo(1);
    supervisor.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void startResumesFromAPersistedEventTime(Vertx vertx) throws Exception {
    FakeDaemon fake = new FakeDaemon(vertx, dir.resolve("d.sock"), req -> {
      sinceParams.add(String.valueOf(req.getParam("since")));
      req.response().setChunked(true).write(SECOND);
    });
    fake.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    DockerClient client = DockerClient.connect(vertx, DockerClientOptions.of(
        DockerHost.parse(fake.address(), false, null))).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    EventSupervisor supervisor = supervisor(vertx, client);
    supervisor.start(1_700_000_000_000_000_100L).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

    await().atMost(Duration.ofSeconds(30)).until(() -> delivered.size() == 1);
    assertThat(sinceParams).containsExactly("1700000000.000000100");
    assertThat(supervisor.since()).isEqualTo("1700000000.500000000");
    assertThat(reconciles.get()).isZero();
    supervisor.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
