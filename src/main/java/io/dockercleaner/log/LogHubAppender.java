package io.dockercleaner.log;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.time.Instant;

/**
 * Feeds library and internal diagnostics (logback: Vert.x, Netty, our SLF4J loggers) into a
 * {@link LogHub}, so the dashboard's live log shows them next to the operations log. The level is
 * the logback level; the operation is {@code RUNTIME} as in the JSON log.
 */
public final class LogHubAppender extends AppenderBase<ILoggingEvent> {
  /** The appender's name on the root logger. */
  public static final String NAME = "LOG_HUB";

  private final LogHub hub;

  public LogHubAppender(LogHub hub) {
    this.hub = hub;
    setName(NAME);
  }

  @Override
  protected void append(ILoggingEvent event) {
    String message = event.getFormattedMessage();
    IThrowableProxy error = event.getThrowableProxy();
    if (error != null) {
      message = message + ": " + error.getClassName() + (error.getMessage() == null ? "" : ": " + error.getMessage());
    }
    String logger = event.getLoggerName();
    int dot = logger == null ? -1 : logger.lastIndexOf('.');
    hub.publish(Instant.ofEpochMilli(event.getTimeStamp()), event.getLevel().toString(), "RUNTIME",
        (dot < 0 ? logger : logger.substring(dot + 1)) + ": " + message);
  }
}
