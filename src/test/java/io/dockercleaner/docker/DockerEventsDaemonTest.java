package io.dockercleaner.docker;

import static io.dockercleaner.docker.ClientTests.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dockercleaner.docker.ClientFaultTest.Recorder;
import io.dockercleaner.docker.model.DockerEvent;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Typed events from the private dockerd: what arrives, {@code since} replay, filters. */
@Tag("daemon")
class DockerEventsDaemonTest {
  private static final Duration MAX_WAIT = Duration.ofSeconds(ClientTests.MAX_WAIT_SECONDS);

  private static Vertx vertx;
  private static DockerClient client;
  private static String host;

  private String run;
  private final List<DockerClient.EventStream> streams = new ArrayList<>();
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
    run = "ev" + UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterEach
  void cleanUp() {
    streams.forEach(DockerClient.EventStream::close);
    for (int i = cleanups.size() - 1; i >= 0; i--) {
      TestDaemons.dockerResult(host, null, cleanups.get(i));
    }
  }

  private String docker(String... args) {
    return TestDaemons.docker(host, args);
  }

  private Recorder subscribe(Filters filters, String since) {
    Recorder recorder = new Recorder();
    streams.add(await(client.events(filters, since, recorder)));
    return recorder;
  }

  private static Predicate<DockerEvent> event(String type, String action, Predicate<DockerEvent> actor) {
    return e -> e.type().equals(type) && e.action().equals(action) && actor.test(e);
  }

  private static Predicate<DockerEvent> named(String name) {
    return e -> name.equals(e.attribute("name"));
  }

  private static Predicate<DockerEvent> id(String id) {
    return e -> id.equals(e.actorId());
  }

  private static void awaitAll(Recorder recorder, List<Predicate<DockerEvent>> expected) {
    await().atMost(MAX_WAIT).untilAsserted(() -> {
      for (Predicate<DockerEvent> p : expected) {
        assertThat(recorder.events).anyMatch(p);
      }
    });
  }

  @Test
  void containerImageVolumeAndNetworkEventsArriveTyped() {
    Recorder recorder = subscribe(Filters.NONE.with("type", "container").with("type", "image")
        .with("type", "volume").with("type", "network"), null);
    String container = run + "-c";
    String tag = "dc-test/" + run + ":1";
    String builtTag = run + "-img:1";

    cleanups.add(new String[] {"rm", "-f", container});
    String containerId = docker("create", "--name", container, TestDaemons.TEST_IMAGE, "true");
    docker("start", "-a", container);
    docker("rm", container);
    String imageId = docker("image", "inspect", "-f", "{{.Id}}", TestDaemons.TEST_IMAGE);
    cleanups.add(new String[] {"rmi", tag});
    docker("tag", TestDaemons.TEST_IMAGE, tag);
    docker("rmi", tag);
    cleanups.add(new String[] {"rmi", "-f", builtTag});
    String builtId = TestDaemons.build(host, builtTag, "FROM " + TestDaemons.TEST_IMAGE + "\nRUN echo " + run + " > /f\n");
    docker("rmi", builtTag);
    docker("volume", "create", run + "-v");
    docker("volume", "rm", run + "-v");
    String networkId = docker("network", "create", run + "-n");
    docker("network", "rm", run + "-n");

    awaitAll(recorder, List.of(
        event("container", "create", id(containerId).and(named(container))),
        event("container", "start", id(containerId)),
        event("container", "die", id(containerId).and(e -> "0".equals(e.attribute("exitCode")))),
        event("container", "destroy", id(containerId)),
        event("image", "tag", id(imageId).and(named(tag))),
        event("image", "untag", id(imageId)),
        event("image", "untag", id(builtId)),
        event("image", "delete", id(builtId)),
        event("volume", "create", id(run + "-v")),
        event("volume", "destroy", id(run + "-v")),
        event("network", "create", id(networkId).and(named(run + "-n"))),
        event("network", "destroy", id(networkId))));
    DockerEvent create = recorder.events.stream().filter(id(containerId)).findFirst().orElseThrow();
    assertThat(create.action()).isEqualTo("create");
    assertThat(create.attribute("image")).isEqualTo(TestDaemons.TEST_IMAGE);
    assertThat(create.timeNano()).isPositive();
    assertThat(create.scope()).isEqualTo("local");
    assertThat(recorder.malformed).isEmpty();
  }

  @Test
  void sinceReplaysPastEvents() {
    // one second back: since has whole-second resolution here and the daemon's clock is ours
    String since = Long.toString(Instant.now().getEpochSecond() - 1);
    docker("volume", "create", run + "-v");
    docker("volume", "rm", run + "-v");

    Recorder recorder = subscribe(Filters.NONE.with("type", "volume").with("volume", run + "-v"), since);

    awaitAll(recorder, List.of(event("volume", "create", id(run + "-v")), event("volume", "destroy", id(run + "-v"))));
    assertThat(recorder.events).extracting(DockerEvent::action).containsExactly("create", "destroy");
  }

  @Test
  void filtersRestrictWhatArrives() {
    Recorder recorder = subscribe(Filters.NONE.with("type", "network").with("network", run + "-wanted"), null);

    // events arrive in order, so once the wanted network's destroy is in, the others would be too
    docker("volume", "create", run + "-v");
    docker("volume", "rm", run + "-v");
    docker("network", "create", run + "-other");
    docker("network", "rm", run + "-other");
    String wanted = docker("network", "create", run + "-wanted");
    docker("network", "rm", run + "-wanted");

    awaitAll(recorder, List.of(event("network", "destroy", id(wanted))));
    assertThat(recorder.events).allSatisfy(e -> {
      assertThat(e.type()).isEqualTo("network");
      assertThat(e.actorId()).isEqualTo(wanted);
    });
    assertThat(recorder.events).extracting(DockerEvent::action).containsExactly("create", "destroy");
  }

  @Test
  void closingALiveStreamEndsItCleanly() {
    DockerClient.EventStream stream = await(client.events(Filters.NONE.with("type", "volume"), null, new Recorder()));

    stream.close();

    await(stream.ended());
  }
}
