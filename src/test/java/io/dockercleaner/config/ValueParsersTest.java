package io.dockercleaner.config;

import io.dockercleaner.docker.DockerHost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ValueParsersTest {
  private static final String BOOL = "expected a boolean: true/false, also yes/no, on/off, 1/0";
  private static final String DURATION =
      "expected a duration such as 500ms, 30s, 5m, 24h, 7d or 1h30m; units: ms, s, m, h, d";
  private static final String POSITIVE =
      "expected a positive duration such as 500ms, 30s, 5m, 24h, 7d or 1h30m; units: ms, s, m, h, d";
  private static final String BYTES =
      "expected a byte size such as 500MB, 50GB, 1.5GiB, 10k or 1024; units: B, KB, MB, GB, TB"
          + " (powers of 1000), KiB, MiB, GiB, TiB and k, m, g, t (powers of 1024)";
  private static final String PERCENT = "expected a percentage from 0 to 100 such as 85% or 85";
  private static final String UNTIL =
      "expected a duration such as 24h or 7d, an RFC 3339 time such as 2025-10-23T16:00:01Z,"
          + " 2025-10-23T18:00:01+02:00 or 2025-10-23, unix seconds such as 1698076801,"
          + " or empty or 0 for no age filter";
  private static final String LABEL =
      "expected comma-separated entries key, key=value, key!=value or !key";
  private static final String HOST_PORT =
      "expected host:port such as 127.0.0.1:8080 or [::1]:8080, port from 1 to 65535";

  // ---- booleans

  @ParameterizedTest
  @CsvSource({
    "true,true", "TRUE,true", "True,true", "yes,true", "YES,true", "on,true", "On,true", "1,true",
    "false,false", "FALSE,false", "no,false", "No,false", "off,false", "OFF,false", "0,false"
  })
  void booleanAccepts(String raw, boolean expected) {
    assertThat(ValueParsers.parseBoolean("PRUNE_ALL", raw)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"maybe", "", "2", "y", "n", "t", "enabled", "truee", "-1"})
  void booleanRejects(String raw) {
    assertThatThrownBy(() -> ValueParsers.parseBoolean("PRUNE_ALL", raw))
        .isInstanceOf(ConfigException.class)
        .hasMessage("PRUNE_ALL: invalid value '" + raw + "' (" + BOOL + ")");
  }

  @Test
  void booleanMessageIsTheDocumentedOne() {
    assertThatThrownBy(() -> ValueParsers.parseBoolean("PRUNE_ALL", "maybe"))
        .hasMessage(
            "PRUNE_ALL: invalid value 'maybe' (expected a boolean: true/false, also yes/no, on/off, 1/0)");
  }

  @Test
  void optionalBooleanTreatsEmptyAsFalse() {
    assertThat(ValueParsers.parseOptionalBoolean("DOCKER_TLS_VERIFY", "")).isFalse();
    assertThat(ValueParsers.parseOptionalBoolean("DOCKER_TLS_VERIFY", "1")).isTrue();
    assertThatThrownBy(() -> ValueParsers.parseOptionalBoolean("DOCKER_TLS_VERIFY", "x"))
        .hasMessage("DOCKER_TLS_VERIFY: invalid value 'x' (" + BOOL + ")");
  }

  // ---- durations

  static Stream<Arguments> validDurations() {
    return Stream.of(
        arguments("0", Duration.ZERO),
        arguments("0s", Duration.ZERO),
        arguments("500ms", Duration.ofMillis(500)),
        arguments("30s", Duration.ofSeconds(30)),
        arguments("30m", Duration.ofMinutes(30)),
        arguments("24h", Duration.ofHours(24)),
        arguments("168h", Duration.ofDays(7)),
        arguments("7d", Duration.ofDays(7)),
        arguments("1h30m", Duration.ofMinutes(90)),
        arguments("1d2h3m4s5ms", Duration.ofDays(1).plusHours(2).plusMinutes(3).plusSeconds(4).plusMillis(5)),
        arguments("1.5h", Duration.ofMinutes(90)),
        arguments("0.5s", Duration.ofMillis(500)));
  }

  @ParameterizedTest
  @MethodSource("validDurations")
  void durationAccepts(String raw, Duration expected) {
    assertThat(ValueParsers.parseDuration("MIN_AGE", raw)).isEqualTo(expected);
  }

  static Stream<Arguments> invalidDurations() {
    return Stream.of(
        arguments("-1h", "expected a non-negative duration such as 30s, 5m, 24h, 7d or 1h30m"),
        arguments("-0s", "expected a non-negative duration such as 30s, 5m, 24h, 7d or 1h30m"),
        arguments("30", DURATION + "; a number needs a unit, e.g. 30s"),
        arguments("", DURATION),
        arguments("abc", DURATION),
        arguments("1H", DURATION),
        arguments("1w", DURATION),
        arguments("1 h", DURATION),
        arguments("h", DURATION),
        arguments("1h 30m", DURATION),
        arguments(".5s", DURATION),
        arguments("1.h", DURATION),
        arguments("99999999999999999d", "duration too long; expected at most 292 years"));
  }

  @ParameterizedTest
  @MethodSource("invalidDurations")
  void durationRejects(String raw, String detail) {
    assertThatThrownBy(() -> ValueParsers.parseDuration("MIN_AGE", raw))
        .isInstanceOf(ConfigException.class)
        .hasMessage("MIN_AGE: invalid value '" + raw + "' (" + detail + ")");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "0s", "0ms", "-5s", "x"})
  void positiveDurationRejectsZeroNegativeAndGarbage(String raw) {
    assertThatThrownBy(() -> ValueParsers.parsePositiveDuration("DF_INTERVAL", raw))
        .hasMessage("DF_INTERVAL: invalid value '" + raw + "' (" + POSITIVE + ")");
  }

  @Test
  void positiveDurationAccepts() {
    assertThat(ValueParsers.parsePositiveDuration("DF_INTERVAL", "1ms")).isEqualTo(Duration.ofMillis(1));
  }

  // ---- byte sizes

  static Stream<Arguments> validSizes() {
    return Stream.of(
        arguments("", OptionalLong.empty()),
        arguments("0", OptionalLong.of(0)),
        arguments("1024", OptionalLong.of(1024)),
        arguments("1024B", OptionalLong.of(1024)),
        arguments("1024b", OptionalLong.of(1024)),
        arguments("500MB", OptionalLong.of(500_000_000L)),
        arguments("50GB", OptionalLong.of(50_000_000_000L)),
        arguments("50gb", OptionalLong.of(50_000_000_000L)),
        arguments("2TB", OptionalLong.of(2_000_000_000_000L)),
        arguments("10KB", OptionalLong.of(10_000L)),
        arguments("1.5GiB", OptionalLong.of(1_610_612_736L)),
        arguments("1KiB", OptionalLong.of(1024L)),
        arguments("1MiB", OptionalLong.of(1L << 20)),
        arguments("1tib", OptionalLong.of(1L << 40)),
        arguments("10K", OptionalLong.of(10_240L)),
        arguments("10k", OptionalLong.of(10_240L)),
        arguments("512m", OptionalLong.of(512L << 20)),
        arguments("2g", OptionalLong.of(2L << 30)),
        arguments("1t", OptionalLong.of(1L << 40)),
        arguments("50 GB", OptionalLong.of(50_000_000_000L)),
        arguments("0.5KB", OptionalLong.of(500L)),
        arguments("1.0", OptionalLong.of(1L)));
  }

  @ParameterizedTest
  @MethodSource("validSizes")
  void byteSizeAccepts(String raw, OptionalLong expected) {
    assertThat(ValueParsers.parseByteSize("DOCKER_USAGE_LIMIT", raw)).isEqualTo(expected);
  }

  static Stream<Arguments> invalidSizes() {
    return Stream.of(
        arguments("-1GB", "expected a non-negative byte size such as 500MB or 50GB"),
        arguments("lots", BYTES),
        arguments("10PB", BYTES),
        arguments("10 G B", BYTES),
        arguments("GB", BYTES),
        arguments("1.5", BYTES + "; a number of bytes must be whole"),
        arguments("1,5GB", BYTES),
        arguments("99999999999TB", "byte size too large; expected at most 8 EiB"));
  }

  @ParameterizedTest
  @MethodSource("invalidSizes")
  void byteSizeRejects(String raw, String detail) {
    assertThatThrownBy(() -> ValueParsers.parseByteSize("BUILD_CACHE_LIMIT", raw))
        .isInstanceOf(ConfigException.class)
        .hasMessage("BUILD_CACHE_LIMIT: invalid value '" + raw + "' (" + detail + ")");
  }

  // ---- percentages

  @ParameterizedTest
  @CsvSource({"85%,0.85", "85,0.85", "0,0.0", "0%,0.0", "100%,1.0", "100,1.0", "92.5%,0.925", "50 %,0.5"})
  void percentageAccepts(String raw, double ratio) {
    assertThat(ValueParsers.parsePercentage("DISK_HIGH_WATERMARK", raw)).isEqualTo(ratio);
  }

  @ParameterizedTest
  @ValueSource(strings = {"101%", "100.1", "-5%", "", "%", "85%%", "0.85x", "eighty"})
  void percentageRejects(String raw) {
    assertThatThrownBy(() -> ValueParsers.parsePercentage("DISK_HIGH_WATERMARK", raw))
        .hasMessage("DISK_HIGH_WATERMARK: invalid value '" + raw + "' (" + PERCENT + ")");
  }

  // ---- PRUNE_FILTER_UNTIL

  static Stream<Arguments> validUntil() {
    return Stream.of(
        arguments("", UntilFilter.none()),
        arguments("0", UntilFilter.none()),
        arguments("0s", UntilFilter.none()),
        arguments("24h", UntilFilter.relative(Duration.ofHours(24))),
        arguments("7d", UntilFilter.relative(Duration.ofDays(7))),
        arguments("1h30m", UntilFilter.relative(Duration.ofMinutes(90))),
        arguments("2025-10-23T16:00:01Z", UntilFilter.absolute(Instant.parse("2025-10-23T16:00:01Z"))),
        arguments("2025-10-23t16:00:01z", UntilFilter.absolute(Instant.parse("2025-10-23T16:00:01Z"))),
        arguments("2025-10-23T18:00:01+02:00", UntilFilter.absolute(Instant.parse("2025-10-23T16:00:01Z"))),
        arguments("2025-10-23T16:00:01.5Z", UntilFilter.absolute(Instant.parse("2025-10-23T16:00:01.5Z"))),
        arguments("2025-10-23", UntilFilter.absolute(Instant.parse("2025-10-23T00:00:00Z"))),
        arguments("1698076801", UntilFilter.absolute(Instant.ofEpochSecond(1698076801L))));
  }

  @ParameterizedTest
  @MethodSource("validUntil")
  void untilAccepts(String raw, UntilFilter expected) {
    assertThat(ValueParsers.parseUntil("PRUNE_FILTER_UNTIL", raw)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "yesterday", "2025-10-23T16:00:01", "2025-13-01", "2025-10-32", "2025-10-23 16:00:01Z",
        "1h30", "99999999999999999999"
      })
  void untilRejects(String raw) {
    assertThatThrownBy(() -> ValueParsers.parseUntil("PRUNE_FILTER_UNTIL", raw))
        .hasMessage("PRUNE_FILTER_UNTIL: invalid value '" + raw + "' (" + UNTIL + ")");
  }

  @Test
  void untilRejectsSmallNumbersAsLikelyMissingUnit() {
    assertThatThrownBy(() -> ValueParsers.parseUntil("PRUNE_FILTER_UNTIL", "24"))
        .hasMessage(
            "PRUNE_FILTER_UNTIL: invalid value '24' (" + UNTIL
                + "; unix seconds start at 1000000000, an age needs a unit, e.g. 24h)");
    assertThat(ValueParsers.parseUntil("PRUNE_FILTER_UNTIL", "1000000000"))
        .isEqualTo(UntilFilter.absolute(Instant.ofEpochSecond(1_000_000_000L)));
  }

  @Test
  void untilRejectsNegativeDuration() {
    assertThatThrownBy(() -> ValueParsers.parseUntil("PRUNE_FILTER_UNTIL", "-24h"))
        .hasMessage(
            "PRUNE_FILTER_UNTIL: invalid value '-24h' (a negative age is not allowed; " + UNTIL + ")");
  }

  @Test
  void relativeUntilGivesOneAbsoluteCutoffPerRun() {
    UntilFilter until = ValueParsers.parseUntil("PRUNE_FILTER_UNTIL", "24h");
    Instant now = Instant.parse("2023-10-24T16:00:01.900Z");
    assertThat(until.cutoff(now)).contains(Instant.parse("2023-10-23T16:00:01.900Z"));
    assertThat(until.dockerFilterValue(now)).isEqualTo("1698076801");
    assertThat(until.isEnabled()).isTrue();
    assertThat(until.relativeAge()).contains(Duration.ofHours(24));
  }

  @Test
  void absoluteUntilIgnoresNow() {
    UntilFilter until = ValueParsers.parseUntil("PRUNE_FILTER_UNTIL", "2023-10-23T16:00:01Z");
    Instant now = Instant.parse("2030-01-01T00:00:00Z");
    assertThat(until.cutoff(now)).contains(Instant.parse("2023-10-23T16:00:01Z"));
    assertThat(until.dockerFilterValue(now)).isEqualTo("1698076801");
    assertThat(until.absoluteCutoff()).contains(Instant.ofEpochSecond(1698076801L));
  }

  @Test
  void noUntilHasNoCutoffAndNoFilterValue() {
    UntilFilter until = ValueParsers.parseUntil("PRUNE_FILTER_UNTIL", "");
    assertThat(until.isEnabled()).isFalse();
    assertThat(until.cutoff(Instant.EPOCH)).isEmpty();
    assertThat(until.dockerFilterValue(Instant.EPOCH)).isEmpty();
  }

  // ---- PRUNE_FILTER_LABEL

  static Stream<Arguments> validLabels() {
    return Stream.of(
        arguments("", List.of()),
        arguments("keep", List.of(new LabelFilter("keep", null, false))),
        arguments("keep=true", List.of(new LabelFilter("keep", "true", false))),
        arguments("keep!=true", List.of(new LabelFilter("keep", "true", true))),
        arguments("!keep", List.of(new LabelFilter("keep", null, true))),
        arguments(
            "com.example.team=ci, !keep,env!=prod",
            List.of(
                new LabelFilter("com.example.team", "ci", false),
                new LabelFilter("keep", null, true),
                new LabelFilter("env", "prod", true))),
        arguments("a/b_c-d.e=x:y@z", List.of(new LabelFilter("a/b_c-d.e", "x:y@z", false))));
  }

  @ParameterizedTest
  @MethodSource("validLabels")
  void labelFiltersAccept(String raw, List<LabelFilter> expected) {
    assertThat(ValueParsers.parseLabelFilters("PRUNE_FILTER_LABEL", raw)).isEqualTo(expected);
  }

  static Stream<Arguments> invalidLabels() {
    return Stream.of(
        arguments("=value", "entry '=value' has an empty key; " + LABEL),
        arguments("!=value", "entry '!=value' has an empty key; " + LABEL),
        arguments("!", "entry '!' has an empty key; " + LABEL),
        arguments("a,,b", "empty entry; " + LABEL),
        arguments("a,", "empty entry; " + LABEL),
        arguments("key=", "entry 'key=' has an empty value; " + LABEL),
        arguments("!key=v", "entry '!key=v': use key!=value, not !key=value; " + LABEL),
        arguments("ke y=v", "entry 'ke y=v' has a bad key; keys use letters, digits and . _ / -; " + LABEL),
        arguments("key$=v", "entry 'key$=v' has a bad key; keys use letters, digits and . _ / -; " + LABEL),
        arguments("-key", "entry '-key' has a bad key; keys use letters, digits and . _ / -; " + LABEL),
        arguments("a=b=c", "entry 'a=b=c' has a bad value; " + LABEL),
        arguments("a=b c", "entry 'a=b c' has a bad value; " + LABEL));
  }

  @ParameterizedTest
  @MethodSource("invalidLabels")
  void labelFiltersReject(String raw, String detail) {
    assertThatThrownBy(() -> ValueParsers.parseLabelFilters("PRUNE_FILTER_LABEL", raw))
        .hasMessage("PRUNE_FILTER_LABEL: invalid value '" + raw + "' (" + detail + ")");
  }

  // ---- enums and sets

  @ParameterizedTest
  @CsvSource({"DEBUG,DEBUG", "debug,DEBUG", "Info,INFO", "warn,WARN", "ERROR,ERROR"})
  void logLevelAccepts(String raw, LogLevel expected) {
    assertThat(ValueParsers.parseLogLevel("LOG_LEVEL", raw)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"TRACE", "WARNING", "", "verbose"})
  void logLevelRejects(String raw) {
    assertThatThrownBy(() -> ValueParsers.parseLogLevel("LOG_LEVEL", raw))
        .hasMessage("LOG_LEVEL: invalid value '" + raw + "' (expected one of DEBUG, INFO, WARN, ERROR)");
  }

  @Test
  void kubeletManagedIsSkipOrInclude() {
    assertThat(ValueParsers.parseKubeletManaged("KUBELET_MANAGED", "skip")).isTrue();
    assertThat(ValueParsers.parseKubeletManaged("KUBELET_MANAGED", "Include")).isFalse();
    assertThatThrownBy(() -> ValueParsers.parseKubeletManaged("KUBELET_MANAGED", "ignore"))
        .hasMessage("KUBELET_MANAGED: invalid value 'ignore' (expected skip or include)");
  }

  @Test
  void formats() {
    assertThat(ValueParsers.parseLogFormat("LOG_FORMAT", "JSON")).isEqualTo(LogFormat.JSON);
    assertThat(ValueParsers.parseLogFormat("LOG_FORMAT", "text")).isEqualTo(LogFormat.TEXT);
    assertThatThrownBy(() -> ValueParsers.parseLogFormat("LOG_FORMAT", "xml"))
        .hasMessage("LOG_FORMAT: invalid value 'xml' (expected one of text, json)");
    assertThat(ValueParsers.parseWebhookFormat("WEBHOOK_FORMAT", "slack")).isEqualTo(WebhookFormat.SLACK);
    assertThat(ValueParsers.parseWebhookFormat("WEBHOOK_FORMAT", "Teams")).isEqualTo(WebhookFormat.TEAMS);
    assertThat(ValueParsers.parseWebhookFormat("WEBHOOK_FORMAT", "discord")).isEqualTo(WebhookFormat.DISCORD);
    assertThatThrownBy(() -> ValueParsers.parseWebhookFormat("WEBHOOK_FORMAT", "msteams"))
        .hasMessage("WEBHOOK_FORMAT: invalid value 'msteams' (expected one of json, slack, discord, teams)");
    assertThatThrownBy(() -> ValueParsers.parseWebhookFormat("WEBHOOK_FORMAT", "email"))
        .hasMessage("WEBHOOK_FORMAT: invalid value 'email' (expected one of json, slack, discord, teams; e-mail"
            + " targets go in NOTIFY_TARGETS as smtp:// or smtps:// URLs)");
  }

  @Test
  void webhookEvents() {
    assertThat(ValueParsers.parseWebhookEvents("WEBHOOK_EVENTS", "")).isEmpty();
    assertThat(ValueParsers.parseWebhookEvents("WEBHOOK_EVENTS", "run_failed, RUN_SUCCEEDED"))
        .isEqualTo(EnumSet.of(WebhookEvent.RUN_FAILED, WebhookEvent.RUN_SUCCEEDED));
    String expected =
        "expected a comma-separated subset of run_failed, run_partial, target_not_reached,"
            + " threshold_crossed, disk_forecast, run_succeeded";
    assertThatThrownBy(() -> ValueParsers.parseWebhookEvents("WEBHOOK_EVENTS", "run_failed,run_faild"))
        .hasMessage(
            "WEBHOOK_EVENTS: invalid value 'run_failed,run_faild' (unknown event 'run_faild'; " + expected + ")");
    assertThatThrownBy(() -> ValueParsers.parseWebhookEvents("WEBHOOK_EVENTS", "run_failed,"))
        .hasMessage("WEBHOOK_EVENTS: invalid value 'run_failed,' (empty entry; " + expected + ")");
  }

  // ---- HTTP_LISTEN

  @ParameterizedTest
  @CsvSource({
    "127.0.0.1:8080,127.0.0.1,8080", "localhost:1,localhost,1", "0.0.0.0:65535,0.0.0.0,65535",
    "[::1]:9090,::1,9090", "my-host.example:80,my-host.example,80"
  })
  void hostPortAccepts(String raw, String host, int port) {
    assertThat(ValueParsers.parseHostPort("HTTP_LISTEN", raw)).isEqualTo(new HostPort(host, port));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"8080", ":8080", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
        "127.0.0.1:http", "::1:8080", "[::1:8080", "[]:80", "local host:80", "host:-1", "host:0080000"})
  void hostPortRejects(String raw) {
    assertThatThrownBy(() -> ValueParsers.parseHostPort("HTTP_LISTEN", raw))
        .hasMessage("HTTP_LISTEN: invalid value '" + raw + "' (" + HOST_PORT + ")");
  }

  // ---- API_RATE_LIMIT

  @ParameterizedTest
  @CsvSource({"10/min,10,PT1M", "5/s,5,PT1S", "100/h,100,PT1H", "3/second,3,PT1S", "7 / hour,7,PT1H", "2/M,2,PT1M"})
  void rateLimitAccepts(String raw, int permits, Duration period) {
    assertThat(ValueParsers.parseRateLimit("API_RATE_LIMIT", raw)).isEqualTo(new RateLimit(permits, period));
  }

  @Test
  void rateLimitRejects() {
    assertThatThrownBy(() -> ValueParsers.parseRateLimit("API_RATE_LIMIT", "10"))
        .hasMessage("API_RATE_LIMIT: invalid value '10' (expected a rate such as 10/min, 5/s or 100/h)");
    assertThatThrownBy(() -> ValueParsers.parseRateLimit("API_RATE_LIMIT", "10/day"))
        .hasMessage(
            "API_RATE_LIMIT: invalid value '10/day' (expected a rate such as 10/min, 5/s or 100/h, with at least 1 request)");
    assertThatThrownBy(() -> ValueParsers.parseRateLimit("API_RATE_LIMIT", "0/s"))
        .hasMessage(
            "API_RATE_LIMIT: invalid value '0/s' (expected a rate such as 10/min, 5/s or 100/h, with at least 1 request)");
  }

  // ---- integers

  @ParameterizedTest
  @CsvSource({"1,1", "32,32", "016,16"})
  void intAccepts(String raw, int expected) {
    assertThat(ValueParsers.parseInt("DELETE_CONCURRENCY", raw, 1, 32)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "33", "-1", "", "two", "1.5", "99999999999"})
  void intRejects(String raw) {
    assertThatThrownBy(() -> ValueParsers.parseInt("DELETE_CONCURRENCY", raw, 1, 32))
        .hasMessage("DELETE_CONCURRENCY: invalid value '" + raw + "' (expected a whole number from 1 to 32)");
  }

  // ---- KEEP_IMAGES

  @Test
  void globList() {
    assertThat(ValueParsers.parseGlobList("KEEP_IMAGES", "")).isEmpty();
    assertThat(ValueParsers.parseGlobList("KEEP_IMAGES", "nginx:*, myrepo/*,postgres:1?"))
        .containsExactly("nginx:*", "myrepo/*", "postgres:1?");
    String expected = "expected comma-separated image patterns such as nginx:*, myrepo/*, app:v[0-9]*, **:keep";
    assertThatThrownBy(() -> ValueParsers.parseGlobList("KEEP_IMAGES", "nginx,,redis"))
        .hasMessage("KEEP_IMAGES: invalid value 'nginx,,redis' (empty pattern; " + expected + ")");
    assertThatThrownBy(() -> ValueParsers.parseGlobList("KEEP_IMAGES", "my repo"))
        .hasMessage("KEEP_IMAGES: invalid value 'my repo' (pattern 'my repo' contains whitespace; " + expected + ")");
    assertThatThrownBy(() -> ValueParsers.parseGlobList("KEEP_IMAGES", "nginx:[1"))
        .hasMessage("KEEP_IMAGES: invalid value 'nginx:[1' (image pattern part '[1' has an unclosed '['; " + expected + ")");
    // syntax the matcher does not support is refused, never silently read as literal text
    assertThatThrownBy(() -> ValueParsers.parseGlobList("KEEP_IMAGES", "app:{v1,v2}"))
        .hasMessageStartingWith("KEEP_IMAGES: invalid value 'app:{v1,v2}' (image pattern 'app:{v1' uses '{'");
    assertThatThrownBy(() -> ValueParsers.parseGlobList("KEEP_IMAGES", "app:v[z-a]"))
        .hasMessageStartingWith("KEEP_IMAGES: invalid value 'app:v[z-a]' (image pattern part 'v[z-a]' is not valid");
    // what validation accepts, the planner matches: one grammar
    assertThat(ValueParsers.parseGlobList("KEEP_IMAGES", "app:v[0-9]*")).containsExactly("app:v[0-9]*");
    assertThat(io.dockercleaner.plan.ImagePattern.compile("app:v[0-9]*").matches("app:v12")).isTrue();
    assertThat(io.dockercleaner.plan.ImagePattern.compile("app:v[0-9]*").matches("app:vx")).isFalse();
    assertThat(io.dockercleaner.plan.ImagePattern.compile("app:[!v]*").matches("app:v1")).isFalse();
    assertThat(io.dockercleaner.plan.ImagePattern.compile("app:[!v]*").matches("app:latest")).isTrue();
  }

  // ---- WEBHOOK_URL

  @Test
  void urls() {
    assertThat(ValueParsers.parseUrls("WEBHOOK_URL", "")).isEmpty();
    assertThat(ValueParsers.parseUrls("WEBHOOK_URL", "https://hooks.example.com/x, http://127.0.0.1:9000/hook"))
        .containsExactly(URI.create("https://hooks.example.com/x"), URI.create("http://127.0.0.1:9000/hook"));
    String expected = "expected comma-separated http or https URLs";
    assertThatThrownBy(() -> ValueParsers.parseUrls("WEBHOOK_URL", "ftp://example.com/secret-path"))
        .hasMessage("WEBHOOK_URL: invalid value 'ftp://example.com/***' (" + expected + ")");
    assertThatThrownBy(() -> ValueParsers.parseUrls("WEBHOOK_URL", "hooks.example.com"))
        .hasMessage("WEBHOOK_URL: invalid value '***' (" + expected + ")");
    assertThatThrownBy(() -> ValueParsers.parseUrls("WEBHOOK_URL", "https://user:pw@example.com/a b"))
        .hasMessage("WEBHOOK_URL: invalid value 'https://***@example.com/***' (" + expected + ")");
    assertThatThrownBy(() -> ValueParsers.parseUrls("WEBHOOK_URL", "https://a.example,"))
        .hasMessage("WEBHOOK_URL: invalid value 'https://a.example,' (" + expected + ")");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1:0/hook", "http://127.0.0.1:99999/hook", "https://a.example/x,https://b.example:65536"})
  void urlPortsOutsideOneTo65535AreRejected(String raw) {
    assertThatThrownBy(() -> ValueParsers.parseUrls("WEBHOOK_URL", raw))
        .hasMessageStartingWith("WEBHOOK_URL: invalid value '")
        .hasMessageContaining("expected comma-separated http or https URLs; a port must be from 1 to 65535, got ");
  }

  @Test
  void urlPortsAtTheEndsOfTheRangeAreAccepted() {
    assertThat(ValueParsers.parseUrls("WEBHOOK_URL", "http://127.0.0.1:1/a,http://127.0.0.1:65535/b"))
        .extracting(URI::getPort).containsExactly(1, 65535);
  }

  // ---- DOCKER_HOST

  @ParameterizedTest
  @ValueSource(
      strings = {DockerHost.DEFAULT_HOST, "tcp://127.0.0.1:2375", "http://localhost:2375",
        "https://docker.example:2376", "npipe:////./pipe/docker_engine", "ssh://me@host", "UNIX:///x.sock"})
  void dockerHostAccepts(String raw) {
    assertThat(ValueParsers.parseDockerHost("DOCKER_HOST", raw)).isEqualTo(raw);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", DockerHost.DEFAULT_SOCKET, "ftp://host", "unix://", "://x", "tcp:127.0.0.1:2375"})
  void dockerHostRejects(String raw) {
    assertThatThrownBy(() -> ValueParsers.parseDockerHost("DOCKER_HOST", raw))
        .hasMessage(
            "DOCKER_HOST: invalid value '" + raw + "' (expected an address with scheme unix, tcp, http,"
                + " https, npipe or ssh, such as " + DockerHost.DEFAULT_HOST + " or tcp://127.0.0.1:2375)");
  }

  @Test
  void dockerHostErrorMasksPassword() {
    assertThatThrownBy(() -> ValueParsers.parseDockerHost("DOCKER_HOST", "ftp://me:pw@host"))
        .hasMessageStartingWith("DOCKER_HOST: invalid value 'ftp://me:***@host' (");
  }

  // ---- paths

  @Test
  void optionalPath() {
    assertThat(ValueParsers.parseOptionalPath("STATE_DIR", "")).isEqualTo(Optional.empty());
    assertThat(ValueParsers.parseOptionalPath("STATE_DIR", "/var/lib/dc")).contains(Path.of("/var/lib/dc"));
    assertThatThrownBy(() -> ValueParsers.parseOptionalPath("STATE_DIR", "a\0b"))
        .hasMessage("STATE_DIR: invalid value 'a\0b' (expected a file system path)");
  }

  @Test
  void webhookEventNamesAreLowerCase() {
    assertThat(Stream.of(WebhookEvent.values()).map(WebhookEvent::configName))
        .containsExactly("run_failed", "run_partial", "target_not_reached", "threshold_crossed", "disk_forecast", "run_succeeded");
    assertThat(Set.of(LogFormat.JSON.configName(), WebhookFormat.SLACK.configName())).containsExactlyInAnyOrder("json", "slack");
  }
}
