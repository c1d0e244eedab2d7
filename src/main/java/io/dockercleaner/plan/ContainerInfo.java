package io.dockercleaner.plan;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One container as the planner sees it.
 *
 * @param id full container id
 * @param name container name (without the leading {@code /})
 * @param imageId full id of the image the container runs ({@code sha256:...})
 * @param state state as Docker reports it: {@code running, exited, created, paused, restarting,
 *     removing, dead}
 * @param createdAt when the container was created
 * @param finishedAt when it last exited, or {@code null} if it never ran (Docker's
 *     {@code 0001-01-01T00:00:00Z} must be mapped to {@code null})
 * @param sizeRwBytes size of its writable layer ({@code SizeRw}); negative means unknown
 * @param labels its labels
 * @param volumeNames names of the volumes it mounts
 * @param networkNames names of the networks it is attached to
 */
public record ContainerInfo(
    String id,
    String name,
    String imageId,
    String state,
    Instant createdAt,
    Instant finishedAt,
    long sizeRwBytes,
    Map<String, String> labels,
    List<String> volumeNames,
    List<String> networkNames) {

  /** A container attached to no network the planner needs to know about. */
  public ContainerInfo(String id, String name, String imageId, String state, Instant createdAt, Instant finishedAt,
      long sizeRwBytes, Map<String, String> labels, List<String> volumeNames) {
    this(id, name, imageId, state, createdAt, finishedAt, sizeRwBytes, labels, volumeNames, List.of());
  }

  /** Validates the required fields and copies the collections. */
  public ContainerInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(createdAt, "createdAt");
    name = name == null ? "" : name;
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    volumeNames = volumeNames == null ? List.of() : List.copyOf(volumeNames);
    networkNames = networkNames == null ? List.of() : List.copyOf(networkNames);
  }
}
