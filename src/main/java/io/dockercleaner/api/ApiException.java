package io.dockercleaner.api;

import java.util.Map;

/**
 * A request that fails with a given HTTP status. {@link HttpApi} turns it into the response
 * {@code {"error": message}} with {@link #headers()}, in one place. {@link AgentControl} may fail
 * its Futures with it (e.g. 404 for an unknown plan id, 409 for a plan that is out of date).
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final transient Map<String, String> headers;

  /** A failure with status and a message that names the problem. */
  public ApiException(int status, String message) {
    this(status, message, Map.of());
  }

  /** A failure with extra response headers (e.g. Retry-After). */
  public ApiException(int status, String message, Map<String, String> headers) {
    super(message, null, false, false);
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("not an error status: " + status);
    }
    this.status = status;
    this.headers = Map.copyOf(headers);
  }

  /** 400 Bad Request. */
  public static ApiException badRequest(String message) {
    return new ApiException(400, message);
  }

  /** 404 Not Found. */
  public static ApiException notFound(String message) {
    return new ApiException(404, message);
  }

  /** 409 Conflict. */
  public static ApiException conflict(String message) {
    return new ApiException(409, message);
  }

  /** The HTTP status, 400–599. */
  public int status() {
    return status;
  }

  /** Extra response headers. */
  public Map<String, String> headers() {
    return headers;
  }
}
