package io.dockercleaner.log;

import io.dockercleaner.config.LogFormat;
import io.dockercleaner.config.LogLevel;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The operations log users and scripts read: one line per event on stdout, in the contract's
 * text form {@code [2025-10-23T16:00:01Z] [INFO] [CONTAINER] message} or as one JSON object per
 * line with {@code timestamp, level, operation, message, hostname} and optional fields
 * ({@code count, space_freed_bytes, duration_seconds, dry_run, error, ...}).
 * These lines are a user-facing contract: tests and log parsers depend on their shape.
 */
public final class RunLog {
  private final PrintStream out;
  private final LogFormat format;
  private final LogLevel threshold;
  private final boolean quiet;
  private final String hostname;
  private final Clock clock;
  /** The DOCKER_HOSTS host these lines are about, or null with one host. */
  private final String host;
  // the dashboard's live log; null when nothing listens (the one-shot)
  private volatile LogHub hub;

  public RunLog(PrintStream out, LogFormat format, LogLevel threshold, boolean quiet, String hostname, Clock clock) {
    this.out = out;
    this.format = format;
    this.threshold = threshold;
    this.quiet = quiet;
    this.hostname = hostname;
    this.clock = clock;
    this.host = null;
  }

  private RunLog(RunLog parent, String host) {
    this.out = parent.out;
    this.format = parent.format;
    this.threshold = parent.threshold;
    this.quiet = parent.quiet;
    this.hostname = parent.hostname;
    this.clock = parent.clock;
    this.host = host;
    this.hub = parent.hub;
  }

  /**
   * The log of one host of DOCKER_HOSTS: text lines start their message with {@code HOST: }, JSON
   * lines get a {@code host} field; the line shape stays the contract's.
   */
  public RunLog forHost(String host) {
    return new RunLog(this, host);
  }

  /**
   * Also sends every line to {@code hub}, DEBUG included whatever LOG_LEVEL says (the dashboard
   * filters by level itself: an operator can see per-item lines without a restart). QUIET does not
   * apply to the hub either. {@code null} stops it.
   */
  public void tap(LogHub hub) {
    this.hub = hub;
  }

  /** Operations named in log lines. */
  public static final String INIT = "INIT";
  public static final String SUMMARY = "SUMMARY";

  public boolean enabled(LogLevel level) {
    return level.ordinal() >= threshold.ordinal();
  }

  public void debug(String operation, String message, Map<String, Object> fields) {
    emit(LogLevel.DEBUG, operation, message, fields);
  }

  public void info(String operation, String message, Map<String, Object> fields) {
    emit(LogLevel.INFO, operation, message, fields);
  }

  public void warn(String operation, String message, Map<String, Object> fields) {
    emit(LogLevel.WARN, operation, message, fields);
  }

  public void error(String operation, String message, Map<String, Object> fields) {
    emit(LogLevel.ERROR, operation, message, fields);
  }

  /** The summary line: printed even when QUIET. */
  public void summary(LogLevel level, String message, Map<String, Object> fields) {
    LogHub h = hub;
    if (h != null) {
      h.publish(clock.instant(), level.name(), SUMMARY, message);
    }
    write(level, SUMMARY, message, fields);
  }

  private void emit(LogLevel level, String operation, String message, Map<String, Object> fields) {
    LogHub h = hub;
    if (h != null) {
      h.publish(clock.instant(), level.name(), operation, host == null ? message : host + ": " + message);
    }
    if (!enabled(level)) {
      return;
    }
    // QUIET: only the summary line and errors
    if (quiet && level != LogLevel.ERROR && !SUMMARY.equals(operation)) {
      return;
    }
    write(level, operation, message, fields);
  }

  private void write(LogLevel level, String operation, String message, Map<String, Object> fields) {
    if (host != null) {
      if (format != LogFormat.JSON) {
        message = host + ": " + message;
      }
      Map<String, Object> withHost = new LinkedHashMap<>();
      withHost.put("host", host);
      if (fields != null) {
        withHost.putAll(fields);
      }
      fields = withHost;
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    if (format == LogFormat.JSON) {
      // milliseconds in JSON (RFC 3339); the text contract keeps whole seconds
      out.println(JsonLines.line(clock.instant(), level.name(), operation, message, hostname, fields));
    } else {
      out.println("[" + now + "] [" + level.name() + "] [" + operation + "] " + message);
    }
    out.flush();
  }

  /** Small helper for field maps in call sites. */
  public static Map<String, Object> fields(Object... keyValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i + 1 < keyValues.length; i += 2) {
      if (keyValues[i + 1] != null) {
        m.put((String) keyValues[i], keyValues[i + 1]);
      }
    }
    return m;
  }
}
