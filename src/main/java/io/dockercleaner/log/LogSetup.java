package io.dockercleaner.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import io.dockercleaner.config.LogFormat;
import io.dockercleaner.config.LogLevel;
import java.nio.charset.StandardCharsets;
import org.slf4j.LoggerFactory;

/**
 * Points library and internal diagnostics (logback: Vert.x, Netty, our SLF4J loggers) at stderr in
 * the format and level of the run log, once the settings are known: with LOG_FORMAT=json every
 * line is a {@link JsonLines} object; LOG_LEVEL applies to them too (Netty and Vert.x stay at INFO
 * or above: their DEBUG output is internals, not operations).
 */
public final class LogSetup {
  private static final String APPENDER = "STDERR";

  private LogSetup() {}

  /** Reconfigures logback; safe to call more than once (tests run several commands in one JVM). */
  public static synchronized void configure(LogFormat format, LogLevel level, String hostname) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return; // another SLF4J binding: leave it alone
    }
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setName(APPENDER);
    appender.setTarget("System.err");
    appender.setEncoder(encoder(context, format, hostname));
    appender.start();
    root.detachAppender(APPENDER);
    root.addAppender(appender);
    Level threshold = toLogback(level);
    root.setLevel(threshold);
    Level libraries = threshold.isGreaterOrEqual(Level.INFO) ? threshold : Level.INFO;
    context.getLogger("io.netty").setLevel(libraries);
    context.getLogger("io.vertx").setLevel(libraries);
  }

  private static Encoder<ILoggingEvent> encoder(LoggerContext context, LogFormat format, String hostname) {
    if (format == LogFormat.JSON) {
      LayoutWrappingEncoder<ILoggingEvent> json = new LayoutWrappingEncoder<>();
      JsonLineLayout layout = new JsonLineLayout(hostname);
      layout.setContext(context);
      layout.start();
      json.setLayout(layout);
      json.setCharset(StandardCharsets.UTF_8);
      json.setContext(context);
      json.start();
      return json;
    }
    // text: as logback.xml, the run log's text shape
    PatternLayoutEncoder text = new PatternLayoutEncoder();
    text.setContext(context);
    text.setPattern("[%d{yyyy-MM-dd'T'HH:mm:ss'Z',UTC}] [%level] [%logger{0}] %msg%n");
    text.setCharset(StandardCharsets.UTF_8);
    text.start();
    return text;
  }

  private static Level toLogback(LogLevel level) {
    return switch (level) {
      case DEBUG -> Level.DEBUG;
      case INFO -> Level.INFO;
      case WARN -> Level.WARN;
      case ERROR -> Level.ERROR;
    };
  }
}
