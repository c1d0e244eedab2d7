package io.dockercleaner.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.core.Reason;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.plan.Fixtures.MapHistory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Properties of the planner over seeded random inventories; each check is computed here from the
 * inputs, independently of the planner's own bookkeeping. A failure names the seed to replay.
 */
class PlannerPropertyTest {
  private static final int RUNS = 1_500;
  private static final Instant NOW = Fixtures.NOW;
  private static final String[] STATES = {
    "running", "paused", "restarting", "removing", "exited", "exited", "created", "dead"
  };
  private static final String[] REPOS = {"a", "b", "myrepo/app", "myrepo/team/app", "localhost:5000/c"};
  private static final String[] TAGS = {"1", "2", "latest", "release-1", "dev"};
  private static final List<String> PATTERNS =
      List.of("myrepo/*:release-*", "*:latest", "a", "**:dev", "localhost:5000/**");
  private static final Predicate<Map<String, String>> KEEP_NOT_TRUE =
      labels -> !"true".equals(labels.get("keep"));

  /** One random case: inputs plus the seed that made them. */
  private record Case(
      long seed,
      Inventory inventory,
      MapHistory history,
      PlanPolicy policy,
      long bytesToFree) {}

  @Test
  void invariantsHoldOnRandomInventories() {
    Map<String, Integer> covered = new HashMap<>();
    for (int run = 0; run < RUNS; run++) {
      Case c = generate(1_000L + run);
      Plan plan = Planner.plan(c.inventory, c.history, c.policy, NOW, c.bytesToFree);
      String seed = "seed " + c.seed;
      count(covered, c, plan);
      neverPlansForbiddenObjects(c, plan, seed);
      respectsTypeOrderAndLruWithinTypes(c, plan, seed);
      childrenBeforeParents(c, plan, seed);
      stopsAtTheTargetAndTheCap(c, plan, seed);
      accountsForEveryObjectOnce(c, plan, seed);
      isDeterministicUnderShuffledInput(c, plan, seed);
    }
    // the generator must reach every situation the properties talk about
    assertThat(covered.keySet())
        .as("situations covered: " + covered)
        .containsAll(
            List.of("STOPPED_CONTAINER", "DANGLING_IMAGE", "UNUSED_BUILD_CACHE", "UNUSED_IMAGE",
                "UNUSED_VOLUME", "TARGET_REACHED", "BUDGET_EXHAUSTED", "RUNNING", "IN_USE",
                "PROTECTED_LABEL", "KEEP_IMAGES_PATTERN", "KEEP_TAGS_PER_REPO", "TOO_YOUNG",
                "RECENTLY_TOUCHED", "NAMED_VOLUME", "parent planned", "image after its container"));
  }

  private static void count(Map<String, Integer> covered, Case c, Plan plan) {
    plan.steps().forEach(s -> covered.merge(s.reason().name(), 1, Integer::sum));
    plan.skipped().forEach(s -> covered.merge(s.reason().name(), 1, Integer::sum));
    Set<String> planned = new HashSet<>();
    plan.steps().forEach(s -> planned.add(s.id()));
    for (PlanStep step : plan.steps()) {
      if (step.rule().contains("planned containers")) {
        covered.merge("image after its container", 1, Integer::sum);
      }
    }
    for (ImageInfo img : c.inventory.images()) {
      if (planned.contains(img.id()) && planned.contains(img.parentId())) {
        covered.merge("parent planned", 1, Integer::sum);
      }
    }
  }

  // ---- generator

