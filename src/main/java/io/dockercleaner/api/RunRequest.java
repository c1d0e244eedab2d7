package io.dockercleaner.api;

import io.dockercleaner.core.ResourceType;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A validated {@code POST /v1/runs} request.
 *
 * @param dryRun plan and report only; when the body omits it, the agent's DRY_RUN setting
 * @param types types to clean; empty = the configured types
 * @param targetBytes bytes to free; empty = the agent's configured goal
 * @param maxDuration positive time budget; empty = MAX_RUN_DURATION
 * @param planId run exactly this earlier plan ({@code GET /v1/plan} id); empty = plan afresh
 */
public record RunRequest(
    boolean dryRun,
    Set<ResourceType> types,
    OptionalLong targetBytes,
    Optional<Duration> maxDuration,
    Optional<String> planId) {
  /** Copies {@code types} into an unmodifiable set in {@link ResourceType} order. */
  public RunRequest {
    Objects.requireNonNull(types, "types");
    types = types.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(types));
    Objects.requireNonNull(targetBytes, "targetBytes");
    Objects.requireNonNull(maxDuration, "maxDuration");
    Objects.requireNonNull(planId, "planId");
  }
}
