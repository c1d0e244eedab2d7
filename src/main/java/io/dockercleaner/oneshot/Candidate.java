package io.dockercleaner.oneshot;

import io.dockercleaner.core.ResourceType;

/**
 * One object a one-shot run removes (or, in a dry run, would remove).
 *
 * @param sizeBytes best estimate of its size; -1 when unknown
 */
public record Candidate(ResourceType type, String id, String name, long sizeBytes) {}
