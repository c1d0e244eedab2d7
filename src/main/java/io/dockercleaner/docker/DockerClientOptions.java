package io.dockercleaner.docker;

import java.time.Duration;

/**
 * Settings of a {@link DockerClient}.
 *
 * @param host where the daemon is
 * @param requestTimeout limit for every ordinary request (not the event stream)
 * @param pruneTimeout limit for prune calls, which the daemon answers only when done
 * @param deleteTimeout limit for one object's DELETE: short, so that a hung daemon cannot hold a
 *     run (the run's own deadline may cut it shorter)
 * @param maxResponseBytes responses larger than this fail (PROTOCOL) instead of filling memory
 * @param maxConnections connection pool size for ordinary requests (the event stream has its own)
 */
public record DockerClientOptions(DockerHost host, Duration requestTimeout, Duration pruneTimeout,
    Duration deleteTimeout, long maxResponseBytes, int maxConnections) {

  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_PRUNE_TIMEOUT = Duration.ofMinutes(30);
  /** Removing one big image or container takes seconds; two minutes means the daemon is stuck. */
  public static final Duration DEFAULT_DELETE_TIMEOUT = Duration.ofMinutes(2);
  public static final long DEFAULT_MAX_RESPONSE_BYTES = 256L * 1024 * 1024;
  public static final int DEFAULT_MAX_CONNECTIONS = 8;

  public static DockerClientOptions of(DockerHost host) {
    return new DockerClientOptions(host, DEFAULT_REQUEST_TIMEOUT, DEFAULT_PRUNE_TIMEOUT, DEFAULT_DELETE_TIMEOUT,
        DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_CONNECTIONS);
  }

  public DockerClientOptions withRequestTimeout(Duration timeout) {
    return new DockerClientOptions(host, timeout, pruneTimeout, deleteTimeout, maxResponseBytes, maxConnections);
  }

  public DockerClientOptions withDeleteTimeout(Duration timeout) {
    return new DockerClientOptions(host, requestTimeout, pruneTimeout, timeout, maxResponseBytes, maxConnections);
  }

  public DockerClientOptions withMaxResponseBytes(long bytes) {
    return new DockerClientOptions(host, requestTimeout, pruneTimeout, deleteTimeout, bytes, maxConnections);
  }

  public DockerClientOptions withMaxConnections(int connections) {
    return new DockerClientOptions(host, requestTimeout, pruneTimeout, deleteTimeout, maxResponseBytes, connections);
  }
}
