package io.dockercleaner.docker.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** {@code GET /system/df}: Docker's own usage per type (expensive on big hosts). */
public record DiskUsage(long layersSizeBytes, List<ImageSummary> images, List<ContainerSummary> containers,
    List<VolumeSummary> volumes, List<BuildCacheRecord> buildCache) {

  public static DiskUsage from(JsonNode n) {
    return new DiskUsage(Json.number(n, "LayersSize", 0), list(n, "Images", ImageSummary::from),
        list(n, "Containers", ContainerSummary::from), list(n, "Volumes", VolumeSummary::from),
        list(n, "BuildCache", BuildCacheRecord::from));
  }

  private static <T> List<T> list(JsonNode n, String field, java.util.function.Function<JsonNode, T> f) {
    JsonNode a = n.get(field);
    List<T> out = new ArrayList<>();
    if (a != null && a.isArray()) {
      a.forEach(e -> out.add(f.apply(e)));
    }
    return List.copyOf(out);
  }

  /** Sum of unique image bytes (Size − SharedSize). */
  public long imagesBytes() {
    return images.stream().mapToLong(i -> i.sharedSizeBytes() >= 0 ? i.sizeBytes() - i.sharedSizeBytes() : i.sizeBytes()).sum();
  }

  public long containersBytes() {
    return containers.stream().mapToLong(c -> Math.max(0, c.sizeRwBytes())).sum();
  }

  public long volumesBytes() {
    return volumes.stream().mapToLong(v -> Math.max(0, v.sizeBytes())).sum();
  }

  public long buildCacheBytes() {
    return buildCache.stream().filter(b -> !b.shared()).mapToLong(BuildCacheRecord::sizeBytes).sum();
  }
}
