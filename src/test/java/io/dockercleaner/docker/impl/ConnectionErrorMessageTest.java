package io.dockercleaner.docker.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.docker.DockerClient;
import io.dockercleaner.docker.DockerClientOptions;
import io.dockercleaner.docker.DockerException;
import io.dockercleaner.docker.DockerHost;
import io.dockercleaner.testsupport.FakeDaemon;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The permission-denied message. Tests run as root, and root connects to any socket whatever its
 * mode (CAP_DAC_OVERRIDE), so a real EACCES cannot be provoked here: this feeds the message
 * builder the transport error Netty reports ({@code connect(..) failed: Permission denied}) for a
 * real socket with mode 600.
 */
class ConnectionErrorMessageTest {

  @Test
  void permissionDeniedNamesTheSocketItsOwnerGroupModeAndTheFix() throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    try (FakeDaemon daemon = FakeDaemon.start(vertx)) {
      DockerClientImpl client = (DockerClientImpl) DockerClient.connect(vertx,
          DockerClientOptions.of(DockerHost.parse(daemon.host(), false, null))).await(60, TimeUnit.SECONDS);
      Files.setPosixFilePermissions(daemon.socket(), PosixFilePermissions.fromString("rw-------"));

      DockerException e = client.connectionError("GET /_ping",
          new IOException("connect(..) failed: Permission denied"));

      assertThat(e.kind()).isEqualTo(DockerException.Kind.CONNECTION);
      assertThat(e.getMessage()).contains("permission denied on " + daemon.socket(), "owner root",
          "group root gid 0", "mode rw-------", "--group-add");
      client.close().await(60, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(60, TimeUnit.SECONDS);
    }
  }
}
