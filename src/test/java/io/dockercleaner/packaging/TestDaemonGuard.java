package io.dockercleaner.packaging;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Picks the private test daemon for tests that change a daemon's contents, and refuses any other:
 * only a unix socket under /tmp/dcd/ with bin/test-daemon's marker file beside it. Reads
 * DOCKER_CLEANER_TEST_HOST (the project's convention), else DOCKER_HOST.
 */
final class TestDaemonGuard {
  static final String ROOT = "/tmp/dcd/";
  static final String MARKER = ".docker-cleaner-test-daemon";

  private TestDaemonGuard() {}

  /**
   * The daemon's address (unix:///tmp/dcd/NAME/docker.sock). Fails when DOCKER_CLEANER_TEST_HOST
   * names anything else; skips the test when neither variable names a test daemon.
   */
  static String dockerHost() {
    // a skip here would silently hide a daemon test in the unit layer
    io.dockercleaner.testsupport.TestLayers.refuseInUnitLayer("a private daemon");
    String explicit = System.getenv("DOCKER_CLEANER_TEST_HOST");
    String candidate = explicit != null && !explicit.isBlank() ? explicit : System.getenv("DOCKER_HOST");
    Assumptions.assumeTrue(candidate != null && !candidate.isBlank(),
        "no test daemon: set DOCKER_CLEANER_TEST_HOST (see bin/test-daemon env NAME)");
    String refusal = refusal(candidate);
    if (refusal != null) {
      if (explicit != null && !explicit.isBlank()) {
        Assertions.fail("DOCKER_CLEANER_TEST_HOST refused: " + refusal);
      }
      Assumptions.abort("DOCKER_HOST is not a test daemon (" + refusal + "); set DOCKER_CLEANER_TEST_HOST");
    }
    return candidate;
  }

  /** The socket path of a {@link #dockerHost()} address. */
  static Path socket(String dockerHost) {
    return Path.of(dockerHost.substring("unix://".length()));
  }

  static String refusal(String dockerHost) {
    if (!dockerHost.startsWith("unix://")) {
      return dockerHost + " is not a unix socket";
    }
    Path socket = socket(dockerHost).normalize();
    if (!socket.isAbsolute() || !socket.toString().startsWith(ROOT)) {
      return socket + " is not under " + ROOT;
    }
    if (!Files.isRegularFile(socket.resolveSibling(MARKER))) {
      return "no " + MARKER + " beside " + socket + " (start it with bin/test-daemon start NAME)";
    }
    if (!Files.exists(socket)) {
      return socket + " does not exist";
    }
    return null;
  }
}
