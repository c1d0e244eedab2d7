package io.dockercleaner.plan;

import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * What one daemon prune call removes, computed from the same inventory the planner saw: the
 * Docker 20.10+ rules of {@code POST /images/prune}, {@code /networks/prune} and {@code
 * /build/prune} with the filters {@link #pruneUntil} and the policy's labels. The executor uses a
 * prune call for a type only when this set equals the planned set, so a prune call never removes
 * anything the planner did not plan (a protection the daemon's filters cannot express — KEEP_IMAGES,
 * KEEP_TAGS_PER_REPO, last use, QUIET_PERIOD — makes the sets differ, and the executor then
 * deletes object by object). Pure: no clock, no I/O.
 */
public final class PruneModel {
  private PruneModel() {}

  /** A member no plan has: the prune would untag or delete an image the plan keeps or never listed. */
  static final String UNTAG_RISK = "!would touch an image the plan keeps";

  private static int realTags(ImageInfo i) {
    int n = 0;
    for (String t : i.repoTags()) {
      if (!ImageInfo.NONE_TAG.equals(t)) {
        n++;
      }
    }
    return n;
  }

  /**
   * The {@code until} filter a sweep's prune calls carry: the stricter of PRUNE_FILTER_UNTIL's
   * cut-off and {@code now - MIN_AGE}, in whole seconds; empty when neither applies.
   */
  public static Optional<Instant> pruneUntil(PlanPolicy policy, Instant now) {
    Optional<Instant> until = policy.untilCutoff(now);
    if (policy.minAge().isZero()) {
      return until;
    }
    Instant minAgeCutoff = PlanPolicy.minusClamped(now, policy.minAge()).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    return Optional.of(until.isPresent() && until.get().isBefore(minAgeCutoff) ? until.get() : minAgeCutoff);
  }

  /**
   * The {@code until} value that makes the daemon prune exactly what was created strictly before
   * {@code cutoff}: the daemon prunes {@code created <= until}, so one nanosecond earlier.
   */
  public static String daemonUntil(Instant cutoff) {
    return (cutoff.getEpochSecond() - 1) + ".999999999";
  }

  /**
   * Image ids {@code POST /images/prune} removes (dangling only unless {@code imagesAll}): top-level
   * images created before the cut-off (the call carries {@link #daemonUntil}), labels matching, not used by a container that stays,
   * and — conservatively — not the parent of another image (the daemon's result then depends on
   * the order it visits them).
   *
   * @param remainingContainerIds containers that still exist when images are pruned
   */
  public static Set<String> images(Inventory inventory, PlanPolicy policy, Instant now, Set<String> remainingContainerIds) {
    Optional<Instant> until = pruneUntil(policy, now);
    Set<String> parents = new HashSet<>();
    for (ImageInfo i : inventory.images()) {
      if (i.parentId() != null) {
        parents.add(i.parentId());
      }
    }
    Set<String> used = new HashSet<>();
    for (ContainerInfo c : inventory.containers()) {
      if (remainingContainerIds.contains(c.id()) && c.imageId() != null) {
        used.add(c.imageId());
      }
    }
    java.util.Map<String, ImageInfo> byId = new java.util.HashMap<>();
    inventory.images().forEach(i -> byId.put(i.id(), i));
    Set<String> out = new HashSet<>();
    for (ImageInfo i : inventory.images()) {
      boolean candidate = policy.imagesAll() || i.untagged();
      boolean filtersPass = (until.isEmpty() || i.createdAt().isBefore(until.get())) && policy.labelFilter().test(i.labels());
      if (candidate && filtersPass && !parents.contains(i.id()) && !used.contains(i.id())) {
        out.add(i.id());
        ImageInfo parent = i.parentId() == null ? null : byId.get(i.parentId());
        if (i.parentId() != null && (parent == null || parent.untagged())) {
          // its parent is untagged: the prune deletes it along with this image whatever protects
          // it; the plan handles such parents itself (children first, with noprune)
          out.add(UNTAG_RISK);
        }
      } else if (candidate && filtersPass && realTags(i) > 1) {
        // `image prune -a` removes the references of every image passing its filters one by one,
        // and only the last one fails for an image that stays: it would untag a kept image
        out.add(UNTAG_RISK);
      }
    }
    return out;
  }

  /** Network ids {@code POST /networks/prune} removes: no running container, labels, cut-off. */
  public static Set<String> networks(Inventory inventory, PlanPolicy policy, Instant now) {
    Optional<Instant> until = pruneUntil(policy, now);
    Set<String> active = Planner.activeNetworks(inventory);
    Set<String> out = new HashSet<>();
    for (NetworkInfo n : inventory.networks()) {
      if (!active.contains(n.name()) && !active.contains(n.id()) && policy.labelFilter().test(n.labels())
          && (until.isEmpty() || (n.createdAt() != null && n.createdAt().isBefore(until.get())))) {
        out.add(n.id());
      }
    }
    return out;
  }

  /**
   * Build cache ids {@code POST /build/prune} removes: not in use; without {@code all} also not
   * shared nor internal/frontend; not used after the cut-off (BuildKit reads {@code until} as a
   * keep duration on the last use; never-used records count as old).
   */
  public static Set<String> buildCache(Inventory inventory, PlanPolicy policy, Instant now) {
    Optional<Instant> until = pruneUntil(policy, now);
    Set<String> out = new HashSet<>();
    for (BuildCacheInfo b : inventory.buildCache()) {
      if (b.inUse() || (!policy.buildCacheAll() && (b.shared() || Planner.BUILD_CACHE_KEPT_WITHOUT_ALL.contains(b.type())))) {
        continue;
      }
      if (until.isPresent() && b.lastUsedAt() != null && b.lastUsedAt().isAfter(until.get())) {
        continue;
      }
      out.add(b.id());
    }
    return out;
  }
}
