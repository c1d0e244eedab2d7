package io.dockercleaner.packaging;

import io.dockercleaner.docker.DockerHost;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dockercleaner.testsupport.TestDaemons;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The image end to end on a private daemon: builds the base images offline (bin/build-base-images),
 * builds the image from target/docker-cleaner.jar, and runs it the ways users do.
 *
 * <p>Drives Debian's docker CLI (/usr/bin/docker) by path: the build must run with {@code
 * --network=none} on a daemon without a bridge, and the tests assert exit codes and stderr of
 * one-shot containers, which is what users see from {@code docker run}. One test drives the image
 * through Testcontainers instead, as a Java project's integration test would.
 *
 * <p>A probe script mounted at /probe wraps the program (DOCKER_CLEANER_CMD="/probe
 * /usr/local/bin/docker-cleaner") and prints the uid and groups the program really runs with.
 */
@Tag("daemon")
class ImageIT {
  private static final String DOCKER = "/usr/bin/docker";
  private static final String IMAGE = "docker-cleaner:it";
  private static final Path BASEDIR = Path.of("").toAbsolutePath();
  private static final Pattern INIT_LINE =
      Pattern.compile("^\\[\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z] \\[(INFO|WARN|ERROR)] \\[INIT] .+");
  private static final Pattern ERROR_LINE =
      Pattern.compile("(?m)^\\[\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z] \\[ERROR] \\[INIT] .+");
  private static final String MOUNT_HINT = DockerHost.SOCKET_MOUNT_HINT;

  private static String dockerHost;
  private static Path socket;
  private static int socketGid;
  private static Path probeDir;

  @BeforeAll
  static void buildImage() throws Exception {
    dockerHost = TestDaemonGuard.dockerHost();
    socket = TestDaemonGuard.socket(dockerHost);
    Assumptions.assumeTrue(Files.isExecutable(Path.of(DOCKER)), DOCKER + " missing");
    Assumptions.assumeTrue("0".equals(exec(List.of("id", "-u"), 1).stdout.trim()),
        "needs root (debootstrap in bin/build-base-images)");
    Path jar = Path.of(System.getProperty("docker-cleaner.jar", "target/docker-cleaner.jar")).toAbsolutePath();
    assertThat(jar).as("the jar `mvn package` made; the Dockerfile copies target/docker-cleaner.jar")
        .isRegularFile().isEqualTo(BASEDIR.resolve("target/docker-cleaner.jar"));
    socketGid = (Integer) Files.getAttribute(socket, "unix:gid");

    Result bases = exec(List.of(BASEDIR.resolve("bin/build-base-images").toString()), 15);
    assertThat(bases.exit).as(bases.stderr).isZero();
    Result build = exec(List.of(DOCKER, "build", "--network=none", "-t", IMAGE, "."), 10);
    Files.writeString(BASEDIR.resolve("target/image-build.log"), build.stdout + build.stderr);
    assertThat(build.exit).as(build.stderr).isZero();
    String bytes = exec(List.of(DOCKER, "image", "inspect", "--format", "{{.Size}}", IMAGE), 1).stdout.trim();
    String size = String.format("%s: %d bytes (%.1f MB)", IMAGE, Long.parseLong(bytes), Long.parseLong(bytes) / 1e6);
    Files.writeString(BASEDIR.resolve("target/image-size.txt"), size + "\n");
    System.out.println("[ImageIT] " + size);

    probeDir = Files.createTempDirectory("dc-probe");
    Files.setPosixFilePermissions(probeDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path probe = probeDir.resolve("probe");
    Files.writeString(probe, "#!/bin/sh\necho \"PROBE uid=$(id -u) gid=$(id -g) groups=$(id -G) args=$*\" >&2\nexec \"$@\"\n");
    Files.setPosixFilePermissions(probe, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @AfterAll
  static void removeImage() throws Exception {
    if (dockerHost != null) {
      exec(List.of(DOCKER, "image", "rm", "-f", IMAGE), 2);
    }
    if (probeDir != null) {
      TestDaemons.deleteTree(probeDir);
    }
  }

  @Test
  void runsTheProgramAsUid1000WithTheSocketGidAndExitsZero() throws Exception {
    Result result = dockerRun(List.of(socketMount(), probeMount()), List.of());

    assertThat(result.exit).as(result.stderr).isZero();
    assertRanAsCleanupUserWithSocketGid(result, "run");
    assertThat(initLines(result)).isNotEmpty().allMatch(l -> INIT_LINE.matcher(l).matches())
        .anyMatch(l -> l.contains("running as cleanup-user (UID 1000"));
  }

  @Test
  void aRealRunRemovesWhatTheOneShotContractSaysAndLogsInTheContractFormat() throws Exception {
    String stopped = createdContainer("keep=false");
    String kept = createdContainer("keep=true");
    List<String> command = new ArrayList<>(List.of(DOCKER, "run", "--rm", "--network=none", "--read-only",
        "--tmpfs", "/tmp", "-e", "PRUNE_FILTER_UNTIL=0", "-e", "MIN_AGE=0", "-e", "CLEANUP_IMAGES=false", "-e", "CLEANUP_BUILD_CACHE=false",
        socketMount(), IMAGE));
    Result result = exec(command, 3);
    try {
      assertThat(result.exit).as(result.stdout + result.stderr).isZero();
      assertThat(result.stdout.lines().toList()).isNotEmpty().allMatch(l -> l.matches(
          "\\[\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z] \\[(DEBUG|INFO|WARN|ERROR)] "
              + "\\[(INIT|CONTAINER|IMAGE|VOLUME|NETWORK|BUILD_CACHE|SUMMARY)] .+"));
      assertThat(result.stdout).containsPattern("\\[CONTAINER] Removed [1-9][0-9]* stopped containers");
      String remaining = exec(List.of(DOCKER, "ps", "-aq", "--no-trunc"), 1).stdout;
      assertThat(remaining).doesNotContain(stopped).contains(kept);
    } finally {
      exec(List.of(DOCKER, "rm", "-f", kept), 1);
    }
  }

  /**
   * The image as a Java project's integration test would run it, through Testcontainers: a
   * one-shot container (its start succeeds only when it exits 0) on the private daemon, with the
   * daemon's socket mounted, removing the unprotected stopped container and keeping the other.
   */
  @Test
  void throughTestcontainersTheOneShotImageExitsZeroAndRemovesOnlyTheUnprotected() throws Exception {
    String stopped = createdContainer("keep=false");
    String kept = createdContainer("keep=true");
    // Testcontainers takes DOCKER_HOST from the environment (pom.xml sets the private main daemon's)
    // checked before anything runs: the container removes what is unprotected on that daemon
    assertThat(org.testcontainers.DockerClientFactory.instance().client().infoCmd().exec().getDockerRootDir())
        .as("Testcontainers talks to the private daemon").startsWith(socket.getParent().toString());
    try (org.testcontainers.containers.GenericContainer<?> cleaner =
        new org.testcontainers.containers.GenericContainer<>(org.testcontainers.utility.DockerImageName.parse(IMAGE))) {
      cleaner.withNetworkMode("none")
          .withFileSystemBind(socket.toString(), DockerHost.DEFAULT_SOCKET, org.testcontainers.containers.BindMode.READ_WRITE)
          .withEnv(Map.of("PRUNE_FILTER_UNTIL", "0", "MIN_AGE", "0", "CLEANUP_IMAGES", "false",
              "CLEANUP_BUILD_CACHE", "false", "LOG_FORMAT", "json"))
          .withStartupCheckStrategy(new org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy()
              .withTimeout(java.time.Duration.ofMinutes(2)));
      cleaner.start(); // throws unless the container ran to exit code 0
      ObjectMapper mapper = new ObjectMapper();
      JsonNode summary = null;
      for (String line : cleaner.getLogs(org.testcontainers.containers.output.OutputFrame.OutputType.STDOUT)
          .lines().filter(l -> !l.isBlank()).toList()) {
        JsonNode n = mapper.readTree(line);
        if ("SUMMARY".equals(n.path("operation").asText()) && n.has("by_type")) {
          summary = n;
        }
      }
      assertThat(summary).as("the JSON summary line").isNotNull();
      assertThat(summary.get("by_type").get("container").get("count").asInt()).isEqualTo(1);
      assertThat(summary.get("exit_code").asInt()).isZero();
      String remaining = exec(List.of(DOCKER, "ps", "-aq", "--no-trunc"), 1).stdout;
      assertThat(remaining).doesNotContain(stopped).contains(kept);
    } finally {
      exec(List.of(DOCKER, "rm", "-f", kept), 1);
    }
  }

  @Test
  void theAgentStartsInTheImageAndStopsWithExitZeroOnDockerStop() throws Exception {
    String name = "dc-agent-it-" + ProcessHandle.current().pid();
    Result started = exec(List.of(DOCKER, "run", "-d", "--name", name, "--network=none", "--read-only",
        "--tmpfs", "/tmp", "--tmpfs", "/var/lib/docker-cleaner:uid=1000", socketMount(),
        // the image listens on 0.0.0.0:8080, which needs a token (or API_OPEN_READ=true)
        "-e", "API_TOKEN=image-it-token", IMAGE, "agent"), 2);
    assertThat(started.exit).as(started.stderr).isZero();
    try {
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofMinutes(2)).until(() ->
          exec(List.of(DOCKER, "logs", name), 1).stdout.contains("HTTP API on 0.0.0.0:8080"));
      Result stop = exec(List.of(DOCKER, "stop", "-t", "15", name), 2);
      assertThat(stop.exit).as(stop.stderr).isZero();
      String exitCode = exec(List.of(DOCKER, "inspect", "-f", "{{.State.ExitCode}}", name), 1).stdout.trim();
      String logs = exec(List.of(DOCKER, "logs", name), 1).stdout;
      assertThat(exitCode).as(logs).isEqualTo("0");
      assertThat(logs).contains("Agent started").contains("Stopped; state saved");
      String user = exec(List.of(DOCKER, "logs", name), 1).stderr;
      assertThat(user).contains("running as cleanup-user (UID 1000");
    } finally {
      exec(List.of(DOCKER, "rm", "-f", name), 1);
    }
  }

  @Test
  void runsWithAReadOnlyRootFilesystem() throws Exception {
    Result result = dockerRun(List.of("--read-only", "--tmpfs", "/tmp", socketMount(), probeMount()), List.of());

    assertThat(result.exit).as(result.stderr).isZero();
    assertRanAsCleanupUserWithSocketGid(result, "run");
    assertThat(initLines(result)).allMatch(l -> INIT_LINE.matcher(l).matches())
        .anyMatch(l -> l.contains("[WARN]") && l.contains("joining GID " + socketGid + " by number"));
  }

  @Test
  void withJsonLogsEveryLineTheContainerWritesIsAJsonObject() throws Exception {
    // the entrypoint fails (no socket); then a run whose webhook fails (no network: refused)
    Result failed = dockerRun(List.of("-e", "LOG_FORMAT=json"), List.of());
    Result ran = dockerRun(List.of("-e", "LOG_FORMAT=json", "-e", "WEBHOOK_URL=http://127.0.0.1:9/hook",
        "-e", "WEBHOOK_EVENTS=run_succeeded", "-e", "WEBHOOK_TIMEOUT=1s", "--read-only", "--tmpfs", "/tmp",
        socketMount()), List.of());

    assertThat(failed.exit).as(failed.stderr).isEqualTo(2);
    assertThat(ran.exit).as(ran.stderr).isZero();
    ObjectMapper mapper = new ObjectMapper();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : (failed.stdout + failed.stderr + ran.stdout + ran.stderr).lines()
        .filter(l -> !l.isBlank()).toList()) {
      try {
        lines.add(mapper.readTree(line));
      } catch (IOException e) {
        throw new AssertionError("not a JSON line: " + line);
      }
    }
    assertThat(lines).allSatisfy(n -> {
      assertThat(n.fieldNames()).toIterable().startsWith("timestamp", "level", "operation", "message", "hostname");
      assertThat(n.get("timestamp").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
    });
    assertThat(lines).anySatisfy(n -> assertThat(n.get("message").asText()).contains(MOUNT_HINT))
        .anySatisfy(n -> assertThat(n.get("operation").asText()).isEqualTo("SUMMARY"))
        .anySatisfy(n -> assertThat(n.path("logger").asText()).isEqualTo("io.dockercleaner.notify.WebhookNotifier"));
  }

  @Test
  void withoutTheSocketMountExitsTwoWithTheMountHint() throws Exception {
    Result result = dockerRun(List.of(probeMount()), List.of());

    assertThat(result.exit).isEqualTo(2);
    assertThat(result.stderr).containsPattern(ERROR_LINE).contains(MOUNT_HINT).doesNotContain("PROBE");
  }

  @Test
  void startedAsNonRootWithoutTheSocketGroupExitsTwoWithTheGroupAddHint() throws Exception {
    Result result = dockerRun(List.of("--user", "1000", socketMount(), probeMount()), List.of());

    assertThat(result.exit).isEqualTo(2);
    assertThat(result.stderr).containsPattern(ERROR_LINE).contains("--group-add " + socketGid).doesNotContain("PROBE");
  }

  @Test
  void startedAsNonRootWithTheSocketGroupRuns() throws Exception {
    Result result = dockerRun(
        List.of("--user", "1000", "--group-add", String.valueOf(socketGid), socketMount(), probeMount()), List.of());

    assertThat(result.exit).as(result.stderr).isZero();
    assertRanAsCleanupUserWithSocketGid(result, "run");
  }

  @Test
  void theJarStartsOnTheJlinkedRuntimeAndChecksTheDaemon() throws Exception {
    Result result = dockerRun(List.of("--read-only", "--tmpfs", "/tmp", socketMount()), List.of("check"));

    assertThat(result.exit).as(result.stdout + result.stderr).isZero();
    assertThat(result.stdout + result.stderr).isNotBlank();
  }

  @Test
  void nettyEpollLoadsWithAReadOnlyRootAndANoexecTmp() throws Exception {
    // a --tmpfs /tmp is noexec: Netty's own extraction there fails; the image ships the library
    Path probeClasses = Files.createTempDirectory("dc-epoll");
    try {
      Files.setPosixFilePermissions(probeClasses, PosixFilePermissions.fromString("rwxr-xr-x"));
      Path source = probeClasses.resolve("EpollProbe.java");
      Files.writeString(source, "public class EpollProbe { public static void main(String[] a) {"
          + " System.out.println(\"epoll=\" + io.netty.channel.epoll.Epoll.isAvailable()); } }");
      int compiled = ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "17",
          "-cp", BASEDIR.resolve("target/docker-cleaner.jar").toString(), "-d", probeClasses.toString(), source.toString());
      assertThat(compiled).isZero();
      Files.setPosixFilePermissions(probeClasses.resolve("EpollProbe.class"), PosixFilePermissions.fromString("rw-r--r--"));

      Result result = exec(List.of(DOCKER, "run", "--rm", "--network=none", "--read-only", "--tmpfs", "/tmp",
          "--user", "1000", "--volume=" + probeClasses + ":/probe-classes:ro", "--entrypoint", "/opt/java/bin/java",
          IMAGE, "-Djava.library.path=/app/native", "-cp", "/app/docker-cleaner.jar:/probe-classes", "EpollProbe"), 2);
      Result launcher = exec(List.of(DOCKER, "run", "--rm", "--network=none", "--entrypoint", "/bin/cat", IMAGE,
          "/usr/local/bin/docker-cleaner"), 2);

      assertThat(result.stdout).as(result.stderr).contains("epoll=true");
      assertThat(launcher.stdout).contains("-Djava.library.path=/app/native");
    } finally {
      TestDaemons.deleteTree(probeClasses);
    }
  }

  @Test
  void imageMetadataFollowsTheContract() throws Exception {
    Result inspect = exec(List.of(DOCKER, "image", "inspect", IMAGE), 1);
    JsonNode config = new ObjectMapper().readTree(inspect.stdout).get(0).get("Config");

    assertThat(texts(config.get("Entrypoint"))).containsExactly("/entrypoint.sh");
    assertThat(texts(config.get("Cmd"))).containsExactly("run");
    assertThat(config.get("ExposedPorts").has("8080/tcp")).isTrue();
    assertThat(texts(config.get("Env")))
        .contains("HTTP_LISTEN=0.0.0.0:8080", "STATE_DIR=/var/lib/docker-cleaner");
    assertThat(config.get("Labels").path("org.opencontainers.image.title").asText()).isEqualTo("docker-cleaner");
    assertThat(config.get("Labels").has("org.opencontainers.image.version")).isTrue();
  }

  @Test
  void imageHasTheUserAndStateDirButNoBuildTools() throws Exception {
    String script = "for t in javac jlink jdeps jar gcc cc make objcopy apt-get; do command -v $t; done;"
        + " id -u cleanup-user; stat -c %u /var/lib/docker-cleaner; /opt/java/bin/java -version 2>&1 | head -1";
    Result result = exec(List.of(DOCKER, "run", "--rm", "--network=none", "--entrypoint", "/bin/bash", IMAGE,
        "-c", script), 2);

    assertThat(result.exit).as(result.stderr).isZero();
    List<String> lines = result.stdout.lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).isEqualTo("1000");
    assertThat(lines.get(1)).isEqualTo("1000");
    assertThat(lines.get(2)).contains("\"17.");
  }

  // ---- helpers ----

  private static void assertRanAsCleanupUserWithSocketGid(Result result, String args) {
    String probe = result.stderr.lines().filter(l -> l.startsWith("PROBE ")).reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError("the program did not run:\n" + result.stderr));
    assertThat(probe).startsWith("PROBE uid=1000 ").endsWith("args=/usr/local/bin/docker-cleaner " + args);
    String groups = probe.replaceAll(".* groups=(.*) args=.*", "$1");
    assertThat(Arrays.asList(groups.split(" "))).contains(String.valueOf(socketGid));
  }

  private static List<String> initLines(Result result) {
    return result.stderr.lines().filter(l -> l.contains("[INIT]")).toList();
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** A created (never started) container of the test image with this label; its full id. */
  private static String createdContainer(String label) throws Exception {
    return exec(List.of(DOCKER, "create", "--network", "none", "--label", label, "dc-test/busybox:latest", "true"), 1)
        .stdout.trim();
  }

  private static String socketMount() {
    return "--volume=" + socket + ":" + DockerHost.DEFAULT_SOCKET;
  }

  private static String probeMount() {
    return "--volume=" + probeDir.resolve("probe") + ":/probe:ro";
  }

  /** docker run --rm on no network, with DRY_RUN so the program deletes nothing on the test daemon. */
  private static Result dockerRun(List<String> options, List<String> args) throws Exception {
    List<String> command = new ArrayList<>(List.of(DOCKER, "run", "--rm", "--network=none", "-e", "DRY_RUN=true"));
    command.addAll(options);
    if (options.stream().anyMatch(o -> o.contains(":/probe"))) {
      command.addAll(List.of("-e", "DOCKER_CLEANER_CMD=/probe /usr/local/bin/docker-cleaner"));
    }
    command.add(IMAGE);
    command.addAll(args);
    return exec(command, 3);
  }

  private static Result exec(List<String> command, long timeoutMinutes) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).directory(BASEDIR.toFile());
    Map<String, String> env = builder.environment();
    if (dockerHost != null) {
      env.put("DOCKER_HOST", dockerHost);
      env.put("DOCKER_BUILDKIT", "1");
    }
    File out = File.createTempFile("imageit", ".out");
    File err = File.createTempFile("imageit", ".err");
    try {
      builder.redirectOutput(out).redirectError(err).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      Process process = builder.start();
      if (!process.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError("did not finish within " + timeoutMinutes + " min: " + command);
      }
      return new Result(process.exitValue(), read(out), read(err));
    } finally {
      Files.deleteIfExists(out.toPath());
      Files.deleteIfExists(err.toPath());
    }
  }

  private static String read(File file) throws IOException {
    return Files.readString(file.toPath(), StandardCharsets.UTF_8);
  }

  private record Result(int exit, String stdout, String stderr) {}
}
