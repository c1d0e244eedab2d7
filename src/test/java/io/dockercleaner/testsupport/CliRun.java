package io.dockercleaner.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dockercleaner.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs the CLI in-process with a given environment and captures what it prints. */
public record CliRun(int exitCode, String stdout, String stderr) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Runs {@code Main.run(args)} with exactly {@code env} (plus HOSTNAME) as the environment. */
  public static CliRun run(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Map<String, String> e = new HashMap<>(env);
    e.putIfAbsent("HOSTNAME", "test-host");
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream r = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = Main.run(List.of(args), e, o, r);
    }
    return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Every stdout line parsed as JSON (fails the test on a line that is not). */
  public List<JsonNode> jsonLines() {
    List<JsonNode> out = new ArrayList<>();
    for (String line : stdout.lines().filter(l -> !l.isBlank()).toList()) {
      try {
        out.add(MAPPER.readTree(line));
      } catch (IOException e) {
        throw new AssertionError("not a JSON line: " + line);
      }
    }
    return out;
  }

  /** ids of per-item lines of one type ("type" field), e.g. what a dry run lists. */
  public List<String> itemIds(String type) {
    return jsonLines().stream().filter(n -> type.equals(n.path("type").asText()) && n.has("id"))
        .map(n -> n.get("id").asText()).toList();
  }

  /** The SUMMARY line. */
  public JsonNode summary() {
    return jsonLines().stream().filter(n -> "SUMMARY".equals(n.path("operation").asText())).findFirst()
        .orElseThrow(() -> new AssertionError("no SUMMARY line in:\n" + stdout));
  }
}
