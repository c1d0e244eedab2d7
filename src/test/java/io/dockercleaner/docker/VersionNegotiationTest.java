package io.dockercleaner.docker;

import static io.dockercleaner.docker.ClientTests.await;
import static io.dockercleaner.docker.ClientTests.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.testsupport.FakeDaemon;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** API version negotiation at connect time, against a fake daemon reporting chosen versions. */
class VersionNegotiationTest {
  private Vertx vertx;
  private FakeDaemon daemon;

  @BeforeEach
  void start() {
    vertx = ClientTests.newVertx();
    daemon = FakeDaemon.start(vertx);
    daemon.json("GET", "/info", 200, "{\"Name\":\"fake\",\"Driver\":\"overlay2\",\"DockerRootDir\":\"/x\"}");
  }

  @AfterEach
  void stop() {
    daemon.close();
    await(vertx.close());
  }

  private Future<DockerClient> connect() {
    return DockerClient.connect(vertx, DockerClientOptions.of(DockerHost.parse(daemon.host(), false, null)));
  }

  @Test
  void daemonAtOurNewestVersionGetsItAndEveryRequestIsPrefixed() {
    daemon.apiVersions("1.55", "1.24");
    DockerClient client = await(connect());

    assertThat(client.apiVersion()).isEqualTo(ApiVersion.of(1, 55));
    assertThat(await(client.info()).driver()).isEqualTo("overlay2");
    assertThat(daemon.requests()).contains("GET /v1.55/info");
    await(client.close());
  }

  @Test
  void newerDaemonIsSpokenToAtOurNewestVersion() {
    daemon.apiVersions("1.60", "1.24");
    DockerClient client = await(connect());

    assertThat(client.apiVersion()).isEqualTo(ApiVersion.MAX_SUPPORTED).isEqualTo(ApiVersion.of(1, 55));
    await(client.info());
    assertThat(daemon.requests()).contains("GET /v1.55/info");
    await(client.close());
  }

  @Test
  void daemonOlderThanOurOldestVersionIsRefusedWithAnUpgradeHint() {
    daemon.apiVersions("1.24", "1.12");

    DockerException e = failure(connect());

    assertThat(e.kind()).isEqualTo(DockerException.Kind.UNSUPPORTED);
    assertThat(e.getMessage()).contains("no common API version", "1.24", "1.41", "upgrade the daemon");
  }

  @Test
  void daemonWhoseMinimumIsAboveOurNewestIsRefused() {
    daemon.apiVersions("1.62", "1.60");

    DockerException e = failure(connect());

    assertThat(e.kind()).isEqualTo(DockerException.Kind.UNSUPPORTED);
    assertThat(e.getMessage()).contains("no common API version", "1.60", "1.55");
  }

  @Test
  void noVersionedRequestIsSentWhenNegotiationFails() {
    daemon.apiVersions("1.24", "1.12");

    failure(connect());

    assertThat(daemon.requests()).containsExactly("GET /_ping", "GET /version");
  }
}
