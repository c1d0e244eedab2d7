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
 * @param evidence what shows the reason applies, or null (e.g. which swarm service needs the image)
 */
public record Skip(ResourceType type, String id, String name, Reason reason, String evidence) {
  /** A skip whose reason needs no evidence. */
  public Skip(ResourceType type, String id, String name, Reason reason) {
    this(type, id, name, reason, null);
  }
}
