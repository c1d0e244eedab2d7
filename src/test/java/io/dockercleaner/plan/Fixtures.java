package io.dockercleaner.plan;

import io.dockercleaner.core.ResourceType;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Small constructors for planner inputs and a map-backed {@link UsageHistory}. */
/** Plan inputs for tests (also used by the recommend tests). */
public final class Fixtures {
  static final Instant NOW = Instant.parse("2025-10-10T12:00:00Z");
  static final Instant LONG_AGO = Instant.parse("2025-01-01T00:00:00Z");

  private Fixtures() {}

  static ContainerInfo container(String id, String state, String imageId, Instant finishedAt) {
    return new ContainerInfo(
        id, "c-" + id, imageId, state, LONG_AGO, finishedAt, 100, Map.of(), List.of());
  }

  static ContainerInfo container(
      String id, String state, String imageId, Instant finishedAt, long sizeRwBytes,
      Map<String, String> labels, List<String> volumeNames) {
    return new ContainerInfo(
        id, "c-" + id, imageId, state, LONG_AGO, finishedAt, sizeRwBytes, labels, volumeNames);
  }

  static ImageInfo image(String id, String parentId, List<String> tags, long size) {
    return new ImageInfo(id, parentId, tags, LONG_AGO, size, 0, Map.of());
  }

  static ImageInfo image(
      String id, String parentId, List<String> tags, Instant createdAt, long size, long shared,
      Map<String, String> labels) {
    return new ImageInfo(id, parentId, tags, createdAt, size, shared, labels);
  }

  static VolumeInfo volume(String name, boolean anonymous, long size, long refCount) {
    return new VolumeInfo(name, anonymous, Map.of(), LONG_AGO, size, refCount);
  }

  static BuildCacheInfo cache(String id, boolean inUse, boolean shared, long size, Instant lastUsed) {
    return new BuildCacheInfo(id, "regular", "desc-" + id, inUse, shared, size, LONG_AGO, lastUsed);
  }

  static Inventory inventory(
      List<ContainerInfo> containers, List<ImageInfo> images, List<VolumeInfo> volumes,
      List<BuildCacheInfo> cache) {
    return new Inventory(containers, images, volumes, cache);
  }

  /** A mutable, map-backed history for tests. */
  public static class MapHistory implements UsageHistory {
    final Map<String, Instant> lastUsed = new HashMap<>();
    final Map<String, Instant> firstSeen = new HashMap<>();
    final Map<String, Instant> exitedAt = new HashMap<>();
    final Map<String, Instant> touched = new HashMap<>();

    public MapHistory used(String imageId, Instant at) {
      lastUsed.put(imageId, at);
      return this;
    }

    public MapHistory seen(String imageId, Instant at) {
      firstSeen.put(imageId, at);
      return this;
    }

    public MapHistory exited(String containerId, Instant at) {
      exitedAt.put(containerId, at);
      return this;
    }

    public MapHistory touched(ResourceType type, String id, Instant at) {
      touched.put(type + "/" + id, at);
      return this;
    }

    @Override
    public Optional<Instant> imageLastUsed(String imageId) {
      return Optional.ofNullable(lastUsed.get(imageId));
    }

    @Override
    public Optional<Instant> imageFirstSeen(String imageId) {
      return Optional.ofNullable(firstSeen.get(imageId));
    }

    @Override
    public Optional<Instant> containerExitedAt(String containerId) {
      return Optional.ofNullable(exitedAt.get(containerId));
    }

    @Override
    public Optional<Instant> lastTouched(ResourceType type, String id) {
      return Optional.ofNullable(touched.get(type + "/" + id));
    }
  }
}
