package io.dockercleaner.plan;

import io.dockercleaner.core.Reason;
import io.dockercleaner.core.ResourceType;

/**
 * One object the planner did not plan, and why.
 *
 * @param type what kind of object
 * @param id its id (volume name for volumes)
 * @param name a human name
 * @param reason why it was not planned
 */
public record Skip(ResourceType type, String id, String name, Reason reason) {}
