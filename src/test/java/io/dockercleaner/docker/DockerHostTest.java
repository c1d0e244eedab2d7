package io.dockercleaner.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** DOCKER_HOST parsing, as the docker CLI reads it. */
class DockerHostTest {

  @Test
  void unixSocket() {
    DockerHost h = DockerHost.parse(DockerHost.DEFAULT_HOST, false, null);

    assertThat(h.isUnix()).isTrue();
    assertThat(h.unixSocketPath()).isEqualTo(DockerHost.DEFAULT_SOCKET);
    assertThat(h.host()).isEqualTo("localhost");
    assertThat(h.tls()).isFalse();
    assertThat(h.describe()).isEqualTo(DockerHost.DEFAULT_HOST);
  }

  @Test
  void unsetDockerHostMeansTheDefaultSocket() {
    DockerHost h = DockerHost.fromEnvironment(Map.of());

    assertThat(h.unixSocketPath()).isEqualTo(DockerHost.DEFAULT_SOCKET);
  }

  @ParameterizedTest
  @CsvSource({
      "tcp://10.0.0.5:2375, 10.0.0.5, 2375",
      "tcp://docker.example, docker.example, 2375",
      "tcp://127.0.0.1:12345, 127.0.0.1, 12345"})
  void plainTcp(String value, String host, int port) {
    DockerHost h = DockerHost.fromEnvironment(Map.of("DOCKER_HOST", value));

    assertThat(h.isUnix()).isFalse();
    assertThat(h.host()).isEqualTo(host);
    assertThat(h.port()).isEqualTo(port);
    assertThat(h.tls()).isFalse();
    assertThat(h.certPath()).isNull();
  }

  @Test
  void tcpWithTlsVerifyFromTheEnvironmentUsesTlsOnPort2376AndTheCertPath() {
    DockerHost h = DockerHost.fromEnvironment(Map.of("DOCKER_HOST", "tcp://docker.example",
        "DOCKER_TLS_VERIFY", "1", "DOCKER_CERT_PATH", "/certs/client"));

    assertThat(h.tls()).isTrue();
    assertThat(h.tlsVerify()).isTrue();
    assertThat(h.port()).isEqualTo(2376);
    assertThat(h.certPath()).isEqualTo(Path.of("/certs/client"));
    assertThat(h.describe()).isEqualTo("tcp+tls://docker.example:2376");
  }

  @Test
  void tlsVerifyWithoutCertPathLooksInHomeDotDocker() {
    DockerHost h = DockerHost.fromEnvironment(Map.of("DOCKER_HOST", "tcp://d:2376",
        "DOCKER_TLS_VERIFY", "1", "HOME", "/home/ops"));

    assertThat(h.certPath()).isEqualTo(Path.of("/home/ops/.docker"));
  }

  @Test
  void tlsVerifyNeedsTheThreeCertificateFilesLikeTheDockerCli(@TempDir Path certs) throws Exception {
    DockerHost h = DockerHost.fromEnvironment(Map.of("DOCKER_HOST", "tcp://d:2376", "DOCKER_TLS_VERIFY", "1",
        "DOCKER_CERT_PATH", certs.toString()));
    Files.writeString(certs.resolve("cert.pem"), "x");

    assertThatThrownBy(h::checkCertificates).isInstanceOfSatisfying(DockerException.class, e -> {
      assertThat(e.kind()).isEqualTo(DockerException.Kind.UNSUPPORTED);
      assertThat(e.getMessage()).isEqualTo("DOCKER_CERT_PATH: DOCKER_TLS_VERIFY is set, so ca.pem, cert.pem, key.pem"
          + " must be readable files in " + certs + " (DOCKER_CERT_PATH, default ~/.docker); missing or unreadable:"
          + " ca.pem, key.pem");
    });
    Files.writeString(certs.resolve("ca.pem"), "x");
    Files.writeString(certs.resolve("key.pem"), "x");
    h.checkCertificates();
  }

  @Test
  void certificatesAreOnlyRequiredWhenVerifying() {
    DockerHost.fromEnvironment(Map.of("DOCKER_HOST", "https://d:2376", "DOCKER_CERT_PATH", "/nonexistent"))
        .checkCertificates();
    DockerHost.fromEnvironment(Map.of("DOCKER_HOST", "unix:///run/x.sock", "DOCKER_TLS_VERIFY", "1",
        "DOCKER_CERT_PATH", "/nonexistent")).checkCertificates();
  }

  @Test
  void tlsVerifyZeroMeansNoTls() {
    DockerHost h = DockerHost.fromEnvironment(Map.of("DOCKER_HOST", "tcp://d:2375", "DOCKER_TLS_VERIFY", "0"));

    assertThat(h.tls()).isFalse();
  }

  @Test
  void sshIsRefusedWithWhatToDoInstead() {
    assertThatThrownBy(() -> DockerHost.parse("ssh://ops@build-host", false, null))
        .isInstanceOfSatisfying(DockerException.class, e -> {
          assertThat(e.kind()).isEqualTo(DockerException.Kind.UNSUPPORTED);
          assertThat(e.getMessage()).contains("ssh:// is not supported", "ssh -nNT -L",
              "DOCKER_HOST=unix://", "run docker-cleaner on that host");
        });
  }

  @Test
  void namedPipeIsRefused() {
    assertThatThrownBy(() -> DockerHost.parse("npipe:////./pipe/docker_engine", false, null))
        .isInstanceOfSatisfying(DockerException.class, e -> {
          assertThat(e.kind()).isEqualTo(DockerException.Kind.UNSUPPORTED);
          assertThat(e.getMessage()).contains("named pipes are not supported");
        });
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "garbage | expected a URL",
      DockerHost.DEFAULT_SOCKET + " | expected a URL",
      "unix://relative.sock | absolute path",
      "ftp://host | unsupported scheme 'ftp'",
      "tcp://host:2375/path | a path after HOST:PORT"})
  void garbageIsRefusedNamingTheValue(String value, String hint) {
    assertThatThrownBy(() -> DockerHost.parse(value, false, null))
        .isInstanceOfSatisfying(DockerException.class, e -> {
          assertThat(e.kind()).isEqualTo(DockerException.Kind.UNSUPPORTED);
          assertThat(e.getMessage()).contains("DOCKER_HOST", "'" + value + "'", hint);
        });
  }

  @Test
  void socketPathsOf108BytesOrMoreAreRefused() {
    String longPath = "/tmp/" + "x".repeat(110);

    assertThatThrownBy(() -> DockerHost.parse("unix://" + longPath, false, null))
        .hasMessageContaining("shorter than 108 bytes");
  }
}
