package io.dockercleaner.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Library and internal diagnostics (Vert.x, Netty, our own SLF4J loggers) as {@link JsonLines}:
 * operation {@code RUNTIME}, plus {@code logger}, {@code thread} and, with an exception,
 * {@code error} (its stack trace in one string, so the line stays one line).
 */
public final class JsonLineLayout extends LayoutBase<ILoggingEvent> {
  /** The operation of library diagnostics in JSON lines. */
  public static final String OPERATION = "RUNTIME";

  private final String hostname;

  public JsonLineLayout(String hostname) {
    this.hostname = hostname;
  }

  @Override
  public String doLayout(ILoggingEvent event) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("logger", event.getLoggerName());
    fields.put("thread", event.getThreadName());
    IThrowableProxy thrown = event.getThrowableProxy();
    if (thrown != null) {
      fields.put("error", ThrowableProxyUtil.asString(thrown));
    }
    return JsonLines.line(Instant.ofEpochMilli(event.getTimeStamp()), level(event.getLevel()), OPERATION,
        event.getFormattedMessage(), hostname, fields) + "\n";
  }

  /** The run log's levels: DEBUG, INFO, WARN, ERROR (TRACE counts as DEBUG). */
  static String level(Level level) {
    if (level.isGreaterOrEqual(Level.ERROR)) {
      return "ERROR";
    } else if (level.isGreaterOrEqual(Level.WARN)) {
      return "WARN";
    } else if (level.isGreaterOrEqual(Level.INFO)) {
      return "INFO";
    }
    return "DEBUG";
  }
}
