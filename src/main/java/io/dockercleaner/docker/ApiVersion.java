package io.dockercleaner.docker;

/** An Engine API version such as 1.41, comparable. */
public record ApiVersion(int major, int minor) implements Comparable<ApiVersion> {
  /** Oldest API version docker-cleaner speaks (Docker 20.10). */
  public static final ApiVersion MIN_SUPPORTED = new ApiVersion(1, 41);
  /** Newest API version docker-cleaner speaks. */
  public static final ApiVersion MAX_SUPPORTED = new ApiVersion(1, 55);

  public static ApiVersion of(int major, int minor) {
    return new ApiVersion(major, minor);
  }

  /** Parses "1.41"; throws IllegalArgumentException on anything else. */
  public static ApiVersion parse(String s) {
    String[] parts = s == null ? new String[0] : s.trim().split("\\.");
    if (parts.length != 2) {
      throw new IllegalArgumentException("not an API version: '" + s + "'");
    }
    try {
      return new ApiVersion(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an API version: '" + s + "'");
    }
  }

  /**
   * The highest version both sides support.
   *
   * @param daemonMax the daemon's Api-Version
   * @param daemonMin the daemon's MinAPIVersion (null when unknown)
   * @throws DockerException (UNSUPPORTED) when the ranges do not overlap
   */
  public static ApiVersion negotiate(ApiVersion daemonMax, ApiVersion daemonMin) {
    ApiVersion low = daemonMin == null ? MIN_SUPPORTED : max(daemonMin, MIN_SUPPORTED);
    ApiVersion chosen = min(daemonMax, MAX_SUPPORTED);
    if (chosen.compareTo(low) < 0) {
      throw new DockerException("negotiate API version", 0, DockerException.Kind.UNSUPPORTED,
          "no common API version: the daemon supports " + (daemonMin == null ? "?" : daemonMin) + " to " + daemonMax
              + ", docker-cleaner supports " + MIN_SUPPORTED + " to " + MAX_SUPPORTED
              + (daemonMax.compareTo(MIN_SUPPORTED) < 0 ? "; upgrade the daemon to Docker 20.10 or newer" : ""));
    }
    return chosen;
  }

  public boolean atLeast(ApiVersion other) {
    return compareTo(other) >= 0;
  }

  private static ApiVersion max(ApiVersion a, ApiVersion b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static ApiVersion min(ApiVersion a, ApiVersion b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  @Override
  public int compareTo(ApiVersion o) {
    return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
  }

  @Override
  public String toString() {
    return major + "." + minor;
  }
}
