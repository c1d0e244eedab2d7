package io.dockercleaner.core;

/**
 * The kinds of Docker objects docker-cleaner removes, in the one-shot prune order. The
 * {@link #operation()} name is the one used in log lines; {@link #label()} in metrics labels and
 * JSON payloads.
 */
public enum ResourceType {
  CONTAINER("CONTAINER", "container"),
  IMAGE("IMAGE", "image"),
  VOLUME("VOLUME", "volume"),
  NETWORK("NETWORK", "network"),
  BUILD_CACHE("BUILD_CACHE", "build_cache");

  private final String operation;
  private final String label;

  ResourceType(String operation, String label) {
    this.operation = operation;
    this.label = label;
  }

  /** Log operation name, e.g. {@code BUILD_CACHE}. */
  public String operation() {
    return operation;
  }

  /** Lower-case label for metrics and payloads, e.g. {@code build_cache}. */
  public String label() {
    return label;
  }
}
