package io.dockercleaner.plan;

import static io.dockercleaner.plan.Fixtures.LONG_AGO;
import static io.dockercleaner.plan.Fixtures.NOW;
import static io.dockercleaner.plan.Fixtures.cache;
import static io.dockercleaner.plan.Fixtures.container;
import static io.dockercleaner.plan.Fixtures.image;
import static io.dockercleaner.plan.Fixtures.inventory;
import static io.dockercleaner.plan.Fixtures.volume;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dockercleaner.core.Reason;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.plan.Fixtures.MapHistory;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlannerTest {
  private static final Instant START = NOW.minus(Duration.ofDays(30));
  private static final Predicate<Map<String, String>> KEEP_NOT_TRUE =
      labels -> !"true".equals(labels.get("keep"));

  private static PlanPolicy.Builder policy() {
    return PlanPolicy.builder(START)
        .enabledTypes(EnumSet.allOf(ResourceType.class))
        .labelFilter(KEEP_NOT_TRUE);
  }

  private static Plan plan(Inventory inventory, UsageHistory history, PlanPolicy policy) {
    return Planner.plan(inventory, history, policy, NOW, Planner.UNLIMITED);
  }

  private static Plan plan(Inventory inventory) {
    return plan(inventory, UsageHistory.EMPTY, policy().build());
  }

  private static List<String> stepIds(Plan plan) {
    return plan.steps().stream().map(PlanStep::id).toList();
  }

  private static Reason skipReason(Plan plan, String id) {
    return plan.skipped().stream()
        .filter(s -> s.id().equals(id))
        .map(Skip::reason)
        .findFirst()
        .orElse(null);
  }

  private static Instant ago(Duration d) {
    return NOW.minus(d);
  }

  @Test
  void ordersMostExpendableTypeFirst() {
    Inventory inv =
        inventory(
            List.of(container("c1", "exited", "img-other", LONG_AGO)),
            List.of(
                image("img-tagged", null, List.of("app:1"), 10),
                image("img-dangling", null, List.of("<none>:<none>"), 10),
                image("img-other", null, List.of(), 10)),
            List.of(volume("vol1", true, 5, 0)),
            List.of(cache("bc1", false, false, 7, LONG_AGO)));

    Plan plan = plan(inv);

    assertThat(plan.steps())
        .extracting(PlanStep::type, PlanStep::id, PlanStep::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                ResourceType.CONTAINER, "c1", Reason.STOPPED_CONTAINER),
            org.assertj.core.groups.Tuple.tuple(
                ResourceType.IMAGE, "img-dangling", Reason.DANGLING_IMAGE),
            org.assertj.core.groups.Tuple.tuple(
                ResourceType.IMAGE, "img-other", Reason.DANGLING_IMAGE),
            org.assertj.core.groups.Tuple.tuple(
                ResourceType.BUILD_CACHE, "bc1", Reason.UNUSED_BUILD_CACHE),
            org.assertj.core.groups.Tuple.tuple(
                ResourceType.IMAGE, "img-tagged", Reason.UNUSED_IMAGE),
            org.assertj.core.groups.Tuple.tuple(
                ResourceType.VOLUME, "vol1", Reason.UNUSED_VOLUME));
    assertThat(plan.skipped()).isEmpty();
    assertThat(plan.estimatedBytes()).isEqualTo(100 + 10 + 10 + 7 + 10 + 5);
    assertThat(plan.targetCovered()).isTrue();
  }

  @Test
  void rejectsNegativeBytesToFree() {
    assertThatThrownBy(
            () ->
                Planner.plan(Inventory.EMPTY, UsageHistory.EMPTY, policy().build(), NOW, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bytesToFree must be >= 0, was -1");
  }

  @Nested
  class Containers {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
      "running, RUNNING",
      "paused, RUNNING",
      "restarting, RUNNING",
      "something-new, RUNNING",
      "removing, REMOVAL_IN_PROGRESS",
      "exited, STOPPED_CONTAINER",
      "created, STOPPED_CONTAINER",
      "dead, STOPPED_CONTAINER",
    })
    void onlyStoppedStatesArePlanned(String state, Reason expected) {
      Plan plan =
          plan(inventory(List.of(container("c", state, "i", LONG_AGO)), List.of(), List.of(),
              List.of()));
      if (expected == Reason.STOPPED_CONTAINER) {
        assertThat(plan.steps()).extracting(PlanStep::reason).containsExactly(expected);
      } else {
        assertThat(plan.steps()).isEmpty();
        assertThat(plan.skipped())
            .containsExactly(new Skip(ResourceType.CONTAINER, "c", "c-c", expected));
      }
    }

    @Test
    void longestStoppedFirstTiesById() {
      Inventory inv =
          inventory(
              List.of(
                  container("b", "exited", "i", ago(Duration.ofHours(2))),
                  container("c", "exited", "i", ago(Duration.ofHours(5))),
                  container("a", "exited", "i", ago(Duration.ofHours(2))),
                  container("d", "created", "i", null)),
              List.of(), List.of(), List.of());
      // "d" never ran: its creation time (LONG_AGO) counts as when it stopped
      assertThat(stepIds(plan(inv))).containsExactly("d", "c", "a", "b");
    }

    @Test
    void ruleSaysHowLongAgoAgainstMinAge() {
      Inventory inv =
          inventory(
              List.of(container("c", "exited", "i", ago(Duration.ofMinutes(192)))),
              List.of(), List.of(), List.of());
      Plan plan =
          plan(inv, UsageHistory.EMPTY, policy().minAge(Duration.ofHours(1)).build());
      assertThat(plan.steps().get(0).rule()).isEqualTo("exited 3h12m ago >= MIN_AGE 1h");
    }

    @Test
    void tooYoungUsesTheLatestOfFinishedAndObservedExit() {
      Inventory inv =
          inventory(
              List.of(
                  container("young", "exited", "i", ago(Duration.ofMinutes(30))),
                  container("event-young", "exited", "i", ago(Duration.ofHours(3))),
                  container("old", "exited", "i", ago(Duration.ofHours(3))),
                  container("boundary", "exited", "i", ago(Duration.ofHours(1)))),
              List.of(), List.of(), List.of());
      MapHistory history = new MapHistory().exited("event-young", ago(Duration.ofMinutes(10)));
      Plan plan = plan(inv, history, policy().minAge(Duration.ofHours(1)).build());
      assertThat(stepIds(plan)).containsExactly("old", "boundary");
      assertThat(skipReason(plan, "young")).isEqualTo(Reason.TOO_YOUNG);
      assertThat(skipReason(plan, "event-young")).isEqualTo(Reason.TOO_YOUNG);
    }

    @Test
    void protectedLabelAndQuietPeriod() {
      Inventory inv =
          inventory(
              List.of(
                  container("kept", "exited", "i", LONG_AGO, 1, Map.of("keep", "true"), List.of()),
                  container("touched", "exited", "i", LONG_AGO),
                  container("quiet", "exited", "i", LONG_AGO)),
              List.of(), List.of(), List.of());
      MapHistory history =
          new MapHistory()
              .touched(ResourceType.CONTAINER, "touched", ago(Duration.ofSeconds(30)))
              .touched(ResourceType.CONTAINER, "quiet", ago(Duration.ofMinutes(5)));
      Plan plan = plan(inv, history, policy().quietPeriod(Duration.ofMinutes(2)).build());
      assertThat(stepIds(plan)).containsExactly("quiet");
      assertThat(skipReason(plan, "kept")).isEqualTo(Reason.PROTECTED_LABEL);
      assertThat(skipReason(plan, "touched")).isEqualTo(Reason.RECENTLY_TOUCHED);
    }
  }

  @Nested
  class Estimates {
    @ParameterizedTest(name = "size {0} shared {1} -> {2}")
    @CsvSource({"100, 30, 70", "100, -1, 100", "100, 0, 100", "100, 100, 0", "100, 150, 0"})
    void imageUniqueBytesAreSizeMinusShared(long size, long shared, long expected) {
      Inventory inv =
          inventory(List.of(),
              List.of(image("i", null, List.of("app:1"), LONG_AGO, size, shared, Map.of())),
              List.of(), List.of());
      assertThat(plan(inv).steps().get(0).estimatedBytes()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "sizeRw {0} -> {1}")
    @CsvSource({"4096, 4096", "0, 0", "-1, 0"})
    void containerEstimateIsSizeRw(long sizeRw, long expected) {
      Inventory inv =
          inventory(List.of(container("c", "exited", "i", LONG_AGO, sizeRw, Map.of(), List.of())),
              List.of(), List.of(), List.of());
      assertThat(plan(inv).steps().get(0).estimatedBytes()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "shared {0} size {1} -> {2}")
    @CsvSource({"false, 500, 500", "true, 500, 0"})
    void buildCacheEstimateIsZeroWhenShared(boolean shared, long size, long expected) {
      Inventory inv =
          inventory(List.of(), List.of(), List.of(), List.of(cache("b", false, shared, size,
              LONG_AGO)));
      assertThat(plan(inv).steps().get(0).estimatedBytes()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "size {0} -> {1}")
    @CsvSource({"2048, 2048", "-1, 0"})
    void volumeEstimateIsUsageSizeOrZeroWhenUnknown(long size, long expected) {
      Inventory inv =
          inventory(List.of(), List.of(), List.of(volume("v", true, size, 0)), List.of());
      assertThat(plan(inv).steps().get(0).estimatedBytes()).isEqualTo(expected);
    }

    @Test
    void estimateSaturatesInsteadOfOverflowing() {
      Inventory inv =
          inventory(List.of(), List.of(), List.of(
              volume("v1", true, Long.MAX_VALUE - 1, 0), volume("v2", true, 10, 0)), List.of());
      Plan plan = plan(inv);
      assertThat(plan.steps()).hasSize(2);
      assertThat(plan.estimatedBytes()).isEqualTo(Long.MAX_VALUE);
    }
  }

  @Nested
  class Images {
    @Test
    void imageOfAnyUnplannedContainerIsInUse() {
      Inventory inv =
          inventory(
              List.of(
                  container("run", "running", "img-run", null),
                  container("kept", "exited", "img-kept", LONG_AGO, 1, Map.of("keep", "true"),
                      List.of())),
              List.of(
                  image("img-run", null, List.of("a:1"), 10),
                  image("img-kept", null, List.of("b:1"), 10)),
              List.of(), List.of());
      Plan plan = plan(inv);
      assertThat(plan.steps()).isEmpty();
      assertThat(skipReason(plan, "img-run")).isEqualTo(Reason.IN_USE);
      assertThat(skipReason(plan, "img-kept")).isEqualTo(Reason.IN_USE);
    }

    @Test
    void imageBecomesEligibleAfterItsStoppedContainerIsPlanned() {
      Inventory inv =
          inventory(
              List.of(container("c", "exited", "img", LONG_AGO)),
              List.of(image("img", null, List.of("app:1"), 10)),
              List.of(), List.of());
      Plan plan = plan(inv);
      assertThat(stepIds(plan)).containsExactly("c", "img");
      assertThat(plan.steps().get(1).rule())
          .isEqualTo(
              "unused once its planned containers are gone, never used, first seen "
                  + START
                  + " (LRU)");
    }

    @Test
    void imageStaysInUseWhenItsContainerIsCutByTheBudget() {
      Inventory inv =
          inventory(
              List.of(
                  container("c1", "exited", "img", ago(Duration.ofDays(3))),
                  container("c2", "exited", "img", ago(Duration.ofDays(2)))),
              List.of(image("img", null, List.of("app:1"), 10)),
              List.of(), List.of());
      Plan plan = plan(inv, UsageHistory.EMPTY, policy().maxDeletions(1).build());
      assertThat(stepIds(plan)).containsExactly("c1");
      assertThat(skipReason(plan, "c2")).isEqualTo(Reason.BUDGET_EXHAUSTED);
      assertThat(skipReason(plan, "img")).isEqualTo(Reason.IN_USE);
    }

    @Test
    void leastRecentlyUsedFirstTiesByFirstSeenThenId() {
      Instant t1 = ago(Duration.ofDays(10));
      Instant t2 = ago(Duration.ofDays(5));
      Inventory inv =
          inventory(List.of(),
              List.of(
                  image("recent", null, List.of("a:1"), 1),
                  image("old", null, List.of("a:2"), 1),
                  image("tie-b", null, List.of("a:3"), 1),
                  image("tie-a", null, List.of("a:4"), 1),
                  image("tie-seen-earlier", null, List.of("a:5"), 1),
                  image("never-used", null, List.of("a:6"), 1)),
              List.of(), List.of());
      MapHistory history =
          new MapHistory()
              .used("recent", ago(Duration.ofDays(1)))
              .used("old", ago(Duration.ofDays(20)))
              .used("tie-b", t2).seen("tie-b", t1)
              .used("tie-a", t2).seen("tie-a", t1)
              .used("tie-seen-earlier", t2).seen("tie-seen-earlier", ago(Duration.ofDays(11)))
              .seen("never-used", ago(Duration.ofDays(7)));
      Plan plan = plan(inv, history, policy().build());
      assertThat(stepIds(plan))
          .containsExactly("old", "never-used", "tie-seen-earlier", "tie-a", "tie-b", "recent");
      assertThat(plan.steps().get(0).rule())
          .isEqualTo("unused, last used " + ago(Duration.ofDays(20)) + " (LRU)");
      assertThat(plan.steps().get(1).rule())
          .isEqualTo("unused, never used, first seen " + ago(Duration.ofDays(7)) + " (LRU)");
    }

    @Test
    void childrenBeforeParentsEvenWhenTheParentIsOlder() {
      Inventory inv =
          inventory(List.of(),
              List.of(
                  image("base", null, List.of("base:1"), 1),
                  image("mid", "base", List.of(), 1),
                  image("leaf", "mid", List.of("app:1"), 1),
                  image("other", null, List.of("other:1"), 1)),
              List.of(), List.of());
      MapHistory history =
          new MapHistory()
              .used("base", ago(Duration.ofDays(30)))
              .used("mid", ago(Duration.ofDays(20)))
              .used("other", ago(Duration.ofDays(15)))
              .used("leaf", ago(Duration.ofDays(10)));
      Plan plan = plan(inv, history, policy().build());
      // "mid" is untagged but a parent, so not dangling: it waits for its child
      assertThat(plan.steps())
          .extracting(PlanStep::id, PlanStep::reason)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("other", Reason.UNUSED_IMAGE),
              org.assertj.core.groups.Tuple.tuple("leaf", Reason.UNUSED_IMAGE),
              org.assertj.core.groups.Tuple.tuple("mid", Reason.UNUSED_IMAGE),
              org.assertj.core.groups.Tuple.tuple("base", Reason.UNUSED_IMAGE));
    }

    @Test
    void ancestorsOfAKeptImageAreInUse() {
      Inventory inv =
          inventory(
              List.of(container("run", "running", "leaf", null)),
              List.of(
                  image("base", null, List.of("base:1"), 1),
                  image("mid", "base", List.of(), 1),
                  image("leaf", "mid", List.of("app:1"), 1),
                  image("sibling", "mid", List.of("app:2"), 1)),
              List.of(), List.of());
      Plan plan = plan(inv);
      assertThat(stepIds(plan)).containsExactly("sibling");
      assertThat(skipReason(plan, "leaf")).isEqualTo(Reason.IN_USE);
      assertThat(skipReason(plan, "mid")).isEqualTo(Reason.IN_USE);
      assertThat(skipReason(plan, "base")).isEqualTo(Reason.IN_USE);
    }

    @Test
    void danglingChildGoesInTheDanglingPhaseBeforeItsTaggedParent() {
      Inventory inv =
          inventory(List.of(),
              List.of(
                  image("parent", null, List.of("app:1"), 1),
                  image("child", "parent", List.of("<none>:<none>"), 1)),
              List.of(), List.of(cache("bc", false, false, 1, LONG_AGO)));
      assertThat(stepIds(plan(inv))).containsExactly("child", "bc", "parent");
    }

    @Test
    void parentIdCycleIsNeverPlanned() {
      Inventory inv =
          inventory(List.of(),
              List.of(
                  image("x", "y", List.of("x:1"), 1),
                  image("y", "x", List.of("y:1"), 1),
                  image("z", null, List.of("z:1"), 1)),
              List.of(), List.of());
      Plan plan = plan(inv);
      assertThat(stepIds(plan)).containsExactly("z");
      assertThat(skipReason(plan, "x")).isEqualTo(Reason.CONFLICT);
      assertThat(skipReason(plan, "y")).isEqualTo(Reason.CONFLICT);
    }

    @Test
    void keepImagesPatternsMatchAnyTag() {
      Inventory inv =
          inventory(List.of(),
              List.of(
                  image("rel", null, List.of("myrepo/app:dev", "myrepo/app:release-1"), 1),
                  image("latest", null, List.of("alpine:latest"), 1),
                  image("alp", null, List.of("alpine:3.20"), 1),
                  image("nested-latest", null, List.of("myrepo/app:latest"), 1),
                  image("dev", null, List.of("myrepo/app:dev-2"), 1),
                  image("untagged", null, List.of(), 1)),
              List.of(), List.of());
      PlanPolicy policy =
          policy().keepImagePatterns(List.of("myrepo/*:release-*", "*:latest", "alpine")).build();
      Plan plan = plan(inv, UsageHistory.EMPTY, policy);
      assertThat(stepIds(plan)).containsExactlyInAnyOrder("nested-latest", "dev", "untagged");
      assertThat(skipReason(plan, "rel")).isEqualTo(Reason.KEEP_IMAGES_PATTERN);
      assertThat(skipReason(plan, "latest")).isEqualTo(Reason.KEEP_IMAGES_PATTERN);
      assertThat(skipReason(plan, "alp")).isEqualTo(Reason.KEEP_IMAGES_PATTERN);
    }

    @Test
    void keepsTheNewestTagsOfEachRepository() {
      Inventory inv =
          inventory(List.of(),
              List.of(
                  image("v1", null, List.of("app:v1"), ago(Duration.ofDays(9)), 1, 0, Map.of()),
                  image("v2", null, List.of("app:v2"), ago(Duration.ofDays(8)), 1, 0, Map.of()),
                  image("v3", null, List.of("app:v3", "other:x"), ago(Duration.ofDays(7)), 1, 0,
                      Map.of()),
                  image("o1", null, List.of("other:y"), ago(Duration.ofDays(8)), 1, 0, Map.of()),
                  image("o0", null, List.of("other:z"), ago(Duration.ofDays(20)), 1, 0, Map.of()),
                  image("reg", null, List.of("localhost:5000/app:1"), ago(Duration.ofDays(20)),
                      1, 0, Map.of())),
              List.of(), List.of());
      Plan plan = plan(inv, UsageHistory.EMPTY, policy().keepTagsPerRepo(2).build());
      assertThat(stepIds(plan)).containsExactlyInAnyOrder("v1", "o0");
      for (String kept : List.of("v2", "v3", "o1", "reg")) {
        assertThat(skipReason(plan, kept)).as(kept).isEqualTo(Reason.KEEP_TAGS_PER_REPO);
      }
      assertThat(stepIds(plan(inv))).hasSize(6); // 0 = off
    }

    @Test
    void tooYoungByFirstSeenOrLastUse() {
      Inventory inv =
          inventory(List.of(),
              List.of(
                  image("seen-recently", null, List.of("a:1"), 1),
                  image("used-recently", null, List.of("a:2"), 1),
                  image("old", null, List.of("a:3"), 1)),
              List.of(), List.of());
      MapHistory history =
          new MapHistory()
              .seen("seen-recently", ago(Duration.ofMinutes(10)))
              .seen("used-recently", ago(Duration.ofDays(5)))
              .used("used-recently", ago(Duration.ofMinutes(10)))
              .seen("old", ago(Duration.ofDays(5)));
      Plan plan = plan(inv, history, policy().minAge(Duration.ofHours(1)).build());
      assertThat(stepIds(plan)).containsExactly("old");
      assertThat(skipReason(plan, "seen-recently")).isEqualTo(Reason.TOO_YOUNG);
      assertThat(skipReason(plan, "used-recently")).isEqualTo(Reason.TOO_YOUNG);
    }

    @ParameterizedTest(name = "critical={0} -> planned={1}")
    @CsvSource({"false, false", "true, true"})
    void withoutHistoryFirstSeenIsAgentStartUnlessCritical(boolean critical, boolean planned) {
      // agent started 10 minutes ago; the image was created long ago
      Inventory inv =
          inventory(List.of(), List.of(image("img", null, List.of("a:1"), 1)), List.of(),
              List.of());
      PlanPolicy policy =
          policy()
              .agentStartedAt(ago(Duration.ofMinutes(10)))
              .minAge(Duration.ofHours(1))
              .critical(critical)
              .build();
      Plan plan = plan(inv, UsageHistory.EMPTY, policy);
      if (planned) {
        assertThat(stepIds(plan)).containsExactly("img");
      } else {
        assertThat(skipReason(plan, "img")).isEqualTo(Reason.TOO_YOUNG);
      }
    }

    @Test
    void protectedLabelAndRecentlyTouched() {
      Inventory inv =
          inventory(List.of(),
              List.of(
                  image("kept", null, List.of("a:1"), LONG_AGO, 1, 0, Map.of("keep", "true")),
                  image("touched", null, List.of("a:2"), 1),
                  image("free", null, List.of("a:3"), 1)),
              List.of(), List.of());
      MapHistory history =
          new MapHistory().touched(ResourceType.IMAGE, "touched", ago(Duration.ofSeconds(5)));
      Plan plan = plan(inv, history, policy().quietPeriod(Duration.ofMinutes(2)).build());
      assertThat(stepIds(plan)).containsExactly("free");
      assertThat(skipReason(plan, "kept")).isEqualTo(Reason.PROTECTED_LABEL);
      assertThat(skipReason(plan, "touched")).isEqualTo(Reason.RECENTLY_TOUCHED);
    }

    @Test
    void nameIsTheFirstRealTag() {
      Inventory inv =
          inventory(List.of(),
              List.of(
                  image("t", null, List.of("<none>:<none>", "app:1", "app:2"), 1),
                  image("u", null, List.of(), 1)),
              List.of(), List.of());
      assertThat(plan(inv).steps()).extracting(PlanStep::name)
          .containsExactly("<none>:<none>", "app:1");
    }
  }

  @Nested
  class BuildCache {
    @Test
    void inUseNeverLeastRecentlyUsedFirst() {
      Inventory inv =
          inventory(List.of(), List.of(), List.of(),
              List.of(
                  cache("busy", true, false, 1, LONG_AGO),
                  cache("recent", false, false, 1, ago(Duration.ofDays(1))),
                  cache("never", false, true, 1, null),
                  cache("old", false, false, 1, ago(Duration.ofDays(3)))));
      Plan plan = plan(inv);
      assertThat(stepIds(plan)).containsExactly("never", "old", "recent");
      assertThat(skipReason(plan, "busy")).isEqualTo(Reason.IN_USE);
      assertThat(plan.steps().get(0).rule())
          .isEqualTo("not in use, never used, created " + LONG_AGO + " (LRU), shared: 0 unique bytes");
      assertThat(plan.steps().get(0).name()).isEqualTo("desc-never");
    }

    @Test
    void tooYoungAndRecentlyTouched() {
      Inventory inv =
          inventory(List.of(), List.of(), List.of(),
              List.of(
                  cache("young", false, false, 1, ago(Duration.ofMinutes(5))),
                  cache("touched", false, false, 1, LONG_AGO)));
      MapHistory history =
          new MapHistory().touched(ResourceType.BUILD_CACHE, "touched", ago(Duration.ofSeconds(1)));
      Plan plan =
          plan(inv, history,
              policy().minAge(Duration.ofHours(1)).quietPeriod(Duration.ofMinutes(1)).build());
      assertThat(plan.steps()).isEmpty();
      assertThat(skipReason(plan, "young")).isEqualTo(Reason.TOO_YOUNG);
      assertThat(skipReason(plan, "touched")).isEqualTo(Reason.RECENTLY_TOUCHED);
    }
  }

  @Nested
  class Volumes {
    private final Inventory inv =
        inventory(
            List.of(container("run", "running", "i", null, 0, Map.of(), List.of("mounted"))),
            List.of(),
            List.of(
                volume("anon", true, 1, 0),
                volume("named", false, 1, 0),
                volume("refd", true, 1, 1),
                volume("mounted", true, 1, 0),
                new VolumeInfo("kept", true, Map.of("keep", "true"), LONG_AGO, 1, 0),
                new VolumeInfo("young", true, Map.of(), ago(Duration.ofMinutes(1)), 1, 0)),
            List.of());

    @Test
    void disabledVolumesAreNeitherPlannedNorListed() {
      Plan plan =
          plan(inv, UsageHistory.EMPTY,
              policy().enabledTypes(PlanPolicy.DEFAULT_ENABLED_TYPES).build());
      assertThat(plan.steps()).isEmpty();
      assertThat(plan.skipped()).extracting(Skip::type).containsOnly(ResourceType.CONTAINER);
    }

    @Test
    void onlyUnusedAnonymousVolumesByDefault() {
      Plan plan = plan(inv, UsageHistory.EMPTY, policy().minAge(Duration.ofHours(1)).build());
      assertThat(stepIds(plan)).containsExactly("anon");
      assertThat(plan.steps().get(0).rule()).isEqualTo("anonymous, unused, created " + LONG_AGO);
      assertThat(skipReason(plan, "named")).isEqualTo(Reason.NAMED_VOLUME);
      assertThat(skipReason(plan, "refd")).isEqualTo(Reason.IN_USE);
      assertThat(skipReason(plan, "mounted")).isEqualTo(Reason.IN_USE);
      assertThat(skipReason(plan, "kept")).isEqualTo(Reason.PROTECTED_LABEL);
      assertThat(skipReason(plan, "young")).isEqualTo(Reason.TOO_YOUNG);
    }

    @Test
    void namedVolumesTooWithVolumesAll() {
      Plan plan =
          plan(inv, UsageHistory.EMPTY,
              policy().minAge(Duration.ofHours(1)).volumesAll(true).build());
      assertThat(stepIds(plan)).containsExactly("anon", "named");
      assertThat(plan.steps().get(1).rule())
          .isEqualTo("named (volumesAll), unused, created " + LONG_AGO);
    }
  }

  @Nested
  class Budget {
    private final Inventory inv =
        inventory(
            List.of(
                container("c1", "exited", "x", ago(Duration.ofDays(3)), 100, Map.of(), List.of()),
                container("c2", "exited", "x", ago(Duration.ofDays(2)), 100, Map.of(), List.of())),
            List.of(image("d", null, List.of(), 1000)),
            List.of(),
            List.of(cache("b", false, false, 50, LONG_AGO)));

    @ParameterizedTest(name = "bytesToFree {0} -> {1} steps")
    @CsvSource({"0, 0", "1, 1", "100, 1", "101, 2", "200, 2", "201, 3", "1200, 3", "1201, 4"})
    void stopsOnceTheEstimateCoversTheTarget(long bytesToFree, int expectedSteps) {
      Plan plan = Planner.plan(inv, UsageHistory.EMPTY, policy().build(), NOW, bytesToFree);
      assertThat(plan.steps()).hasSize(expectedSteps);
      assertThat(plan.targetCovered()).isEqualTo(bytesToFree <= 1250);
      assertThat(plan.bytesToFree()).isEqualTo(bytesToFree);
      assertThat(plan.skipped()).hasSize(4 - expectedSteps);
      assertThat(plan.skipped()).allMatch(s -> s.reason() == Reason.TARGET_REACHED);
    }

    @Test
    void unlimitedPlansEverything() {
      Plan plan = Planner.plan(inv, UsageHistory.EMPTY, policy().build(), NOW, Planner.UNLIMITED);
      assertThat(stepIds(plan)).containsExactly("c1", "c2", "d", "b");
      assertThat(plan.estimatedBytes()).isEqualTo(1250);
      assertThat(plan.targetCovered()).isTrue();
    }

    @Test
    void maxDeletionsCapsTheSteps() {
      Plan plan =
          Planner.plan(inv, UsageHistory.EMPTY, policy().maxDeletions(3).build(), NOW,
              Planner.UNLIMITED);
      assertThat(stepIds(plan)).containsExactly("c1", "c2", "d");
      assertThat(plan.skipped())
          .containsExactly(new Skip(ResourceType.BUILD_CACHE, "b", "desc-b", Reason.BUDGET_EXHAUSTED));
      assertThat(plan.targetCovered()).isFalse();
    }

    @Test
    void disabledTypesAreIgnored() {
      Plan plan =
          Planner.plan(inv, UsageHistory.EMPTY,
              policy().enabledTypes(EnumSet.of(ResourceType.BUILD_CACHE)).build(), NOW,
              Planner.UNLIMITED);
      assertThat(stepIds(plan)).containsExactly("b");
      assertThat(plan.skipped()).isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}s -> {1}")
  @CsvSource({
    "0, 0s", "45, 45s", "60, 1m", "3720, 1h2m", "11520, 3h12m", "3605, 1h", "90000, 1d1h",
    "172800, 2d", "-5, 0s"
  })
  void humanDurations(long seconds, String expected) {
    assertThat(Planner.human(Duration.ofSeconds(seconds))).isEqualTo(expected);
  }
}
