package io.dockercleaner.docker.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One entry of {@code GET /containers/json}.
 *
 * @param createdEpochSeconds creation time (seconds)
 * @param sizeRwBytes writable layer size; -1 unless listed with size=true
 * @param volumeNames names of volumes mounted (type volume)
 * @param networkNames names of the networks it is attached to ({@code NetworkSettings.Networks})
 */
public record ContainerSummary(String id, List<String> names, String image, String imageId, String state,
    String status, long createdEpochSeconds, Map<String, String> labels, long sizeRwBytes, List<String> volumeNames,
    List<String> networkNames) {

  /** A summary without network attachments. */
  public ContainerSummary(String id, List<String> names, String image, String imageId, String state, String status,
      long createdEpochSeconds, Map<String, String> labels, long sizeRwBytes, List<String> volumeNames) {
    this(id, names, image, imageId, state, status, createdEpochSeconds, labels, sizeRwBytes, volumeNames, List.of());
  }

  public static ContainerSummary from(JsonNode n) {
    List<String> volumes = new ArrayList<>();
    JsonNode mounts = n.get("Mounts");
    if (mounts != null && mounts.isArray()) {
      for (JsonNode m : mounts) {
        if ("volume".equals(Json.text(m, "Type"))) {
          volumes.add(Json.text(m, "Name"));
        }
      }
    }
    List<String> networks = new ArrayList<>();
    JsonNode settings = n.get("NetworkSettings");
    JsonNode attached = settings == null ? null : settings.get("Networks");
    if (attached != null && attached.isObject()) {
      attached.fieldNames().forEachRemaining(networks::add);
    }
    return new ContainerSummary(Json.text(n, "Id"), Json.strings(n, "Names"), Json.text(n, "Image"),
        Json.text(n, "ImageID"), Json.text(n, "State"), Json.text(n, "Status"), Json.number(n, "Created", 0),
        Json.labels(n, "Labels"), Json.number(n, "SizeRw", -1), List.copyOf(volumes), List.copyOf(networks));
  }

  /** The first name without the leading slash, or the short id. */
  public String name() {
    return names.isEmpty() ? id.substring(0, Math.min(12, id.length())) : names.get(0).replaceFirst("^/", "");
  }

  /** True when the daemon's prune would leave it alone (running, paused, restarting). */
  public boolean isActive() {
    return "running".equals(state) || "paused".equals(state) || "restarting".equals(state);
  }

  public Instant created() {
    return Instant.ofEpochSecond(createdEpochSeconds);
  }
}
