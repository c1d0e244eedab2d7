package io.dockercleaner.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the JSON-lines trace format ({@code docs/trace-format.md}): one event per line, blank lines
 * and lines starting with {@code #} ignored, times non-decreasing. Every problem is reported with
 * its line number and field; nothing is guessed.
 */
public final class TraceParser {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Set<String> FIELDS =
      Set.of("t", "event", "image", "tag", "layers", "base", "seconds");

  private TraceParser() {}

  /**
   * Parses a whole trace.
   *
   * @param source the trace's name for messages
   * @throws TraceException at the first bad line
   * @throws IOException when reading fails
   */
  public static List<TraceEvent> parse(String source, Reader reader) throws IOException, TraceException {
    List<TraceEvent> events = new ArrayList<>();
    // images whose layers an earlier line gave, and every layer's size: both fixed once given
    java.util.Map<String, List<TraceEvent.Layer>> defined = new java.util.HashMap<>();
    java.util.Map<String, Long> layerSizes = new java.util.HashMap<>();
    BufferedReader lines = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
    Instant previous = null;
    int number = 0;
    for (String text = lines.readLine(); text != null; text = lines.readLine()) {
      number++;
      String trimmed = text.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      TraceEvent event = parseLine(source, number, trimmed, defined, layerSizes);
      if (previous != null && event.at().isBefore(previous)) {
        throw new TraceException(source, number, "t",
            "time " + event.at() + " is before the previous line's " + previous + " (lines must be in time order)");
      }
      previous = event.at();
      events.add(event);
    }
    return events;
  }

  private static TraceEvent parseLine(String source, int n, String text,
      java.util.Map<String, List<TraceEvent.Layer>> defined, java.util.Map<String, Long> layerSizes)
      throws TraceException {
    JsonNode node;
    try {
      node = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new TraceException(source, n, null, "not valid JSON (" + e.getOriginalMessage() + ")");
    }
    if (node == null || !node.isObject()) {
      throw new TraceException(source, n, null, "expected a JSON object");
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!FIELDS.contains(name)) {
        throw new TraceException(source, n, name, "unknown field (fields: t, event, image, tag, layers, base, seconds)");
      }
    }
    Instant at;
    String t = text(source, n, node, "t", true);
    try {
      at = Instant.parse(t);
    } catch (DateTimeParseException e) {
      throw new TraceException(source, n, "t", "'" + t + "' is not an RFC 3339 UTC time such as 2026-01-05T02:00:00Z");
    }
    String eventName = text(source, n, node, "event", true);
    TraceEvent.Kind kind;
    try {
      kind = TraceEvent.Kind.valueOf(eventName.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new TraceException(source, n, "event", "'" + eventName + "' is not one of pull, build, use, remove");
    }
    String image = text(source, n, node, "image", true);
    if (image.isBlank()) {
      throw new TraceException(source, n, "image", "must not be empty");
    }
    String tag = text(source, n, node, "tag", false);
    if (tag != null && (kind == TraceEvent.Kind.USE || kind == TraceEvent.Kind.REMOVE)) {
      throw new TraceException(source, n, "tag", "only pull and build lines tag an image");
    }
    if (tag != null && !tag.contains(":")) {
      throw new TraceException(source, n, "tag", "'" + tag + "' is not repo:tag");
    }
    List<TraceEvent.Layer> layers = layers(source, n, node.get("layers"), kind);
    boolean fetches = kind == TraceEvent.Kind.PULL || kind == TraceEvent.Kind.BUILD;
    if (fetches && !layers.isEmpty()) {
      List<TraceEvent.Layer> before = defined.putIfAbsent(image, layers);
      if (before != null && !before.equals(layers)) {
        throw new TraceException(source, n, "layers", "image " + image + " had other layers on an earlier line; an image id names one content");
      }
      for (int i = 0; i < layers.size(); i++) {
        TraceEvent.Layer layer = layers.get(i);
        Long size = layerSizes.putIfAbsent(layer.digest(), layer.sizeBytes());
        if (size != null && size != layer.sizeBytes()) {
          throw new TraceException(source, n, "layers[" + i + "].size", "layer " + layer.digest() + " has size "
              + layer.sizeBytes() + " here but " + size + " on an earlier line");
        }
      }
    } else if (kind != TraceEvent.Kind.REMOVE && !defined.containsKey(image)) {
      throw new TraceException(source, n, fetches ? "layers" : "image",
          "image " + image + " has no layers: give them here or on an earlier pull or build line");
    }
    String base = text(source, n, node, "base", false);
    if (base != null) {
      if (kind != TraceEvent.Kind.BUILD) {
        throw new TraceException(source, n, "base", "only build lines have a base image");
      }
      if (!defined.containsKey(base)) {
        throw new TraceException(source, n, "base", "image " + base + " is not defined by an earlier pull or build line");
      }
    }
    long seconds = 0;
    JsonNode s = node.get("seconds");
    if (s != null) {
      if (kind != TraceEvent.Kind.USE) {
        throw new TraceException(source, n, "seconds", "only use lines have a run time");
      }
      if (!s.isIntegralNumber() || s.asLong() < 0) {
        throw new TraceException(source, n, "seconds", "expected a whole number of seconds >= 0, got " + s);
      }
      seconds = s.asLong();
    }
    return new TraceEvent(n, at, kind, image, tag, layers, base, seconds);
  }

  private static List<TraceEvent.Layer> layers(String source, int n, JsonNode node, TraceEvent.Kind kind)
      throws TraceException {
    if (node == null) {
      return List.of();
    }
    if (kind == TraceEvent.Kind.USE || kind == TraceEvent.Kind.REMOVE) {
      throw new TraceException(source, n, "layers", "only pull and build lines give layers");
    }
    if (!node.isArray() || node.isEmpty()) {
      throw new TraceException(source, n, "layers", "expected a non-empty array of {\"digest\": ..., \"size\": bytes}");
    }
    List<TraceEvent.Layer> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < node.size(); i++) {
      JsonNode layer = node.get(i);
      String where = "layers[" + i + "]";
      if (!layer.isObject()) {
        throw new TraceException(source, n, where, "expected {\"digest\": ..., \"size\": bytes}");
      }
      JsonNode digest = layer.get("digest");
      JsonNode size = layer.get("size");
      if (digest == null || !digest.isTextual() || digest.asText().isBlank()) {
        throw new TraceException(source, n, where + ".digest", "expected a non-empty string");
      }
      if (size == null || !size.isIntegralNumber() || size.asLong() < 0) {
        throw new TraceException(source, n, where + ".size", "expected a whole number of bytes >= 0, got " + size);
      }
      if (!seen.add(digest.asText())) {
        throw new TraceException(source, n, where + ".digest", digest.asText() + " appears twice in this image");
      }
      out.add(new TraceEvent.Layer(digest.asText(), size.asLong()));
    }
    return out;
  }

  private static String text(String source, int n, JsonNode node, String field, boolean required)
      throws TraceException {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        throw new TraceException(source, n, field, "missing");
      }
      return null;
    }
    if (!value.isTextual()) {
      throw new TraceException(source, n, field, "expected a string, got " + value);
    }
    return value.asText();
  }
}
