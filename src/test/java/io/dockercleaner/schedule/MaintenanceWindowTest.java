package io.dockercleaner.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dockercleaner.config.ConfigException;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class MaintenanceWindowTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  private static ZonedDateTime at(String local) {
    return java.time.LocalDateTime.parse(local).atZone(BERLIN);
  }

  @Test
  void weekNightsAcrossMidnightAndWholeWeekendDays() {
    MaintenanceWindow w = MaintenanceWindow.parse("MAINTENANCE_WINDOW", "Mon-Fri 22:00-06:00, Sat-Sun", BERLIN);
    // 2026-11-30 is a Monday
    assertThat(w.isOpen(at("2026-11-30T21:59"))).isFalse();
    assertThat(w.isOpen(at("2026-11-30T22:00"))).isTrue();
    assertThat(w.isOpen(at("2026-12-01T05:59"))).as("Monday's night runs into Tuesday").isTrue();
    assertThat(w.isOpen(at("2026-12-01T06:00"))).isFalse();
    assertThat(w.isOpen(at("2026-12-01T12:00"))).isFalse();
    assertThat(w.isOpen(at("2026-12-05T12:00"))).as("Saturday").isTrue();
    assertThat(w.isOpen(at("2026-11-30T03:00"))).as("Sunday night is a Sunday entry: all day only").isFalse();
    assertThat(w.isOpen(at("2026-11-29T23:59"))).as("Sunday").isTrue();
    // the same instant seen from UTC
    assertThat(w.isOpen(at("2026-11-30T22:30").withZoneSameInstant(ZoneId.of("UTC")))).isTrue();

    assertThat(w.nextOpening(at("2026-12-01T12:00"))).contains(at("2026-12-01T22:00"));
    assertThat(w.nextOpening(at("2026-11-30T23:00"))).as("open now").contains(at("2026-11-30T23:00"));
    assertThat(w.nextOpening(at("2026-12-04T06:30"))).as("Friday morning → Friday night").contains(at("2026-12-04T22:00"));
  }

  @Test
  void everyDayRangesAndSingleDays() {
    MaintenanceWindow w = MaintenanceWindow.parse("MAINTENANCE_WINDOW", "01:00-05:00, wed 12:00-24:00", BERLIN);
    assertThat(w.isOpen(at("2026-12-01T04:00"))).isTrue();
    assertThat(w.isOpen(at("2026-12-02T23:59"))).isTrue();
    assertThat(w.isOpen(at("2026-12-03T00:00"))).isFalse();
    assertThat(w.nextOpening(at("2026-12-01T05:00"))).contains(at("2026-12-02T01:00"));
  }

  @Test
  void daylightSavingChangesKeepWallClockTimes() {
    MaintenanceWindow w = MaintenanceWindow.parse("MAINTENANCE_WINDOW", "Sun 01:00-04:00", BERLIN);
    // 2026-03-29: clocks go 02:00 → 03:00 in Berlin; the window is 2 real hours long that night
    assertThat(w.isOpen(at("2026-03-29T01:30"))).isTrue();
    assertThat(w.isOpen(at("2026-03-29T03:30"))).isTrue();
    assertThat(w.isOpen(at("2026-03-29T04:00"))).isFalse();
    // 2026-10-25: 03:00 → 02:00; the window opens at 01:00 local once
    assertThat(w.nextOpening(at("2026-10-24T12:00"))).contains(at("2026-10-25T01:00"));
  }

  @Test
  void badEntriesNameTheVariableAndWhatIsExpected() {
    String expected = " (" + MaintenanceWindow.EXPECTED + ")";
    assertThatThrownBy(() -> MaintenanceWindow.parse("MAINTENANCE_WINDOW", "Mon-Fri 22:00-06:00, Funday", BERLIN))
        .isInstanceOf(ConfigException.class)
        .hasMessage("MAINTENANCE_WINDOW: invalid entry 'Funday' in 'Mon-Fri 22:00-06:00, Funday'" + expected);
    assertThatThrownBy(() -> MaintenanceWindow.parse("MAINTENANCE_WINDOW", "Fun 01:00-02:00", BERLIN))
        .hasMessage("MAINTENANCE_WINDOW: unknown day 'Fun' in 'Fun 01:00-02:00'" + expected);
    assertThatThrownBy(() -> MaintenanceWindow.parse("MAINTENANCE_WINDOW", "Mon 25:00-02:00", BERLIN))
        .hasMessage("MAINTENANCE_WINDOW: invalid time '25:00' in 'Mon 25:00-02:00'" + expected);
    assertThatThrownBy(() -> MaintenanceWindow.parse("MAINTENANCE_WINDOW", "Mon,", BERLIN))
        .hasMessage("MAINTENANCE_WINDOW: invalid entry '' in 'Mon,'" + expected);
  }
}
