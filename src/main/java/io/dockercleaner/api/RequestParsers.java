package io.dockercleaner.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import io.dockercleaner.config.ConfigException;
import io.dockercleaner.config.ValueParsers;
import io.dockercleaner.core.ResourceType;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Validation of request bodies and query strings, exactly as {@code openapi.yaml} describes them.
 * Pure: every method either returns a value or throws a 400 {@link ApiException} whose message
 * names the field and the problem. {@code OpenApiDocumentTest} keeps this class and the document
 * in step.
 */
public final class RequestParsers {
  /** Fields of the {@code POST /v1/runs} body, in document order. */
  public static final List<String> RUN_FIELDS = List.of("dryRun", "types", "targetBytes", "maxDuration", "planId");
  /** Query parameters of {@code GET /v1/plan}. */
  public static final List<String> PLAN_PARAMETERS = List.of("targetBytes", "types");
  /** Query parameters of {@code GET /v1/logs/stream}. */
  public static final List<String> LOG_STREAM_PARAMETERS = List.of("after");

  /** Longest accepted planId. */
  public static final int MAX_PLAN_ID_LENGTH = 128;

  private static final String TYPES_EXPECTED =
      "expected one of " + Arrays.stream(ResourceType.values()).map(ResourceType::label).collect(Collectors.joining(", "));
  private static final String TARGET_EXPECTED =
      "expected a non-negative whole number of bytes or a size string such as \"5GB\"";

  private static final java.util.regex.Pattern FRACTIONAL_BYTES =
      java.util.regex.Pattern.compile("\\s*\\d+\\.\\d+\\s*[bB]?\\s*");

  // Strict: a repeated key or text after the object is an error, not silently ignored.
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private RequestParsers() {}

  /** A validated {@code GET /v1/plan} query. */
  public record PlanQuery(OptionalLong targetBytes, Set<ResourceType> types) {}

