package io.dockercleaner.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.docker.DockerHost;
import org.junit.jupiter.api.Test;

/**
 * Which daemons' data roots the disk watermarks may measure: a daemon on this machine (a unix
 * socket, or tcp to a loopback address); a daemon elsewhere has its data root on another machine,
 * so the agent watches DOCKER_USAGE_LIMIT there instead (unless DISK_PATH names a mount of it).
 */
class LocalDaemonTest {
  // parsed only: nothing connects to these addresses
  private static boolean local(String address) {
    return Agent.isLocal(DockerHost.parse(address, false, null));
  }

  @Test
  void unixSocketsAndLoopbackAreLocalOtherAddressesAreNot() {
    assertThat(local("unix:///tmp/dc-parse-only/docker.sock")).isTrue();
    assertThat(local("tcp://127.0.0.1:2375")).isTrue();
    assertThat(local("tcp://localhost:2375")).isTrue();
    assertThat(local("tcp://10.0.0.5:2376")).isFalse();
    assertThat(local("tcp://build1.example.com:2376")).isFalse();
  }
}
