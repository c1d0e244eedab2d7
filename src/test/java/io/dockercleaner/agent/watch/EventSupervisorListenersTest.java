package io.dockercleaner.agent.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dockercleaner.docker.DockerClient;
import io.dockercleaner.docker.DockerClientOptions;
import io.dockercleaner.docker.DockerHost;
import io.dockercleaner.testsupport.TempDirs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
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

/**
 * Every consumer sees every event and every connection change: listeners are added, never
 * replaced (the agent's usage state and the metrics each register one), and one that throws does
 * not keep the event from the others.
 */
@ExtendWith(VertxExtension.class)
class EventSupervisorListenersTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String CREATE = line("create", "c1", 1_700_000_000_000_000_100L);
  private static final String START = line("start", "c1", 1_700_000_000_500_000_000L);

  private final AtomicInteger subscriptions = new AtomicInteger();
  private Path dir;

  private static String line(String action, String id, long timeNano) {
    return "{\"Type\":\"container\",\"Action\":\"" + action + "\",\"Actor\":{\"ID\":\"" + id
        + "\",\"Attributes\":{\"image\":\"busybox\"}},\"scope\":\"local\",\"time\":"
        + timeNano / 1_000_000_000L + ",\"timeNano\":" + timeNano + "}\n";
  }

  @BeforeEach
  void socketDir() throws Exception {
    dir = TempDirs.underTmp("dcl");
  }

  @AfterEach
  void removeSocketDir() {
    TempDirs.delete(dir);
  }

  /** First stream: two events, then the daemon ends it (a loss); the second stays open, empty. */
  private void serveEvents(HttpServerRequest req) {
    var response = req.response().setChunked(true).putHeader("Content-Type", "application/json");
    if (subscriptions.incrementAndGet() == 1) {
      response.write(CREATE);
      response.write(START);
      response.end();
    } else {
      response.writeHead(); // open, no events yet: the daemon answers its headers at once
    }
  }

  @Test
  void everyListenerSeesEveryEventAndStateChangeEvenWhenAnEarlierOneThrows(Vertx vertx) throws Exception {
    FakeDaemon fake = new FakeDaemon(vertx, dir.resolve("d.sock"), this::serveEvents);
    get(fake.start());
    DockerClient client = get(DockerClient.connect(vertx, DockerClientOptions.of(
        DockerHost.parse(fake.address(), false, null))));
    List<String> first = new CopyOnWriteArrayList<>();
    List<String> second = new CopyOnWriteArrayList<>();
    List<String> third = new CopyOnWriteArrayList<>();
    List<StreamState> statesA = new CopyOnWriteArrayList<>();
    List<StreamState> statesB = new CopyOnWriteArrayList<>();
    EventSupervisor supervisor = new EventSupervisor(vertx, client, EventSupervisorOptions.defaults()
        .withBackoff(Duration.ofMillis(10), Duration.ofMillis(200)), () -> Future.succeededFuture());
    // registered in this order, as the agent (usage state) and then the runtime (metrics) do
    supervisor.onEvent(e -> first.add(e.action()));
    supervisor.onEvent(e -> {
      second.add(e.action());
      throw new IllegalStateException("a broken consumer");
    });
    supervisor.onEvent(e -> third.add(e.action()));
    supervisor.onStateChange(s -> {
      statesA.add(s);
      throw new IllegalStateException("a broken state consumer");
    });
    supervisor.onStateChange(statesB::add);

    get(supervisor.start());
    // both events, the loss at the end of the first stream, then the reconnection
    await().atMost(WAIT).until(() -> third.size() == 2 && statesB.size() == 3);

    assertThat(first).as("the first listener").containsExactly("create", "start");
    assertThat(second).as("the throwing listener still gets every event").containsExactly("create", "start");
    assertThat(third).as("a listener after a throwing one").containsExactly("create", "start");
    assertThat(statesB).extracting(StreamState::connected, StreamState::reconnect)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(true, false),
            org.assertj.core.groups.Tuple.tuple(false, false),
            org.assertj.core.groups.Tuple.tuple(true, true));
    assertThat(statesA).as("the throwing state listener saw the same changes").isEqualTo(statesB);
    assertThat(supervisor.eventsReceived()).isEqualTo(2);
    assertThat(supervisor.connected()).as("a throwing listener does not break the stream").isTrue();

    get(supervisor.stop());
    assertThat(statesB.get(statesB.size() - 1)).isEqualTo(new StreamState(false, "stopped", false));
    assertThat(statesA.get(statesA.size() - 1)).isEqualTo(new StreamState(false, "stopped", false));
  }

  private static <T> T get(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }
}
