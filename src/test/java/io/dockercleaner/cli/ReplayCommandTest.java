package io.dockercleaner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dockercleaner.testsupport.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code docker-cleaner replay} in-process (Main.run): options, output shapes, exit codes. */
class ReplayCommandTest {
  private static final String TRACE = Path.of("src/test/resources/replay/small-trace.jsonl").toAbsolutePath().toString();

  @TempDir Path dir;

  @Test
  void textReportOfTheCostPolicy() {
    CliRun r = CliRun.run(Map.of(), "replay", "--trace", TRACE, "--disk-bytes", "1000MB", "--policy", "cost");
    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout()).contains("with policy cost on 1.0 GB (high 85.0%, low 75.0%)")
        .contains("bytes re-pulled:    300000000 (300 MB)")
        .contains("misses:             1");
  }

  @Test
  void jsonReportHasTheRunLogShapeAndTheNumbers() {
    CliRun r = CliRun.run(Map.of("LOG_FORMAT", "json", "CLEANUP_POLICY", "lru"), "replay", "--trace=" + TRACE,
        "--disk-bytes=1GB", "--high", "85%", "--low", "75");
    assertThat(r.exitCode()).isZero();
    List<JsonNode> lines = r.jsonLines();
    assertThat(lines).hasSize(1);
    JsonNode line = lines.get(0);
    assertThat(line.get("operation").asText()).isEqualTo("REPLAY");
    assertThat(line.get("policy").asText()).isEqualTo("lru");
    assertThat(line.get("bytes_repulled").asLong()).isEqualTo(600_000_000L);
    assertThat(line.get("misses").asInt()).isEqualTo(2);
    assertThat(line.get("events").asInt()).isEqualTo(23);
  }

  @Test
  void aBadTraceLineExits2NamingTheLineAndField() throws IOException {
    Path trace = dir.resolve("bad.jsonl");
    Files.writeString(trace, Files.readString(Path.of(TRACE)).replace("\"size\":250000000}]}\n{\"t\":\"2026-01-05T14:01:00Z\"",
        "\"size\":\"big\"}]}\n{\"t\":\"2026-01-05T14:01:00Z\""));
    CliRun r = CliRun.run(Map.of(), "replay", "--trace", trace.toString(), "--disk-bytes", "1GB");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("replay: bad trace: " + trace + " line 10, field 'layers[0].size': expected a whole"
        + " number of bytes >= 0, got \"big\"");
    assertThat(r.stdout()).isEmpty();
  }

  @Test
  void missingAndBadOptionsExit2NamingEach() {
    CliRun r = CliRun.run(Map.of(), "replay", "--policy", "fifo", "--high", "120%");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("replay: --trace: missing")
        .contains("replay: --disk-bytes: missing")
        .contains("replay: --policy: invalid value 'fifo' (expected one of lru, age, cost)")
        .contains("--high: invalid value '120%'");
  }

  @Test
  void replayOptionsBelongToReplayOnly() {
    CliRun r = CliRun.run(Map.of(), "run", "--trace", TRACE);
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("--trace is an option of another command (replay), not of 'run'");
  }
}