  private static Case generate(long seed) {
    Random r = new Random(seed);
    Instant start = NOW.minus(Duration.ofHours(r.nextInt(24 * 10)));

    List<ImageInfo> images = new ArrayList<>();
    int imageCount = r.nextInt(40);
    for (int i = 0; i < imageCount; i++) {
      String parent = i > 0 && r.nextInt(10) < 4 ? "img-" + r.nextInt(i) : null;
      List<String> tags = new ArrayList<>();
      int tagCount = r.nextInt(4) - 1; // -1 = <none>:<none>, 0 = empty
      if (tagCount < 0) {
        tags.add(ImageInfo.NONE_TAG);
      }
      for (int t = 0; t < tagCount; t++) {
        tags.add(REPOS[r.nextInt(REPOS.length)] + ":" + TAGS[r.nextInt(TAGS.length)]);
      }
      long size = r.nextInt(1_000_000);
      long shared = r.nextInt(5) == 0 ? -1 : r.nextInt((int) size + 1);
      images.add(
          new ImageInfo("img-" + i, parent, tags, randomPast(r, 20), size, shared, labels(r)));
    }

    List<VolumeInfo> volumes = new ArrayList<>();
    int volumeCount = r.nextInt(15);
    for (int i = 0; i < volumeCount; i++) {
      volumes.add(
          new VolumeInfo("vol-" + i, r.nextBoolean(), labels(r), randomPast(r, 10),
              r.nextInt(4) == 0 ? -1 : r.nextInt(1_000_000), r.nextInt(4) == 0 ? 1 : 0));
    }

    List<ContainerInfo> containers = new ArrayList<>();
    int containerCount = r.nextInt(30);
    for (int i = 0; i < containerCount; i++) {
      String imageId = imageCount > 0 && r.nextInt(5) > 0 ? "img-" + r.nextInt(imageCount) : "gone";
      List<String> mounts = new ArrayList<>();
      if (volumeCount > 0 && r.nextInt(3) == 0) {
        mounts.add("vol-" + r.nextInt(volumeCount));
      }
      Instant created = randomPast(r, 15);
      Instant finished = r.nextInt(4) == 0 ? null : created.plus(Duration.ofHours(r.nextInt(48)));
      if (finished != null && finished.isAfter(NOW)) {
        finished = NOW;
      }
      containers.add(
          new ContainerInfo("ctr-" + i, "name-" + i, imageId, STATES[r.nextInt(STATES.length)],
              created, finished, r.nextInt(4) == 0 ? -1 : r.nextInt(100_000), labels(r), mounts));
    }

    List<BuildCacheInfo> cache = new ArrayList<>();
    int cacheCount = r.nextInt(15);
    for (int i = 0; i < cacheCount; i++) {
      Instant created = randomPast(r, 15);
      cache.add(
          new BuildCacheInfo("bc-" + i, "regular", "d" + i, r.nextInt(5) == 0, r.nextInt(4) == 0,
              r.nextInt(1_000_000), created, r.nextBoolean() ? null : randomPast(r, 15)));
    }

    MapHistory history = new MapHistory();
    for (ImageInfo image : images) {
      if (r.nextInt(3) > 0) {
        history.seen(image.id(), randomPast(r, 10));
      }
      if (r.nextInt(3) > 0) {
        history.used(image.id(), randomPast(r, 10));
      }
      if (r.nextInt(6) == 0) {
        history.touched(ResourceType.IMAGE, image.id(), randomPast(r, 0));
      }
    }
    for (ContainerInfo ctr : containers) {
      if (r.nextInt(3) == 0) {
        history.exited(ctr.id(), randomPast(r, 5));
      }
      if (r.nextInt(6) == 0) {
        history.touched(ResourceType.CONTAINER, ctr.id(), randomPast(r, 0));
      }
    }
    for (VolumeInfo v : volumes) {
      if (r.nextInt(6) == 0) {
        history.touched(ResourceType.VOLUME, v.name(), randomPast(r, 0));
      }
    }
    for (BuildCacheInfo b : cache) {
      if (r.nextInt(6) == 0) {
        history.touched(ResourceType.BUILD_CACHE, b.id(), randomPast(r, 0));
      }
    }

    EnumSet<ResourceType> types = EnumSet.noneOf(ResourceType.class);
    for (ResourceType type : ResourceType.values()) {
      if (r.nextInt(5) > 0) {
        types.add(type);
      }
    }
    List<String> patterns = new ArrayList<>();
    for (String p : PATTERNS) {
      if (r.nextInt(4) == 0) {
        patterns.add(p);
      }
    }
    Duration[] ages = {Duration.ZERO, Duration.ofHours(1), Duration.ofDays(1), Duration.ofDays(4)};
    Duration[] quiets = {Duration.ZERO, Duration.ofMinutes(2), Duration.ofHours(3)};
    PlanPolicy policy =
        PlanPolicy.builder(start)
            .labelFilter(KEEP_NOT_TRUE)
            .keepImagePatterns(patterns)
            .keepTagsPerRepo(r.nextInt(3))
            .minAge(ages[r.nextInt(ages.length)])
            .quietPeriod(quiets[r.nextInt(quiets.length)])
            .enabledTypes(types)
            .volumesAll(r.nextBoolean())
            .maxDeletions(r.nextBoolean() ? PlanPolicy.UNLIMITED_DELETIONS : 1 + r.nextInt(20))
            .critical(r.nextInt(4) == 0)
            .build();
    long[] targets = {0, 1, Planner.UNLIMITED, Planner.UNLIMITED};
    long bytesToFree =
        r.nextInt(3) == 0 ? targets[r.nextInt(targets.length)] : r.nextInt(5_000_000);
    return new Case(
        seed, new Inventory(containers, images, volumes, cache), history, policy, bytesToFree);
  }

