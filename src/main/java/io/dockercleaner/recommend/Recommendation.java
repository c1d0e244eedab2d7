package io.dockercleaner.recommend;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Objects;

/**
 * One suggestion and the numbers behind it.
 *
 * @param id a stable name: unused_images, old_tags, watermark_headroom, orphaned_volumes,
 *     stale_build_cache
 * @param title what to do, in a few words
 * @param evidence the numbers and why, for a person
 * @param bytes bytes the suggestion frees (or, for watermark_headroom, the missing headroom)
 * @param count objects concerned; 0 when it is not about objects
 * @param settings the settings to change, name → value (may be empty)
 */
public record Recommendation(String id, String title, String evidence, long bytes, int count,
    Map<String, String> settings) {

  /** Copies the settings, keeping their order. */
  public Recommendation {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(evidence, "evidence");
    settings = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(settings));
  }

  /**
   * The document of {@code GET /v1/recommendations} and {@code recommend} in JSON: {@code
   * generatedAt}, {@code usageHistory} (false: ages are creation ages) and {@code recommendations}.
   */
  public static JsonObject document(java.util.List<Recommendation> recommendations, java.time.Instant now,
      boolean usageHistory) {
    io.vertx.core.json.JsonArray items = new io.vertx.core.json.JsonArray();
    recommendations.forEach(r -> items.add(r.toJson()));
    return new JsonObject().put("generatedAt", now.toString()).put("usageHistory", usageHistory)
        .put("recommendations", items);
  }

  /** One recommendation as JSON. */
  public JsonObject toJson() {
    JsonObject s = new JsonObject();
    settings.forEach(s::put);
    return new JsonObject().put("id", id).put("title", title).put("evidence", evidence).put("bytes", bytes)
        .put("count", count).put("settings", s);
  }
}
