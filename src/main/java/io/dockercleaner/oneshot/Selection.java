package io.dockercleaner.oneshot;

import io.dockercleaner.core.Reason;
import io.dockercleaner.core.ResourceType;
import java.util.List;
import java.util.Map;

/**
 * What the one-shot run selects for one type, computed from the daemon's inventory with the same
 * rules the daemon's prune applies, so a dry run shows exactly what a real run removes.
 *
 * @param candidates objects the run removes
 * @param skipped how many objects were left alone, by reason (protected label, in use, too young...)
 */
public record Selection(ResourceType type, List<Candidate> candidates, Map<Reason, Integer> skipped) {

  public long sizeBytes() {
    return candidates.stream().mapToLong(c -> Math.max(0, c.sizeBytes())).sum();
  }
}
