package io.dockercleaner.schedule;

import io.dockercleaner.config.ConfigException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MAINTENANCE_WINDOW: when threshold runs may start, e.g. {@code Mon-Fri 22:00-06:00, Sat-Sun}.
 * Comma-separated entries, each {@code DAYS}, {@code DAYS HH:MM-HH:MM} or {@code HH:MM-HH:MM}
 * (every day); DAYS is a day ({@code Mon}) or a range ({@code Mon-Fri}, {@code Fri-Mon}); a time
 * range ending at or before its start ends the next day ({@code 22:00-06:00}); {@code 24:00} is
 * the end of the day. Times are in the given zone (TZ, as SCHEDULE). Pure: no clock.
 */
public final class MaintenanceWindow {
  private static final Pattern ENTRY = Pattern.compile(
      "(?:(?<from>[A-Za-z]{3})(?:-(?<to>[A-Za-z]{3}))?)?\\s*(?:(?<start>\\d{1,2}:\\d{2})-(?<end>\\d{1,2}:\\d{2}))?");
  private static final List<String> DAYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");
  static final String EXPECTED = "expected comma-separated entries like 'Mon-Fri 22:00-06:00', 'Sat-Sun' or"
      + " '01:00-05:00' (days Mon..Sun, times HH:MM, 24:00 = end of day)";

  /** One entry: on {@code days}, from {@code start} for {@code length} (may pass midnight). */
  private record Entry(Set<DayOfWeek> days, LocalTime start, java.time.Duration length) {}

  private final String text;
  private final List<Entry> entries;
  private final ZoneId zone;

  private MaintenanceWindow(String text, List<Entry> entries, ZoneId zone) {
    this.text = text;
    this.entries = entries;
    this.zone = zone;
  }

  /**
   * Parses a window.
   *
   * @param name the variable as given, for messages
   * @throws ConfigException naming the variable, the bad entry and what is expected
   */
  public static MaintenanceWindow parse(String name, String raw, ZoneId zone) {
    List<Entry> entries = new ArrayList<>();
    for (String part : raw.split(",", -1)) {
      String e = part.trim();
      Matcher m = ENTRY.matcher(e);
      if (e.isEmpty() || !m.matches()) {
        throw new ConfigException(name + ": invalid entry '" + e + "' in '" + raw + "' (" + EXPECTED + ")");
      }
      Set<DayOfWeek> days = EnumSet.allOf(DayOfWeek.class);
      if (m.group("from") != null) {
        DayOfWeek from = day(name, raw, m.group("from"));
        DayOfWeek to = m.group("to") == null ? from : day(name, raw, m.group("to"));
        days = EnumSet.noneOf(DayOfWeek.class);
        for (DayOfWeek d = from; ; d = d.plus(1)) {
          days.add(d);
          if (d == to) {
            break;
          }
        }
      }
      LocalTime start = LocalTime.MIDNIGHT;
      java.time.Duration length = java.time.Duration.ofDays(1);
      if (m.group("start") != null) {
        int startMinutes = minutes(name, raw, m.group("start"));
        int endMinutes = minutes(name, raw, m.group("end"));
        if (startMinutes == 24 * 60) {
          throw new ConfigException(name + ": invalid entry '" + e + "' (a window starts at 23:59 at the latest)");
        }
        int lengthMinutes = endMinutes > startMinutes ? endMinutes - startMinutes : endMinutes + 24 * 60 - startMinutes;
        start = LocalTime.of(startMinutes / 60, startMinutes % 60);
        length = java.time.Duration.ofMinutes(lengthMinutes);
      }
      entries.add(new Entry(days, start, length));
    }
    return new MaintenanceWindow(raw, List.copyOf(entries), zone);
  }

  private static DayOfWeek day(String name, String raw, String text) {
    int i = DAYS.indexOf(text.toLowerCase(Locale.ROOT));
    if (i < 0) {
      throw new ConfigException(name + ": unknown day '" + text + "' in '" + raw + "' (" + EXPECTED + ")");
    }
    return DayOfWeek.of(i + 1);
  }

  private static int minutes(String name, String raw, String hhmm) {
    String[] p = hhmm.split(":");
    int h = Integer.parseInt(p[0]);
    int m = Integer.parseInt(p[1]);
    if (h > 24 || m > 59 || (h == 24 && m != 0)) {
      throw new ConfigException(name + ": invalid time '" + hhmm + "' in '" + raw + "' (" + EXPECTED + ")");
    }
    return h * 60 + m;
  }

  /** Whether {@code t} is inside the window. */
  public boolean isOpen(ZonedDateTime t) {
    ZonedDateTime local = t.withZoneSameInstant(zone);
    for (LocalDate day = local.toLocalDate().minusDays(1); !day.isAfter(local.toLocalDate()); day = day.plusDays(1)) {
      for (Entry e : entries) {
        if (e.days().contains(day.getDayOfWeek())) {
          ZonedDateTime from = ZonedDateTime.of(day, e.start(), zone);
          ZonedDateTime until = ZonedDateTime.of(day.atTime(e.start()).plus(e.length()), zone);
          if (!local.isBefore(from) && local.isBefore(until)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** {@code t} when open, else when the window next opens (within 8 days; empty never for a valid window). */
  public Optional<ZonedDateTime> nextOpening(ZonedDateTime t) {
    if (isOpen(t)) {
      return Optional.of(t);
    }
    ZonedDateTime local = t.withZoneSameInstant(zone);
    ZonedDateTime best = null;
    for (LocalDate day = local.toLocalDate(); day.isBefore(local.toLocalDate().plusDays(8)); day = day.plusDays(1)) {
      for (Entry e : entries) {
        if (e.days().contains(day.getDayOfWeek())) {
          ZonedDateTime from = ZonedDateTime.of(day, e.start(), zone);
          if (from.isAfter(local) && (best == null || from.isBefore(best))) {
            best = from;
          }
        }
      }
    }
    return Optional.ofNullable(best);
  }

  /** The zone the times are in. */
  public ZoneId zone() {
    return zone;
  }

  /** As configured. */
  @Override
  public String toString() {
    return text;
  }
}
