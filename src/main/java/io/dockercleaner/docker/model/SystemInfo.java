package io.dockercleaner.docker.model;

import com.fasterxml.jackson.databind.JsonNode;

/** The parts of {@code GET /info} docker-cleaner uses. */
public record SystemInfo(String name, String serverVersion, String driver, String dockerRootDir,
    String operatingSystem, long containers, long containersRunning, long images) {
  public static SystemInfo from(JsonNode n) {
    return new SystemInfo(Json.text(n, "Name"), Json.text(n, "ServerVersion"), Json.text(n, "Driver"),
        Json.text(n, "DockerRootDir"), Json.text(n, "OperatingSystem"), Json.number(n, "Containers", 0),
        Json.number(n, "ContainersRunning", 0), Json.number(n, "Images", 0));
  }
}