  private static Instant randomPast(Random r, int maxDays) {
    long maxSeconds = Math.max(1, maxDays) * 86_400L;
    // a third of the times are within the last few hours, where MIN_AGE and QUIET_PERIOD bite
    long seconds = r.nextInt(3) == 0 ? r.nextInt(4 * 3_600) : (long) (r.nextDouble() * maxSeconds);
    return NOW.minusSeconds(seconds);
  }

  private static Map<String, String> labels(Random r) {
    int pick = r.nextInt(10);
    return pick == 0 ? Map.of("keep", "true") : pick == 1 ? Map.of("keep", "false") : Map.of();
  }

  // ---- properties

  private static void neverPlansForbiddenObjects(Case c, Plan plan, String seed) {
    PlanPolicy policy = c.policy;
    Instant young = NOW.minus(policy.minAge());
    Instant quiet = NOW.minus(policy.quietPeriod());
    Map<String, ContainerInfo> containers = byId(c.inventory.containers(), ContainerInfo::id);
    Map<String, ImageInfo> images = byId(c.inventory.images(), ImageInfo::id);
    Map<String, VolumeInfo> volumes = byId(c.inventory.volumes(), VolumeInfo::name);
    Map<String, BuildCacheInfo> caches = byId(c.inventory.buildCache(), BuildCacheInfo::id);
    List<ImagePattern> patterns = ImagePattern.compileAll(policy.keepImagePatterns());
    Set<String> newestTags = newestTags(c.inventory.images(), policy.keepTagsPerRepo());
    // a volume may go only when every container that mounts it is planned (before it) too
    Set<String> plannedContainers = new HashSet<>();
    plan.steps().stream().filter(s -> s.type() == ResourceType.CONTAINER).forEach(s -> plannedContainers.add(s.id()));
    Set<String> mounted = new HashSet<>();
    Set<String> mountedByPlanned = new HashSet<>();
    c.inventory.containers().forEach(ctr ->
        (plannedContainers.contains(ctr.id()) ? mountedByPlanned : mounted).addAll(ctr.volumeNames()));
    Set<String> plannedSoFar = new HashSet<>();

    for (PlanStep step : plan.steps()) {
      String what = seed + " step " + step;
      assertThat(policy.enabled(step.type())).as(what).isTrue();
      assertThat(c.history.lastTouched(step.type(), step.id()).filter(t -> t.isAfter(quiet)))
          .as(what + " recently touched")
          .isEmpty();
      switch (step.type()) {
        case CONTAINER -> {
          ContainerInfo ctr = containers.get(step.id());
          assertThat(ctr.state()).as(what).isIn("exited", "created", "dead");
          assertThat(KEEP_NOT_TRUE.test(ctr.labels())).as(what + " protected").isTrue();
          Instant stopped = latest(ctr.createdAt(), ctr.finishedAt(),
              c.history.containerExitedAt(ctr.id()).orElse(null));
          assertThat(stopped).as(what + " too young").isBeforeOrEqualTo(young);
        }
        case IMAGE -> {
          ImageInfo img = images.get(step.id());
          assertThat(KEEP_NOT_TRUE.test(img.labels())).as(what + " protected").isTrue();
          assertThat(patterns).as(what + " keep pattern")
              .noneMatch(p -> p.matchesAny(img.repoTags()));
          assertThat(newestTags).as(what + " keep tags").doesNotContain(img.id());
          for (ContainerInfo ctr : c.inventory.containers()) {
            if (img.id().equals(ctr.imageId())) {
              assertThat(plannedSoFar).as(what + " in use by " + ctr.id()).contains(ctr.id());
            }
          }
          Instant firstSeen = c.history.imageFirstSeen(img.id())
              .orElse(policy.critical() ? img.createdAt() : policy.agentStartedAt());
          assertThat(firstSeen).as(what + " first seen too recently").isBeforeOrEqualTo(young);
          assertThat(c.history.imageLastUsed(img.id()).filter(t -> t.isAfter(young)))
              .as(what + " used too recently").isEmpty();
        }
        case VOLUME -> {
          VolumeInfo v = volumes.get(step.id());
          assertThat(v.anonymous() || policy.volumesAll()).as(what + " named").isTrue();
          assertThat(KEEP_NOT_TRUE.test(v.labels())).as(what + " protected").isTrue();
          assertThat(v.refCount() <= 0 || mountedByPlanned.contains(v.name()))
              .as(what + " refcount not explained by planned containers").isTrue();
          assertThat(mounted).as(what + " mounted").doesNotContain(v.name());
          assertThat(v.createdAt()).as(what + " too young").isBeforeOrEqualTo(young);
        }
        case BUILD_CACHE -> {
          BuildCacheInfo b = caches.get(step.id());
          assertThat(b.inUse()).as(what + " in use").isFalse();
          assertThat(latest(b.createdAt(), b.lastUsedAt(), null))
              .as(what + " too young").isBeforeOrEqualTo(young);
        }
        case NETWORK -> throw new AssertionError(what + ": networks are never planned");
      }
      plannedSoFar.add(step.id());
    }
  }

