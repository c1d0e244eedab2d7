package io.dockercleaner.agent;

import io.dockercleaner.core.ResourceType;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/** Trigger requests as the HTTP API makes them. */
final class Triggers {
  private Triggers() {}

  static TriggerRequest http(boolean dryRun, Set<ResourceType> types) {
    return new TriggerRequest("http", false, dryRun, types, OptionalLong.empty(), Optional.empty(), Optional.empty());
  }

  static TriggerRequest applyPlan(String planId) {
    return new TriggerRequest("http", false, false, Set.of(), OptionalLong.empty(), Optional.empty(), Optional.of(planId));
  }
}
