package io.dockercleaner.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsers for single configuration values. Each takes the name of the input as the user wrote it
 * ({@code PRUNE_ALL}, {@code --prune-all}, {@code config file F: prune_all}) and the raw value,
 * and throws a {@link ConfigException} whose message is {@code NAME: invalid value 'RAW'
 * (expected ...)}. Callers trim values before calling.
 */
public final class ValueParsers {
  static final String BOOLEAN_EXPECTED = "expected a boolean: true/false, also yes/no, on/off, 1/0";
  static final String DURATION_EXPECTED =
      "expected a duration such as 500ms, 30s, 5m, 24h, 7d or 1h30m; units: ms, s, m, h, d";
  static final String POSITIVE_DURATION_EXPECTED =
      "expected a positive duration such as 500ms, 30s, 5m, 24h, 7d or 1h30m; units: ms, s, m, h, d";
  static final String BYTES_EXPECTED =
      "expected a byte size such as 500MB, 50GB, 1.5GiB, 10k or 1024; units: B, KB, MB, GB, TB"
          + " (powers of 1000), KiB, MiB, GiB, TiB and k, m, g, t (powers of 1024)";
  static final String PERCENT_EXPECTED = "expected a percentage from 0 to 100 such as 85% or 85";
  static final String UNTIL_EXPECTED =
      "expected a duration such as 24h or 7d, an RFC 3339 time such as 2025-10-23T16:00:01Z,"
          + " 2025-10-23T18:00:01+02:00 or 2025-10-23, unix seconds such as 1698076801,"
          + " or empty or 0 for no age filter";
  static final String LABEL_EXPECTED =
      "expected comma-separated entries key, key=value, key!=value or !key";
  static final String HOST_PORT_EXPECTED =
      "expected host:port such as 127.0.0.1:8080 or [::1]:8080, port from 1 to 65535";
  static final String RATE_EXPECTED = "expected a rate such as 10/min, 5/s or 100/h";
  static final String URL_EXPECTED = "expected comma-separated http or https URLs";
  static final String URL_PORT_EXPECTED = "a port must be from 1 to 65535";
  static final String DOCKER_HOST_EXPECTED =
      "expected an address with scheme unix, tcp, http, https, npipe or ssh,"
          + " such as unix:///var/run/docker.sock or tcp://127.0.0.1:2375";
  static final String GLOB_EXPECTED =
      "expected comma-separated image patterns such as nginx:*, myrepo/*, app:v[0-9]*, **:keep";

  private static final Set<String> DOCKER_HOST_SCHEMES =
      Set.of("unix", "tcp", "http", "https", "npipe", "ssh");

