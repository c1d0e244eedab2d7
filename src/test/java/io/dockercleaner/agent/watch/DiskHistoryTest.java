package io.dockercleaner.agent.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskHistoryTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void keepsAtMostOneSamplePerInterval() {
    DiskHistory h = new DiskHistory(Duration.ofMinutes(1), 10);
    assertThat(h.record(new DiskHistory.Point(T0, 0.5, 0.1))).isTrue();
    assertThat(h.record(new DiskHistory.Point(T0.plusSeconds(30), 0.6, 0.1))).isFalse();
    assertThat(h.record(new DiskHistory.Point(T0.plusSeconds(60), 0.7, null))).isTrue();
    assertThat(h.points()).extracting(DiskHistory.Point::usedRatio).containsExactly(0.5, 0.7);
  }

  @Test
  void ringDropsTheOldestBeyondItsCapacity() {
    DiskHistory h = new DiskHistory(Duration.ofMinutes(1), 3);
    for (int i = 0; i < 5; i++) {
      h.record(new DiskHistory.Point(T0.plusSeconds(60L * i), i / 10.0, null));
    }
    assertThat(h.points()).extracting(DiskHistory.Point::usedRatio).containsExactly(0.2, 0.3, 0.4);
  }

  @Test
  void savedHistoryIsLoadedAfterARestart(@TempDir Path dir) throws IOException {
    DiskHistory h = new DiskHistory(Duration.ofMinutes(1), 100);
    h.record(new DiskHistory.Point(T0, 0.5, 0.25));
    h.record(new DiskHistory.Point(T0.plusSeconds(60), 0.75, null));
    h.save(dir);
    DiskHistory loaded = DiskHistory.load(dir, Duration.ofMinutes(1), 100, T0.plusSeconds(120));
    assertThat(loaded.points()).containsExactlyElementsOf(h.points());
    assertThat(dir.resolve(DiskHistory.FILE_NAME + ".tmp")).doesNotExist();
  }

  @Test
  void loadKeepsOnlySamplesWithinTheRingsSpan(@TempDir Path dir) throws IOException {
    DiskHistory h = new DiskHistory(Duration.ofMinutes(1), 100);
    h.record(new DiskHistory.Point(T0, 0.1, null));
    h.record(new DiskHistory.Point(T0.plus(Duration.ofMinutes(90)), 0.2, null));
    h.save(dir);
    DiskHistory loaded = DiskHistory.load(dir, Duration.ofMinutes(1), 60, T0.plus(Duration.ofMinutes(100)));
    assertThat(loaded.points()).extracting(DiskHistory.Point::usedRatio).containsExactly(0.2);
  }

  @Test
  void noFileGivesAnEmptyHistory(@TempDir Path dir) throws IOException {
    assertThat(DiskHistory.load(dir, Duration.ofMinutes(1), 10, T0).points()).isEmpty();
  }

  @Test
  void aFileThatIsNotAHistoryIsAnIoException(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve(DiskHistory.FILE_NAME), "{\"samples\":[[\"x\"]]}");
    assertThatThrownBy(() -> DiskHistory.load(dir, Duration.ofMinutes(1), 10, T0)).isInstanceOf(IOException.class)
        .hasMessageContaining(DiskHistory.FILE_NAME);
  }

  @Test
  void jsonListsSamplesOldestFirstWithIntervalAndCapacity() {
    DiskHistory h = new DiskHistory(Duration.ofMinutes(1), 5);
    h.record(new DiskHistory.Point(T0, 0.5, 0.25));
    var json = h.toJson();
    assertThat(json.getLong("intervalSeconds")).isEqualTo(60);
    assertThat(json.getInteger("capacity")).isEqualTo(5);
    assertThat(json.getJsonArray("samples").getJsonObject(0).getMap()).containsEntry("at", T0.toString())
        .containsEntry("usedRatio", 0.5).containsEntry("inodeUsedRatio", 0.25);
  }
}
