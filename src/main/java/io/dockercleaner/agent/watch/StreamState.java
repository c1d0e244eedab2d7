package io.dockercleaner.agent.watch;

import java.util.Objects;

/**
 * A change of the event stream's connection, reported by {@link EventSupervisor}.
 *
 * @param connected true when the stream has just been (re)opened, false when it was lost or stopped
 * @param reason why it changed, for logs and {@code /readyz} (e.g. {@code subscribed},
 *     {@code the daemon ended the event stream}, {@code stopped})
 * @param reconnect true when this connection replaces one that was lost (never for the first one)
 */
public record StreamState(boolean connected, String reason, boolean reconnect) {
  /** Validates. */
  public StreamState {
    Objects.requireNonNull(reason, "reason");
  }
}
