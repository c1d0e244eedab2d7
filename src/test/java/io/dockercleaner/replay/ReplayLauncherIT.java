package io.dockercleaner.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The shipped launcher, {@code bin/docker-cleaner replay}, as a process on a small trace. */
@Tag("process")
class ReplayLauncherIT {
  private static final Path BASE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
  private static final Path TRACE = BASE.resolve("src/test/resources/replay/small-trace.jsonl");

  private record Result(int exitCode, String stdout, String stderr) {}

  private static Result launch(Map<String, String> settings, String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>();
    command.add(BASE.resolve("bin/docker-cleaner").toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    Map<String, String> env = pb.environment();
    Map<String, String> keep = new java.util.HashMap<>();
    for (String k : List.of("PATH", "HOME", "JAVA_HOME", "MAVEN_OPTS")) {
      if (System.getenv(k) != null) {
        keep.put(k, System.getenv(k));
      }
    }
    env.clear(); // nothing from the calling shell (CLEANUP_POLICY, MIN_AGE…) may change the numbers
    env.putAll(keep);
    env.put("HOSTNAME", "replaytest");
    env.putAll(settings);
    Path out = Files.createTempFile("dc-replay-out", ".txt");
    Path err = Files.createTempFile("dc-replay-err", ".txt");
    try {
      pb.redirectOutput(out.toFile()).redirectError(err.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      Process p = pb.start();
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("docker-cleaner replay did not finish within 5 minutes");
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  @Test
  void replaysTheSmallTraceWithEachPolicyAsJson() throws Exception {
    Map<String, Long> repulled = new java.util.TreeMap<>();
    for (String policy : List.of("lru", "age", "cost")) {
      Result r = launch(Map.of("LOG_FORMAT", "json"), "replay", "--trace", TRACE.toString(), "--disk-bytes", "1000MB",
          "--policy", policy);
      assertThat(r.exitCode()).as(r.stderr()).isZero();
      JsonNode line = new ObjectMapper().readTree(r.stdout().strip());
      assertThat(line.get("operation").asText()).isEqualTo("REPLAY");
      assertThat(line.get("hostname").asText()).isEqualTo("replaytest");
      assertThat(line.get("events").asInt()).isEqualTo(23);
      repulled.put(policy, line.get("bytes_repulled").asLong());
    }
    assertThat(repulled).containsExactlyEntriesOf(new java.util.TreeMap<>(Map.of(
        "age", 900_000_000L, "cost", 300_000_000L, "lru", 600_000_000L)));
  }

  @Test
  void aBadTraceLineExits2WithTheLineNumber() throws Exception {
    Path bad = Files.createTempFile("dc-replay-bad", ".jsonl");
    try {
      Files.writeString(bad, Files.readString(TRACE) + "{\"t\":\"2026-01-09T00:00:00Z\",\"event\":\"use\"}\n");
      Result r = launch(Map.of(), "replay", "--trace", bad.toString(), "--disk-bytes", "1GB");
      assertThat(r.exitCode()).isEqualTo(2);
      assertThat(r.stderr()).contains(bad + " line 26, field 'image': missing");
    } finally {
      Files.deleteIfExists(bad);
    }
  }
}