  private static void respectsTypeOrderAndLruWithinTypes(Case c, Plan plan, String seed) {
    List<Reason> order =
        List.of(Reason.STOPPED_CONTAINER, Reason.DANGLING_IMAGE, Reason.UNUSED_BUILD_CACHE,
            Reason.UNUSED_IMAGE, Reason.UNUSED_VOLUME);
    List<PlanStep> steps = plan.steps();
    for (int i = 1; i < steps.size(); i++) {
      assertThat(order.indexOf(steps.get(i).reason()))
          .as(seed + " type order at " + i + ": " + steps)
          .isGreaterThanOrEqualTo(order.indexOf(steps.get(i - 1).reason()));
    }
    Map<String, ImageInfo> images = byId(c.inventory.images(), ImageInfo::id);
    Comparator<String> lru = imageLru(c);
    for (int i = 0; i < steps.size(); i++) {
      for (int j = i + 1; j < steps.size(); j++) {
        PlanStep a = steps.get(i);
        PlanStep b = steps.get(j);
        if (a.reason() != b.reason() || lru == null) {
          continue;
        }
        if (a.reason() == Reason.DANGLING_IMAGE) {
          assertThat(lru.compare(a.id(), b.id())).as(seed + " dangling LRU").isNegative();
        } else if (a.reason() == Reason.UNUSED_IMAGE && lru.compare(b.id(), a.id()) < 0) {
          // b jumped the LRU queue only if it waited for a child planned no earlier than a
          boolean childAfterA = false;
          for (int k = i; k < steps.size(); k++) {
            ImageInfo child = images.get(steps.get(k).id());
            if (steps.get(k).type() == ResourceType.IMAGE && b.id().equals(child.parentId())) {
              childAfterA = true;
              break;
            }
          }
          assertThat(childAfterA).as(seed + " LRU " + a.id() + " before " + b.id()).isTrue();
        }
      }
    }
  }

  /** Image order by (last used or first seen, first seen, id), as the spec states it. */
  private static Comparator<String> imageLru(Case c) {
    Map<String, Instant> firstSeen = new HashMap<>();
    Map<String, Instant> lastUsed = new HashMap<>();
    for (ImageInfo img : c.inventory.images()) {
      Instant seen = c.history.imageFirstSeen(img.id())
          .orElse(c.policy.critical() ? img.createdAt() : c.policy.agentStartedAt());
      firstSeen.put(img.id(), seen);
      lastUsed.put(img.id(), c.history.imageLastUsed(img.id()).orElse(seen));
    }
    return Comparator.comparing((String id) -> lastUsed.get(id))
        .thenComparing(firstSeen::get)
        .thenComparing(id -> id);
  }

