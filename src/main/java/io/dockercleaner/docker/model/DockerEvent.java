package io.dockercleaner.docker.model;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One message of the Engine API {@code GET /events} stream (schema {@code EventMessage}), as sent
 * by Docker and by Podman's Docker-compatible API.
 *
 * <p>{@link #action()} is normalised to Docker's vocabulary: Podman's {@code remove} of a
 * container, volume or network becomes {@code destroy}, of an image {@code delete} (the words
 * Docker uses); swarm objects keep Docker's own {@code remove}. Actions
 * that carry a detail after a colon, such as {@code exec_start: sh -c date} or
 * {@code health_status: healthy}, are kept whole; {@link #baseAction()} gives the part before the
 * colon.
 *
 * @param type the kind of object: {@code container}, {@code image}, {@code volume}, {@code
 *     network}, {@code builder}, {@code daemon}, ... (never null)
 * @param action what happened, normalised as described above (never null)
 * @param actorId the object's ID (for images a name or digest; may be empty, never null)
 * @param attributes the actor's attributes, e.g. {@code image}, {@code name}, labels (immutable,
 *     never null)
 * @param scope {@code local} or {@code swarm}; {@code local} when the engine omits it (Podman)
 * @param time seconds since the epoch
 * @param timeNano nanoseconds since the epoch
 */
public record DockerEvent(
    String type,
    String action,
    String actorId,
    Map<String, String> attributes,
    String scope,
    long time,
    long timeNano) {

  /** The scope of engine (non-swarm) events, and the default when a message has none. */
  public static final String SCOPE_LOCAL = "local";

  /** Validates and copies; {@code attributes} becomes an immutable copy. */
  public DockerEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(action, "action");
    actorId = actorId == null ? "" : actorId;
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    scope = scope == null ? SCOPE_LOCAL : scope;
  }

  /**
   * The action without the detail Docker appends after a colon: {@code exec_start} for {@code
   * exec_start: sh -c date}, {@code health_status} for {@code health_status: healthy}; otherwise
   * the action itself.
   */
  public String baseAction() {
    int colon = action.indexOf(':');
    return colon < 0 ? action : action.substring(0, colon).trim();
  }

  /** The attribute value for {@code name}, or null when the actor has no such attribute. */
  public String attribute(String name) {
    return attributes.get(name);
  }

  /** When the event happened, with nanosecond precision when the engine sent {@code timeNano}. */
  public Instant instant() {
    return timeNano != 0 ? Instant.ofEpochSecond(0, timeNano) : Instant.ofEpochSecond(time);
  }

  /**
   * Maps an engine's action word to Docker's vocabulary (Podman says {@code remove} where Docker
   * says {@code destroy}, or {@code delete} for images).
   *
   * @param type the event type, e.g. {@code container}
   * @param action the action as sent by the engine
   * @return the normalised action
   */
  public static String normaliseAction(String type, String action) {
    if (!"remove".equals(action)) {
      return action;
    }
    // Only the engine-local kinds; Docker's own swarm objects (service, secret, ...) say "remove".
    switch (type) {
      case "container":
      case "volume":
      case "network":
        return "destroy";
      case "image":
        return "delete";
      default:
        return action;
    }
  }
}
