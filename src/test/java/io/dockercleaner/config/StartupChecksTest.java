package io.dockercleaner.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The file, directory and address checks made at start, before connecting to the daemon. */
class StartupChecksTest {
  @TempDir Path dir;

  private static List<String> check(String command, String... kv) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      env.put(kv[i], kv[i + 1]);
    }
    return StartupChecks.check(command, Settings.of(env));
  }

  @Test
  void theDefaultsPassForEveryCommand() {
    assertThat(check("run")).isEmpty();
    assertThat(check("agent")).isEmpty();
    assertThat(check("check")).isEmpty();
  }

  // ---- API_TOKEN_FILE

  @Test
  void aMissingTokenFileIsNamed() {
    assertThat(check("agent", "API_TOKEN_FILE", "/nonexistent/tok"))
        .containsExactly("API_TOKEN_FILE: '/nonexistent/tok' does not exist (expected a file holding the token)");
  }

  @Test
  void anEmptyTokenFileIsNamed() throws IOException {
    Path token = Files.writeString(dir.resolve("tok"), " \n");
    assertThat(check("agent", "API_TOKEN_FILE", token.toString()))
        .containsExactly("API_TOKEN_FILE: '" + token + "' is empty (expected the token)");
  }

  @Test
  void aDirectoryAsTokenFileCannotBeRead() {
    assertThat(check("agent", "API_TOKEN_FILE", dir.toString()))
        .singleElement().asString().startsWith("API_TOKEN_FILE: cannot read '" + dir + "': ");
  }

  @Test
  void aReadableTokenFilePasses() throws IOException {
    Path token = Files.writeString(dir.resolve("tok"), "s3cret\n");
    assertThat(check("agent", "API_TOKEN_FILE", token.toString())).isEmpty();
  }

  @Test
  void theOneShotDoesNotReadTheTokenFile() {
    assertThat(check("run", "API_TOKEN_FILE", "/nonexistent/tok")).isEmpty();
  }

  // ---- STATE_DIR, DISK_PATH

  @Test
  void aStateDirIsCreatedAndWrittenOnce() {
    Path state = dir.resolve("a/b");
    assertThat(check("agent", "STATE_DIR", state.toString())).isEmpty();
    assertThat(state).isDirectory().isEmptyDirectory();
  }

  @Test
  void aStateDirBehindAFileIsNamed() throws IOException {
    Path file = Files.writeString(dir.resolve("file"), "x");
    assertThat(check("agent", "STATE_DIR", file.resolve("state").toString()))
        .singleElement().asString().startsWith("STATE_DIR: cannot create '" + file.resolve("state") + "': ");
  }

  @Test
  void aMissingDiskPathIsNamed() {
    assertThat(check("agent", "DISK_PATH", "/nonexistent/docker"))
        .containsExactly("DISK_PATH: '/nonexistent/docker' does not exist (expected a path on the filesystem that"
            + " holds the daemon's data root, e.g. its read-only mount; unset DISK_PATH to use the daemon's"
            + " DockerRootDir)");
    assertThat(check("agent", "DISK_PATH", dir.toString())).isEmpty();
  }

  // ---- METRICS_TEXTFILE

  @ParameterizedTest
  @ValueSource(strings = {"run", "agent", "check"})
  void aTextfileInAMissingDirectoryIsNamedForEveryCommand(String command) {
    Path file = dir.resolve("missing/docker_cleaner.prom");
    assertThat(check(command, "METRICS_TEXTFILE", file.toString()))
        .containsExactly("METRICS_TEXTFILE: cannot write '" + file + "': the directory '" + file.getParent()
            + "' does not exist (expected a file in node_exporter's textfile directory)");
  }

  @Test
  void aTextfileThatIsADirectoryIsNamed() {
    assertThat(check("run", "METRICS_TEXTFILE", dir.toString()))
        .containsExactly("METRICS_TEXTFILE: '" + dir + "' is a directory (expected a file name such as docker_cleaner.prom)");
  }

  @Test
  void aTextfileInAReadOnlyFilesystemIsNamed() {
    // /proc/sys is mounted read-only for every user, root included: permission bits would not tell
    Path file = Path.of("/proc/sys/docker_cleaner.prom");
    assertThat(check("run", "METRICS_TEXTFILE", file.toString()))
        .singleElement().asString().startsWith("METRICS_TEXTFILE: cannot write in '/proc/sys': ");
  }

  @Test
  void aWritableTextfileDirectoryPassesAndIsLeftAsItWas() throws IOException {
    assertThat(check("run", "METRICS_TEXTFILE", dir.resolve("docker_cleaner.prom").toString())).isEmpty();
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }

  // ---- HTTP_LISTEN

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0:8080", "[::]:8080", "192.0.2.10:8080"})
  void aNonLoopbackListenWithoutATokenIsRefused(String listen) {
    assertThat(check("agent", "HTTP_LISTEN", listen)).singleElement().asString()
        .startsWith("HTTP_LISTEN: " + listen + " is not a loopback address and neither API_TOKEN nor API_TOKEN_FILE is set")
        .contains("API_OPEN_READ=true");
  }

  @Test
  void aNonLoopbackListenPassesWithATokenOrWithOpenReads() throws IOException {
    Path token = Files.writeString(dir.resolve("tok"), "s3cret");
    assertThat(check("agent", "HTTP_LISTEN", "0.0.0.0:8080", "API_TOKEN", "s3cret")).isEmpty();
    assertThat(check("agent", "HTTP_LISTEN", "0.0.0.0:8080", "API_TOKEN_FILE", token.toString())).isEmpty();
    assertThat(check("agent", "HTTP_LISTEN", "0.0.0.0:8080", "API_OPEN_READ", "true")).isEmpty();
  }

  @Test
  void theOneShotDoesNotListen() {
    assertThat(check("run", "HTTP_LISTEN", "0.0.0.0:8080")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "127.1.2.3", "::1", "localhost", "LOCALHOST"})
  void loopbackHosts(String host) {
    assertThat(StartupChecks.isLoopback(host)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0", "::", "192.0.2.10", "2001:db8::1"})
  void nonLoopbackHosts(String host) {
    assertThat(StartupChecks.isLoopback(host)).isFalse();
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    assertThat(check("agent", "API_TOKEN_FILE", "/nonexistent/tok", "DISK_PATH", "/nonexistent/docker",
        "METRICS_TEXTFILE", "/nonexistent/m.prom", "HTTP_LISTEN", "0.0.0.0:8080"))
        .extracting(p -> p.substring(0, p.indexOf(':')))
        .containsExactly("METRICS_TEXTFILE", "API_TOKEN_FILE", "DISK_PATH");
  }
}
