package io.dockercleaner.docker;

import static io.dockercleaner.docker.ClientTests.await;
import static io.dockercleaner.docker.ClientTests.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dockercleaner.docker.DockerException.Kind;
import io.dockercleaner.docker.codec.EventDecoder;
import io.dockercleaner.docker.model.DockerEvent;
import io.dockercleaner.testsupport.FakeDaemon;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the client does when the daemon misbehaves: every future completes, with the right Kind. */
class ClientFaultTest {
  private static final String EVENT_LINE = "{\"Type\":\"volume\",\"Action\":\"create\",\"Actor\":{\"ID\":\"v1\","
      + "\"Attributes\":{\"driver\":\"local\"}},\"scope\":\"local\",\"time\":1700000000,\"timeNano\":1700000000000000001}\n";

  private Vertx vertx;
  private FakeDaemon daemon;

  @BeforeEach
  void start() {
    vertx = ClientTests.newVertx();
    daemon = FakeDaemon.start(vertx);
  }

  @AfterEach
  void stop() {
    daemon.close();
    await(vertx.close());
  }

  private DockerClient connect(DockerClientOptions options) {
    return await(DockerClient.connect(vertx, options));
  }

  private DockerClientOptions options() {
    return DockerClientOptions.of(DockerHost.parse(daemon.host(), false, null));
  }

  @Test
  void connectionClosedMidResponseFailsWithConnection() {
    daemon.on("GET", "/info", req -> {
      req.response().putHeader("Content-Length", "1000").putHeader("Content-Type", "application/json");
      req.response().write("{\"Name\":\"half");
      req.connection().close();
    });
    DockerClient client = connect(options());

    DockerException e = failure(client.info());

    assertThat(e.kind()).isEqualTo(Kind.CONNECTION);
    assertThat(e.operation()).isEqualTo("GET /info");
  }

  @Test
  void stalledResponseFailsWithTimeoutAndTheConnectionIsDropped() {
    AtomicBoolean serverSawClose = new AtomicBoolean();
    daemon.on("GET", "/info", req -> req.connection().closeHandler(v -> serverSawClose.set(true)));
    DockerClient client = connect(options().withRequestTimeout(Duration.ofMillis(200)));

    DockerException e = failure(client.info());

    assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
    assertThat(e.getMessage()).contains("no complete answer within 200 ms");
    // the stalled request is reset, so the pooled connection is not left waiting forever
    await().atMost(Duration.ofSeconds(ClientTests.MAX_WAIT_SECONDS)).untilTrue(serverSawClose);
  }

  @Test
  void concurrentDiskUsageCallsShareOneRequest() {
    // Docker 20.10 refuses a second concurrent /system/df ("a disk usage operation is already running")
    java.util.List<io.vertx.core.http.HttpServerRequest> held = new java.util.concurrent.CopyOnWriteArrayList<>();
    daemon.on("GET", "/system/df", held::add);
    DockerClient client = connect(options());

    io.vertx.core.Future<io.dockercleaner.docker.model.DiskUsage> first = client.systemDf();
    io.vertx.core.Future<io.dockercleaner.docker.model.DiskUsage> second = client.systemDf();
    await().atMost(Duration.ofSeconds(ClientTests.MAX_WAIT_SECONDS)).until(() -> !held.isEmpty());
    held.get(0).response().putHeader("Content-Type", "application/json").end("{\"LayersSize\":42}");

    assertThat(ClientTests.await(first).layersSizeBytes()).isEqualTo(42);
    assertThat(ClientTests.await(second).layersSizeBytes()).isEqualTo(42);
    assertThat(held).hasSize(1);
    assertThat(daemon.requests().stream().filter(r -> r.contains("/system/df")).count()).isEqualTo(1);
  }

  @Test
  void serverErrorCarriesTheDaemonsMessage() {
    daemon.json("GET", "/system/df", 500, "{\"message\":\"error getting disk usage: boom\"}");
    DockerClient client = connect(options());

    DockerException e = failure(client.systemDf());

    assertThat(e.kind()).isEqualTo(Kind.HTTP_ERROR);
    assertThat(e.status()).isEqualTo(500);
    assertThat(e.daemonMessage()).isEqualTo("error getting disk usage: boom");
    assertThat(e.getMessage()).isEqualTo("GET /system/df: HTTP 500: error getting disk usage: boom");
  }

  @Test
  void notFoundIsNotFound() {
    daemon.json("DELETE", "/volumes/nope", 404, "{\"message\":\"get nope: no such volume\"}");
    DockerClient client = connect(options());

    DockerException e = failure(client.removeVolume("nope"));

    assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
    assertThat(e.daemonMessage()).isEqualTo("get nope: no such volume");
  }

  @Test
  void nonJsonBodyIsAProtocolError() {
    daemon.on("GET", "/containers/json", req -> req.response().putHeader("Content-Type", "text/html")
        .end("<html>proxy error</html>"));
    DockerClient client = connect(options());

    DockerException e = failure(client.listContainers(true, false, Filters.NONE));

    assertThat(e.kind()).isEqualTo(Kind.PROTOCOL);
    assertThat(e.getMessage()).contains("not JSON", "<html>proxy error</html>");
  }

