package io.dockercleaner.plan;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One image as the planner sees it.
 *
 * @param id full image id ({@code sha256:...})
 * @param parentId id of its parent image, or {@code null}/empty if none
 * @param repoTags its {@code repo:tag} references; empty or {@code ["<none>:<none>"]} when
 *     untagged
 * @param createdAt the image's {@code Created} time
 * @param sizeBytes its {@code Size}
 * @param sharedSizeBytes its {@code SharedSize}; {@code -1} means unknown
 * @param labels its labels
 * @param repoDigests its {@code repo@sha256:...} references ({@code RepoDigests}); empty when it was
 *     never pulled or pushed
 */
public record ImageInfo(
    String id,
    String parentId,
    List<String> repoTags,
    Instant createdAt,
    long sizeBytes,
    long sharedSizeBytes,
    Map<String, String> labels,
    List<String> repoDigests) {

  /** An image without repo digests. */
  public ImageInfo(String id, String parentId, List<String> repoTags, Instant createdAt, long sizeBytes,
      long sharedSizeBytes, Map<String, String> labels) {
    this(id, parentId, repoTags, createdAt, sizeBytes, sharedSizeBytes, labels, List.of());
  }

  /** Docker's placeholder for an untagged image. */
  public static final String NONE_TAG = "<none>:<none>";

  /** Validates the required fields and copies the collections. */
  public ImageInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(createdAt, "createdAt");
    parentId = parentId == null || parentId.isEmpty() ? null : parentId;
    repoTags = repoTags == null ? List.of() : List.copyOf(repoTags);
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    repoDigests = repoDigests == null ? List.of() : List.copyOf(repoDigests);
  }

  /** True when the image has no real {@code repo:tag} (empty or only {@code <none>:<none>}). */
  public boolean untagged() {
    for (String tag : repoTags) {
      if (!NONE_TAG.equals(tag)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Bytes only this image holds: {@code Size - SharedSize}, or {@code Size} when SharedSize is
   * unknown; never negative.
   */
  public long uniqueBytes() {
    long unique = sharedSizeBytes < 0 ? sizeBytes : sizeBytes - sharedSizeBytes;
    return Math.max(0, unique);
  }
}
