package io.dockercleaner.plan;

import java.util.List;

/**
 * Everything the planner may consider, as listed by one reconcile ({@code /system/df} and the
 * list endpoints). Ids are expected to be unique within each list.
 */
public record Inventory(
    List<ContainerInfo> containers,
    List<ImageInfo> images,
    List<VolumeInfo> volumes,
    List<BuildCacheInfo> buildCache,
    List<NetworkInfo> networks) {

  /** An inventory with nothing in it. */
  public static final Inventory EMPTY = new Inventory(List.of(), List.of(), List.of(), List.of(), List.of());

  /** An inventory without networks (budgeted runs never plan networks: they hold no bytes). */
  public Inventory(List<ContainerInfo> containers, List<ImageInfo> images, List<VolumeInfo> volumes,
      List<BuildCacheInfo> buildCache) {
    this(containers, images, volumes, buildCache, List.of());
  }

  /** Copies the lists; {@code null} means empty. */
  public Inventory {
    containers = containers == null ? List.of() : List.copyOf(containers);
    images = images == null ? List.of() : List.copyOf(images);
    volumes = volumes == null ? List.of() : List.copyOf(volumes);
    buildCache = buildCache == null ? List.of() : List.copyOf(buildCache);
    networks = networks == null ? List.of() : List.copyOf(networks);
  }
}
