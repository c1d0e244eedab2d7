package io.dockercleaner.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunHistoryTest {
  private static JsonObject run(int n) {
    return new JsonObject().put("id", "run-" + n).put("trigger", "http").put("outcome", "succeeded")
        .put("reportedBytes", n * 1000L);
  }

  @Test
  void keepsTheNewestFirstUpToItsCapacity() {
    RunHistory h = new RunHistory(3);
    for (int i = 1; i <= 5; i++) {
      h.add(run(i));
    }
    assertThat(h.list()).extracting(o -> o.getString("id")).containsExactly("run-5", "run-4", "run-3");
    assertThat(h.find("run-4")).contains(run(4));
    assertThat(h.find("run-1")).as("dropped: beyond the capacity").isEmpty();
  }

  @Test
  void survivesASaveAndLoadInOrderAndCutToTheCapacity(@TempDir Path dir) throws Exception {
    RunHistory h = new RunHistory(10);
    for (int i = 1; i <= 4; i++) {
      h.add(run(i));
    }
    h.save(dir);
    assertThat(dir.resolve(RunHistory.FILE_NAME + ".tmp")).as("written through a temporary file").doesNotExist();
    assertThat(RunHistory.load(dir, 10).list()).isEqualTo(h.list());
    assertThat(RunHistory.load(dir, 2).list()).extracting(o -> o.getString("id")).containsExactly("run-4", "run-3");
  }

  @Test
  void noFileIsAnEmptyHistoryAndABrokenOneAnIoException(@TempDir Path dir) throws Exception {
    assertThat(RunHistory.load(dir, 5).list()).isEmpty();
    Files.writeString(dir.resolve(RunHistory.FILE_NAME), "{\"runs\":[{\"trigger\":\"http\"}]}");
    assertThatThrownBy(() -> RunHistory.load(dir, 5)).isInstanceOf(java.io.IOException.class).hasMessageContaining("no id");
    Files.writeString(dir.resolve(RunHistory.FILE_NAME), "not json");
    assertThatThrownBy(() -> RunHistory.load(dir, 5)).isInstanceOf(java.io.IOException.class);
  }

  @Test
  void listedRunsAreCopies() {
    RunHistory h = new RunHistory(2);
    h.add(run(1));
    h.list().get(0).put("outcome", "changed");
    assertThat(h.find("run-1").orElseThrow().getString("outcome")).isEqualTo("succeeded");
  }
}
