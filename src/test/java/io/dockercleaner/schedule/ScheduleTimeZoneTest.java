package io.dockercleaner.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dockercleaner.config.ConfigException;
import io.dockercleaner.config.Settings;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Schedules in local time: TZ or a CRON_TZ= prefix picks the zone, and daylight-saving changes
 * fire each job once. The agent arms its timer with
 * {@code CronExpression.parse("SCHEDULE", settings.schedule()).next(ZonedDateTime.now(clock))} on
 * a UTC clock; these tests do the same with a fixed clock on both 2026 transitions of Europe/Berlin
 * (spring forward 2026-03-29 02:00 CET to 03:00 CEST, fall back 2026-10-25 03:00 CEST to 02:00 CET).
 */
class ScheduleTimeZoneTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  /** The schedule as the agent gets it from the settings. */
  private static CronExpression agentSchedule(Map<String, String> env) {
    Settings settings = Settings.of(env);
    return CronExpression.parse("SCHEDULE", settings.schedule().orElseThrow());
  }

  /** Every firing from the clock's instant up to {@code until}, re-armed from each firing as the agent does. */
  private static List<ZonedDateTime> firings(CronExpression cron, Clock clock, Instant until) {
    List<ZonedDateTime> out = new ArrayList<>();
    ZonedDateTime next = cron.next(ZonedDateTime.now(clock));
    while (next.toInstant().isBefore(until)) {
      out.add(next);
      next = cron.next(next);
    }
    return out;
  }

  private static Clock fixedUtc(String instant) {
    return Clock.fixed(Instant.parse(instant), ZoneOffset.UTC);
  }

  private static ZonedDateTime berlin(String localWithOffset) {
    return ZonedDateTime.parse(localWithOffset + "[Europe/Berlin]");
  }

  @Test
  void withTzADailyJobAt0230FiresOnceOnTheSpringForwardDayWhenTheClocksJump() {
    CronExpression cron = agentSchedule(Map.of("SCHEDULE", "30 2 * * *", "TZ", "Europe/Berlin"));
    // 2026-03-28 12:00 in Berlin (11:00 UTC), two days of firings
    List<ZonedDateTime> got = firings(cron, fixedUtc("2026-03-28T11:00:00Z"), Instant.parse("2026-03-30T12:00:00Z"));

    assertThat(got).containsExactly(
        berlin("2026-03-29T03:00:00+02:00"), // 02:30 does not exist that day: once, at 03:00 CEST
        berlin("2026-03-30T02:30:00+02:00"));
  }

  @Test
  void withTzADailyJobAt0230FiresOnceOnTheFallBackDay() {
    CronExpression cron = agentSchedule(Map.of("SCHEDULE", "30 2 * * *", "TZ", "Europe/Berlin"));
    List<ZonedDateTime> got = firings(cron, fixedUtc("2026-10-24T10:00:00Z"), Instant.parse("2026-10-26T12:00:00Z"));

    assertThat(got).containsExactly(
        berlin("2026-10-25T02:30:00+02:00"), // the first of the two 02:30s only
        berlin("2026-10-26T02:30:00+01:00"));
  }

  @Test
  void theAgentsNextFiringFromAClockInsideTheRepeatedHourIsTheNextDay() {
    CronExpression cron = agentSchedule(Map.of("SCHEDULE", "30 2 * * *", "TZ", "Europe/Berlin"));
    // 00:45 UTC = 02:45 CEST, after the first 02:30; 01:40 UTC = 02:40 CET, in the second pass
    assertThat(cron.next(ZonedDateTime.now(fixedUtc("2026-10-25T00:45:00Z")))).isEqualTo(berlin("2026-10-26T02:30:00+01:00"));
    assertThat(cron.next(ZonedDateTime.now(fixedUtc("2026-10-25T01:40:00Z")))).isEqualTo(berlin("2026-10-26T02:30:00+01:00"));
  }

  @Test
  void aWildcardJobFollowsElapsedTimeAcrossBothTransitions() {
    CronExpression cron = agentSchedule(Map.of("SCHEDULE", "*/30 * * * *", "TZ", "Europe/Berlin"));

    // spring forward: 00:00 UTC to 03:00 UTC is 01:00 CET to 05:00 CEST, three hours
    List<ZonedDateTime> spring = firings(cron, fixedUtc("2026-03-29T00:00:00Z"), Instant.parse("2026-03-29T03:00:01Z"));
    // fall back: 23:00 UTC to 03:00 UTC is 01:00 CEST to 04:00 CET, four hours, 02:xx twice
    List<ZonedDateTime> fall = firings(cron, fixedUtc("2026-10-24T23:00:00Z"), Instant.parse("2026-10-25T03:00:01Z"));

    assertThat(spring).hasSize(6).extracting(z -> z.toInstant().getEpochSecond() % 1800).containsOnly(0L);
    assertThat(fall).hasSize(8).extracting(z -> z.toInstant().getEpochSecond() % 1800).containsOnly(0L);
    assertThat(fall).extracting(ZonedDateTime::toLocalTime).extracting(Object::toString)
        .containsExactly("01:30", "02:00", "02:30", "02:00", "02:30", "03:00", "03:30", "04:00");
  }

  @Test
  void withoutTzTheScheduleIsInUtc() {
    Settings settings = Settings.of(Map.of("SCHEDULE", "30 2 * * *"));
    CronExpression cron = CronExpression.parse("SCHEDULE", settings.schedule().orElseThrow());

    assertThat(settings.scheduleZone()).isEqualTo(ZoneId.of("UTC"));
    assertThat(cron.next(ZonedDateTime.now(fixedUtc("2026-03-28T11:00:00Z"))).toInstant())
        .isEqualTo(Instant.parse("2026-03-29T02:30:00Z"));
  }

  @Test
  void aCronTzPrefixWinsOverTzAndIsKeptAsGiven() {
    Settings settings = Settings.of(Map.of("SCHEDULE", "CRON_TZ=America/New_York 0 9 * * *", "TZ", "Europe/Berlin"));

    assertThat(settings.scheduleZone()).isEqualTo(ZoneId.of("America/New_York"));
    assertThat(settings.schedule()).contains("CRON_TZ=America/New_York 0 9 * * *");
    CronExpression cron = CronExpression.parse("SCHEDULE", settings.schedule().orElseThrow());
    // 9:00 EST = 14:00 UTC
    assertThat(cron.next(ZonedDateTime.now(fixedUtc("2026-01-05T12:00:00Z"))).toInstant())
        .isEqualTo(Instant.parse("2026-01-05T14:00:00Z"));
  }

  @Test
  void aCronTzPrefixWorksWithMacrosAndNamesTheZoneOfTheResult() {
    CronExpression cron = CronExpression.parse("CRON_TZ=Europe/Berlin @daily");

    ZonedDateTime next = cron.next(ZonedDateTime.parse("2026-07-01T12:00:00Z"));

    assertThat(cron.zone()).contains(BERLIN);
    assertThat(next).isEqualTo(berlin("2026-07-02T00:00:00+02:00"));
  }

  @Test
  void tzWithALeadingColonAsGlibcAllowsIsAccepted() {
    assertThat(Settings.of(Map.of("SCHEDULE", "@daily", "TZ", ":Europe/Berlin")).scheduleZone()).isEqualTo(BERLIN);
  }

  @Test
  void aTzThatIsNoZoneIdIsRejectedNamingTzWhenAScheduleNeedsIt() {
    assertThatThrownBy(() -> Settings.of(Map.of("SCHEDULE", "@daily", "TZ", "Mars/Olympus")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("TZ: 'Mars/Olympus' is not a time zone ID such as Europe/Berlin or UTC");
    // a one-shot run has no schedule: whatever TZ the host has does not stop it
    assertThat(Settings.of(Map.of("TZ", "CET-1CEST,M3.5.0,M10.5.0/3")).schedule()).isEmpty();
  }

  @Test
  void aBadCronTzIsRejectedNamingScheduleAndTheZone() {
    assertThatThrownBy(() -> Settings.of(Map.of("SCHEDULE", "CRON_TZ=Nowhere/Land 0 3 * * *")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("SCHEDULE")
        .hasMessageContaining("CRON_TZ= 'Nowhere/Land' is not a time zone ID");
    assertThatThrownBy(() -> CronExpression.parse("CRON_TZ=Europe/Berlin"))
        .hasMessageContaining("expression is empty");
  }
}
