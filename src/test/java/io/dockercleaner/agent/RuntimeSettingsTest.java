package io.dockercleaner.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dockercleaner.config.ConfigException;
import io.dockercleaner.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeSettingsTest {
  private static RuntimeSettings defaults() {
    return new RuntimeSettings(Settings.of(Map.of()));
  }

  @Test
  void startsFromTheConfigurationNotPaused() {
    RuntimeSettings r = new RuntimeSettings(Settings.of(Map.of("DISK_HIGH_WATERMARK", "90%")));
    assertThat(r.values().diskHigh()).isEqualTo(0.9);
    assertThat(r.values().paused()).isFalse();
    assertThat(r.values().raw()).containsEntry("DISK_HIGH_WATERMARK", "90%");
    assertThat(r.changedAtRuntime("DISK_HIGH_WATERMARK")).isFalse();
  }

  @Test
  void aValidChangeTakesEffectAndListsOldAndNew() {
    RuntimeSettings r = defaults();
    var changes = r.apply(Map.of("DISK_HIGH_WATERMARK", "90%", "AUTOMATIC_CLEANUP_PAUSED", "yes"));
    assertThat(changes).containsExactly(new RuntimeSettings.Change("DISK_HIGH_WATERMARK", "85%", "90%"),
        new RuntimeSettings.Change("AUTOMATIC_CLEANUP_PAUSED", "false", "yes"));
    assertThat(r.values().diskHigh()).isEqualTo(0.9);
    assertThat(r.values().paused()).isTrue();
    assertThat(r.changedAtRuntime("DISK_HIGH_WATERMARK")).isTrue();
  }

  @Test
  void anInvalidValueNamesTheSettingAndChangesNothing() {
    RuntimeSettings r = defaults();
    var before = r.values();
    assertThatThrownBy(() -> r.apply(Map.of("DISK_LOW_WATERMARK", "70%", "DISK_HIGH_WATERMARK", "150%")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("DISK_HIGH_WATERMARK").hasMessageContaining("150%");
    assertThat(r.values()).isEqualTo(before);
  }

  @Test
  void theStartUpCrossChecksApply() {
    RuntimeSettings r = defaults();
    assertThatThrownBy(() -> r.apply(Map.of("DISK_LOW_WATERMARK", "90%")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("DISK_LOW_WATERMARK");
    assertThatThrownBy(() -> r.apply(Map.of("AUTOMATIC_CLEANUP_PAUSED", "maybe")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("AUTOMATIC_CLEANUP_PAUSED");
    assertThat(r.values().diskLow()).isEqualTo(0.75);
  }

  @Test
  void onlyTheEditableSettingsMayChange() {
    RuntimeSettings r = defaults();
    assertThatThrownBy(() -> r.apply(Map.of("DOCKER_HOST", "tcp://elsewhere:2375")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("DOCKER_HOST").hasMessageContaining("cannot be changed");
  }

  @Test
  void changedValuesSurviveARestartAndWinOverTheConfiguration(@TempDir Path dir) throws Exception {
    RuntimeSettings r = defaults();
    r.apply(Map.of("DISK_HIGH_WATERMARK", "92%", "AUTOMATIC_CLEANUP_PAUSED", "true"));
    r.save(dir);
    assertThat(dir.resolve(RuntimeSettings.FILE_NAME + ".tmp")).doesNotExist();

    RuntimeSettings restarted = new RuntimeSettings(Settings.of(Map.of("DISK_HIGH_WATERMARK", "80%",
        "DISK_LOW_WATERMARK", "70%")));
    restarted.load(dir);
    assertThat(restarted.values().diskHigh()).isEqualTo(0.92);
    assertThat(restarted.values().diskLow()).as("not changed at runtime: the configuration's").isEqualTo(0.70);
    assertThat(restarted.values().paused()).isTrue();
    assertThat(restarted.changedAtRuntime("DISK_HIGH_WATERMARK")).isTrue();
    assertThat(restarted.changedAtRuntime("DISK_LOW_WATERMARK")).isFalse();
  }

  @Test
  void aBrokenFileIsAnIoException(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve(RuntimeSettings.FILE_NAME), "not json");
    assertThatThrownBy(() -> defaults().load(dir)).isInstanceOf(java.io.IOException.class);
  }
  @Test
  void scheduleIsEditableValidatedByTheCronParserAndTakesTheStartUpZone() {
    RuntimeSettings r = new RuntimeSettings(Settings.of(Map.of("TZ", "Europe/Berlin")));
    assertThat(r.values().schedule()).as("no SCHEDULE at start").isEmpty();
    assertThat(r.values().raw()).containsEntry("SCHEDULE", "");
    var changes = r.apply(Map.of("SCHEDULE", "30 2 * * *"));
    assertThat(changes).containsExactly(new RuntimeSettings.Change("SCHEDULE", "", "30 2 * * *"));
    assertThat(r.values().schedule()).as("fires in the start-up TZ").contains("CRON_TZ=Europe/Berlin 30 2 * * *");
    r.apply(Map.of("SCHEDULE", "CRON_TZ=America/New_York @daily"));
    assertThat(r.values().schedule()).as("its own zone wins").contains("CRON_TZ=America/New_York @daily");
    assertThat(r.changedAtRuntime("SCHEDULE")).isTrue();
  }

  @Test
  void aBadScheduleNamesSchedulesAndChangesNothing() {
    RuntimeSettings r = new RuntimeSettings(Settings.of(Map.of("SCHEDULE", "@hourly")));
    var before = r.values();
    assertThatThrownBy(() -> r.apply(Map.of("SCHEDULE", "61 * * * *", "DISK_HIGH_WATERMARK", "90%")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("SCHEDULE").hasMessageContaining("61");
    assertThatThrownBy(() -> r.apply(Map.of("SCHEDULE", "CRON_TZ=Mars/Olympus 0 * * * *")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("SCHEDULE").hasMessageContaining("Mars/Olympus");
    assertThat(r.values()).isEqualTo(before);
    assertThat(r.values().schedule()).contains("CRON_TZ=UTC @hourly");
  }

  @Test
  void anEmptyScheduleTurnsTheScheduleOffAndThatSurvivesARestart(@TempDir Path dir) throws Exception {
    RuntimeSettings r = new RuntimeSettings(Settings.of(Map.of("SCHEDULE", "@hourly")));
    r.apply(Map.of("SCHEDULE", ""));
    assertThat(r.values().schedule()).isEmpty();
    r.save(dir);
    RuntimeSettings restarted = new RuntimeSettings(Settings.of(Map.of("SCHEDULE", "@hourly")));
    restarted.load(dir);
    assertThat(restarted.values().schedule()).as("the runtime change wins over the configuration").isEmpty();
    assertThat(restarted.changedAtRuntime("SCHEDULE")).isTrue();
  }
}
