package io.dockercleaner.docker.model;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One entry of {@code GET /services} (a Swarm manager only): what the cleaner needs to know about a
 * service, the images its tasks run.
 *
 * @param id service id
 * @param name {@code Spec.Name}
 * @param image {@code Spec.TaskTemplate.ContainerSpec.Image}, as the CLI pinned it (usually
 *     {@code repo:tag@sha256:...}); empty for a service that is not a container (a plugin)
 * @param previousImage the same of {@code PreviousSpec} (what a rollback returns to); empty if none
 */
public record ServiceSummary(String id, String name, String image, String previousImage) {

  public static ServiceSummary from(JsonNode n) {
    JsonNode spec = n.get("Spec");
    return new ServiceSummary(Json.text(n, "ID"), spec == null ? "" : Json.text(spec, "Name"), image(spec),
        image(n.get("PreviousSpec")));
  }

  private static String image(JsonNode spec) {
    if (spec == null) {
      return "";
    }
    JsonNode template = spec.get("TaskTemplate");
    JsonNode container = template == null ? null : template.get("ContainerSpec");
    return container == null ? "" : Json.text(container, "Image");
  }
}
