package io.dockercleaner.docker.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/** One BuildKit cache record from {@code GET /system/df}. */
public record BuildCacheRecord(String id, String parent, String type, String description, boolean inUse,
    boolean shared, long sizeBytes, Instant createdAt, Instant lastUsedAt, long usageCount) {
  public static BuildCacheRecord from(JsonNode n) {
    String parent = Json.text(n, "Parent");
    if (parent.isEmpty() && n.has("Parents") && n.get("Parents").isArray() && n.get("Parents").size() > 0) {
      parent = n.get("Parents").get(0).asText();
    }
    return new BuildCacheRecord(Json.text(n, "ID"), parent, Json.text(n, "Type"), Json.text(n, "Description"),
        Json.bool(n, "InUse"), Json.bool(n, "Shared"), Json.number(n, "Size", 0), Json.instant(n, "CreatedAt"),
        Json.instant(n, "LastUsedAt"), Json.number(n, "UsageCount", 0));
  }
}
