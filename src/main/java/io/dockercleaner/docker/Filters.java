package io.dockercleaner.docker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Engine API's {@code filters} query parameter: a JSON map of filter name to values, e.g.
 * {@code {"label!":["keep=true"],"until":["1700000000"]}}. Immutable; {@link #with} returns a copy.
 */
public final class Filters {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  /** No filters. */
  public static final Filters NONE = new Filters(Map.of());

  private final Map<String, List<String>> values;

  private Filters(Map<String, List<String>> values) {
    this.values = values;
  }

  /** A copy with {@code value} added under {@code name}. */
  public Filters with(String name, String value) {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    values.forEach((k, v) -> copy.put(k, new ArrayList<>(v)));
    copy.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    copy.replaceAll((k, v) -> Collections.unmodifiableList(v));
    return new Filters(Collections.unmodifiableMap(copy));
  }

  /** A copy without any value under {@code name}. */
  public Filters without(String name) {
    Map<String, List<String>> copy = new LinkedHashMap<>(values);
    copy.remove(name);
    return new Filters(Collections.unmodifiableMap(copy));
  }

  public Map<String, List<String>> asMap() {
    return values;
  }

  public boolean isEmpty() {
    return values.isEmpty();
  }

  /** JSON form, e.g. {@code {"label":["a=b"]}}. */
  public String toJson() {
    try {
      return MAPPER.writeValueAsString(values);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code filters=...} URL-encoded, or "" when empty. */
  public String toQueryParam() {
    return isEmpty() ? "" : "filters=" + URLEncoder.encode(toJson(), StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return toJson();
  }
}
