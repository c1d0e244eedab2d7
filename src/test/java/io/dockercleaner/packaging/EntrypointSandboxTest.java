package io.dockercleaner.packaging;

import io.dockercleaner.docker.DockerHost;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * entrypoint.sh on the host, in a sandbox: a root-owned temporary tree with its own etc/passwd and
 * etc/group (the ENTRYPOINT_ROOT test hook), a unix socket whose group the test chooses, and a fake
 * program (the DOCKER_CLEANER_CMD test hook) that records its uid, groups and arguments. Needs root
 * (groupadd/usermod, switching users), setpriv, groupadd and usermod; skipped otherwise.
 */
@Tag("process")
class EntrypointSandboxTest {
  private static final Path ENTRYPOINT = Path.of("entrypoint.sh").toAbsolutePath();
  private static final int USER_UID = 1000;
  /** `[2025-10-23T16:00:01Z] [ERROR] [INIT] message`: the format users and tests depend on. */
  private static final Pattern ERROR_LINE =
      Pattern.compile("^\\[\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z] \\[ERROR] \\[INIT] .+", Pattern.MULTILINE);

  @TempDir Path tmp;
  private Path root;
  private Path record;
  private ServerSocketChannel server;

  @BeforeEach
  void sandbox() throws Exception {
    Assumptions.assumeTrue("0".equals(run(List.of("id", "-u"), Map.of()).stdout.trim()), "needs root");
    for (String tool : List.of("/usr/bin/setpriv", "/usr/sbin/groupadd", "/usr/sbin/usermod")) {
      Assumptions.assumeTrue(Files.isExecutable(Path.of(tool)), tool + " missing");
    }
    // UID 1000 must reach the socket, the fake program and the record file
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    root = Files.createDirectories(tmp.resolve("root"));
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/passwd"),
        "root:x:0:0:root:/root:/bin/bash\n"
            + "cleanup-user:x:1000:1000::/var/lib/docker-cleaner:/usr/sbin/nologin\n");
    Files.writeString(root.resolve("etc/group"), "root:x:0:\ncleanup-user:x:1000:\n");
    record = tmp.resolve("record");
    Files.writeString(record, "");
    Files.setPosixFilePermissions(record, PosixFilePermissions.fromString("rw-rw-rw-"));
    Path fake = tmp.resolve("fake-program");
    Files.writeString(fake,
        "#!/bin/sh\n"
            + "echo \"uid=$(id -u) groups=$(id -G) args=$*\" >> \"$FAKE_RECORD\"\n"
            + "if [ \"$1\" = check ]; then exit \"${FAKE_CHECK_EXIT:-0}\"; fi\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @AfterEach
  void closeSocket() throws IOException {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void createsADockerGroupWithTheSocketGidWhenNoGroupHasIt() throws Exception {
    Path socket = socket(4242);

    Result result = entrypoint(List.of(), env(socket), "run");

    assertThat(result.exit).as(result.stderr).isZero();
    assertThat(groupFile()).contains("docker:x:4242:cleanup-user");
    assertThat(result.stderr).contains("created group docker (GID 4242)");
  }

  @Test
  void reusesAGroupThatAlreadyHasTheSocketGid() throws Exception {
    Files.writeString(root.resolve("etc/group"), "hostdocker:x:4243:\n", StandardOpenOption.APPEND);
    Path socket = socket(4243);

    Result result = entrypoint(List.of(), env(socket), "run");

    assertThat(result.exit).as(result.stderr).isZero();
    assertThat(groupFile()).contains("hostdocker:x:4243:cleanup-user").doesNotContainPattern("(?m)^docker:");
    assertThat(result.stderr).contains("reusing group hostdocker (GID 4243)");
  }

  @Test
  void addsTheUserAndRunsCheckThenTheProgramAsThatUserWithAllArguments() throws Exception {
    Path socket = socket(4244);

    Result result = entrypoint(List.of(), env(socket), "run", "--dry-run", "extra arg");

    assertThat(result.exit).as(result.stderr).isZero();
    List<String> calls = records();
    assertThat(calls).hasSize(2);
    assertThat(calls.get(0)).startsWith("uid=1000 ").endsWith("args=check");
    assertThat(calls.get(1)).startsWith("uid=1000 ").endsWith("args=run --dry-run extra arg");
    assertThat(groupsOf(calls.get(1))).contains("1000", "4244");
    assertThat(result.stderr).contains("added cleanup-user to group docker");
  }

  @Test
  void nonRootWithTheSocketGroupSkipsTheGroupStepsAndRunsTheProgram() throws Exception {
    Path socket = socket(4245);
    String groupsBefore = groupFile();

    Result result = entrypoint(
        List.of("setpriv", "--reuid=" + USER_UID, "--regid=" + USER_UID, "--groups=4245"), env(socket), "run");

    assertThat(result.exit).as(result.stderr).isZero();
    assertThat(groupFile()).isEqualTo(groupsBefore);
    assertThat(records()).last().asString().startsWith("uid=1000 ").endsWith("args=run");
  }

  @Test
  void nonRootWithoutAccessToTheSocketExitsTwoWithTheGroupAddHint() throws Exception {
    Path socket = socket(4246);

    Result result = entrypoint(
        List.of("setpriv", "--reuid=" + USER_UID, "--regid=" + USER_UID, "--clear-groups"), env(socket), "run");

    assertThat(result.exit).isEqualTo(2);
    assertThat(result.stderr).containsPattern(ERROR_LINE).contains("--group-add 4246");
    assertThat(records()).isEmpty();
  }

  @Test
  void missingSocketExitsTwoWithTheMountHint() throws Exception {
    Result result = entrypoint(List.of(), env(tmp.resolve("no-such.sock")), "run");

    assertThat(result.exit).isEqualTo(2);
    assertThat(result.stderr).containsPattern(ERROR_LINE)
        .contains(DockerHost.SOCKET_MOUNT_HINT);
    assertThat(records()).isEmpty();
  }

  @Test
  void withJsonLogsEveryLineOfTheEntrypointIsAJsonObject() throws Exception {
    Map<String, String> failing = new HashMap<>(env(tmp.resolve("no-such.sock")));
    failing.put("LOG_FORMAT", "json");
    failing.put("HOSTNAME", "sandbox \"host\"");
    Map<String, String> working = new HashMap<>(env(socket(4249)));
    working.put("LOG_FORMAT", "JSON");

    Result failed = entrypoint(List.of(), failing, "run");
    Result ran = entrypoint(List.of(), working, "run");

    assertThat(failed.exit).isEqualTo(2);
    assertThat(ran.exit).as(ran.stderr).isZero();
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    List<com.fasterxml.jackson.databind.JsonNode> lines = new ArrayList<>();
    for (String line : (failed.stderr + ran.stderr).lines().filter(l -> !l.isBlank()).toList()) {
      try {
        lines.add(json.readTree(line));
      } catch (IOException e) {
        throw new AssertionError("not a JSON line: " + line);
      }
    }
    assertThat(lines).hasSizeGreaterThan(2).allSatisfy(n -> {
      assertThat(n.fieldNames()).toIterable().containsExactly("timestamp", "level", "operation", "message", "hostname");
      assertThat(n.get("timestamp").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
      assertThat(n.get("operation").asText()).isEqualTo("INIT");
    });
    assertThat(lines.get(0).get("level").asText()).isEqualTo("ERROR");
    assertThat(lines.get(0).get("message").asText()).contains(DockerHost.SOCKET_MOUNT_HINT);
    assertThat(lines.get(0).get("hostname").asText()).isEqualTo("sandbox \"host\"");
    assertThat(lines).anySatisfy(n -> assertThat(n.get("message").asText()).contains("created group docker (GID 4249)"));
  }

  @Test
  void daemonThatDoesNotAnswerExitsTwoBeforeTheProgramRuns() throws Exception {
    Path socket = socket(4247);
    Map<String, String> env = new HashMap<>(env(socket));
    env.put("FAKE_CHECK_EXIT", "2");

    Result result = entrypoint(List.of(), env, "run");

    assertThat(result.exit).isEqualTo(2);
    assertThat(result.stderr).containsPattern(ERROR_LINE).contains("did not answer to cleanup-user");
    assertThat(records()).hasSize(1).first().asString().endsWith("args=check");
  }

  @Test
  void readOnlyGroupFileJoinsTheSocketGidByNumberWithoutEditingFiles() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare")), "unshare missing");
    Path socket = socket(4248);
    String groupsBefore = groupFile();
    Path etc = root.resolve("etc");
    // a private mount namespace: etc/ becomes read-only for the entrypoint only
    List<String> readOnlyEtc = List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
        "mount --bind \"$0\" \"$0\" && mount -o remount,bind,ro \"$0\" && exec \"$@\"", etc.toString());

    Result result = entrypoint(readOnlyEtc, env(socket), "run");

    assertThat(result.exit).as(result.stderr).isZero();
    assertThat(result.stderr).contains("[WARN] [INIT]").contains("joining GID 4248 by number");
    assertThat(groupFile()).isEqualTo(groupsBefore);
    String programCall = records().get(1);
    assertThat(programCall).startsWith("uid=1000 ").endsWith("args=run");
    assertThat(groupsOf(programCall)).contains("1000", "4248");
  }

  @Test
  void socketOwnedByGidZeroJoinsRootsGroupWithAWarning() throws Exception {
    Path socket = socket(0);

    Result result = entrypoint(List.of(), env(socket), "run");

    assertThat(result.exit).as(result.stderr).isZero();
    assertThat(result.stderr).contains("[WARN] [INIT]").contains("GID 0 (root's group)");
    assertThat(groupFile()).contains("root:x:0:cleanup-user");
    assertThat(groupsOf(records().get(1))).contains("1000", "0");
  }

  @Test
  void versionRunsWithoutSocketOrDaemonCheck() throws Exception {
    Result result = entrypoint(List.of(), env(tmp.resolve("no-such.sock")), "version");

    assertThat(result.exit).as(result.stderr).isZero();
    assertThat(records()).hasSize(1).first().asString()
        .startsWith("uid=1000 ").endsWith("args=version");
  }

  @Test
  void tcpDockerHostSkipsTheSocketSteps() throws Exception {
    Map<String, String> env = new HashMap<>(env(tmp.resolve("no-such.sock")));
    env.remove("DOCKER_SOCKET");
    env.put("DOCKER_HOST", "tcp://127.0.0.1:2375");
    String groupsBefore = groupFile();

    Result result = entrypoint(List.of(), env, "run");

    assertThat(result.exit).as(result.stderr).isZero();
    assertThat(groupFile()).isEqualTo(groupsBefore);
    assertThat(records()).last().asString().startsWith("uid=1000 ").endsWith("args=run");
  }

  // ---- helpers ----

  private Path socket(int gid) throws IOException {
    Path path = tmp.resolve("docker.sock");
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(path));
    Files.setAttribute(path, "unix:gid", gid);
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
    return path;
  }

