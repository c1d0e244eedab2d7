package io.dockercleaner.docker.model;

import java.util.List;
import java.util.Objects;

/**
 * An image's content as {@code GET /images/{id}/json} ({@code RootFS.Layers}) and {@code GET
 * /images/{id}/history} describe it: what the trace recorder needs to name its layers and their
 * sizes.
 *
 * @param id the image ID ({@code sha256:...})
 * @param repoTags its {@code repo:tag} names (never {@code <none>:<none>})
 * @param sizeBytes the image's Size (all its layers)
 * @param diffIds {@code RootFS.Layers}: the layers' uncompressed digests, bottom first
 * @param historySizesOldestFirst every history step's Size, oldest first (steps that made no layer
 *     count 0)
 */
public record ImageLayers(String id, List<String> repoTags, long sizeBytes, List<String> diffIds,
    List<Long> historySizesOldestFirst) {

  /** Copies the lists. */
  public ImageLayers {
    Objects.requireNonNull(id, "id");
    repoTags = List.copyOf(repoTags);
    diffIds = List.copyOf(diffIds);
    historySizesOldestFirst = List.copyOf(historySizesOldestFirst);
  }
}
