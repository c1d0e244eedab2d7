package io.dockercleaner.plan;

import java.util.List;

/**
 * The planner's result.
 *
 * @param steps removals in execution order, most expendable first
 * @param skipped every considered object that was not planned, with its reason (objects of
 *     disabled types are not listed)
 * @param estimatedBytes sum of the steps' estimated bytes (saturating at {@link Long#MAX_VALUE})
 * @param bytesToFree the target asked for ({@link Planner#UNLIMITED} = the full sequence)
 * @param targetCovered true when {@code estimatedBytes >= bytesToFree}; for an unlimited target,
 *     true when no candidate was left out by {@code maxDeletions}
 */
public record Plan(
    List<PlanStep> steps,
    List<Skip> skipped,
    long estimatedBytes,
    long bytesToFree,
    boolean targetCovered) {

  /** Copies the lists. */
  public Plan {
    steps = List.copyOf(steps);
    skipped = List.copyOf(skipped);
  }
}
