package io.dockercleaner.oneshot;

import io.dockercleaner.core.ResourceType;
import java.time.Duration;
import java.util.List;

/**
 * The outcome of one one-shot operation (one resource type).
 *
 * @param removed what was removed (dry run: what would be)
 * @param bytesFreed the daemon's SpaceReclaimed (dry run: the estimate)
 * @param error the failure message when {@code status == FAILED}, else null
 */
public record OperationResult(ResourceType type, Status status, List<Candidate> removed, long bytesFreed,
    Duration duration, String error) {

  /** How an operation ended. */
  public enum Status {
    SUCCEEDED("succeeded"),
    FAILED("failed"),
    /** The daemon cannot do it (e.g. Podman has no build cache prune): reported, not a failure. */
    UNSUPPORTED("unsupported"),
    /** Turned off by configuration. */
    DISABLED("disabled");

    private final String label;

    Status(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }
}
