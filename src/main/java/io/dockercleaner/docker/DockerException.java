package io.dockercleaner.docker;

/**
 * The one failure type of the Docker client: which operation failed, the daemon's HTTP status
 * (0 when no HTTP answer arrived) and the daemon's message (or a message a user can act on for
 * connection problems).
 */
public class DockerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Broad classes of failure callers branch on. */
  public enum Kind {
    /** 409: the object is used by a container. */
    CONFLICT_IN_USE,
    /** 409: the container is running (or paused/restarting). */
    CONFLICT_RUNNING,
    /** 409: a removal of this object is already in progress. */
    CONFLICT_REMOVAL_IN_PROGRESS,
    /** 409 of another kind. */
    CONFLICT,
    /** 404. */
    NOT_FOUND,
    /** Any other 4xx/5xx answer. */
    HTTP_ERROR,
    /** The daemon could not be reached (socket missing, refused, permission denied, closed). */
    CONNECTION,
    /** No complete answer within the request timeout. */
    TIMEOUT,
    /** The answer could not be understood (not JSON, too large, truncated). */
    PROTOCOL,
    /** The daemon's API version range and ours do not overlap, or DOCKER_HOST is unusable. */
    UNSUPPORTED
  }

  private final String operation;
  private final int status;
  private final Kind kind;
  private final String daemonMessage;

  public DockerException(String operation, int status, Kind kind, String daemonMessage, Throwable cause) {
    super(operation + ": " + (status > 0 ? "HTTP " + status + ": " : "") + daemonMessage, cause);
    this.operation = operation;
    this.status = status;
    this.kind = kind;
    this.daemonMessage = daemonMessage;
  }

  public DockerException(String operation, int status, Kind kind, String daemonMessage) {
    this(operation, status, kind, daemonMessage, null);
  }

  /** Builds the exception for an HTTP error answer, classifying 404/409 by the daemon's message. */
  public static DockerException fromResponse(String operation, int status, String daemonMessage) {
    return new DockerException(operation, status, classify(status, daemonMessage), daemonMessage);
  }

  static Kind classify(int status, String message) {
    String m = message == null ? "" : message.toLowerCase(java.util.Locale.ROOT);
    if (status == 404) {
      return Kind.NOT_FOUND;
    }
    if (status == 403 && m.contains("has active endpoints")) {
      return Kind.CONFLICT_IN_USE; // dockerd answers 403 for a network with running containers
    }
    if (status == 409) {
      if (m.contains("in progress")) {
        return Kind.CONFLICT_REMOVAL_IN_PROGRESS;
      }
      // "in use" first: an image's conflict names the running container that uses it
      // ("image is being used by running container ...")
      if (m.contains("in use") || m.contains("being used") || m.contains("is using")
          || m.contains("has active endpoints") || m.contains("dependent child images")) {
        return Kind.CONFLICT_IN_USE;
      }
      if (m.contains("running") || m.contains("paused") || m.contains("restarting")) {
        return Kind.CONFLICT_RUNNING;
      }
      return Kind.CONFLICT;
    }
    return Kind.HTTP_ERROR;
  }

  /** The API operation, e.g. {@code DELETE /images/{id}}. */
  public String operation() {
    return operation;
  }

  /** HTTP status, or 0 when no HTTP answer arrived. */
  public int status() {
    return status;
  }

  public Kind kind() {
    return kind;
  }

  /** The daemon's own message (or our explanation for transport failures). */
  public String daemonMessage() {
    return daemonMessage;
  }

  /** True for any 409. */
  public boolean isConflict() {
    return status == 409;
  }
}
