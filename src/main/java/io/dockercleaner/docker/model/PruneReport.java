package io.dockercleaner.docker.model;

import java.util.List;

/**
 * What a prune call (or a set of single deletions) removed.
 *
 * @param deleted ids or names the daemon reported deleted (images: the Deleted entries)
 * @param untagged image references untagged (images only)
 * @param spaceReclaimedBytes the daemon's SpaceReclaimed (0 for networks)
 */
public record PruneReport(List<String> deleted, List<String> untagged, long spaceReclaimedBytes) {
  public static final PruneReport EMPTY = new PruneReport(List.of(), List.of(), 0);
}
