package io.dockercleaner.replay;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One line of a trace (see {@code docs/trace-format.md}).
 *
 * @param line its line number in the trace file (1-based), for messages
 * @param at when it happened
 * @param kind what happened
 * @param imageId the image ({@code sha256:...} or any unique name)
 * @param tag the {@code repo:tag} a pull or build gives the image (moved from any other image
 *     holding it), or null
 * @param layers the image's layers, bottom first; empty when an earlier line defined them
 * @param baseImageId a build's base image (needed, and counted as used), or null
 * @param runSeconds a use's container runs this long (the image is in use meanwhile); 0 = at once
 */
public record TraceEvent(
    int line,
    Instant at,
    Kind kind,
    String imageId,
    String tag,
    List<Layer> layers,
    String baseImageId,
    long runSeconds) {

  /** What a line records. */
  public enum Kind {
    /** The image was pulled: needed now, first fetch or re-pull. */
    PULL,
    /** The image was built (from {@code base} when given): needed now. */
    BUILD,
    /** A container was created and started from the image: needed now, counts as a use. */
    USE,
    /** The workload itself removed the image ({@code docker rmi}); fetching it later is no miss. */
    REMOVE
  }

  /**
   * A layer: the unit images share.
   *
   * @param digest its digest (any unique name)
   * @param sizeBytes its size on disk
   */
  public record Layer(String digest, long sizeBytes) {}

  /** Copies the list. */
  public TraceEvent {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(imageId, "imageId");
    layers = layers == null ? List.of() : List.copyOf(layers);
  }
}