  private static final Pattern DURATION = Pattern.compile("(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h|d))+");
  private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");
  private static final Pattern BYTES =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-zA-Z]*)");
  private static final Pattern PERCENT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*%?");
  private static final Pattern DIGITS = Pattern.compile("\\d+");
  private static final Pattern DATE_ONLY = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
  private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]*");
  private static final Pattern LABEL_VALUE = Pattern.compile("[^\\s,=!]+");
  private static final Pattern RATE = Pattern.compile("(\\d+)\\s*/\\s*([a-zA-Z]+)");
  private static final Map<String, Duration> RATE_UNITS =
      Map.of(
          "s", Duration.ofSeconds(1), "sec", Duration.ofSeconds(1), "second", Duration.ofSeconds(1),
          "m", Duration.ofMinutes(1), "min", Duration.ofMinutes(1), "minute", Duration.ofMinutes(1),
          "h", Duration.ofHours(1), "hour", Duration.ofHours(1));
  /** Smallest unix-seconds PRUNE_FILTER_UNTIL (2001-09-09): smaller numbers are rejected. */
  static final long MIN_UNIX_SECONDS = 1_000_000_000L;
  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  private ValueParsers() {}

  /** {@code NAME: invalid value 'RAW' (DETAIL)}, the one shape of every value error. */
  static ConfigException invalid(String name, String raw, String detail) {
    return new ConfigException(name + ": invalid value '" + raw + "' (" + detail + ")");
  }

  /**
   * A boolean. Accepted, case-insensitively: {@code true}/{@code false}, {@code yes}/{@code no},
   * {@code on}/{@code off}, {@code 1}/{@code 0}. Nothing else (not even empty) is accepted.
   */
  public static boolean parseBoolean(String name, String raw) {
    switch (raw.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on", "1":
        return true;
      case "false", "no", "off", "0":
        return false;
      default:
        throw invalid(name, raw, BOOLEAN_EXPECTED);
    }
  }

  /** A boolean where empty means false (DOCKER_TLS_VERIFY); otherwise as {@link #parseBoolean}. */
  public static boolean parseOptionalBoolean(String name, String raw) {
    return !raw.isEmpty() && parseBoolean(name, raw);
  }

  /**
   * A non-negative duration: one or more {@code <number><unit>} parts, units {@code ms}, {@code
   * s}, {@code m} (minutes), {@code h}, {@code d} (24 h), case-sensitive; numbers may have a
   * fraction ({@code 1.5h}); parts add up ({@code 1h30m}); plain {@code 0} is zero. A number
   * without a unit (other than 0) and negative durations are rejected.
   */
  public static Duration parseDuration(String name, String raw) {
    if (raw.equals("0")) {
      return Duration.ZERO;
    }
    if (raw.startsWith("-")) {
      throw invalid(name, raw, "expected a non-negative duration such as 30s, 5m, 24h, 7d or 1h30m");
    }
    if (DIGITS.matcher(raw).matches()) {
      throw invalid(name, raw, DURATION_EXPECTED + "; a number needs a unit, e.g. " + raw + "s");
    }
    if (!DURATION.matcher(raw).matches()) {
      throw invalid(name, raw, DURATION_EXPECTED);
    }
    BigDecimal nanos = BigDecimal.ZERO;
    Matcher part = DURATION_PART.matcher(raw);
    while (part.find()) {
      long unitNanos =
          switch (part.group(2)) {
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> 86_400_000_000_000L;
          };
      nanos = nanos.add(new BigDecimal(part.group(1)).multiply(BigDecimal.valueOf(unitNanos)));
    }
    BigInteger whole = nanos.toBigInteger();
    if (whole.compareTo(LONG_MAX) > 0) {
      throw invalid(name, raw, "duration too long; expected at most 292 years");
    }
    return Duration.ofNanos(whole.longValueExact());
  }

  /** A duration as {@link #parseDuration} that must also be greater than zero. */
  public static Duration parsePositiveDuration(String name, String raw) {
    Duration d;
    try {
      d = parseDuration(name, raw);
    } catch (ConfigException e) {
      throw invalid(name, raw, POSITIVE_DURATION_EXPECTED);
    }
    if (d.isZero()) {
      throw invalid(name, raw, POSITIVE_DURATION_EXPECTED);
    }
    return d;
  }

  /**
   * A byte size; empty means off (empty result). A number (fraction allowed with a unit) and an
   * optional unit, case-insensitive, optionally separated by a space: none or {@code B} = bytes;
   * {@code KB, MB, GB, TB} = 1000^n; {@code KiB, MiB, GiB, TiB} = 1024^n; docker-style single
   * letters {@code k, m, g, t} = 1024^n (as {@code docker run --memory}). Fractions of a byte are
   * rounded down. {@code 0} is a size of zero, not off.
   */
  public static OptionalLong parseByteSize(String name, String raw) {
    if (raw.isEmpty()) {
      return OptionalLong.empty();
    }
    if (raw.startsWith("-")) {
      throw invalid(name, raw, "expected a non-negative byte size such as 500MB or 50GB");
    }
    Matcher m = BYTES.matcher(raw);
    if (!m.matches()) {
      throw invalid(name, raw, BYTES_EXPECTED);
    }
    long multiplier =
        switch (m.group(2).toLowerCase(Locale.ROOT)) {
          case "", "b" -> 1L;
          case "kb" -> 1000L;
          case "mb" -> 1000L * 1000;
          case "gb" -> 1000L * 1000 * 1000;
          case "tb" -> 1000L * 1000 * 1000 * 1000;
          case "k", "kib" -> 1L << 10;
          case "m", "mib" -> 1L << 20;
          case "g", "gib" -> 1L << 30;
          case "t", "tib" -> 1L << 40;
          default -> -1L;
        };
    if (multiplier < 0) {
      throw invalid(name, raw, BYTES_EXPECTED);
    }
    BigDecimal number = new BigDecimal(m.group(1));
    if (multiplier == 1 && number.scale() > 0 && number.stripTrailingZeros().scale() > 0) {
      throw invalid(name, raw, BYTES_EXPECTED + "; a number of bytes must be whole");
    }
    BigInteger bytes = number.multiply(BigDecimal.valueOf(multiplier)).toBigInteger();
    if (bytes.compareTo(LONG_MAX) > 0) {
      throw invalid(name, raw, "byte size too large; expected at most 8 EiB");
    }
    return OptionalLong.of(bytes.longValueExact());
  }

  /**
   * A percentage {@code 85%} or {@code 85}, 0 to 100, fraction allowed ({@code 92.5%}); returned
   * as a ratio from 0.0 to 1.0.
   */
  public static double parsePercentage(String name, String raw) {
    Matcher m = PERCENT.matcher(raw);
    if (!m.matches()) {
      throw invalid(name, raw, PERCENT_EXPECTED);
    }
    BigDecimal percent = new BigDecimal(m.group(1));
    if (percent.compareTo(BigDecimal.valueOf(100)) > 0) {
      throw invalid(name, raw, PERCENT_EXPECTED);
    }
    return percent.doubleValue() / 100.0;
  }

  /**
   * PRUNE_FILTER_UNTIL: empty or {@code 0} = no age filter; a duration as {@link #parseDuration}
   * (relative to each run's start); an RFC 3339 time with {@code Z} or an offset; a date {@code
   * YYYY-MM-DD} (midnight UTC); or unix seconds.
   */
  public static UntilFilter parseUntil(String name, String raw) {
    if (raw.isEmpty() || raw.equals("0")) {
      return UntilFilter.none();
    }
    if (raw.startsWith("-")) {
      throw invalid(name, raw, "a negative age is not allowed; " + UNTIL_EXPECTED);
    }
    try {
      if (DIGITS.matcher(raw).matches()) {
        long seconds = Long.parseLong(raw);
        if (seconds < MIN_UNIX_SECONDS) {
          // "24" is far more likely a forgotten unit than a time in 1970
          throw invalid(name, raw, UNTIL_EXPECTED + "; unix seconds start at " + MIN_UNIX_SECONDS
              + ", an age needs a unit, e.g. " + raw + "h");
        }
        return UntilFilter.absolute(Instant.ofEpochSecond(seconds));
      }
      if (DATE_ONLY.matcher(raw).matches()) {
        return UntilFilter.absolute(LocalDate.parse(raw).atStartOfDay(ZoneOffset.UTC).toInstant());
      }
      if (raw.contains("T") || raw.contains("t")) {
        return UntilFilter.absolute(
            OffsetDateTime.parse(raw.toUpperCase(Locale.ROOT), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                .toInstant());
      }
    } catch (DateTimeException | NumberFormatException e) {
      throw invalid(name, raw, UNTIL_EXPECTED);
    }
    try {
      return UntilFilter.relative(parseDuration(name, raw));
    } catch (ConfigException e) {
      throw invalid(name, raw, UNTIL_EXPECTED);
    }
  }

  /**
   * PRUNE_FILTER_LABEL: comma-separated {@code key}, {@code key=value}, {@code key!=value}, {@code
   * !key}; empty = no label filter. Keys start with a letter or digit and contain letters,
   * digits, {@code . _ / -}; values contain no whitespace, comma, {@code =} or {@code !}.
   */
  public static List<LabelFilter> parseLabelFilters(String name, String raw) {
    if (raw.isEmpty()) {
      return List.of();
    }
    List<LabelFilter> filters = new ArrayList<>();
    for (String entry : raw.split(",", -1)) {
      String e = entry.trim();
      if (e.isEmpty()) {
        throw invalid(name, raw, "empty entry; " + LABEL_EXPECTED);
      }
      boolean bang = e.startsWith("!");
      String body = bang ? e.substring(1) : e;
      int eq = body.indexOf('=');
      String key;
      String value = null;
      boolean negated = bang;
      if (eq >= 0) {
        if (bang && eq == 0) {
          throw invalid(name, raw, "entry '" + e + "' has an empty key; " + LABEL_EXPECTED);
        }
        if (bang) {
          throw invalid(name, raw, "entry '" + e + "': use key!=value, not !key=value; " + LABEL_EXPECTED);
        }
        boolean notEquals = eq > 0 && body.charAt(eq - 1) == '!';
        key = body.substring(0, notEquals ? eq - 1 : eq);
        value = body.substring(eq + 1);
        negated = notEquals;
        if (value.isEmpty()) {
          throw invalid(name, raw, "entry '" + e + "' has an empty value; " + LABEL_EXPECTED);
        }
        if (!LABEL_VALUE.matcher(value).matches()) {
          throw invalid(name, raw, "entry '" + e + "' has a bad value; " + LABEL_EXPECTED);
        }
      } else {
        key = body;
      }
      if (key.isEmpty()) {
        throw invalid(name, raw, "entry '" + e + "' has an empty key; " + LABEL_EXPECTED);
      }
      if (!LABEL_KEY.matcher(key).matches()) {
        throw invalid(
            name,
            raw,
            "entry '" + e + "' has a bad key; keys use letters, digits and . _ / -; " + LABEL_EXPECTED);
      }
      filters.add(new LabelFilter(key, value, negated));
    }
    return List.copyOf(filters);
  }

  /** One of DEBUG, INFO, WARN, ERROR, case-insensitive. */
  public static LogLevel parseLogLevel(String name, String raw) {
    return parseEnum(name, raw, LogLevel.class, "expected one of DEBUG, INFO, WARN, ERROR");
  }

  /** {@code text} or {@code json}, case-insensitive. */
  public static LogFormat parseLogFormat(String name, String raw) {
    return parseEnum(name, raw, LogFormat.class, "expected one of text, json");
  }

  /** {@code json} or {@code slack}, case-insensitive. */
  public static WebhookFormat parseWebhookFormat(String name, String raw) {
    WebhookFormat format =
        parseEnum(name, raw, WebhookFormat.class, "expected one of json, slack, discord, teams");
    if (!format.isWebhook()) {
      throw invalid(name, raw, "expected one of json, slack, discord, teams; e-mail targets go in"
          + " NOTIFY_TARGETS as smtp:// or smtps:// URLs");
    }
    return format;
  }

  /**
   * KUBELET_MANAGED: {@code skip} (true: leave the kubelet's containers and their images alone) or
   * {@code include} (false), case-insensitive.
   */
  public static boolean parseKubeletManaged(String name, String raw) {
    return switch (raw.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "skip" -> true;
      case "include" -> false;
      default -> throw invalid(name, raw, "expected skip or include");
    };
  }

  /** {@code lru} or {@code cost}, case-insensitive (CLEANUP_POLICY; {@code age} is for replay only). */
  public static io.dockercleaner.plan.CleanupPolicy parseCleanupPolicy(String name, String raw) {
    io.dockercleaner.plan.CleanupPolicy policy =
        parseEnum(name, raw, io.dockercleaner.plan.CleanupPolicy.class, "expected one of lru, cost");
    if (policy == io.dockercleaner.plan.CleanupPolicy.AGE) {
      throw invalid(name, raw, "expected one of lru, cost (age is only for `replay --policy`)");
    }
    return policy;
  }

  private static <E extends Enum<E>> E parseEnum(String name, String raw, Class<E> type, String expected) {
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equalsIgnoreCase(raw)) {
        return constant;
      }
    }
    throw invalid(name, raw, expected);
  }

  /**
   * A comma-separated subset of run_failed, run_partial, target_not_reached, threshold_crossed,
   * run_succeeded (case-insensitive); empty = no events.
   */
  public static Set<WebhookEvent> parseWebhookEvents(String name, String raw) {
    EnumSet<WebhookEvent> events = EnumSet.noneOf(WebhookEvent.class);
    if (raw.isEmpty()) {
      return events;
    }
    String expected =
        "expected a comma-separated subset of run_failed, run_partial, target_not_reached,"
            + " threshold_crossed, disk_forecast, run_succeeded";
    for (String entry : raw.split(",", -1)) {
      String e = entry.trim();
      WebhookEvent found = null;
      for (WebhookEvent event : WebhookEvent.values()) {
        if (event.configName().equalsIgnoreCase(e)) {
          found = event;
        }
      }
      if (found == null) {
        throw invalid(name, raw, (e.isEmpty() ? "empty entry" : "unknown event '" + e + "'") + "; " + expected);
      }
      events.add(found);
    }
    return events;
  }

  /**
   * HTTP_LISTEN: {@code host:port}; the host is any non-empty literal without whitespace (an IPv6
   * literal in brackets, {@code [::1]:8080}); the port 1–65535.
   */
  public static HostPort parseHostPort(String name, String raw) {
    int colon = raw.lastIndexOf(':');
    if (colon <= 0 || raw.chars().anyMatch(Character::isWhitespace)) {
      throw invalid(name, raw, HOST_PORT_EXPECTED);
    }
    String host = raw.substring(0, colon);
    String port = raw.substring(colon + 1);
    if (host.startsWith("[")) {
      if (!host.endsWith("]") || host.length() < 3) {
        throw invalid(name, raw, HOST_PORT_EXPECTED);
      }
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":") || host.contains("[") || host.contains("]")) {
      throw invalid(name, raw, HOST_PORT_EXPECTED);
    }
    if (!DIGITS.matcher(port).matches() || port.length() > 5) {
      throw invalid(name, raw, HOST_PORT_EXPECTED);
    }
    int portNumber = Integer.parseInt(port);
    if (portNumber < 1 || portNumber > 65535) {
      throw invalid(name, raw, HOST_PORT_EXPECTED);
    }
    return new HostPort(host, portNumber);
  }

  /** API_RATE_LIMIT: {@code N/s}, {@code N/min}, {@code N/h} (also sec, second, m, minute, hour), N ≥ 1. */
  public static RateLimit parseRateLimit(String name, String raw) {
    Matcher m = RATE.matcher(raw);
    if (!m.matches()) {
      throw invalid(name, raw, RATE_EXPECTED);
    }
    Duration period = RATE_UNITS.get(m.group(2).toLowerCase(Locale.ROOT));
    String digits = m.group(1);
    if (period == null || digits.length() > 9 || Integer.parseInt(digits) < 1) {
      throw invalid(name, raw, RATE_EXPECTED + ", with at least 1 request");
    }
    return new RateLimit(Integer.parseInt(digits), period);
  }

  /** A whole number from {@code min} to {@code max} inclusive. */
  public static int parseInt(String name, String raw, int min, int max) {
    String expected = "expected a whole number from " + min + " to " + max;
    if (!raw.matches("-?\\d{1,10}")) {
      throw invalid(name, raw, expected);
    }
    long n = Long.parseLong(raw);
    if (n < min || n > max) {
      throw invalid(name, raw, expected);
    }
    return (int) n;
  }

  /**
   * KEEP_IMAGES: comma-separated image patterns in {@link io.dockercleaner.plan.ImagePattern}'s
   * grammar ({@code *}, {@code **}, {@code ?}, {@code [a-z]}; no {@code {a,b}}), each validated by
   * the code that matches it; empty = none.
   */
  public static List<String> parseGlobList(String name, String raw) {
    if (raw.isEmpty()) {
      return List.of();
    }
    List<String> patterns = new ArrayList<>();
    for (String entry : raw.split(",", -1)) {
      String p = entry.trim();
      if (p.isEmpty()) {
        throw invalid(name, raw, "empty pattern; " + GLOB_EXPECTED);
      }
      if (p.chars().anyMatch(Character::isWhitespace)) {
        throw invalid(name, raw, "pattern '" + p + "' contains whitespace; " + GLOB_EXPECTED);
      }
      try {
        // validated by the very code that matches it (one grammar, see ImagePattern)
        io.dockercleaner.plan.ImagePattern.compile(p);
      } catch (IllegalArgumentException e) {
        throw invalid(name, raw, e.getMessage() + "; " + GLOB_EXPECTED);
      }
      patterns.add(p);
    }
    return List.copyOf(patterns);
  }

  /**
   * WEBHOOK_URL: comma-separated absolute http/https URLs with a host and, when given, a port from
   * 1 to 65535; empty = none. Error
   * messages show the value with credentials masked.
   */
  public static List<URI> parseUrls(String name, String raw) {
    if (raw.isEmpty()) {
      return List.of();
    }
    List<URI> urls = new ArrayList<>();
    for (String entry : raw.split(",", -1)) {
      String u = entry.trim();
      URI uri;
      try {
        uri = new URI(u);
      } catch (URISyntaxException e) {
        throw invalid(name, Secrets.maskUrls(raw), URL_EXPECTED);
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
        throw invalid(name, Secrets.maskUrls(raw), URL_EXPECTED);
      }
      // java.net.URI takes any number of digits as a port; 0 and > 65535 would only fail at delivery
      if (uri.getPort() == 0 || uri.getPort() > 65535) {
        throw invalid(name, Secrets.maskUrls(raw), URL_EXPECTED + "; " + URL_PORT_EXPECTED + ", got " + uri.getPort());
      }
      urls.add(uri);
    }
    return List.copyOf(urls);
  }

  /**
   * DOCKER_HOST: kept as written; must be non-empty with a scheme among unix, tcp, http, https,
   * npipe, ssh. The Docker client reports transport errors in detail.
   */
  public static String parseDockerHost(String name, String raw) {
    int sep = raw.indexOf("://");
    if (sep <= 0 || !DOCKER_HOST_SCHEMES.contains(raw.substring(0, sep).toLowerCase(Locale.ROOT))
        || raw.length() == sep + 3) {
      throw invalid(name, Secrets.maskUrlCredentials(raw), DOCKER_HOST_EXPECTED);
    }
    return raw;
  }

  /** A path; empty = unset. */
  public static Optional<Path> parseOptionalPath(String name, String raw) {
    if (raw.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Path.of(raw));
    } catch (InvalidPathException e) {
      throw invalid(name, raw, "expected a file system path");
    }
  }
}
