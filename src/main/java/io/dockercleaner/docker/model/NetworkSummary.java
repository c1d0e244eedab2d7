package io.dockercleaner.docker.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * One entry of {@code GET /networks} (or {@code GET /networks/{id}}, which fills {@code containers}).
 *
 * @param containers number of attached containers; -1 when unknown (the list call does not say)
 */
public record NetworkSummary(String id, String name, String driver, String scope, Instant created,
    Map<String, String> labels, int containers) {

  private static final Set<String> PREDEFINED = Set.of("bridge", "host", "none", "ingress", "docker_gwbridge", "podman");

  public static NetworkSummary from(JsonNode n) {
    JsonNode c = n.get("Containers");
    int count = c == null || c.isNull() ? -1 : c.size();
    return new NetworkSummary(Json.text(n, "Id"), Json.text(n, "Name"), Json.text(n, "Driver"),
        Json.text(n, "Scope"), Json.instant(n, "Created"), Json.labels(n, "Labels"), count);
  }

  /** Networks the daemon creates itself and never prunes. */
  public boolean isPredefined() {
    return PREDEFINED.contains(name);
  }
}
