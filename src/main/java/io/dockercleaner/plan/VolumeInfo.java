package io.dockercleaner.plan;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One volume as the planner sees it.
 *
 * @param name volume name (its id)
 * @param anonymous true for an anonymous volume (Docker labels these
 *     {@code com.docker.volume.anonymous})
 * @param labels its labels
 * @param createdAt when it was created, or {@code null} when the daemon does not say (its age is
 *     then unknown: any age rule keeps it)
 * @param sizeBytes {@code UsageData.Size}; {@code -1} means unknown
 * @param refCount {@code UsageData.RefCount}; {@code -1} means unknown
 */
public record VolumeInfo(
    String name,
    boolean anonymous,
    Map<String, String> labels,
    Instant createdAt,
    long sizeBytes,
    long refCount) {

  /** Validates the required fields and copies the labels. */
  public VolumeInfo {
    Objects.requireNonNull(name, "name");
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  /** Estimated bytes freed by removing it: its size, or 0 when unknown. */
  public long estimatedBytes() {
    return Math.max(0, sizeBytes);
  }
}
