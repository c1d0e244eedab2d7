package io.dockercleaner.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test helpers for Prometheus text: a small sample parser and a runner for the real parser,
 * {@code promtool check metrics} (Debian package {@code prometheus}).
 */
public final class PromText {
  private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})?\\s+(\\S+)(\\s+\\d+)?");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

  private PromText() {}

  /** One sample: metric name and labels (sorted). */
  public record Key(String name, Map<String, String> labels) {
    /** A key from name and alternating label names and values. */
    public static Key of(String name, String... labels) {
      Map<String, String> map = new TreeMap<>();
      for (int i = 0; i < labels.length; i += 2) {
        map.put(labels[i], labels[i + 1]);
      }
      return new Key(name, map);
    }
  }

  /** Samples of the text, keyed by name and labels. */
  public static Map<Key, Double> parse(String text) {
    Map<Key, Double> samples = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertThat(m.matches()).as("sample line %s", line).isTrue();
      Map<String, String> labels = new TreeMap<>();
      if (m.group(3) != null) {
        Matcher l = LABEL.matcher(m.group(3));
        while (l.find()) {
          labels.put(l.group(1), l.group(2));
        }
      }
      samples.put(new Key(m.group(1), labels), parseValue(m.group(4)));
    }
    return samples;
  }

  private static double parseValue(String raw) {
    return switch (raw) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(raw);
    };
  }

  /** Result of {@code promtool check metrics}. */
  public record Check(int exitCode, String output) {}

  /** Runs {@code promtool check metrics} with {@code text} on stdin. */
  public static Check promtool(String text) {
    io.dockercleaner.testsupport.TestLayers.refuseInUnitLayer("a process (promtool)");
    try {
      Path promtool = findPromtool();
      Process p =
          new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
      try (var in = p.getOutputStream()) {
        in.write(text.getBytes(StandardCharsets.UTF_8));
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
      return new Check(p.exitValue(), out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The promtool binary on PATH (bin/test puts it there). */
  public static Path promtoolBinary() {
    return findPromtool();
  }

  private static Path findPromtool() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path candidate = Path.of(dir, "promtool");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError("promtool not found on PATH: bin/test unpacks it from Debian's prometheus package");
  }

  /**
   * Asserts promtool parsed the text (exit 1 = parse error) and found no naming problem in
   * docker-cleaner's own metrics. promtool exits 3 for lint advice; Micrometer's JVM binders
   * trigger some ({@code system_cpu_count}, {@code process_cpu_time_ns_total}), which we accept.
   */
  public static void assertParsesAndOwnMetricsLintClean(Check check) {
    assertThat(check.exitCode()).as("promtool exit code; output:%n%s", check.output()).isIn(0, 3);
    assertThat(check.output().lines())
        .as("promtool advice")
        .noneMatch(line -> line.startsWith("docker_cleaner_") || line.contains("error"));
  }
}
