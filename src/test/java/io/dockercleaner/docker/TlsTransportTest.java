package io.dockercleaner.docker;

import static io.dockercleaner.docker.ClientTests.await;
import static io.dockercleaner.docker.ClientTests.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.testsupport.CliRun;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tcp:// with mutual TLS, as the docker CLI does it (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH with
 * ca.pem, cert.pem, key.pem), against the real private daemon that bin/test-daemon started with
 * {@code --tls-port} (loopback only).
 */
@Tag("daemon")
class TlsTransportTest {
  private static Vertx vertx;
  private static String tcpHost;
  private static Path certs;

  @BeforeAll
  static void setUp() throws Exception {
    Path dir = TestDaemons.socketOf(TestDaemons.main()).getParent();
    Path portFile = dir.resolve("tls-port");
    assertThat(portFile).as("the main test daemon must be started with --tls-port (bin/test does)").exists();
    tcpHost = "tcp://127.0.0.1:" + Files.readString(portFile).trim();
    certs = dir.resolve("tls");
    vertx = ClientTests.newVertx();
  }

  @AfterAll
  static void tearDown() {
    if (vertx != null) {
      await(vertx.close());
    }
  }

  @Test
  void mutualTlsConnectsNegotiatesAndCalls() {
    DockerHost host = DockerHost.fromEnvironment(Map.of("DOCKER_HOST", tcpHost, "DOCKER_TLS_VERIFY", "1",
        "DOCKER_CERT_PATH", certs.toString()));
    assertThat(host.tls()).isTrue();
    DockerClient client = await(DockerClient.connect(vertx, DockerClientOptions.of(host)));
    try {
      assertThat(client.apiVersion()).isEqualTo(ApiVersion.of(1, 41));
      assertThat(await(client.info()).driver()).isEqualTo("overlay2");
      assertThat(await(client.listImages(Filters.NONE))).anySatisfy(i ->
          assertThat(i.repoTags()).contains(TestDaemons.TEST_IMAGE));
    } finally {
      await(client.close());
    }
  }

  @Test
  void tlsVerifyWithoutTheClientCertificateIsRefusedBeforeConnecting(@TempDir Path onlyCa) throws Exception {
    Files.copy(certs.resolve("ca.pem"), onlyCa.resolve("ca.pem"));
    DockerHost host = DockerHost.fromEnvironment(Map.of("DOCKER_HOST", tcpHost, "DOCKER_TLS_VERIFY", "1",
        "DOCKER_CERT_PATH", onlyCa.toString()));
    DockerException e = failure(DockerClient.connect(vertx, DockerClientOptions.of(host)));
    assertThat(e.kind()).isEqualTo(DockerException.Kind.UNSUPPORTED);
    assertThat(e.getMessage()).startsWith("DOCKER_CERT_PATH: ").contains("DOCKER_TLS_VERIFY", onlyCa.toString())
        .endsWith("missing or unreadable: cert.pem, key.pem");
  }

  @Test
  void withoutAClientCertificateTheDaemonRefuses(@TempDir Path onlyCa) throws Exception {
    // https:// without DOCKER_TLS_VERIFY: no verification and no client certificate, which the daemon requires
    Files.copy(certs.resolve("ca.pem"), onlyCa.resolve("ca.pem"));
    DockerHost host = DockerHost.fromEnvironment(Map.of("DOCKER_HOST", tcpHost.replace("tcp://", "https://"),
        "DOCKER_CERT_PATH", onlyCa.toString()));
    assertThat(host.tls()).isTrue();
    DockerException e = failure(DockerClient.connect(vertx, DockerClientOptions.of(host)));
    assertThat(e.kind()).isEqualTo(DockerException.Kind.CONNECTION);
  }

  @Test
  void tlsVerifyWithoutCertificatesIsAConfigurationErrorOfTheCli(@TempDir Path empty) throws Exception {
    CliRun r = CliRun.run(Map.of("DOCKER_HOST", tcpHost, "DOCKER_TLS_VERIFY", "1", "DOCKER_CERT_PATH", empty.toString()),
        "check");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("Invalid configuration: DOCKER_CERT_PATH: DOCKER_TLS_VERIFY is set",
        "missing or unreadable: ca.pem, cert.pem, key.pem");
  }

  @Test
  void plainHttpToTheTlsPortFails() {
    DockerHost host = DockerHost.fromEnvironment(Map.of("DOCKER_HOST", tcpHost));
    assertThat(host.tls()).isFalse();
    DockerException e = failure(DockerClient.connect(vertx, DockerClientOptions.of(host)));
    assertThat(e.status()).isNotEqualTo(200);
  }

  @Test
  void theCheckCommandWorksOverTls() {
    CliRun r = CliRun.run(Map.of("DOCKER_HOST", tcpHost, "DOCKER_TLS_VERIFY", "1", "DOCKER_CERT_PATH", certs.toString()),
        "check");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).contains("api version:    1.41").contains("tcp+tls://127.0.0.1:");
  }
}
