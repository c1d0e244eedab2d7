package io.dockercleaner.notify;

import io.dockercleaner.config.WebhookEvent;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Sample notices for tests. */
final class Notices {
  static final Instant STARTED = Instant.parse("2026-11-28T10:00:00Z");
  static final Instant FINISHED = Instant.parse("2026-11-28T10:00:12.500Z");

  private Notices() {}

  /** The example: run r-123 on build-7, partial, 12 images and 3 containers. */
  static RunNotice partial() {
    return of(WebhookEvent.RUN_PARTIAL, "r-123", "partial");
  }

  static RunNotice of(WebhookEvent event, String runId, String outcome) {
    Map<String, Long> removed = new LinkedHashMap<>();
    removed.put("container", 3L);
    removed.put("image", 12L);
    return new RunNotice(
        event,
        "build-7",
        runId,
        "threshold",
        outcome,
        removed,
        4_300_000_000L,
        4_200_000_000L,
        0.91,
        0.74,
        STARTED,
        FINISHED,
        List.of("image sha256:abc: conflict: image is being used by running container"),
        false);
  }
}
