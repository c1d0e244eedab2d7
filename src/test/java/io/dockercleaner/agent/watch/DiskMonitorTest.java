package io.dockercleaner.agent.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@Tag("process")
@ExtendWith(VertxExtension.class)
class DiskMonitorTest {
  private static final Instant AT = Instant.parse("2026-11-28T10:00:00Z");

  @TempDir Path dir;

  @Test
  void parsesStatOutputIntoBytesAndInodes() {
    DiskSample sample = DiskMonitor.parseStatOutput("4096 1000 250 200 5000 4000\n", AT);
    assertThat(sample).isEqualTo(new DiskSample(AT, 4_096_000, 1_024_000, 819_200, 5000, 4000));
    assertThat(sample.usedBytes()).isEqualTo(3_072_000);
    // df's Use%: used / (used + available)
    assertThat(sample.usedRatio()).isEqualTo(3_072_000.0 / (3_072_000 + 819_200));
    assertThat(sample.inodeUsedRatio()).isEqualTo(0.2);
    assertThat(sample.hasInodes()).isTrue();
  }

  @Test
  void aFilesystemWithoutInodesReportsZeroInodeUse() {
    DiskSample sample = DiskMonitor.parseStatOutput("4096 1000 250 250 0 0", AT);
    assertThat(sample.hasInodes()).isFalse();
    assertThat(sample.inodeUsedRatio()).isZero();
  }

  @Test
  void rejectsUnexpectedStatOutput() {
    assertThatThrownBy(() -> DiskMonitor.parseStatOutput("stat: cannot read", AT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expected 6 numbers from stat -f, got 'stat: cannot read'");
    assertThatThrownBy(() -> DiskMonitor.parseStatOutput("4096 1000 250 x 5000 4000", AT))
        .hasMessage("not a number in stat -f output: 'x'");
  }

  @Test
  void sampleOfATempDirMatchesDfForTheSameFilesystem(Vertx vertx, VertxTestContext ctx) {
    DiskMonitor monitor = new DiskMonitor(vertx, dir);
    monitor.sample().onComplete(ctx.succeeding(sample -> ctx.verify(() -> {
      // Totals are stable while other processes write; free space is not, so only totals compare.
      String[] df = lastLine(TestDaemons.run(List.of("df", "-B1", "--output=size", dir.toString()), null, Map.of()).out());
      String[] dfi = lastLine(TestDaemons.run(List.of("df", "--output=itotal", dir.toString()), null, Map.of()).out());
      assertThat(sample.totalBytes()).isEqualTo(Long.parseLong(df[0]));
      assertThat(sample.totalInodes()).isEqualTo(Long.parseLong(dfi[0]));
      assertThat(sample.freeBytes()).isBetween(sample.availableBytes(), sample.totalBytes());
      assertThat(sample.freeInodes()).isBetween(0L, sample.totalInodes());
      assertThat(monitor.lastSample()).isEqualTo(sample);
      ctx.completeNow();
    })));
  }

  @Test
  void periodicSamplingDeliversSamplesToTheListener(Vertx vertx, VertxTestContext ctx) {
    DiskMonitor monitor = new DiskMonitor(vertx, dir);
    var twoSamples = ctx.checkpoint(2);
    monitor.startPeriodic(Duration.ofMillis(20), sample -> {
      ctx.verify(() -> assertThat(sample.totalBytes()).isPositive());
      twoSamples.flag();
    }, ctx::failNow);
  }

  @Test
  void aMissingPathFails(Vertx vertx, VertxTestContext ctx) {
    new DiskMonitor(vertx, dir.resolve("missing")).sample().onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertThat(e).hasMessageContaining("does not exist");
      ctx.completeNow();
    })));
  }

  private static String[] lastLine(String output) {
    String[] lines = output.strip().split("\n");
    return lines[lines.length - 1].strip().split("\\s+");
  }
}
