package io.dockercleaner.api;

import java.util.Objects;

/**
 * The answer to a run request.
 *
 * @param runId id of the run, for {@code GET /v1/runs/{id}}
 * @param joined true when the request joined a run already in progress instead of starting one
 */
public record RunTicket(String runId, boolean joined) {
  /** Rejects a null id. */
  public RunTicket {
    Objects.requireNonNull(runId, "runId");
  }
}
