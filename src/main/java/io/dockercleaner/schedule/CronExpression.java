package io.dockercleaner.schedule;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A cron schedule, parsed once and asked for its next firing time. It holds no clock: callers pass
 * the time to search from.
 *
 * <p>Syntax: five fields {@code minute hour day-of-month month day-of-week}, or six with a leading
 * {@code second}; each field is {@code *}, a value, a range {@code a-b}, a step
 * <code>&#42;/n</code>, {@code a-b/n} or {@code a/n} (from a to the maximum), or a
 * comma-separated list of those. Months may be written {@code JAN}-{@code DEC}, days of the
 * week {@code SUN}-{@code SAT} (any case); day of week 0 and 7 are both Sunday. {@code ?} means
 * {@code *} in the two day fields. Macros: {@code @yearly} (= {@code @annually}),
 * {@code @monthly}, {@code @weekly}, {@code @daily} (= {@code @midnight}), {@code @hourly}.
 *
 * <p>Days follow Vixie cron: when both day fields are restricted (neither starts with {@code *} or
 * {@code ?}) a day matches if either field matches; otherwise both must match.
 *
 * <p>Time zones: a {@code CRON_TZ=Zone} prefix ({@code CRON_TZ=Europe/Berlin 30 2 * * *}, as in
 * cronie) fixes the zone whose local time the fields match; without one, the zone of the time
 * passed to {@link #next} applies. Daylight-saving changes follow Vixie cron/cronie, so that each
 * firing happens once:
 *
 * <ul>
 *   <li>A <em>fixed-time</em> expression (minute and hour, and second if given, are not {@code *}
 *       or <code>&#42;/n</code>): a local time skipped by clocks going forward fires once, at the
 *       end of the gap (02:30 on the spring-forward day fires at 03:00); a local time that occurs
 *       twice (clocks set back) fires once, at its first occurrence.
 *   <li>A <em>wildcard</em> expression (every n minutes or hours) follows elapsed time: nothing
 *       fires in a gap (those local times do not exist), and the repeated hour fires on both
 *       passes.
 * </ul>
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class CronExpression {

  private static final Map<String, String> MACROS =
      Map.of(
          "@yearly", "0 0 1 1 *",
          "@annually", "0 0 1 1 *",
          "@monthly", "0 0 1 * *",
          "@weekly", "0 0 * * 0",
          "@daily", "0 0 * * *",
          "@midnight", "0 0 * * *",
          "@hourly", "0 * * * *");
  private static final String MACRO_NAMES =
      "@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly";
  private static final List<String> MONTH_NAMES =
      List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
  private static final List<String> DAY_NAMES =
      List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");
  // Days in each month in a leap year: a day-of-month that fits none of the months never fires.
  private static final int[] MAX_DAYS_IN_MONTH = {
    0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
  };
  // The Gregorian calendar repeats every 400 years; a valid expression fires well within that.
  private static final int SEARCH_LIMIT_YEARS = 400;

  private static final String ZONE_PREFIX = "CRON_TZ=";

  private final String source;
  private final ZoneId zone; // null = the zone of the time passed to next()
  private final boolean fixedTime;
  // Bit i set = value i allowed.
  private final long seconds;
  private final long minutes;
  private final long hours;
  private final long daysOfMonth;
  private final long months;
  private final long daysOfWeek; // bit 0 = Sunday ... bit 6 = Saturday
  private final boolean eitherDayFieldMatches;

  private CronExpression(
      String source,
      ZoneId zone,
      boolean fixedTime,
      long seconds,
      long minutes,
      long hours,
      long daysOfMonth,
      long months,
      long daysOfWeek,
      boolean eitherDayFieldMatches) {
    this.source = source;
    this.zone = zone;
    this.fixedTime = fixedTime;
    this.seconds = seconds;
    this.minutes = minutes;
    this.hours = hours;
    this.daysOfMonth = daysOfMonth;
    this.months = months;
    this.daysOfWeek = daysOfWeek;
    this.eitherDayFieldMatches = eitherDayFieldMatches;
  }

  /**
   * Parses an expression.
   *
   * @param expression five or six fields, or a macro, optionally after {@code CRON_TZ=Zone }
   * @return the schedule
   * @throws IllegalArgumentException naming the field and what was expected, e.g. {@code invalid
   *     cron expression '61 * * * *': minute field '61' out of range 0-59}
   */
  public static CronExpression parse(String expression) {
    Objects.requireNonNull(expression, "expression");
    try {
      return parseFields(expression);
    } catch (FieldException e) {
      throw new IllegalArgumentException(
          "invalid cron expression '" + expression + "': " + e.getMessage(), e);
    }
  }

  /**
   * Parses an expression read from a setting, prefixing errors with the setting's name, e.g.
   * {@code SCHEDULE: invalid cron expression '61 * * * *': minute field '61' out of range 0-59}.
   *
   * @param settingName the name of the setting, e.g. {@code SCHEDULE}
   * @param expression five or six fields, or a macro
   * @return the schedule
   * @throws IllegalArgumentException as {@link #parse(String)}, with the prefix
   */
  public static CronExpression parse(String settingName, String expression) {
    try {
      return parse(expression);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(settingName + ": " + e.getMessage(), e);
    }
  }

  private static CronExpression parseFields(String expression) throws FieldException {
    String trimmed = expression.trim();
    ZoneId zone = null;
    if (trimmed.startsWith(ZONE_PREFIX)) {
      String[] zoneAndRest = trimmed.substring(ZONE_PREFIX.length()).split("\\s+", 2);
      zone = zone(zoneAndRest[0]);
      trimmed = zoneAndRest.length > 1 ? zoneAndRest[1].trim() : "";
    }
    if (trimmed.isEmpty()) {
      throw new FieldException("expression is empty");
    }
    String expanded = trimmed;
    if (trimmed.startsWith("@")) {
      expanded = MACROS.get(trimmed.toLowerCase(Locale.ROOT));
      if (expanded == null) {
        throw new FieldException(
            "unknown macro '" + trimmed + "', expected one of " + MACRO_NAMES);
      }
    }
    String[] fields = expanded.split("\\s+");
    int first;
    long seconds;
    if (fields.length == 5) {
      first = 0;
      seconds = 1L;
    } else if (fields.length == 6) {
      first = 1;
      seconds = Field.SECOND.parse(fields[0]);
    } else {
      throw new FieldException(
          "expected 5 fields (minute hour day-of-month month day-of-week) or 6 fields (second"
              + " minute hour day-of-month month day-of-week), got " + fields.length);
    }
    long minutes = Field.MINUTE.parse(fields[first]);
    long hours = Field.HOUR.parse(fields[first + 1]);
    String domText = fields[first + 2];
    long daysOfMonth = Field.DAY_OF_MONTH.parse(domText);
    String monthText = fields[first + 3];
    long months = Field.MONTH.parse(monthText);
    String dowText = fields[first + 4];
    long daysOfWeek = Field.DAY_OF_WEEK.parse(dowText);
    // Day of week 7 is Sunday, like 0.
    if ((daysOfWeek & (1L << 7)) != 0) {
      daysOfWeek = (daysOfWeek | 1L) & ~(1L << 7);
    }
    boolean fixedTime = !isStar(fields[first]) && !isStar(fields[first + 1]) && (first == 0 || !isStar(fields[0]));
    boolean domRestricted = !isStar(domText);
    boolean dowRestricted = !isStar(dowText);
    if (domRestricted && !dowRestricted && !anyDayFits(daysOfMonth, months)) {
      throw new FieldException(
          "day-of-month field '" + domText + "' matches no day of the months in month field '"
              + monthText + "'");
    }
    return new CronExpression(
        expression,
        zone,
        fixedTime,
        seconds,
        minutes,
        hours,
        daysOfMonth,
        months,
        daysOfWeek,
        domRestricted && dowRestricted);
  }

  /** A zone ID such as Europe/Berlin, UTC or +02:00. */
  private static ZoneId zone(String id) throws FieldException {
    try {
      return ZoneId.of(id);
    } catch (java.time.DateTimeException e) {
      throw new FieldException(
          ZONE_PREFIX + " '" + id + "' is not a time zone ID such as Europe/Berlin or UTC");
    }
  }

  /** The zone of a {@code CRON_TZ=} prefix, if the expression has one. */
  public java.util.Optional<ZoneId> zone() {
    return java.util.Optional.ofNullable(zone);
  }

  private static boolean isStar(String field) {
    return field.startsWith("*") || field.startsWith("?");
  }

  private static boolean anyDayFits(long daysOfMonth, long months) {
    for (int month = 1; month <= 12; month++) {
      if ((months & (1L << month)) != 0) {
        long daysInMonth = (1L << (MAX_DAYS_IN_MONTH[month] + 1)) - 2; // bits 1..max
        if ((daysOfMonth & daysInMonth) != 0) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The first firing strictly after {@code after}: in the {@code CRON_TZ} zone when the expression
   * has one, else in {@code after}'s zone; the result is in that zone.
   *
   * @param after the time to search from (exclusive)
   * @return the next firing time
   */
  public ZonedDateTime next(ZonedDateTime after) {
    ZoneId in = zone != null ? zone : after.getZone();
    ZonedDateTime from = after.withZoneSameInstant(in);
    ZonedDateTime byLocalTime = nextByLocalTime(from);
    if (fixedTime) {
      return byLocalTime;
    }
    // Local time runs twice through the hour the clocks are set back: a wildcard expression also
    // fires on the second pass, which comes before later local times
    ZoneOffsetTransition transition = in.getRules().nextTransition(from.toInstant());
    if (transition != null && transition.isOverlap() && !byLocalTime.toInstant().isBefore(transition.getInstant())) {
      int lastYear = transition.getDateTimeAfter().getYear() + 1;
      LocalDateTime repeated = nextLocal(transition.getDateTimeAfter().minusSeconds(1), lastYear);
      if (repeated.isBefore(transition.getDateTimeBefore())) {
        ZonedDateTime secondPass = ZonedDateTime.ofStrict(repeated, transition.getOffsetAfter(), in);
        if (secondPass.isAfter(from) && secondPass.isBefore(byLocalTime)) {
          return secondPass;
        }
      }
    }
    return byLocalTime;
  }

  /** The next firing found by walking local time from {@code from}, in {@code from}'s zone. */
  private ZonedDateTime nextByLocalTime(ZonedDateTime from) {
    ZoneId in = from.getZone();
    ZoneRules rules = in.getRules();
    LocalDateTime local = from.toLocalDateTime().truncatedTo(ChronoUnit.SECONDS);
    int lastYear = local.getYear() + SEARCH_LIMIT_YEARS;
    while (true) {
      local = nextLocal(local, lastYear);
      List<ZoneOffset> offsets = rules.getValidOffsets(local);
      if (offsets.isEmpty()) {
        // In a gap: the local time does not exist
        ZoneOffsetTransition gap = rules.getTransition(local);
        if (fixedTime) {
          // a fixed-time job fires once, when the clocks have jumped (several gap times: still once)
          ZonedDateTime atGapEnd = ZonedDateTime.ofInstant(gap.getInstant(), in);
          if (atGapEnd.isAfter(from)) {
            return atGapEnd;
          }
        }
        local = gap.getDateTimeAfter().minusSeconds(1);
        continue;
      }
      // In an overlap, a fixed-time job fires at the first (earlier) offset only; a wildcard job
      // fires on both passes (the second pass is also found by next())
      for (ZoneOffset offset : fixedTime ? offsets.subList(0, 1) : offsets) {
        ZonedDateTime candidate = ZonedDateTime.ofLocal(local, in, offset);
        if (candidate.isAfter(from)) {
          return candidate;
        }
      }
      // "from" lies after this local time's firing(s), e.g. in the second pass of an overlap
    }
  }

  /** The first matching local time strictly after {@code from} (whole seconds). */
  private LocalDateTime nextLocal(LocalDateTime from, int lastYear) {
    LocalDateTime t = from.plusSeconds(1);
    while (true) {
      if (t.getYear() > lastYear) {
        throw new IllegalStateException("cron expression '" + source + "' never fires");
      }
      int month = t.getMonthValue();
      if (!has(months, month)) {
        int nextMonth = nextBit(months, month);
        t =
            nextMonth < 0
                ? LocalDate.of(t.getYear() + 1, 1, 1).atStartOfDay()
                : LocalDate.of(t.getYear(), nextMonth, 1).atStartOfDay();
        continue;
      }
      if (!dayMatches(t.toLocalDate())) {
        t = t.toLocalDate().plusDays(1).atStartOfDay();
        continue;
      }
      int hour = t.getHour();
      if (!has(hours, hour)) {
        int nextHour = nextBit(hours, hour);
        t =
            nextHour < 0
                ? t.toLocalDate().plusDays(1).atStartOfDay()
                : t.toLocalDate().atTime(nextHour, 0);
        continue;
      }
      int minute = t.getMinute();
      if (!has(minutes, minute)) {
        int nextMinute = nextBit(minutes, minute);
        t =
            nextMinute < 0
                ? t.truncatedTo(ChronoUnit.HOURS).plusHours(1)
                : t.truncatedTo(ChronoUnit.HOURS).withMinute(nextMinute);
        continue;
      }
      int second = t.getSecond();
      if (!has(seconds, second)) {
        int nextSecond = nextBit(seconds, second);
        t =
            nextSecond < 0
                ? t.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1)
                : t.withSecond(nextSecond);
        continue;
      }
      return t;
    }
  }

  private boolean dayMatches(LocalDate date) {
    boolean domMatches = has(daysOfMonth, date.getDayOfMonth());
    boolean dowMatches = has(daysOfWeek, date.getDayOfWeek().getValue() % 7);
    return eitherDayFieldMatches ? domMatches || dowMatches : domMatches && dowMatches;
  }

  private static boolean has(long bits, int value) {
    return (bits & (1L << value)) != 0;
  }

  /** The smallest allowed value greater than {@code value}, or -1. */
  private static int nextBit(long bits, int value) {
    long higher = value >= 63 ? 0 : bits & (-1L << (value + 1));
    return higher == 0 ? -1 : Long.numberOfTrailingZeros(higher);
  }

  /** The expression as given to {@link #parse}. */
  @Override
  public String toString() {
    return source;
  }

  /** Two expressions are equal when they were parsed from the same text. */
  @Override
  public boolean equals(Object other) {
    return other instanceof CronExpression && ((CronExpression) other).source.equals(source);
  }

  @Override
  public int hashCode() {
    return source.hashCode();
  }

  /** A parse problem in one field; the caller adds the expression. */
  private static final class FieldException extends Exception {
    FieldException(String message) {
      super(message, null, false, false);
    }
  }

  private enum Field {
    SECOND("second", 0, 59, null),
    MINUTE("minute", 0, 59, null),
    HOUR("hour", 0, 23, null),
    DAY_OF_MONTH("day-of-month", 1, 31, null),
    MONTH("month", 1, 12, MONTH_NAMES),
    DAY_OF_WEEK("day-of-week", 0, 7, DAY_NAMES);

    private final String label;
    private final int min;
    private final int max;
    private final List<String> names; // names.get(i) means min + i
    private final boolean allowsQuestionMark;

    Field(String label, int min, int max, List<String> names) {
      this.label = label;
      this.min = min;
      this.max = max;
      this.names = names;
      this.allowsQuestionMark = min == 1 && max == 31 || max == 7;
    }

    long parse(String text) throws FieldException {
      long bits = 0;
      for (String part : text.split(",", -1)) {
        bits |= parsePart(text, part);
      }
      return bits;
    }

    private long parsePart(String field, String part) throws FieldException {
      if (part.isEmpty()) {
        throw problem(field, "empty list element");
      }
      String range = part;
      int step = 1;
      int slash = part.indexOf('/');
      if (slash >= 0) {
        range = part.substring(0, slash);
        String stepText = part.substring(slash + 1);
        if (!isDigits(stepText)) {
          throw problem(field, "step '" + stepText + "' is not a number");
        }
        step = stepText.length() > 3 ? Integer.MAX_VALUE : Integer.parseInt(stepText);
        if (step < 1) {
          throw problem(field, "step must be at least 1");
        }
        if (step > max - min + 1) {
          throw problem(field, "step " + step + " out of range 1-" + (max - min + 1));
        }
      }
      int low;
      int high;
      if (range.equals("*") || allowsQuestionMark && range.equals("?")) {
        low = min;
        high = max;
      } else {
        int dash = range.indexOf('-');
        if (dash == 0) {
          throw problem(field, "range '" + range + "' has no start");
        } else if (dash > 0) {
          if (dash == range.length() - 1) {
            throw problem(field, "range '" + range + "' has no end");
          }
          low = value(field, range.substring(0, dash));
          high = value(field, range.substring(dash + 1));
          if (low > high) {
            throw problem(
                field, "range start " + low + " is greater than range end " + high);
          }
        } else {
          low = value(field, range);
          // "a/n" means from a to the maximum in steps of n.
          high = slash >= 0 ? max : low;
        }
      }
      long bits = 0;
      for (int value = low; value <= high; value += step) {
        bits |= 1L << value;
      }
      return bits;
    }

    private int value(String field, String text) throws FieldException {
      if (names != null) {
        int index = names.indexOf(text.toUpperCase(Locale.ROOT));
        if (index >= 0) {
          return min + index;
        }
      }
      if (!isDigits(text)) {
        String expected =
            names == null
                ? "a number " + min + "-" + max
                : "a number " + min + "-" + max + " or a name " + names.get(0) + "-"
                    + names.get(names.size() - 1);
        throw problem(field, "'" + text + "' is not " + expected);
      }
      int value = text.length() > 3 ? Integer.MAX_VALUE : Integer.parseInt(text);
      if (value < min || value > max) {
        String range = "out of range " + min + "-" + max;
        throw field.equals(text)
            ? new FieldException(label + " field '" + field + "' " + range)
            : problem(field, "'" + text + "' " + range);
      }
      return value;
    }

    private static boolean isDigits(String text) {
      if (text.isEmpty()) {
        return false;
      }
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c < '0' || c > '9') {
          return false;
        }
      }
      return true;
    }

    private FieldException problem(String field, String what) {
      return new FieldException(label + " field '" + field + "': " + what);
    }
  }
}
