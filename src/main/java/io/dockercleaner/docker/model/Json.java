package io.dockercleaner.docker.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Null-tolerant readers for the daemon's JSON (fields may be missing or null, e.g. on Podman). */
final class Json {
  private Json() {}

  static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? "" : v.asText();
  }

  static long number(JsonNode n, String field, long fallback) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() || !v.isNumber() ? fallback : v.asLong();
  }

  static boolean bool(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v != null && v.asBoolean(false);
  }

  static List<String> strings(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isArray()) {
      return List.of();
    }
    List<String> out = new ArrayList<>(v.size());
    v.forEach(e -> out.add(e.asText()));
    return Collections.unmodifiableList(out);
  }

  static Map<String, String> labels(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isObject() || v.isEmpty()) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    v.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return Collections.unmodifiableMap(out);
  }

  /** RFC 3339 timestamp; null when missing or unparsable (Podman omits some). */
  static Instant instant(JsonNode n, String field) {
    String s = text(n, field);
    if (s.isEmpty() || s.startsWith("0001-01-01")) {
      return null;
    }
    try {
      return java.time.OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
