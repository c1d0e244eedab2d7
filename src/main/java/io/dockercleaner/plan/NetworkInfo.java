package io.dockercleaner.plan;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One user-defined network as the planner sees it. Networks the daemon creates itself ({@code
 * bridge}, {@code host}, {@code none}, ...) are never part of the inventory.
 *
 * @param id network id
 * @param name network name
 * @param createdAt when it was created, or {@code null} when the daemon does not say
 * @param labels its labels
 */
public record NetworkInfo(String id, String name, Instant createdAt, Map<String, String> labels) {

  /** Validates the required fields and copies the labels. */
  public NetworkInfo {
    Objects.requireNonNull(id, "id");
    name = name == null ? id : name;
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }
}
