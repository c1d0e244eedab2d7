package io.dockercleaner.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real binary ({@code java -jar target/docker-cleaner.jar}) as a process with exactly the
 * given environment (plus PATH and HOME), its stdout and stderr together in a file.
 */
final class AgentProcess implements AutoCloseable {
  /** Turns a hang into a failure; no test asserts how long anything takes. */
  static final Duration HANG_GUARD = Duration.ofMinutes(2);

  private final Process process;
  private final Path output;

  private AgentProcess(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /** Starts {@code docker-cleaner ARGS} with {@code env}; {@code fdLimit} > 0 runs it under {@code ulimit -n}. */
  static AgentProcess start(Path workDir, Map<String, String> env, int fdLimit, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    if (fdLimit > 0) {
      // soft and hard limit both: the JVM raises its soft limit to the hard one at start
      command.addAll(List.of("bash", "-c", "ulimit -n " + fdLimit + " && exec \"$@\"", "bash"));
    }
    // Vert.x's file cache in the test's work folder: a killed agent cannot remove it from /tmp
    command.addAll(List.of(javaBin(), "-Dvertx.cacheDirBase=" + workDir.resolve("vertx-cache"), "-jar",
        jar().toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().clear();
    pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    pb.environment().put("HOME", workDir.toString());
    pb.environment().put("HOSTNAME", "fault-host");
    pb.environment().putAll(env);
    Path output = Files.createTempFile(workDir, "agent", ".log");
    pb.redirectErrorStream(true).redirectOutput(output.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    return new AgentProcess(pb.start(), output);
  }

  static AgentProcess start(Path workDir, Map<String, String> env, String... args) throws IOException {
    return start(workDir, env, 0, args);
  }

  /** Waits for the exit (bounded by {@link #HANG_GUARD}) and returns the exit code. */
  int awaitExit() throws InterruptedException {
    assertThat(process.waitFor(HANG_GUARD.toSeconds(), TimeUnit.SECONDS))
        .as("exited; output:\n%s", output()).isTrue();
    return process.exitValue();
  }

  /** SIGTERM, as an orchestrator stops the agent. */
  void terminate() {
    process.destroy();
  }

  boolean alive() {
    return process.isAlive();
  }

  String output() {
    try {
      return Files.readString(output, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return e.toString();
    }
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }

  static Path jar() {
    Path jar = Path.of(System.getProperty("docker-cleaner.jar", "target/docker-cleaner.jar"));
    assertThat(jar).as("build it with mvn package first").exists();
    return jar;
  }

  static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
