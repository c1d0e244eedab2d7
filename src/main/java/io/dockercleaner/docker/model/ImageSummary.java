package io.dockercleaner.docker.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One entry of {@code GET /images/json}.
 *
 * @param sharedSizeBytes bytes shared with other images; -1 when the daemon did not compute it
 * @param containers number of containers using it; -1 when not computed
 */
public record ImageSummary(String id, String parentId, List<String> repoTags, List<String> repoDigests,
    long createdEpochSeconds, long sizeBytes, long sharedSizeBytes, long containers, Map<String, String> labels) {

  public static ImageSummary from(JsonNode n) {
    List<String> tags = Json.strings(n, "RepoTags").stream().filter(t -> !"<none>:<none>".equals(t)).toList();
    List<String> digests = Json.strings(n, "RepoDigests").stream().filter(t -> !"<none>@<none>".equals(t)).toList();
    return new ImageSummary(Json.text(n, "Id"), Json.text(n, "ParentId"), tags, digests,
        Json.number(n, "Created", 0), Json.number(n, "Size", 0), Json.number(n, "SharedSize", -1),
        Json.number(n, "Containers", -1), Json.labels(n, "Labels"));
  }

  /** Untagged: what {@code dangling=true} selects. */
  public boolean isDangling() {
    return repoTags.isEmpty();
  }

  /** First tag, or the short id for dangling images. */
  public String name() {
    if (!repoTags.isEmpty()) {
      return repoTags.get(0);
    }
    String hex = id.startsWith("sha256:") ? id.substring(7) : id;
    return "<none>@" + hex.substring(0, Math.min(12, hex.length()));
  }

  public Instant created() {
    return Instant.ofEpochSecond(createdEpochSeconds);
  }
}
