package io.dockercleaner.plan;

import java.time.Instant;
import java.util.Objects;

/**
 * One BuildKit cache record as the planner sees it.
 *
 * @param id cache record id
 * @param type record type ({@code regular}, {@code source.local}, {@code exec.cachemount}, ...)
 * @param description its description (shown as its name)
 * @param inUse true while a build uses it
 * @param shared true when its data is shared with other records or images
 * @param sizeBytes its size
 * @param createdAt when it was created
 * @param lastUsedAt when a build last used it, or {@code null} if never
 */
public record BuildCacheInfo(
    String id,
    String type,
    String description,
    boolean inUse,
    boolean shared,
    long sizeBytes,
    Instant createdAt,
    Instant lastUsedAt) {

  /** Validates the required fields. */
  public BuildCacheInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(createdAt, "createdAt");
    type = type == null ? "" : type;
    description = description == null ? "" : description;
  }

  /** Estimated bytes freed by removing it: 0 when shared, else its size. */
  public long estimatedBytes() {
    return shared ? 0 : Math.max(0, sizeBytes);
  }
}
