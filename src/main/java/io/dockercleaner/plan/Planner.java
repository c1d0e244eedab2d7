package io.dockercleaner.plan;

import io.dockercleaner.core.Reason;
import io.dockercleaner.core.ResourceType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The budgeted cleanup planner: a pure function from (inventory, usage history, policy, now, bytes
 * to free) to an ordered {@link Plan}. It reads no clock and does no I/O; the same input gives the
 * same plan whatever the order of the input lists.
 *
 * <p>Order, most expendable first:
 *
 * <ol>
 *   <li>stopped containers ({@code created, exited, dead}), longest stopped first;
 *   <li>dangling images (untagged and nobody's parent), least recently used first;
 *   <li>build cache not in use, least recently used first;
 *   <li>other unused images, least recently used first (ties: first seen, then id), every child
 *       image before its parent; with {@link CleanupPolicy#COST} least expected re-pull cost per
 *       byte first (the {@link ReuseModel}'s chance of reuse, its evidence in the step's rule),
 *       with {@link CleanupPolicy#AGE} oldest first (sweeps always LRU);
 *   <li>unused volumes (anonymous ones; named ones too with {@code volumesAll}), oldest first.
 * </ol>
 *
 * <p>Planning stops once the estimate covers {@code bytesToFree} (the last step is the one that
 * crosses it) or when {@code maxDeletions} steps are planned; the candidates left are reported as
 * skipped with {@code TARGET_REACHED} or {@code BUDGET_EXHAUSTED}.
 *
 * <p>An object is never planned when (first matching reason is reported): it is running, paused,
 * restarting or in a state not known to be stopped ({@code RUNNING}) or being removed ({@code
 * REMOVAL_IN_PROGRESS}); it is a named volume without {@code volumesAll} ({@code NAMED_VOLUME});
 * the label filter rejects it ({@code PROTECTED_LABEL}); a {@code KEEP_IMAGES} pattern matches one
 * of its tags ({@code KEEP_IMAGES_PATTERN}); it holds one of the newest {@code KEEP_TAGS_PER_REPO}
 * tags of a repository ({@code KEEP_TAGS_PER_REPO}); it is an image a Swarm service spec names
 * ({@code SWARM_SERVICE}, see {@link Inventory#serviceImageRefs()}), even with no task on this
 * node; it is a container the kubelet manages or an image one of those uses ({@code
 * KUBELET_MANAGED}, unless the policy includes them); it is in use ({@code IN_USE}: an image used by
 * a container that is not planned before it, the parent of an image that is kept, a volume with
 * RefCount &gt; 0 or mounted by any container, build cache marked InUse); it was used, stopped,
 * created or first seen less than {@code minAge} ago ({@code TOO_YOUNG}); an event touched it less
 * than {@code quietPeriod} ago ({@code RECENTLY_TOUCHED}).
 *
 * <p>Images without history count as first seen at {@code agentStartedAt}, or at their Created time
 * when the policy is {@code critical}. An image never used counts as last used when first seen.
 */
public final class Planner {

  /** {@code bytesToFree} for the full sequence: plan every eligible object. */
  public static final long UNLIMITED = Long.MAX_VALUE;

  private Planner() {}

  /**
   * Plans removals.
   *
   * @param inventory what exists, with sizes
   * @param history last-use and event state
   * @param policy what may be removed
   * @param now the time the plan is made for
   * @param bytesToFree the target; {@link #UNLIMITED} for the full sequence, 0 plans nothing
   * @return the plan; never null
   * @throws IllegalArgumentException if {@code bytesToFree} is negative
   */
  public static Plan plan(
      Inventory inventory, UsageHistory history, PlanPolicy policy, Instant now, long bytesToFree) {
    Objects.requireNonNull(inventory, "inventory");
    Objects.requireNonNull(history, "history");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(now, "now");
    if (bytesToFree < 0) {
      throw new IllegalArgumentException("bytesToFree must be >= 0, was " + bytesToFree);
    }
    return new Run(inventory, history, policy, now, bytesToFree, false).plan();
  }

  /**
   * Plans a sweep: every eligible object, in the v1 order containers → images → volumes →
   * networks → build cache, with the prune filters of the configuration ({@code until}, dangling
   * or all images, anonymous or all volumes, build cache all) on top of every protection of the
   * targeted plan. Used by the one-shot, the schedule and the start run.
   *
   * @return the plan; never null
   */
  public static Plan sweep(Inventory inventory, UsageHistory history, PlanPolicy policy, Instant now) {
    Objects.requireNonNull(inventory, "inventory");
    Objects.requireNonNull(history, "history");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(now, "now");
    return new Run(inventory, history, policy, now, UNLIMITED, true).plan();
  }

  /** Mutable state of one planning call; confined to it. */
  private static final class Run {
    private final Inventory inventory;
    private final UsageHistory history;
    private final PlanPolicy policy;
    private final Instant now;
    private final long bytesToFree;
    private final Instant youngLimit; // anything after this is younger than minAge
    private final Instant quietLimit; // any event after this is within the quiet period
    private final boolean sweep; // the configured full sequence rather than a targeted plan
    private final Instant untilCutoff; // sweeps: objects created after this are kept; null = none

    private final List<PlanStep> steps = new ArrayList<>();
    private final List<Skip> skipped = new ArrayList<>();
    private long estimatedBytes;
    private Reason stopReason; // null while still planning
    private final Set<String> plannedContainerIds = new HashSet<>();

    Run(
        Inventory inventory,
        UsageHistory history,
        PlanPolicy policy,
        Instant now,
        long bytesToFree,
        boolean sweep) {
      this.inventory = inventory;
      this.history = history;
      this.policy = policy;
      this.now = now;
      this.bytesToFree = bytesToFree;
      this.sweep = sweep;
      this.youngLimit = minus(now, policy.minAge());
      this.quietLimit = minus(now, policy.quietPeriod());
      this.untilCutoff = sweep ? policy.untilCutoff(now).orElse(null) : null;
    }

    Plan plan() {
      if (policy.enabled(ResourceType.CONTAINER)) {
        containers();
      }
      if (sweep) {
        return sweepRest();
      }
      ImagePhases images =
          policy.enabled(ResourceType.IMAGE) ? evaluateImages() : ImagePhases.NONE;
      for (ImageCandidate image : images.dangling) {
        offer(ResourceType.IMAGE, image.info.id(), image.name, Reason.DANGLING_IMAGE, image.rule,
            image.info.uniqueBytes());
      }
      if (policy.enabled(ResourceType.BUILD_CACHE)) {
        buildCache();
      }
      unusedImages(images.unused, images.candidates);
      if (policy.enabled(ResourceType.VOLUME)) {
        volumes();
      }
      skipped.sort(SKIP_ORDER);
      boolean covered =
          bytesToFree == UNLIMITED
              ? stopReason != Reason.BUDGET_EXHAUSTED
              : estimatedBytes >= bytesToFree;
      return new Plan(steps, skipped, estimatedBytes, bytesToFree, covered);
    }

    /** The sweep after containers: images → volumes → networks → build cache. */
    private Plan sweepRest() {
      if (policy.enabled(ResourceType.IMAGE)) {
        ImagePhases images = evaluateImages();
        // dangling images have no children; the others (untagged parents, and with PRUNE_ALL every
        // unused image) go children first
        for (ImageCandidate image : images.dangling) {
          offer(ResourceType.IMAGE, image.info.id(), image.name, Reason.DANGLING_IMAGE, image.rule,
              image.info.uniqueBytes());
        }
        // without PRUNE_ALL only untagged parents are in this list
        unusedImages(images.unused, images.candidates);
      }
      if (policy.enabled(ResourceType.VOLUME)) {
        volumes();
      }
      if (policy.enabled(ResourceType.NETWORK)) {
        networks();
      }
      if (policy.enabled(ResourceType.BUILD_CACHE)) {
        buildCache();
      }
      skipped.sort(SKIP_ORDER);
      return new Plan(steps, skipped, estimatedBytes, bytesToFree, stopReason != Reason.BUDGET_EXHAUSTED);
    }

    /**
     * True when a sweep's {@code until} filter keeps an object created at {@code createdAt}: only
     * objects created strictly before the whole-second cut-off go. The list calls give containers'
     * and images' creation in whole seconds, and for those "before" is exact only this way.
     */
    private boolean newerThanUntil(Instant createdAt) {
      return untilCutoff != null && (createdAt == null || !createdAt.isBefore(untilCutoff));
    }

    /** Adds a step unless the target is covered or the step budget spent. */
    private boolean offer(
        ResourceType type, String id, String name, Reason reason, String rule, long bytes) {
      if (stopReason == null) {
        if (estimatedBytes >= bytesToFree) {
          stopReason = Reason.TARGET_REACHED;
        } else if (steps.size() >= policy.maxDeletions()) {
          stopReason = Reason.BUDGET_EXHAUSTED;
        }
      }
      if (stopReason != null) {
        skipped.add(new Skip(type, id, name, stopReason));
        return false;
      }
      steps.add(new PlanStep(type, id, name, reason, rule, bytes));
      estimatedBytes = saturatedAdd(estimatedBytes, bytes);
      return true;
    }

    private void skip(ResourceType type, String id, String name, Reason reason) {
      skipped.add(new Skip(type, id, name, reason));
    }

    private void skippedImage(String id, String name, Reason reason, String evidence) {
      skipped.add(new Skip(ResourceType.IMAGE, id, name, reason, evidence));
    }

    // ---- containers

    private void containers() {
      List<ContainerCandidate> candidates = new ArrayList<>();
      for (ContainerInfo c : inventory.containers()) {
        Reason reason = null;
        Instant stoppedAt = null;
        if (policy.skipKubeletManaged() && PlanPolicy.kubeletManaged(c.labels())) {
          // the kubelet garbage-collects its own containers (and needs the dead ones' logs)
          skip(ResourceType.CONTAINER, c.id(), c.name(), Reason.KUBELET_MANAGED);
          continue;
        }
        switch (c.state()) {
          case "removing" -> reason = Reason.REMOVAL_IN_PROGRESS;
          case "created", "exited", "dead" -> {
            if (!policy.labelFilter().test(c.labels())) {
              reason = Reason.PROTECTED_LABEL;
            } else if (newerThanUntil(c.createdAt())) {
              reason = Reason.TOO_YOUNG;
            } else {
              stoppedAt = latest(c.createdAt(), c.finishedAt());
              stoppedAt = latest(stoppedAt, history.containerExitedAt(c.id()).orElse(null));
              if (stoppedAt.isAfter(youngLimit)) {
                reason = Reason.TOO_YOUNG;
              } else if (touchedRecently(ResourceType.CONTAINER, c.id())) {
                reason = Reason.RECENTLY_TOUCHED;
              }
            }
          }
          // running, paused, restarting, and any state this version does not know
          default -> reason = Reason.RUNNING;
        }
        if (reason != null) {
          skip(ResourceType.CONTAINER, c.id(), c.name(), reason);
        } else {
          candidates.add(new ContainerCandidate(c, stoppedAt));
        }
      }
      candidates.sort(
          (a, b) -> {
            int byTime = a.stoppedAt.compareTo(b.stoppedAt);
            return byTime != 0 ? byTime : a.info.id().compareTo(b.info.id());
          });
      for (ContainerCandidate k : candidates) {
        String rule =
            k.info.state()
                + " "
                + human(Duration.between(k.stoppedAt, now))
                + " ago >= MIN_AGE "
                + human(policy.minAge());
        if (offer(ResourceType.CONTAINER, k.info.id(), k.info.name(), Reason.STOPPED_CONTAINER,
            rule, Math.max(0, k.info.sizeRwBytes()))) {
          plannedContainerIds.add(k.info.id());
        }
      }
    }

    private record ContainerCandidate(ContainerInfo info, Instant stoppedAt) {}

    // ---- images

    private static final class ImageCandidate {
      final ImageInfo info;
      final String name;
      final Instant lastUsed; // effective: last use, else first seen
      final Instant firstSeen;
      final boolean dangling;
      String rule;
      double reuseProbability; // CLEANUP_POLICY=cost: the model's chance of use within its horizon
      boolean blocked; // parent of a kept image
      int pendingChildren; // candidate children not yet planned

      ImageCandidate(ImageInfo info, String name, Instant lastUsed, Instant firstSeen,
          boolean dangling) {
        this.info = info;
        this.name = name;
        this.lastUsed = lastUsed;
        this.firstSeen = firstSeen;
        this.dangling = dangling;
      }
    }

    private record ImagePhases(
        List<ImageCandidate> dangling,
        List<ImageCandidate> unused,
        Map<String, ImageCandidate> candidates) {
      static final ImagePhases NONE = new ImagePhases(List.of(), List.of(), Map.of());
    }

    // Hand-written comparators: cheaper than Comparator.comparing chains on 100k-object sorts.
    private static final Comparator<ImageCandidate> LRU =
        (a, b) -> {
          int c = a.lastUsed.compareTo(b.lastUsed);
          if (c == 0) {
            c = a.firstSeen.compareTo(b.firstSeen);
          }
          return c != 0 ? c : a.info.id().compareTo(b.info.id());
        };

    /** The order of unused images: CLEANUP_POLICY in targeted plans, LRU in sweeps (no budget). */
    private Comparator<ImageCandidate> unusedOrder() {
      CleanupPolicy order = sweep ? CleanupPolicy.LRU : policy.cleanupPolicy();
      return switch (order) {
        case LRU -> LRU;
        case AGE -> AGE;
        case COST -> COST;
      };
    }

    /** Oldest image first (Created), ties as LRU. */
    private static final Comparator<ImageCandidate> AGE =
        (a, b) -> {
          int c = a.info.createdAt().compareTo(b.info.createdAt());
          return c != 0 ? c : LRU.compare(a, b);
        };

    /**
     * Least expected re-pull cost per byte freed first. Re-pull bytes are the unique bytes the step
     * frees, so that ratio is the chance of reuse; ties (e.g. every one-off image at ~0) by LRU. A
     * higher chance therefore never moves an image earlier. Images freeing nothing go last.
     */
    private static final Comparator<ImageCandidate> COST =
        (a, b) -> {
          int c = Double.compare(costKey(a), costKey(b));
          return c != 0 ? c : LRU.compare(a, b);
        };

    /**
     * Expected re-pull cost per byte freed: the chance of reuse; an image that frees nothing now
     * (every layer shared) goes last, since deleting it only makes its layers' last holder unique
     * and the cost comes later with that one.
     */
    private static double costKey(ImageCandidate k) {
      return k.info.uniqueBytes() == 0 ? Double.POSITIVE_INFINITY : k.reuseProbability;
    }

    private ImagePhases evaluateImages() {
      List<ImageInfo> images = inventory.images();
      CleanupPolicy order = sweep ? CleanupPolicy.LRU : policy.cleanupPolicy();
      // prepared once per plan (indexes every image's uses); pure like the rest of the planner
      ReuseModel.Estimates estimates =
          order == CleanupPolicy.COST ? policy.reuseModel().prepare(inventory, history, now) : null;
      Set<String> parents = new HashSet<>();
      for (ImageInfo image : images) {
        if (image.parentId() != null) {
          parents.add(image.parentId());
        }
      }
      // Images of containers that stay; a planned container frees its image for later steps.
      Map<String, Boolean> usedByPlanned = new HashMap<>();
      Set<String> used = new HashSet<>();
      Set<String> kubeletImages = new HashSet<>();
      for (ContainerInfo c : inventory.containers()) {
        if (c.imageId() == null) {
          continue;
        }
        if (policy.skipKubeletManaged() && PlanPolicy.kubeletManaged(c.labels())) {
          kubeletImages.add(c.imageId());
        }
        if (plannedContainerIds.contains(c.id())) {
          usedByPlanned.put(c.imageId(), Boolean.TRUE);
        } else {
          used.add(c.imageId());
        }
      }
      Set<String> keptByTags = newestTagsPerRepo(images);
      List<ImagePattern> keepPatterns = ImagePattern.compileAll(policy.keepImagePatterns());
      ServiceImageRefs serviceRefs = ServiceImageRefs.of(inventory.serviceImageRefs(), inventory.serviceImageEvidence());

      Map<String, ImageCandidate> candidates = new HashMap<>(images.size() * 2);
      List<ImageInfo> kept = new ArrayList<>();
      for (ImageInfo image : images) {
        String name = imageName(image);
        Instant firstSeen =
            history
                .imageFirstSeen(image.id())
                .orElse(policy.critical() || !policy.hasAgent() ? image.createdAt() : policy.agentStartedAt());
        Optional<Instant> lastUsed = history.imageLastUsed(image.id());
        Reason reason = null;
        String evidence = null;
        if (sweep && !policy.imagesAll() && !image.untagged()) {
          // a tagged image is no candidate of a dangling-only sweep (as `docker image prune`
          // without -a): kept without a word, but still a kept image for the parent rule below;
          // untagged parents stay candidates: they go after their children, as the daemon's prune
          // takes them, unless something protects them
          kept.add(image);
          continue;
        }
        if (!policy.labelFilter().test(image.labels())) {
          reason = Reason.PROTECTED_LABEL;
        } else if (newerThanUntil(image.createdAt())) {
          reason = Reason.TOO_YOUNG;
        } else if (ImagePattern.anyMatches(keepPatterns, image.repoTags())) {
          reason = Reason.KEEP_IMAGES_PATTERN;
        } else if (keptByTags.contains(image.id())) {
          reason = Reason.KEEP_TAGS_PER_REPO;
        } else if (serviceRefs.matches(image)) {
          // a service may schedule a task here at any time (scale, failover, node drain elsewhere)
          reason = Reason.SWARM_SERVICE;
          evidence = serviceRefs.evidence(image).orElse(null);
        } else if (kubeletImages.contains(image.id())) {
          reason = Reason.KUBELET_MANAGED;
        } else if (used.contains(image.id())) {
          reason = Reason.IN_USE;
        } else if (firstSeen.isAfter(youngLimit)
            || (lastUsed.isPresent() && lastUsed.get().isAfter(youngLimit))) {
          reason = Reason.TOO_YOUNG;
        } else if (touchedRecently(ResourceType.IMAGE, image.id())) {
          reason = Reason.RECENTLY_TOUCHED;
        }
        if (reason != null) {
          skippedImage(image.id(), name, reason, evidence);
          kept.add(image);
          continue;
        }
        boolean dangling = image.untagged() && !parents.contains(image.id());
        ImageCandidate k =
            new ImageCandidate(image, name, lastUsed.orElse(firstSeen), firstSeen, dangling);
        k.rule =
            (dangling ? "dangling" : image.untagged() ? "untagged parent" : "unused")
                + (usedByPlanned.containsKey(image.id())
                    ? " once its planned containers are gone"
                    : "")
                + (lastUsed.isPresent()
                    ? ", last used " + lastUsed.get()
                    : ", never used, first seen " + firstSeen);
        if (dangling || order == CleanupPolicy.LRU) {
          k.rule += " (LRU)"; // dangling images go first, least recently used first, under every policy
        } else if (order == CleanupPolicy.AGE) {
          k.rule += ", created " + image.createdAt() + " (age)";
        } else {
          ReuseEstimate estimate = estimates.estimate(image);
          k.reuseProbability = estimate.probability();
          k.rule += " (cost: " + estimate.evidence() + ")";
        }
        candidates.put(image.id(), k);
      }
      // Docker refuses to remove the parent of an image that stays: block every such ancestor.
      for (ImageInfo image : kept) {
        String parentId = image.parentId();
        while (parentId != null) {
          ImageCandidate parent = candidates.get(parentId);
          if (parent == null || parent.blocked) {
            break; // kept on its own (its own walk covers its ancestors), absent, or done
          }
          parent.blocked = true;
          skip(ResourceType.IMAGE, parent.info.id(), parent.name, Reason.IN_USE);
          parentId = parent.info.parentId();
        }
      }
      List<ImageCandidate> dangling = new ArrayList<>();
      List<ImageCandidate> unused = new ArrayList<>();
      for (ImageCandidate k : candidates.values()) {
        if (!k.blocked) {
          (k.dangling ? dangling : unused).add(k);
        }
      }
      for (ImageCandidate k : unused) {
        ImageCandidate parent =
            k.info.parentId() == null ? null : candidates.get(k.info.parentId());
        if (parent != null && !parent.blocked && !parent.dangling) {
          parent.pendingChildren++;
        }
      }
      dangling.sort(LRU);
      return new ImagePhases(dangling, unused, candidates);
    }

    /** Unused images in LRU order, each only once all its candidate children are planned. */
    private void unusedImages(List<ImageCandidate> unused, Map<String, ImageCandidate> byId) {
      if (unused.isEmpty()) {
        return;
      }
      PriorityQueue<ImageCandidate> ready = new PriorityQueue<>(unused.size(), unusedOrder());
      for (ImageCandidate k : unused) {
        if (k.pendingChildren == 0) {
          ready.add(k);
        }
      }
      int done = 0;
      while (!ready.isEmpty()) {
        ImageCandidate k = ready.poll();
        done++;
        offer(ResourceType.IMAGE, k.info.id(), k.name, Reason.UNUSED_IMAGE, k.rule,
            k.info.uniqueBytes());
        ImageCandidate parent = k.info.parentId() == null ? null : byId.get(k.info.parentId());
        // same test as when pendingChildren was counted
        if (parent != null
            && !parent.blocked
            && !parent.dangling
            && --parent.pendingChildren == 0) {
          ready.add(parent);
        }
      }
      if (done < unused.size()) {
        // Only a ParentId cycle (corrupt input) leaves images waiting: never plan those.
        for (ImageCandidate k : unused) {
          if (k.pendingChildren > 0) {
            skip(ResourceType.IMAGE, k.info.id(), k.name, Reason.CONFLICT);
          }
        }
      }
    }

    private Set<String> newestTagsPerRepo(List<ImageInfo> images) {
      int keep = policy.keepTagsPerRepo();
      if (keep == 0) {
        return Set.of();
      }
      Map<String, List<TagEntry>> byRepo = new HashMap<>();
      for (ImageInfo image : images) {
        for (String tag : image.repoTags()) {
          if (!ImageInfo.NONE_TAG.equals(tag)) {
            byRepo
                .computeIfAbsent(ImagePattern.repository(tag), r -> new ArrayList<>())
                .add(new TagEntry(tag, image));
          }
        }
      }
      Set<String> kept = new HashSet<>();
      Comparator<TagEntry> newestFirst =
          (a, b) -> {
            int c = b.image.createdAt().compareTo(a.image.createdAt());
            if (c == 0) {
              c = a.tag.compareTo(b.tag);
            }
            return c != 0 ? c : a.image.id().compareTo(b.image.id());
          };
      for (List<TagEntry> tags : byRepo.values()) {
        if (tags.size() > 1) {
          tags.sort(newestFirst);
        }
        for (int i = 0; i < Math.min(keep, tags.size()); i++) {
          kept.add(tags.get(i).image.id());
        }
      }
      return kept;
    }

    private record TagEntry(String tag, ImageInfo image) {}

    // ---- build cache

    private void buildCache() {
      List<BuildCacheInfo> candidates = new ArrayList<>();
      for (BuildCacheInfo b : inventory.buildCache()) {
        Reason reason = null;
        if (sweep && !policy.buildCacheAll() && !b.inUse()
            && (b.shared() || BUILD_CACHE_KEPT_WITHOUT_ALL.contains(b.type()))) {
          continue; // kept by design without PRUNE_ALL (as `docker builder prune` without -a)
        }
        if (b.inUse()) {
          reason = Reason.IN_USE;
        } else if (untilCutoff != null && b.lastUsedAt() != null && b.lastUsedAt().isAfter(untilCutoff)) {
          reason = Reason.TOO_YOUNG; // BuildKit's until: last use (never used counts as old)
        } else if (latest(b.createdAt(), b.lastUsedAt()).isAfter(youngLimit)) {
          reason = Reason.TOO_YOUNG;
        } else if (touchedRecently(ResourceType.BUILD_CACHE, b.id())) {
          reason = Reason.RECENTLY_TOUCHED;
        }
        if (reason != null) {
          skip(ResourceType.BUILD_CACHE, b.id(), b.description(), reason);
        } else {
          candidates.add(b);
        }
      }
      candidates.sort(
          (a, b) -> {
            int c =
                latest(a.createdAt(), a.lastUsedAt())
                    .compareTo(latest(b.createdAt(), b.lastUsedAt()));
            if (c == 0) {
              c = a.createdAt().compareTo(b.createdAt());
            }
            return c != 0 ? c : a.id().compareTo(b.id());
          });
      for (BuildCacheInfo b : candidates) {
        String rule =
            "not in use, "
                + (b.lastUsedAt() == null
                    ? "never used, created " + b.createdAt()
                    : "last used " + b.lastUsedAt())
                + " (LRU)"
                + (b.shared() ? ", shared: 0 unique bytes" : "");
        offer(ResourceType.BUILD_CACHE, b.id(), b.description(), Reason.UNUSED_BUILD_CACHE, rule,
            b.estimatedBytes());
      }
    }

    // ---- volumes

    private void volumes() {
      // volumes of containers planned earlier in this plan are freed by their removal
      Set<String> mounted = new HashSet<>();
      Set<String> mountedByPlanned = new HashSet<>();
      for (ContainerInfo c : inventory.containers()) {
        (plannedContainerIds.contains(c.id()) ? mountedByPlanned : mounted).addAll(c.volumeNames());
      }
      List<VolumeInfo> candidates = new ArrayList<>();
      for (VolumeInfo v : inventory.volumes()) {
        Reason reason = null;
        if (!v.anonymous() && !policy.volumesAll()) {
          reason = Reason.NAMED_VOLUME;
        } else if (!policy.labelFilter().test(v.labels())) {
          reason = Reason.PROTECTED_LABEL;
        } else if (mounted.contains(v.name()) || (v.refCount() > 0 && !mountedByPlanned.contains(v.name()))) {
          reason = Reason.IN_USE;
        } else if (newerThanUntil(v.createdAt()) || isYoung(v.createdAt())) {
          reason = Reason.TOO_YOUNG;
        } else if (touchedRecently(ResourceType.VOLUME, v.name())) {
          reason = Reason.RECENTLY_TOUCHED;
        }
        if (reason != null) {
          skip(ResourceType.VOLUME, v.name(), v.name(), reason);
        } else {
          candidates.add(v);
        }
      }
      candidates.sort(
          (a, b) -> {
            int c = a.createdAt() == null || b.createdAt() == null ? 0 : a.createdAt().compareTo(b.createdAt());
            return c != 0 ? c : a.name().compareTo(b.name());
          });
      for (VolumeInfo v : candidates) {
        String rule =
            (v.anonymous() ? "anonymous" : "named (volumesAll)")
                + ", unused, created "
                + v.createdAt();
        offer(ResourceType.VOLUME, v.name(), v.name(), Reason.UNUSED_VOLUME, rule,
            v.estimatedBytes());
      }
    }

    // ---- networks (sweeps only: they hold no bytes)

    private void networks() {
      Set<String> active = activeNetworks(inventory);
      List<NetworkInfo> candidates = new ArrayList<>();
      for (NetworkInfo n : inventory.networks()) {
        Reason reason = null;
        if (active.contains(n.name()) || active.contains(n.id())) {
          reason = Reason.IN_USE;
        } else if (!policy.labelFilter().test(n.labels())) {
          reason = Reason.PROTECTED_LABEL;
        } else if (newerThanUntil(n.createdAt()) || isYoung(n.createdAt())) {
          reason = Reason.TOO_YOUNG;
        } else if (touchedRecently(ResourceType.NETWORK, n.id())) {
          reason = Reason.RECENTLY_TOUCHED;
        }
        if (reason != null) {
          skip(ResourceType.NETWORK, n.id(), n.name(), reason);
        } else {
          candidates.add(n);
        }
      }
      candidates.sort((a, b) -> a.name().compareTo(b.name()));
      for (NetworkInfo n : candidates) {
        offer(ResourceType.NETWORK, n.id(), n.name(), Reason.UNUSED_NETWORK,
            "no running container attached" + (n.createdAt() == null ? "" : ", created " + n.createdAt()), 0);
      }
    }

    // ---- helpers

    /** MIN_AGE for objects whose only age is their creation; an unknown age counts as young. */
    private boolean isYoung(Instant createdAt) {
      if (createdAt == null) {
        return !policy.minAge().isZero();
      }
      return createdAt.isAfter(youngLimit);
    }

    private boolean touchedRecently(ResourceType type, String id) {
      Optional<Instant> touched = history.lastTouched(type, id);
      return touched.isPresent() && touched.get().isAfter(quietLimit);
    }
  }

  /**
   * Names of the networks a container that is not stopped is attached to: a network has endpoints
   * only for containers that run, so stopped ones do not hold it (nor keep the daemon's prune off).
   */
  static Set<String> activeNetworks(Inventory inventory) {
    Set<String> active = new HashSet<>();
    for (ContainerInfo c : inventory.containers()) {
      if (!STOPPED_STATES.contains(c.state())) {
        active.addAll(c.networkNames());
      }
    }
    return active;
  }

  /** Container states the daemon's prune removes; anything else counts as running. */
  static final Set<String> STOPPED_STATES = Set.of("created", "exited", "dead");

  /** BuildKit's prune without {@code all} leaves these record types alone. */
  static final Set<String> BUILD_CACHE_KEPT_WITHOUT_ALL = Set.of("internal", "frontend");

  private static final Comparator<Skip> SKIP_ORDER =
      (a, b) -> {
        int c = a.type().compareTo(b.type());
        if (c == 0) {
          c = a.id().compareTo(b.id());
        }
        return c != 0 ? c : a.reason().compareTo(b.reason());
      };

  private static String imageName(ImageInfo image) {
    for (String tag : image.repoTags()) {
      if (!ImageInfo.NONE_TAG.equals(tag)) {
        return tag;
      }
    }
    return ImageInfo.NONE_TAG;
  }

  private static Instant latest(Instant a, Instant b) {
    return b == null || !b.isAfter(a) ? a : b;
  }

  private static Instant minus(Instant now, Duration duration) {
    // A huge MIN_AGE must not overflow Instant: clamp at Instant.MIN.
    try {
      return now.minus(duration);
    } catch (ArithmeticException | java.time.DateTimeException e) {
      return Instant.MIN;
    }
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }

  /** Short human duration in its two largest units: {@code 3h12m}, {@code 2d4h}, {@code 45s}. */
  public static String human(Duration duration) {
    long seconds = Math.max(0, duration.getSeconds());
    long[] sizes = {86_400, 3_600, 60, 1};
    String[] units = {"d", "h", "m", "s"};
    StringBuilder text = new StringBuilder();
    int shown = 0;
    for (int i = 0; i < sizes.length && shown < 2; i++) {
      long amount = seconds / sizes[i];
      seconds %= sizes[i];
      if (amount > 0) {
        text.append(amount).append(units[i]);
        shown++;
      } else if (shown > 0) {
        break; // "2d" rather than "2d0h"; "1h5s" would mislead, stop at a gap
      }
    }
    return text.length() == 0 ? "0s" : text.toString();
  }
}