  @Test
  void bodyOverTheLimitIsAProtocolError() {
    daemon.on("GET", "/images/json", req -> req.response().putHeader("Content-Type", "application/json")
        .end("[" + "{\"Id\":\"sha256:aaaa\"},".repeat(1000) + "{}]"));
    DockerClient client = connect(options().withMaxResponseBytes(4096));

    DockerException e = failure(client.listImages(Filters.NONE));

    assertThat(e.kind()).isEqualTo(Kind.PROTOCOL);
    assertThat(e.getMessage()).contains("exceeds the limit of 4096 bytes");
  }

  @Test
  void missingSocketSaysSoAndHowToMountIt() throws Exception {
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "nosock");
    try {
      String host = "unix://" + dir.resolve("docker.sock");

      DockerException e = failure(DockerClient.connect(vertx,
          DockerClientOptions.of(DockerHost.parse(host, false, null))));

      assertThat(e.kind()).isEqualTo(Kind.CONNECTION);
      assertThat(e.getMessage()).contains(dir.resolve("docker.sock") + " does not exist",
          DockerHost.SOCKET_MOUNT_HINT);
    } finally {
      Files.deleteIfExists(dir);
    }
  }

  @Test
  void typedEventsArriveAndTheDaemonEndingTheStreamFailsEnded() {
    daemon.on("GET", "/events", req -> {
      req.response().setChunked(true).putHeader("Content-Type", "application/json");
      // split inside a line: the decoder must join chunks
      req.response().write(EVENT_LINE.substring(0, 20));
      req.response().write(EVENT_LINE.substring(20) + EVENT_LINE.replace("create", "destroy"));
      req.response().end();
    });
    DockerClient client = connect(options());
    Recorder recorder = new Recorder();

    DockerClient.EventStream stream = await(client.events(Filters.NONE, null, recorder));
    DockerException e = failure(stream.ended());

    assertThat(e.kind()).isEqualTo(Kind.CONNECTION);
    assertThat(e.getMessage()).contains("ended the event stream");
    assertThat(recorder.events).extracting(DockerEvent::type, DockerEvent::action, DockerEvent::actorId)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("volume", "create", "v1"),
            org.assertj.core.groups.Tuple.tuple("volume", "destroy", "v1"));
    assertThat(recorder.events.get(0).timeNano()).isEqualTo(1700000000000000001L);
  }

  @Test
  void streamCutInsideALineReportsTheCutLine() {
    daemon.on("GET", "/events", req -> {
      req.response().setChunked(true);
      req.response().write(EVENT_LINE + "{\"Type\":\"vol");
      req.response().end();
    });
    DockerClient client = connect(options());
    Recorder recorder = new Recorder();

    DockerClient.EventStream stream = await(client.events(Filters.NONE, null, recorder));
    failure(stream.ended());

    await().atMost(Duration.ofSeconds(ClientTests.MAX_WAIT_SECONDS))
        .until(() -> recorder.malformed.contains("stream ended inside a line"));
    assertThat(recorder.events).hasSize(1);
  }

  @Test
  void connectionDroppedUnderTheEventStreamFailsEnded() {
    daemon.on("GET", "/events", req -> {
      req.response().setChunked(true).write(EVENT_LINE).onComplete(written -> req.connection().close());
    });
    DockerClient client = connect(options());
    Recorder recorder = new Recorder();

    DockerClient.EventStream stream = await(client.events(Filters.NONE, null, recorder));

    assertThat(failure(stream.ended()).kind()).isEqualTo(Kind.CONNECTION);
    assertThat(recorder.events).hasSize(1);
  }

  @Test
  void closingTheEventStreamCompletesEnded() {
    List<HttpServerRequest> open = new CopyOnWriteArrayList<>();
    daemon.on("GET", "/events", req -> {
      open.add(req);
      req.response().setChunked(true).write(EVENT_LINE);
    });
    DockerClient client = connect(options());
    Recorder recorder = new Recorder();
    DockerClient.EventStream stream = await(client.events(Filters.NONE, "1700000000", recorder));
    await().atMost(Duration.ofSeconds(ClientTests.MAX_WAIT_SECONDS)).until(() -> recorder.events.size() == 1);

    stream.close();

    await(stream.ended());
    assertThat(daemon.requests()).contains("GET /v1.41/events?since=1700000000&");
  }

  @Test
  void eventStreamAnsweredWithAnErrorFailsToOpen() {
    daemon.json("GET", "/events", 400, "{\"message\":\"invalid filter 'bogus'\"}");
    DockerClient client = connect(options());

    DockerException e = failure(client.events(Filters.NONE.with("bogus", "x"), null, new Recorder()));

    assertThat(e.kind()).isEqualTo(Kind.HTTP_ERROR);
    assertThat(e.daemonMessage()).isEqualTo("invalid filter 'bogus'");
  }

  /** Collects decoder output; written from the event loop, read from the test thread. */
  static final class Recorder implements EventDecoder.Listener {
    final List<DockerEvent> events = new CopyOnWriteArrayList<>();
    final List<String> malformed = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(DockerEvent event) {
      events.add(event);
    }

    @Override
    public void onMalformed(String reason, int lineLengthBytes) {
      malformed.add(reason);
    }
  }
}
