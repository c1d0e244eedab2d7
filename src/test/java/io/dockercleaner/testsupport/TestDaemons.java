package io.dockercleaner.testsupport;

import io.dockercleaner.docker.DockerHost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The private daemons {@code bin/test-daemon} started for this test run. Tests get daemon
 * addresses only from here, and this refuses any daemon the script did not start: prune tests
 * delete data.
 */
public final class TestDaemons {
  /** Marker file that bin/test-daemon writes next to every socket it starts. */
  public static final String MARKER = ".docker-cleaner-test-daemon";
  /** Debian's docker CLI (the newer client first on PATH lacks buildx). */
  public static final String DOCKER_CLI = "/usr/bin/docker";
  /** The local busybox image every test daemon has (labelled keep=true). */
  public static final String TEST_IMAGE = "dc-test/busybox:latest";

  /** True for the test image's name as Docker ({@link #TEST_IMAGE}) or Podman ({@code localhost/...}) lists it. */
  public static boolean isTestImage(String repoTag) {
    return repoTag.equals(TEST_IMAGE) || repoTag.equals("localhost/" + TEST_IMAGE);
  }

  private TestDaemons() {}

  /** The main private dockerd (DOCKER_CLEANER_TEST_HOST). */
  public static String main() {
    return require("DOCKER_CLEANER_TEST_HOST");
  }

  /** The dockerd whose data root is a small loop-mounted filesystem (DOCKER_CLEANER_TEST_HOST_SMALL). */
  public static String small() {
    return require("DOCKER_CLEANER_TEST_HOST_SMALL");
  }

  /** Podman's Docker-compatible service (DOCKER_CLEANER_TEST_HOST_PODMAN). */
  public static String podman() {
    return require("DOCKER_CLEANER_TEST_HOST_PODMAN");
  }

  /** Checks an address the same way {@link #require} does. */
  public static String requireHost(String host) {
    TestLayers.refuseInUnitLayer("a private daemon (" + host + ")");
    Path socket = socketOf(host);
    if (!host.startsWith("unix://") || !Files.exists(socket.resolveSibling(MARKER))) {
      throw new IllegalStateException("refusing to use " + host + ": not a daemon started by bin/test-daemon");
    }
    return host;
  }

  /** The socket path of a {@code unix://} address. */
  public static Path socketOf(String host) {
    return Path.of(host.substring("unix://".length()));
  }

  /**
   * Returns the address in {@code variable} after checking that bin/test-daemon started it.
   *
   * @throws IllegalStateException when unset or not a private test daemon
   */
  public static String require(String variable) {
    TestLayers.refuseInUnitLayer("a private daemon (" + variable + ")");
    String host = System.getenv(variable);
    if (host == null || host.isBlank()) {
      throw new IllegalStateException(variable + " is not set: run the tests with bin/test "
          + "(it starts the private daemons), or `eval $(bin/test-daemon env NAME)` after "
          + "`bin/test-daemon start NAME`");
    }
    if (!host.startsWith("unix://")) {
      throw new IllegalStateException(variable + "=" + host + ": test daemons must be unix sockets started by bin/test-daemon");
    }
    Path socket = socketOf(host);
    if (socket.toString().equals(DockerHost.DEFAULT_SOCKET) || socket.toString().equals("/run/docker.sock")) {
      throw new IllegalStateException("refusing to run tests against the machine's own daemon " + socket);
    }
    if (!Files.exists(socket.resolveSibling(MARKER))) {
      throw new IllegalStateException("refusing to run tests against " + host + ": no " + MARKER
          + " beside it, so bin/test-daemon did not start it");
    }
    return host;
  }

  /** Result of a CLI call. */
  public record Result(int exitCode, String stdout, String stderr) {
    public String out() {
      return stdout.strip();
    }
  }

  /** Runs Debian's docker CLI against {@code host}; fails the test on a non-zero exit. */
  public static String docker(String host, String... args) {
    Result r = dockerResult(host, null, args);
    if (r.exitCode != 0) {
      throw new AssertionError("docker " + String.join(" ", args) + " failed (" + r.exitCode + "): " + r.stderr);
    }
    return r.out();
  }

  /** Runs Debian's docker CLI with optional stdin; returns the result whatever the exit code. */
  public static Result dockerResult(String host, byte[] stdin, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(DOCKER_CLI);
    cmd.addAll(List.of(args));
    return run(cmd, stdin, java.util.Map.of("DOCKER_HOST", host, "DOCKER_BUILDKIT", "0"));
  }

  /**
   * Runs {@code bin/test-daemon COMMAND NAME} (stop, start) for the private daemon behind {@code
   * host} (ROOT/NAME/docker.sock); bin/test-daemon acts only on daemons it started (a stopped one
   * has no marker, so {@link #requireHost} cannot be asked here). Fails the test when it fails.
   */
  public static void testDaemonCommand(String host, String command) {
    Path socket = socketOf(host);
    String name = socket.getParent().getFileName().toString();
    String root = socket.getParent().getParent().toString();
    Result result = run(List.of(AgentProcess.projectRoot().resolve("bin/test-daemon").toString(), command, name), null,
        java.util.Map.of("TEST_DAEMON_ROOT", root));
    if (result.exitCode() != 0) {
      throw new AssertionError("bin/test-daemon " + command + " " + name + ": " + result.stderr());
    }
  }

  /** Runs a command with extra environment; returns the result whatever the exit code. */
  public static Result run(List<String> cmd, byte[] stdin, java.util.Map<String, String> env) {
    TestLayers.refuseInUnitLayer("a process (" + cmd.get(0) + ")");
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().putAll(env);
      Path out = Files.createTempFile("dc-out", ".txt");
      Path err = Files.createTempFile("dc-err", ".txt");
      try {
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        if (stdin == null) {
          pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process p = pb.start();
        if (stdin != null) {
          try (var os = p.getOutputStream()) {
            os.write(stdin);
          }
        }
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
          p.destroyForcibly();
          throw new AssertionError("command timed out: " + cmd);
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new AssertionError("cannot run " + cmd + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * Builds an image from a Dockerfile text (context = an empty folder plus {@code files}) with the
   * classic builder; returns the image id.
   */
  public static String build(String host, String tag, String dockerfile) {
    try {
      Path dir = Files.createTempDirectory("dc-build");
      try {
        Files.writeString(dir.resolve("Dockerfile"), dockerfile);
        List<String> args = new ArrayList<>(List.of("build", "-q"));
        if (tag != null) {
          args.add("-t");
          args.add(tag);
        }
        args.add(dir.toString());
        return docker(host, args.toArray(String[]::new));
      } finally {
        deleteTree(dir);
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Deletes a folder a test created, with everything in it (a missing folder is fine): tests leave
   * nothing behind in the temporary directory.
   */
  public static void deleteTree(Path dir) {
    TempDirs.delete(dir);
  }
}
