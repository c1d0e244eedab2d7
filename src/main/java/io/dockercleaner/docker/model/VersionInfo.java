package io.dockercleaner.docker.model;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code GET /version}. */
public record VersionInfo(String version, String apiVersion, String minApiVersion, String os, String arch,
    String kernelVersion) {
  public static VersionInfo from(JsonNode n) {
    return new VersionInfo(Json.text(n, "Version"), Json.text(n, "ApiVersion"), Json.text(n, "MinAPIVersion"),
        Json.text(n, "Os"), Json.text(n, "Arch"), Json.text(n, "KernelVersion"));
  }
}