  private static void childrenBeforeParents(Case c, Plan plan, String seed) {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < plan.steps().size(); i++) {
      if (plan.steps().get(i).type() == ResourceType.IMAGE) {
        index.put(plan.steps().get(i).id(), i);
      }
    }
    for (ImageInfo child : c.inventory.images()) {
      Integer parentAt = child.parentId() == null ? null : index.get(child.parentId());
      if (parentAt != null) {
        // a planned parent means every child is planned, and earlier
        assertThat(index.get(child.id()))
            .as(seed + " child " + child.id() + " of planned " + child.parentId())
            .isNotNull()
            .isLessThan(parentAt);
      }
    }
  }

  private static void stopsAtTheTargetAndTheCap(Case c, Plan plan, String seed) {
    List<PlanStep> steps = plan.steps();
    long sum = 0;
    for (PlanStep step : steps) {
      assertThat(step.estimatedBytes()).as(seed).isNotNegative();
      sum += step.estimatedBytes();
    }
    assertThat(plan.estimatedBytes()).as(seed + " sum").isEqualTo(sum);
    assertThat(steps.size()).as(seed + " cap").isLessThanOrEqualTo(c.policy.maxDeletions());
    assertThat(plan.bytesToFree()).isEqualTo(c.bytesToFree);
    if (!steps.isEmpty()) {
      long withoutLast = sum - steps.get(steps.size() - 1).estimatedBytes();
      assertThat(withoutLast).as(seed + " planned past the target").isLessThan(c.bytesToFree);
    }
    boolean stoppedByCap = plan.skipped().stream().anyMatch(s -> s.reason() == Reason.BUDGET_EXHAUSTED);
    boolean stoppedByTarget = plan.skipped().stream().anyMatch(s -> s.reason() == Reason.TARGET_REACHED);
    assertThat(stoppedByCap && stoppedByTarget).as(seed + " one stop reason").isFalse();
    if (stoppedByCap) {
      assertThat(steps).as(seed).hasSize(c.policy.maxDeletions());
    }
    if (stoppedByTarget) {
      assertThat(sum).as(seed).isGreaterThanOrEqualTo(c.bytesToFree);
    }
    if (c.bytesToFree == Planner.UNLIMITED) {
      assertThat(stoppedByTarget).as(seed).isFalse();
      assertThat(plan.targetCovered()).as(seed).isEqualTo(!stoppedByCap);
    } else {
      assertThat(plan.targetCovered()).as(seed).isEqualTo(sum >= c.bytesToFree);
    }
  }

  private static void accountsForEveryObjectOnce(Case c, Plan plan, String seed) {
    List<String> expected = new ArrayList<>();
    PlanPolicy p = c.policy;
    if (p.enabled(ResourceType.CONTAINER)) {
      c.inventory.containers().forEach(x -> expected.add("CONTAINER/" + x.id()));
    }
    if (p.enabled(ResourceType.IMAGE)) {
      c.inventory.images().forEach(x -> expected.add("IMAGE/" + x.id()));
    }
    if (p.enabled(ResourceType.VOLUME)) {
      c.inventory.volumes().forEach(x -> expected.add("VOLUME/" + x.name()));
    }
    if (p.enabled(ResourceType.BUILD_CACHE)) {
      c.inventory.buildCache().forEach(x -> expected.add("BUILD_CACHE/" + x.id()));
    }
    List<String> seen = new ArrayList<>();
    plan.steps().forEach(s -> seen.add(s.type() + "/" + s.id()));
    plan.skipped().forEach(s -> seen.add(s.type() + "/" + s.id()));
    assertThat(seen).as(seed + " every object once").containsExactlyInAnyOrderElementsOf(expected);
  }

  private static void isDeterministicUnderShuffledInput(Case c, Plan plan, String seed) {
    Random r = new Random(c.seed * 31);
    Inventory inv = c.inventory;
    Inventory shuffled =
        new Inventory(shuffle(inv.containers(), r), shuffle(inv.images(), r),
            shuffle(inv.volumes(), r), shuffle(inv.buildCache(), r));
    assertThat(Planner.plan(shuffled, c.history, c.policy, NOW, c.bytesToFree))
        .as(seed + " deterministic")
        .isEqualTo(plan);
  }

  // ---- helpers

  private static <T> List<T> shuffle(List<T> list, Random r) {
    List<T> copy = new ArrayList<>(list);
    Collections.shuffle(copy, r);
    return copy;
  }

  private static <T> Map<String, T> byId(List<T> items, java.util.function.Function<T, String> id) {
    Map<String, T> map = new HashMap<>();
    items.forEach(item -> map.put(id.apply(item), item));
    return map;
  }

  private static Instant latest(Instant a, Instant b, Instant c) {
    Instant max = a;
    for (Instant t : new Instant[] {b, c}) {
      if (t != null && t.isAfter(max)) {
        max = t;
      }
    }
    return max;
  }

  /** Ids of images holding one of the newest N tags of some repository (by Created, then tag). */
  private static Set<String> newestTags(List<ImageInfo> images, int keep) {
    Set<String> kept = new HashSet<>();
    if (keep == 0) {
      return kept;
    }
    Map<String, List<Map.Entry<String, ImageInfo>>> byRepo = new HashMap<>();
    for (ImageInfo img : images) {
      for (String tag : img.repoTags()) {
        if (!tag.equals(ImageInfo.NONE_TAG)) {
          byRepo.computeIfAbsent(ImagePattern.repository(tag), k -> new ArrayList<>())
              .add(Map.entry(tag, img));
        }
      }
    }
    for (List<Map.Entry<String, ImageInfo>> tags : byRepo.values()) {
      tags.sort(
          Comparator.comparing((Map.Entry<String, ImageInfo> e) -> e.getValue().createdAt())
              .reversed()
              .thenComparing(Map.Entry::getKey)
              .thenComparing(e -> e.getValue().id()));
      tags.stream().limit(keep).forEach(e -> kept.add(e.getValue().id()));
    }
    return kept;
  }
}
