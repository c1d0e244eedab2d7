package io.dockercleaner.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dockercleaner.config.LogFormat;
import io.dockercleaner.config.LogLevel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Library diagnostics (logback: Vert.x, Netty, our SLF4J loggers) follow LOG_FORMAT and LOG_LEVEL:
 * with json every line is one object with the run log's keys.
 */
class LogSetupTest {
  static final String RFC3339_MILLIS = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private PrintStream originalErr;

  @BeforeEach
  void captureStderr() {
    originalErr = System.err;
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setErr(originalErr);
    LogSetup.configure(LogFormat.TEXT, LogLevel.WARN, "localhost");
  }

  private List<String> lines() {
    return captured.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
  }

  /** Every line parsed; fails on one that is not JSON. */
  static List<JsonNode> parseEvery(List<String> lines) {
    List<JsonNode> out = new ArrayList<>();
    for (String line : lines) {
      try {
        out.add(MAPPER.readTree(line));
      } catch (IOException e) {
        throw new AssertionError("not a JSON line: " + line);
      }
    }
    return out;
  }

  @Test
  void inJsonModeLibraryLinesAreJsonWithTheRunLogsKeysAndMillisecondTimestamps() {
    LogSetup.configure(LogFormat.JSON, LogLevel.INFO, "json-host");

    LoggerFactory.getLogger("io.vertx.core.net.impl.ConnectionBase").warn("Connection reset by peer");
    LoggerFactory.getLogger("io.netty.channel.DefaultChannelPipeline")
        .error("An exceptionCaught() event was fired", new IllegalStateException("boom\nsecond line"));
    LoggerFactory.getLogger("io.dockercleaner.agent.watch.EventSupervisor").info("event stream {}", "connected");

    List<JsonNode> lines = parseEvery(lines());
    assertThat(lines).hasSize(3).allSatisfy(n -> {
      assertThat(n.fieldNames()).toIterable().startsWith("timestamp", "level", "operation", "message", "hostname");
      assertThat(n.get("timestamp").asText()).matches(RFC3339_MILLIS);
      assertThat(n.get("operation").asText()).isEqualTo(JsonLineLayout.OPERATION);
      assertThat(n.get("hostname").asText()).isEqualTo("json-host");
    });
    assertThat(lines).extracting(n -> n.get("level").asText()).containsExactly("WARN", "ERROR", "INFO");
    assertThat(lines.get(0).get("logger").asText()).isEqualTo("io.vertx.core.net.impl.ConnectionBase");
    assertThat(lines.get(1).get("error").asText()).contains("IllegalStateException: boom\nsecond line");
    assertThat(lines.get(2).get("message").asText()).isEqualTo("event stream connected");
  }

  @Test
  void logLevelAppliesToLibraryLines() {
    LogSetup.configure(LogFormat.JSON, LogLevel.WARN, "h");
    LoggerFactory.getLogger("io.dockercleaner.agent.watch.UsageState").info("loaded usage state");
    LoggerFactory.getLogger("io.vertx.core.Vertx").info("an info line");
    LoggerFactory.getLogger("io.vertx.core.Vertx").warn("a warning");
    assertThat(parseEvery(lines())).extracting(n -> n.get("message").asText()).containsExactly("a warning");

    captured.reset();
    LogSetup.configure(LogFormat.JSON, LogLevel.DEBUG, "h");
    LoggerFactory.getLogger("io.dockercleaner.notify.WebhookNotifier").debug("a debug line");
    // Netty's DEBUG output is its internals: libraries stay at INFO and above
    LoggerFactory.getLogger("io.netty.util.internal.PlatformDependent").debug("-Dio.netty.noUnsafe: false");
    assertThat(parseEvery(lines())).extracting(n -> n.get("message").asText()).containsExactly("a debug line");
  }

  @Test
  void textModeKeepsTheTextShape() {
    LogSetup.configure(LogFormat.TEXT, LogLevel.INFO, "h");

    LoggerFactory.getLogger("io.vertx.core.Vertx").warn("a warning");

    assertThat(lines()).singleElement().satisfies(l ->
        assertThat(l).matches("\\[\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z] \\[WARN] \\[Vertx] a warning"));
  }

  @Test
  void theRunLogsJsonLinesHaveMillisecondTimestampsToo() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    RunLog log = new RunLog(new PrintStream(out, true, StandardCharsets.UTF_8), LogFormat.JSON, LogLevel.INFO, false,
        "h", java.time.Clock.fixed(java.time.Instant.parse("2026-03-29T01:00:00Z"), java.time.ZoneOffset.UTC));

    log.info(RunLog.INIT, "hello", RunLog.fields("count", 1));

    JsonNode line = parseEvery(out.toString(StandardCharsets.UTF_8).lines().toList()).get(0);
    assertThat(line.get("timestamp").asText()).isEqualTo("2026-03-29T01:00:00.000Z");
    assertThat(line.fieldNames()).toIterable().containsExactly("timestamp", "level", "operation", "message", "hostname", "count");
  }
}