  /**
   * Parses a {@code POST /v1/runs} body. An empty body is the empty object.
   *
   * @param defaultDryRun the dryRun of a body that omits it (the agent's DRY_RUN)
   */
  public static RunRequest parseRunRequest(byte[] body, boolean defaultDryRun) {
    JsonNode root;
    if (isBlank(body)) {
      root = MAPPER.createObjectNode();
    } else {
      try {
        root = MAPPER.readTree(body);
      } catch (JsonProcessingException e) {
        throw ApiException.badRequest("request body is not valid JSON: " + e.getOriginalMessage());
      } catch (IOException e) {
        throw ApiException.badRequest("request body is not valid JSON: " + e.getMessage());
      }
    }
    if (!root.isObject()) {
      throw ApiException.badRequest("request body must be a JSON object, got " + describe(root));
    }
    Iterator<String> names = root.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!RUN_FIELDS.contains(name)) {
        throw ApiException.badRequest("unknown field '" + name + "'; known fields: " + String.join(", ", RUN_FIELDS));
      }
    }
    boolean dryRun = defaultDryRun;
    JsonNode node = root.get("dryRun");
    if (node != null) {
      if (!node.isBoolean()) {
        throw ApiException.badRequest("dryRun: expected a boolean (true or false), got " + describe(node));
      }
      dryRun = node.booleanValue();
    }
    Set<ResourceType> types = Set.of();
    node = root.get("types");
    if (node != null) {
      if (!node.isArray()) {
        throw ApiException.badRequest(
            "types: expected an array of strings such as [\"image\", \"volume\"], got " + describe(node));
      }
      if (node.isEmpty()) {
        throw ApiException.badRequest("types: must not be empty; omit it to clean the configured types");
      }
      EnumSet<ResourceType> set = EnumSet.noneOf(ResourceType.class);
      for (JsonNode item : node) {
        if (!item.isTextual()) {
          throw ApiException.badRequest("types: expected strings, got " + describe(item) + "; " + TYPES_EXPECTED);
        }
        set.add(resourceType("types", item.textValue()));
      }
      types = set;
    }
    OptionalLong targetBytes = OptionalLong.empty();
    node = root.get("targetBytes");
    if (node != null) {
      targetBytes = OptionalLong.of(targetBytes(node));
    }
    Optional<Duration> maxDuration = Optional.empty();
    JsonNode duration = root.get("maxDuration");
    if (duration != null) {
      if (!duration.isTextual()) {
        throw ApiException.badRequest(
            "maxDuration: expected a duration string such as \"30m\" or \"1h30m\", got " + describe(duration));
      }
      maxDuration =
          Optional.of(configValue(() -> ValueParsers.parsePositiveDuration("maxDuration", duration.textValue())));
    }
    Optional<String> planId = Optional.empty();
    JsonNode plan = root.get("planId");
    if (plan != null) {
      if (!plan.isTextual()) {
        throw ApiException.badRequest("planId: expected a string (the id from GET /v1/plan), got " + describe(plan));
      }
      planId = Optional.of(planId(plan.textValue()));
    }
    return new RunRequest(dryRun, types, targetBytes, maxDuration, planId);
  }

  /**
   * Parses the {@code GET /v1/plan} query.
   *
   * @param params every query parameter with all its values
   */
  public static PlanQuery parsePlanQuery(Map<String, List<String>> params) {
    for (Map.Entry<String, List<String>> e : params.entrySet()) {
      if (!PLAN_PARAMETERS.contains(e.getKey())) {
        throw ApiException.badRequest(
            "unknown query parameter '" + e.getKey() + "'; known: " + String.join(", ", PLAN_PARAMETERS));
      }
      if (e.getValue().size() > 1) {
        throw ApiException.badRequest("query parameter '" + e.getKey() + "' is given more than once");
      }
    }
    OptionalLong targetBytes = OptionalLong.empty();
    List<String> raw = params.get("targetBytes");
    if (raw != null) {
      targetBytes = OptionalLong.of(byteSize(raw.get(0)));
    }
    Set<ResourceType> types = Set.of();
    raw = params.get("types");
    if (raw != null) {
      EnumSet<ResourceType> set = EnumSet.noneOf(ResourceType.class);
      for (String entry : raw.get(0).split(",", -1)) {
        set.add(resourceType("types", entry.trim()));
      }
      types = set;
    }
    return new PlanQuery(targetBytes, types);
  }

  /**
   * The {@code after} of {@code GET /v1/logs/stream} (lines with a greater sequence number are
   * replayed from the ring), or empty when absent. A whole number ≥ 0; the SSE {@code
   * Last-Event-ID} header means the same and wins when both are given.
   */
  public static OptionalLong parseLogStreamQuery(Map<String, List<String>> params, String lastEventId) {
    for (String name : params.keySet()) {
      if (!LOG_STREAM_PARAMETERS.contains(name)) {
        throw ApiException.badRequest("unknown query parameter '" + name + "'; expected one of " + LOG_STREAM_PARAMETERS);
      }
    }
    List<String> after = params.get("after");
    if (after != null && after.size() > 1) {
      throw ApiException.badRequest("query parameter 'after' is given more than once");
    }
    String raw = lastEventId != null ? lastEventId : after == null ? null : after.get(0);
    if (raw == null) {
      return OptionalLong.empty();
    }
    String what = lastEventId != null ? "Last-Event-ID" : "after";
    try {
      long value = Long.parseLong(raw.trim());
      if (value < 0) {
        throw new NumberFormatException();
      }
      return OptionalLong.of(value);
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(what + ": expected a whole number of 0 or more, got '" + raw + "'");
    }
  }

  /**
   * A {@code PUT /v1/settings} body: a non-empty JSON object whose values are strings, numbers or
   * booleans (each becomes its text, as in the environment). Which names are editable and which
   * values are valid is the agent's call (the same parsers as at start).
   */
  public static Map<String, String> parseSettingsChange(byte[] body) {
    JsonNode root;
    try {
      root = isBlank(body) ? null : MAPPER.readTree(body);
    } catch (IOException e) {
      throw ApiException.badRequest("request body is not valid JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject() || root.isEmpty()) {
      throw ApiException.badRequest("request body must be a JSON object of setting name to value, such as"
          + " {\"DISK_HIGH_WATERMARK\": \"90%\"}");
    }
    Map<String, String> out = new java.util.LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      JsonNode v = e.getValue();
      if (!v.isTextual() && !v.isNumber() && !v.isBoolean()) {
        throw ApiException.badRequest(e.getKey() + ": expected a string, number or boolean, got " + describe(v));
      }
      out.put(e.getKey(), v.asText());
    }
    return out;
  }

  /** Rejects query parameters on an endpoint that takes none. */
  public static void requireNoQuery(Map<String, List<String>> params) {
    if (!params.isEmpty()) {
      throw ApiException.badRequest(
          "unknown query parameter '" + params.keySet().iterator().next() + "'; this endpoint takes none");
    }
  }

  private static long targetBytes(JsonNode node) {
    if (node.isTextual()) {
      return byteSize(node.textValue());
    }
    if (node.isIntegralNumber()) {
      if (!node.canConvertToLong()) {
        throw ApiException.badRequest("targetBytes: " + node + " is too large; expected at most 8 EiB");
      }
      if (node.longValue() < 0) {
        throw ApiException.badRequest("targetBytes: " + node + " is negative; " + TARGET_EXPECTED);
      }
      return node.longValue();
    }
    throw ApiException.badRequest("targetBytes: " + TARGET_EXPECTED + ", got " + describe(node));
  }

  private static long byteSize(String raw) {
    if (raw.isBlank()) {
      throw ApiException.badRequest("targetBytes: must not be empty; " + TARGET_EXPECTED);
    }
    if (FRACTIONAL_BYTES.matcher(raw).matches()) {
      // ValueParsers accepts "1.0"; the document (and common sense) wants whole bytes
      throw ApiException.badRequest("targetBytes: invalid value '" + raw.trim() + "' (a number of bytes must be whole)");
    }
    return configValue(() -> ValueParsers.parseByteSize("targetBytes", raw.trim())).getAsLong();
  }

  private static String planId(String id) {
    if (id.isEmpty() || id.length() > MAX_PLAN_ID_LENGTH) {
      throw ApiException.badRequest("planId: expected 1 to " + MAX_PLAN_ID_LENGTH + " characters, got " + id.length());
    }
    return id;
  }

  private static ResourceType resourceType(String field, String label) {
    for (ResourceType type : ResourceType.values()) {
      if (type.label().equals(label)) {
        return type;
      }
    }
    throw ApiException.badRequest(
        field + ": " + (label.isEmpty() ? "empty type" : "unknown type '" + label + "'") + "; " + TYPES_EXPECTED);
  }

  private static <T> T configValue(java.util.function.Supplier<T> parse) {
    try {
      return parse.get();
    } catch (ConfigException e) {
      // ValueParsers messages already read "NAME: invalid value 'RAW' (expected ...)"
      throw ApiException.badRequest(e.getMessage());
    }
  }

  private static String describe(JsonNode node) {
    JsonNodeType type = node.getNodeType();
    return switch (type) {
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> type.name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static boolean isBlank(byte[] body) {
    for (byte b : body) {
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        return false;
      }
    }
    return true;
  }
}
