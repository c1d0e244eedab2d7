package io.dockercleaner.plan;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything the planner may consider, as listed by one reconcile ({@code /system/df} and the
 * list endpoints). Ids are expected to be unique within each list.
 *
 * @param serviceImageRefs image references that Swarm services need on this node: the
 *     {@code Spec} (and {@code PreviousSpec}, a rollback target) images of every service when the
 *     daemon is a manager, else the images of this node's swarm task containers (see {@link
 *     ServiceImageRefs}); matching images are never planned ({@code SWARM_SERVICE})
 * @param serviceImageEvidence why each of {@code serviceImageRefs} is needed, where known ("named by
 *     the spec of service web", "task of service web seen on this node at T": on a worker, which
 *     cannot list specs, the agent remembers the tasks that ran on it); the planner's skip carries it
 */
public record Inventory(
    List<ContainerInfo> containers,
    List<ImageInfo> images,
    List<VolumeInfo> volumes,
    List<BuildCacheInfo> buildCache,
    List<NetworkInfo> networks,
    Set<String> serviceImageRefs,
    Map<String, String> serviceImageEvidence) {

  /** An inventory with nothing in it. */
  public static final Inventory EMPTY = new Inventory(List.of(), List.of(), List.of(), List.of(), List.of());

  /** An inventory without networks (budgeted runs never plan networks: they hold no bytes). */
  public Inventory(List<ContainerInfo> containers, List<ImageInfo> images, List<VolumeInfo> volumes,
      List<BuildCacheInfo> buildCache) {
    this(containers, images, volumes, buildCache, List.of());
  }

  /** An inventory of a daemon without Swarm services. */
  public Inventory(List<ContainerInfo> containers, List<ImageInfo> images, List<VolumeInfo> volumes,
      List<BuildCacheInfo> buildCache, List<NetworkInfo> networks) {
    this(containers, images, volumes, buildCache, networks, Set.of());
  }

  /** An inventory whose service references carry no evidence. */
  public Inventory(List<ContainerInfo> containers, List<ImageInfo> images, List<VolumeInfo> volumes,
      List<BuildCacheInfo> buildCache, List<NetworkInfo> networks, Set<String> serviceImageRefs) {
    this(containers, images, volumes, buildCache, networks, serviceImageRefs, Map.of());
  }

  /** Copies the collections; {@code null} means empty. */
  public Inventory {
    containers = containers == null ? List.of() : List.copyOf(containers);
    images = images == null ? List.of() : List.copyOf(images);
    volumes = volumes == null ? List.of() : List.copyOf(volumes);
    buildCache = buildCache == null ? List.of() : List.copyOf(buildCache);
    networks = networks == null ? List.of() : List.copyOf(networks);
    serviceImageRefs = serviceImageRefs == null ? Set.of() : Set.copyOf(serviceImageRefs);
    // insertion order kept: the first evidence of an image wins (the most telling comes first)
    serviceImageEvidence = serviceImageEvidence == null ? Map.of()
        : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(serviceImageEvidence));
  }
}
