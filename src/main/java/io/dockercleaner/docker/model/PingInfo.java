package io.dockercleaner.docker.model;

/**
 * What {@code GET /_ping} told us.
 *
 * @param apiVersion the daemon's highest API version (header Api-Version), e.g. "1.41"
 * @param libpodApiVersion Podman's own API version (header Libpod-API-Version), null on Docker
 * @param builderVersion default builder ("1" classic, "2" BuildKit), may be null
 * @param osType daemon OS (header OSType)
 */
public record PingInfo(String apiVersion, String libpodApiVersion, String builderVersion, String osType) {
  /** True when the daemon is Podman's Docker-compatible service. */
  public boolean isPodman() {
    return libpodApiVersion != null && !libpodApiVersion.isEmpty();
  }
}