  private Map<String, String> env(Path socket) {
    return Map.of(
        "ENTRYPOINT_ROOT", root.toString(),
        "DOCKER_SOCKET", socket.toString(),
        "DOCKER_CLEANER_CMD", tmp.resolve("fake-program").toString(),
        "FAKE_RECORD", record.toString());
  }

  private String groupFile() throws IOException {
    return Files.readString(root.resolve("etc/group"));
  }

  private List<String> records() throws IOException {
    return Files.readAllLines(record).stream().filter(l -> !l.isBlank()).toList();
  }

  private static List<String> groupsOf(String recordLine) {
    String groups = recordLine.replaceAll(".*groups=(.*) args=.*", "$1");
    return Arrays.asList(groups.trim().split("\\s+"));
  }

  private Result entrypoint(List<String> prefix, Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(prefix);
    command.add(ENTRYPOINT.toString());
    command.addAll(List.of(args));
    return run(command, env);
  }

  private static Result run(List<String> command, Map<String, String> env) throws Exception {
    io.dockercleaner.testsupport.TestLayers.refuseInUnitLayer("a process (" + command.get(0) + ")");
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> environment = builder.environment();
    // the test JVM may carry a daemon address or log settings: the sandbox decides alone
    for (String name : List.of("DOCKER_HOST", "DOCKER_SOCKET", "QUIET", "LOG_LEVEL", "LOG_FORMAT", "CLEANUP_USER",
        "ENTRYPOINT_ROOT", "DOCKER_CLEANER_CMD")) {
      environment.remove(name);
    }
    environment.putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    byte[] out = process.getInputStream().readAllBytes();
    byte[] err = process.getErrorStream().readAllBytes();
    if (!process.waitFor(2, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("did not exit: " + command);
    }
    return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8),
        new String(err, StandardCharsets.UTF_8));
  }

  private record Result(int exit, String stdout, String stderr) {}
}
