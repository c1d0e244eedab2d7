package io.dockercleaner.oneshot;

import io.dockercleaner.config.LabelFilter;
import io.dockercleaner.core.Reason;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.docker.model.BuildCacheRecord;
import io.dockercleaner.docker.model.ContainerSummary;
import io.dockercleaner.docker.model.ImageSummary;
import io.dockercleaner.docker.model.NetworkSummary;
import io.dockercleaner.docker.model.VolumeSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Pure selection rules of the one-shot run, mirroring the daemon's prune semantics (Docker 20.10
 * and later): what each prune call removes given the configured filters. No I/O, no clock.
 */
public final class Selector {
  /** BuildKit's prune without {@code all} leaves these record types alone. */
  private static final Set<String> BUILD_CACHE_KEPT_WITHOUT_ALL = Set.of("internal", "frontend");

  private Selector() {}

  /** Label filters all match (the daemon ANDs label filters). */
  static boolean labelsMatch(List<LabelFilter> filters, Map<String, String> labels) {
    for (LabelFilter f : filters) {
      if (!f.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  /** Stopped containers (not running, paused or restarting), created before the cutoff, labels matching. */
  public static Selection containers(List<ContainerSummary> all, List<LabelFilter> labels, Optional<Instant> cutoff) {
    List<Candidate> out = new ArrayList<>();
    Map<Reason, Integer> skipped = new LinkedHashMap<>();
    for (ContainerSummary c : all) {
      if (c.isActive()) {
        count(skipped, Reason.RUNNING);
      } else if (!labelsMatch(labels, c.labels())) {
        count(skipped, Reason.PROTECTED_LABEL);
      } else if (cutoff.isPresent() && !c.created().isBefore(cutoff.get())) {
        count(skipped, Reason.TOO_YOUNG);
      } else {
        out.add(new Candidate(ResourceType.CONTAINER, c.id(), c.name(), c.sizeRwBytes()));
      }
    }
    return new Selection(ResourceType.CONTAINER, out, skipped);
  }

  /**
   * Top-level images the image prune removes (or untags): dangling ones only unless
   * {@code pruneAll}; never images a remaining container uses.
   *
   * @param remainingContainers containers that still exist when images are pruned
   */
  public static Selection images(List<ImageSummary> topLevel, Collection<ContainerSummary> remainingContainers,
      boolean pruneAll, List<LabelFilter> labels, Optional<Instant> cutoff) {
    Set<String> used = new HashSet<>();
    for (ContainerSummary c : remainingContainers) {
      used.add(c.imageId());
    }
    List<Candidate> out = new ArrayList<>();
    Map<Reason, Integer> skipped = new LinkedHashMap<>();
    for (ImageSummary i : topLevel) {
      if (!pruneAll && !i.isDangling()) {
        continue; // not a candidate at all: tagged images are kept unless PRUNE_ALL
      }
      if (used.contains(i.id())) {
        count(skipped, Reason.IN_USE);
      } else if (!labelsMatch(labels, i.labels())) {
        count(skipped, Reason.PROTECTED_LABEL);
      } else if (cutoff.isPresent() && !i.created().isBefore(cutoff.get())) {
        count(skipped, Reason.TOO_YOUNG);
      } else {
        long unique = i.sharedSizeBytes() > 0 ? i.sizeBytes() - i.sharedSizeBytes() : i.sizeBytes();
        out.add(new Candidate(ResourceType.IMAGE, i.id(), i.name(), unique));
      }
    }
    return new Selection(ResourceType.IMAGE, out, skipped);
  }

  /**
   * Unused volumes: anonymous ones only unless {@code all}; labels matching; created before the
   * cutoff (volumes without a creation time are kept when an age filter is set).
   *
   * @param sizes volume name → size in bytes (from /system/df), may be empty
   */
  public static Selection volumes(List<VolumeSummary> volumes, Collection<ContainerSummary> remainingContainers,
      boolean all, List<LabelFilter> labels, Optional<Instant> cutoff, Map<String, Long> sizes) {
    Set<String> used = new HashSet<>();
    for (ContainerSummary c : remainingContainers) {
      used.addAll(c.volumeNames());
    }
    List<Candidate> out = new ArrayList<>();
    Map<Reason, Integer> skipped = new LinkedHashMap<>();
    for (VolumeSummary v : volumes) {
      if (used.contains(v.name()) || v.refCount() > 0) {
        count(skipped, Reason.IN_USE);
      } else if (!all && !v.isAnonymous()) {
        count(skipped, Reason.NAMED_VOLUME);
      } else if (!labelsMatch(labels, v.labels())) {
        count(skipped, Reason.PROTECTED_LABEL);
      } else if (cutoff.isPresent() && (v.createdAt() == null || !v.createdAt().isBefore(cutoff.get()))) {
        count(skipped, Reason.TOO_YOUNG);
      } else {
        long size = sizes.getOrDefault(v.name(), v.sizeBytes());
        out.add(new Candidate(ResourceType.VOLUME, v.name(), v.name(), size));
      }
    }
    return new Selection(ResourceType.VOLUME, out, skipped);
  }

  /**
   * User-defined networks without active endpoints, labels matching, created before the cutoff.
   * {@code containers} of each network must come from an inspect (the list call does not say).
   */
  public static Selection networks(List<NetworkSummary> inspected, List<LabelFilter> labels, Optional<Instant> cutoff) {
    List<Candidate> out = new ArrayList<>();
    Map<Reason, Integer> skipped = new LinkedHashMap<>();
    for (NetworkSummary n : inspected) {
      if (n.isPredefined()) {
        continue;
      }
      if (n.containers() > 0) {
        count(skipped, Reason.IN_USE);
      } else if (!labelsMatch(labels, n.labels())) {
        count(skipped, Reason.PROTECTED_LABEL);
      } else if (cutoff.isPresent() && n.created() != null && !n.created().isBefore(cutoff.get())) {
        count(skipped, Reason.TOO_YOUNG);
      } else {
        out.add(new Candidate(ResourceType.NETWORK, n.id(), n.name(), 0));
      }
    }
    return new Selection(ResourceType.NETWORK, out, skipped);
  }

  /** Networks the prune may remove before looking at endpoints (saves inspecting the rest). */
  public static boolean networkMayBeCandidate(NetworkSummary n, List<LabelFilter> labels, Optional<Instant> cutoff) {
    return !n.isPredefined() && labelsMatch(labels, n.labels())
        && (cutoff.isEmpty() || n.created() == null || n.created().isBefore(cutoff.get()));
  }

  /**
   * Build cache records BuildKit's prune removes: not in use; without {@code all} also not shared
   * and not internal/frontend records; last used before the cutoff (never-used records count as old).
   */
  public static Selection buildCache(List<BuildCacheRecord> records, boolean all, Optional<Instant> cutoff) {
    List<Candidate> out = new ArrayList<>();
    Map<Reason, Integer> skipped = new LinkedHashMap<>();
    for (BuildCacheRecord r : records) {
      if (r.inUse()) {
        count(skipped, Reason.IN_USE);
      } else if (!all && (r.shared() || BUILD_CACHE_KEPT_WITHOUT_ALL.contains(r.type()))) {
        continue; // kept by design without PRUNE_ALL (as `docker builder prune` without -a)
      } else if (cutoff.isPresent() && r.lastUsedAt() != null && r.lastUsedAt().isAfter(cutoff.get())) {
        count(skipped, Reason.TOO_YOUNG);
      } else {
        String name = r.description().isEmpty() ? r.type() : r.description();
        out.add(new Candidate(ResourceType.BUILD_CACHE, r.id(), name.length() > 60 ? name.substring(0, 60) + "…" : name,
            r.shared() ? 0 : r.sizeBytes()));
      }
    }
    return new Selection(ResourceType.BUILD_CACHE, out, skipped);
  }

  private static void count(Map<Reason, Integer> m, Reason r) {
    m.merge(r, 1, Integer::sum);
  }
}
