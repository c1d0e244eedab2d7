package io.dockercleaner.log;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one shape of every JSON log line docker-cleaner writes (LOG_FORMAT=json), whoever writes it:
 * the run log, library diagnostics (logback), start-up errors. Keys {@code timestamp} (RFC 3339,
 * UTC, milliseconds), {@code level}, {@code operation}, {@code message}, {@code hostname}, then
 * the line's own fields.
 */
public final class JsonLines {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  // always three fraction digits: Instant.toString drops them when they are zero
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private JsonLines() {}

  /** {@code 2026-03-29T01:00:00.042Z}. */
  public static String timestamp(Instant at) {
    return TIMESTAMP.format(at);
  }

  /** One line (without the newline). */
  public static String line(Instant at, String level, String operation, String message, String hostname,
      Map<String, Object> fields) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("timestamp", timestamp(at));
    line.put("level", level);
    line.put("operation", operation);
    line.put("message", message);
    line.put("hostname", hostname);
    if (fields != null) {
      fields.forEach(line::putIfAbsent);
    }
    try {
      return MAPPER.writeValueAsString(line);
    } catch (JsonProcessingException e) {
      return "{\"timestamp\":\"" + timestamp(at) + "\",\"level\":\"ERROR\",\"operation\":\"" + operation
          + "\",\"message\":\"cannot encode log line\",\"hostname\":\"\"}";
    }
  }
}
