package io.dockercleaner.plan;

import io.dockercleaner.core.Reason;
import io.dockercleaner.core.ResourceType;

/**
 * One planned removal.
 *
 * @param type what kind of object
 * @param id its id (volume name for volumes)
 * @param name a human name (container name, first tag, volume name, cache description)
 * @param reason why it is removable
 * @param rule short human text of the rule that allowed it, e.g. {@code exited 3h12m ago >= MIN_AGE
 *     1h}
 * @param estimatedBytes bytes its removal is expected to free (unique bytes only)
 */
public record PlanStep(
    ResourceType type, String id, String name, Reason reason, String rule, long estimatedBytes) {}
