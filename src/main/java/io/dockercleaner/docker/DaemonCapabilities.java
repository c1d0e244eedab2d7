package io.dockercleaner.docker;

import io.dockercleaner.docker.model.PingInfo;

/**
 * What the connected daemon can do, so callers report "unsupported" rather than fail.
 *
 * @param apiVersion the negotiated API version
 * @param podman Podman's Docker-compatible service (recognised by its Libpod-API-Version header)
 * @param buildCachePrune {@code POST /build/prune} exists (not on Podman)
 * @param volumePruneAllFilter the volume prune {@code all} filter exists (API ≥ 1.42); before it,
 *     the daemon prunes named volumes too
 * @param imageSharedSize {@code GET /images/json?shared-size=1} exists (API ≥ 1.42)
 */
public record DaemonCapabilities(ApiVersion apiVersion, boolean podman, boolean buildCachePrune,
    boolean volumePruneAllFilter, boolean imageSharedSize) {

  public static DaemonCapabilities of(ApiVersion negotiated, PingInfo ping) {
    boolean podman = ping.isPodman();
    return new DaemonCapabilities(negotiated, podman, !podman,
        negotiated.atLeast(ApiVersion.of(1, 42)), negotiated.atLeast(ApiVersion.of(1, 42)));
  }
}
