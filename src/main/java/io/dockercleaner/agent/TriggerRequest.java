package io.dockercleaner.agent;

import io.dockercleaner.core.ResourceType;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Why and how a run should happen.
 *
 * @param trigger what fired: threshold, inode_threshold, docker_usage_limit, build_cache_limit,
 *     schedule, start, http
 * @param fullSequence run the configured one-shot sequence (schedule, start) instead of a budgeted plan
 * @param types restrict to these types (empty = configured)
 * @param targetBytes bytes to free (empty = derived from the trigger)
 * @param maxDuration overrides MAX_RUN_DURATION
 * @param planId apply exactly the items of this stored plan
 */
public record TriggerRequest(String trigger, boolean fullSequence, boolean dryRun, Set<ResourceType> types,
    OptionalLong targetBytes, Optional<Duration> maxDuration, Optional<String> planId) {

  public static TriggerRequest threshold(String trigger, OptionalLong bytes, Set<ResourceType> types, boolean dryRun) {
    return new TriggerRequest(trigger, false, dryRun, types, bytes, Optional.empty(), Optional.empty());
  }

  public static TriggerRequest fullSequence(String trigger, boolean dryRun) {
    return new TriggerRequest(trigger, true, dryRun, Set.of(), OptionalLong.empty(), Optional.empty(), Optional.empty());
  }
}
