package io.dockercleaner.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CronExpressionTest {

  @ParameterizedTest(name = "''{0}'' after {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          # expression               | after                               | expected next
          */5 * * * *                 | 2024-01-01T00:00:00Z                | 2024-01-01T00:05:00Z
          */5 * * * *                 | 2024-01-01T00:04:59.999Z            | 2024-01-01T00:05:00Z
          * * * * *                   | 2024-01-01T00:00:00.5Z              | 2024-01-01T00:01:00Z
          0 * * * *                   | 2024-01-01T23:30:00Z                | 2024-01-02T00:00:00Z
          30 2 * * *                  | 2024-01-01T02:30:00Z                | 2024-01-02T02:30:00Z
          30 2 * * *                  | 2024-01-01T02:29:59Z                | 2024-01-01T02:30:00Z
          0 0 1 1 *                   | 2024-12-31T23:59:59Z                | 2025-01-01T00:00:00Z
          1-10/4 * * * *              | 2024-01-01T00:05:00Z                | 2024-01-01T00:09:00Z
          1-10/4 * * * *              | 2024-01-01T00:09:00Z                | 2024-01-01T01:01:00Z
          5/20 * * * *                | 2024-01-01T00:45:00Z                | 2024-01-01T01:05:00Z
          0 8-18/5 * * *              | 2024-01-01T13:00:00Z                | 2024-01-01T18:00:00Z
          15,45 9,17 * * *            | 2024-01-01T17:45:00Z                | 2024-01-02T09:15:00Z
          # six fields: seconds first
          */15 * * * * *             | 2024-01-01T00:00:07Z                | 2024-01-01T00:00:15Z
          */15 * * * * *             | 2024-01-01T00:00:45Z                | 2024-01-01T00:01:00Z
          30 0 12 * * *              | 2024-01-01T12:00:30Z                | 2024-01-02T12:00:30Z
          30 0 12 * * *              | 2024-01-01T12:00:29.999Z            | 2024-01-01T12:00:30Z
          59 59 23 31 12 *           | 2024-06-01T00:00:00Z                | 2024-12-31T23:59:59Z
          # month ends
          0 0 31 * *                  | 2024-01-31T00:00:00Z                | 2024-03-31T00:00:00Z
          0 0 31 * *                  | 2024-03-31T00:00:00Z                | 2024-05-31T00:00:00Z
          0 0 30 * *                  | 2023-01-30T00:00:00Z                | 2023-03-30T00:00:00Z
          0 0 28-31 2 *               | 2023-02-28T00:00:00Z                | 2024-02-28T00:00:00Z
          # 29 February
          0 0 29 2 *                  | 2024-02-29T00:00:00Z                | 2028-02-29T00:00:00Z
          0 0 29 2 *                  | 2023-03-01T00:00:00Z                | 2024-02-29T00:00:00Z
          0 0 29 2 *                  | 2096-03-01T00:00:00Z                | 2104-02-29T00:00:00Z
          # both day fields restricted: either matches (Monday 2024-01-01)
          0 0 13 * FRI                | 2024-01-01T00:00:00Z                | 2024-01-05T00:00:00Z
          0 0 13 * FRI                | 2024-01-12T00:00:00Z                | 2024-01-13T00:00:00Z
          0 0 1,15 * WED              | 2024-01-01T00:00:00Z                | 2024-01-03T00:00:00Z
          # a day field starting with * is unrestricted (Vixie): both must match
          0 0 */2 * MON               | 2024-01-01T00:00:00Z                | 2024-01-15T00:00:00Z
          0 0 * * MON                 | 2024-01-01T00:00:00Z                | 2024-01-08T00:00:00Z
          0 0 ? * MON                 | 2024-01-01T00:00:00Z                | 2024-01-08T00:00:00Z
          # names, Sunday as 0 and 7
          0 12 * * 7                  | 2024-01-01T00:00:00Z                | 2024-01-07T12:00:00Z
          0 12 * * 0                  | 2024-01-01T00:00:00Z                | 2024-01-07T12:00:00Z
          0 12 * * sun                | 2024-01-01T00:00:00Z                | 2024-01-07T12:00:00Z
          0 12 * * 5-7                | 2024-01-01T00:00:00Z                | 2024-01-05T12:00:00Z
          0 9 * JAN-MAR MON-FRI       | 2024-03-29T09:00:00Z                | 2025-01-01T09:00:00Z
          0 0 1 jun,Dec *             | 2024-07-01T00:00:00Z                | 2024-12-01T00:00:00Z
          # macros
          @yearly                     | 2024-06-01T00:00:00Z                | 2025-01-01T00:00:00Z
          @annually                   | 2024-06-01T00:00:00Z                | 2025-01-01T00:00:00Z
          @monthly                    | 2024-01-31T12:00:00Z                | 2024-02-01T00:00:00Z
          @weekly                     | 2024-01-01T00:00:00Z                | 2024-01-07T00:00:00Z
          @daily                      | 2024-02-28T23:59:59Z                | 2024-02-29T00:00:00Z
          @midnight                   | 2024-02-29T00:00:00Z                | 2024-03-01T00:00:00Z
          @HOURLY                     | 2024-01-01T10:00:00Z                | 2024-01-01T11:00:00Z
          # other zones keep their offset
          0 9 * * *                   | 2024-01-01T10:00:00+05:30[Asia/Kolkata] | 2024-01-02T09:00:00+05:30[Asia/Kolkata]
          # Europe/Berlin, spring forward 2024-03-31 02:00 CET -> 03:00 CEST: 02:xx does not exist;
          # a fixed-time job fires once when the clocks jump, wildcard jobs follow elapsed time
          30 2 * * *                  | 2024-03-30T02:30:00+01:00[Europe/Berlin] | 2024-03-31T03:00:00+02:00[Europe/Berlin]
          30 2 * * *                  | 2024-03-31T03:00:00+02:00[Europe/Berlin] | 2024-04-01T02:30:00+02:00[Europe/Berlin]
          0,30 2 * * *                | 2024-03-31T01:00:00+01:00[Europe/Berlin] | 2024-03-31T03:00:00+02:00[Europe/Berlin]
          0,30 * * * *                | 2024-03-31T01:30:00+01:00[Europe/Berlin] | 2024-03-31T03:00:00+02:00[Europe/Berlin]
          */15 * * * *                | 2024-03-31T01:59:59+01:00[Europe/Berlin] | 2024-03-31T03:00:00+02:00[Europe/Berlin]
          0 3 * * *                   | 2024-03-31T01:00:00+01:00[Europe/Berlin] | 2024-03-31T03:00:00+02:00[Europe/Berlin]
          # Europe/Berlin, fall back 2024-10-27 03:00 CEST -> 02:00 CET: 02:xx happens twice; a
          # fixed-time job fires once, wildcard jobs on both passes (elapsed time)
          30 2 * * *                  | 2024-10-27T00:00:00+02:00[Europe/Berlin] | 2024-10-27T02:30:00+02:00[Europe/Berlin]
          30 2 * * *                  | 2024-10-27T02:30:00+02:00[Europe/Berlin] | 2024-10-28T02:30:00+01:00[Europe/Berlin]
          30 2 * * *                  | 2024-10-27T02:10:00+01:00[Europe/Berlin] | 2024-10-28T02:30:00+01:00[Europe/Berlin]
          0 * * * *                   | 2024-10-27T02:00:00+02:00[Europe/Berlin] | 2024-10-27T02:00:00+01:00[Europe/Berlin]
          0 * * * *                   | 2024-10-27T02:00:00+01:00[Europe/Berlin] | 2024-10-27T03:00:00+01:00[Europe/Berlin]
          */30 * * * *                | 2024-10-27T02:45:00+02:00[Europe/Berlin] | 2024-10-27T02:00:00+01:00[Europe/Berlin]
          */30 * * * *                | 2024-10-27T02:10:00+01:00[Europe/Berlin] | 2024-10-27T02:30:00+01:00[Europe/Berlin]
          0 3 * * *                   | 2024-10-27T02:59:00+01:00[Europe/Berlin] | 2024-10-27T03:00:00+01:00[Europe/Berlin]
          0 0 * * *                   | 2024-10-26T12:00:00+02:00[Europe/Berlin] | 2024-10-27T00:00:00+02:00[Europe/Berlin]
          """)
  void nextIsTheFirstFiringStrictlyAfter(String expression, String after, String expected) {
    ZonedDateTime next = CronExpression.parse(expression).next(ZonedDateTime.parse(after));

    ZonedDateTime want = ZonedDateTime.parse(expected);
    assertThat(next).isEqualTo(want);
    assertThat(next.getZone()).isEqualTo(ZonedDateTime.parse(after).getZone());
  }

  @Test
  void consecutiveFiringsOfFridayOrThe13th() {
    CronExpression cron = CronExpression.parse("0 0 13 * FRI");
    List<String> firings = new ArrayList<>();
    ZonedDateTime t = ZonedDateTime.parse("2024-09-01T00:00:00Z");
    for (int i = 0; i < 6; i++) {
      t = cron.next(t);
      firings.add(t.toLocalDate().toString());
    }
    assertThat(firings)
        .containsExactly(
            "2024-09-06", "2024-09-13", "2024-09-20", "2024-09-27", "2024-10-04", "2024-10-11");
  }

  @Test
  void everySecondAcrossAYearIsStrictlyIncreasing() {
    CronExpression cron = CronExpression.parse("*/7 */11 */5 * * *");
    ZonedDateTime t = ZonedDateTime.parse("2024-12-31T23:00:00Z");
    for (int i = 0; i < 2000; i++) {
      ZonedDateTime next = cron.next(t);
      assertThat(next).isAfter(t);
      assertThat(next.getSecond() % 7).isZero();
      assertThat(next.getMinute() % 11).isZero();
      assertThat(next.getHour() % 5).isZero();
      t = next;
    }
  }

  @Test
  void toStringReturnsTheSource() {
    assertThat(CronExpression.parse("  */5  * * * *").toString()).isEqualTo("  */5  * * * *");
    assertThat(CronExpression.parse("@daily").toString()).isEqualTo("@daily");
    assertThat(CronExpression.parse("@daily")).isEqualTo(CronExpression.parse("@daily"));
  }

  @ParameterizedTest(name = "''{0}''")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      textBlock =
          """
          61 * * * *          | minute field '61' out of range 0-59
          ""                  | expression is empty
          "   "               | expression is empty
          * * * *             | expected 5 fields (minute hour day-of-month month day-of-week) or 6 fields (second minute hour day-of-month month day-of-week), got 4
          * * * * * * *       | expected 5 fields (minute hour day-of-month month day-of-week) or 6 fields (second minute hour day-of-month month day-of-week), got 7
          @reboot             | unknown macro '@reboot', expected one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly
          60 * * * * *        | second field '60' out of range 0-59
          * 24 * * *          | hour field '24' out of range 0-23
          * * 0 * *           | day-of-month field '0' out of range 1-31
          * * 32 * *          | day-of-month field '32' out of range 1-31
          * * * 13 *          | month field '13' out of range 1-12
          * * * 0 *           | month field '0' out of range 1-12
          * * * FOO *         | month field 'FOO': 'FOO' is not a number 1-12 or a name JAN-DEC
          * * * * 8           | day-of-week field '8' out of range 0-7
          * * * * MON-FUN     | day-of-week field 'MON-FUN': 'FUN' is not a number 0-7 or a name SUN-SAT
          1,61 * * * *        | minute field '1,61': '61' out of range 0-59
          99999999999 * * * * | minute field '99999999999' out of range 0-59
          */0 * * * *         | minute field '*/0': step must be at least 1
          */x * * * *         | minute field '*/x': step 'x' is not a number
          */61 * * * *        | minute field '*/61': step 61 out of range 1-60
          10-5 * * * *        | minute field '10-5': range start 10 is greater than range end 5
          1,,2 * * * *        | minute field '1,,2': empty list element
          -5 * * * *          | minute field '-5': range '-5' has no start
          5- * * * *          | minute field '5-': range '5-' has no end
          ? * * * *           | minute field '?': '?' is not a number 0-59
          JAN * * * *         | minute field 'JAN': 'JAN' is not a number 0-59
          0 0 30 2 *          | day-of-month field '30' matches no day of the months in month field '2'
          0 0 31 4,6,9,11 *   | day-of-month field '31' matches no day of the months in month field '4,6,9,11'
          """)
  void invalidExpressionIsRejectedNamingTheField(String expression, String problem) {
    assertThatThrownBy(() -> CronExpression.parse(expression))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid cron expression '" + expression + "': " + problem);
  }

  @Test
  void settingNameIsPrefixedToTheMessage() {
    assertThatThrownBy(() -> CronExpression.parse("SCHEDULE", "61 * * * *"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "SCHEDULE: invalid cron expression '61 * * * *': minute field '61' out of range 0-59");
  }

  @Test
  void restrictedDayOfWeekRescuesAnImpossibleDayOfMonth() {
    // Both day fields restricted: 30 February never comes, but the Mondays of February do.
    CronExpression cron = CronExpression.parse("0 0 30 2 MON");
    assertThat(cron.next(ZonedDateTime.parse("2024-01-01T00:00:00Z")))
        .isEqualTo(ZonedDateTime.parse("2024-02-05T00:00:00Z"));
  }
}
