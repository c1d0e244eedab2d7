package io.dockercleaner.recommend;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.config.Settings;
import io.dockercleaner.forecast.Forecast;
import io.dockercleaner.plan.BuildCacheInfo;
import io.dockercleaner.plan.ContainerInfo;
import io.dockercleaner.plan.Fixtures;
import io.dockercleaner.plan.ImageInfo;
import io.dockercleaner.plan.Inventory;
import io.dockercleaner.plan.PolicyFromSettings;
import io.dockercleaner.plan.UsageHistory;
import io.dockercleaner.plan.VolumeInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Recommendations from an inventory: numbers from the planner, protections never counted. */
class RecommenderTest {
  private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
  private static final long MB = 1_000_000;

  private static ImageInfo image(String id, String tag, int daysOld, long bytes, Map<String, String> labels) {
    return new ImageInfo(id, null, List.of(tag), NOW.minus(Duration.ofDays(daysOld)), bytes, 0, labels);
  }

  /** app has 5 tags (1 is days old), base is protected by label, busy is used by a running container. */
  private static Inventory inventory() {
    List<ImageInfo> images = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      images.add(image("sha256:app" + i, "app:" + i, i == 5 ? 1 : 30 + i, 100 * MB, Map.of()));
    }
    images.add(image("sha256:base", "base:1", 400, 700 * MB, Map.of("keep", "true")));
    images.add(image("sha256:busy", "busy:1", 300, 50 * MB, Map.of()));
    images.add(image("sha256:solo", "solo:1", 90, 20 * MB, Map.of()));
    List<ContainerInfo> containers = List.of(new ContainerInfo("c1", "busy", "sha256:busy", "running",
        NOW.minus(Duration.ofDays(300)), null, 0, Map.of(), List.of()));
    List<VolumeInfo> volumes = List.of(
        new VolumeInfo("data-old", false, Map.of(), NOW.minus(Duration.ofDays(60)), 300 * MB, 0),
        new VolumeInfo("data-kept", false, Map.of("keep", "true"), NOW.minus(Duration.ofDays(60)), 900 * MB, 0),
        new VolumeInfo("data-new", false, Map.of(), NOW.minus(Duration.ofDays(2)), 400 * MB, 0));
    List<BuildCacheInfo> cache = List.of(
        new BuildCacheInfo("b1", "regular", "RUN make", false, false, 200 * MB, NOW.minus(Duration.ofDays(40)),
            NOW.minus(Duration.ofDays(20))),
        new BuildCacheInfo("b2", "regular", "RUN test", false, false, 50 * MB, NOW.minus(Duration.ofDays(3)), null),
        new BuildCacheInfo("b3", "regular", "COPY .", true, false, 80 * MB, NOW.minus(Duration.ofDays(60)), null));
    return new Inventory(containers, images, volumes, cache);
  }

  private static Map<String, Recommendation> recommend(Settings s, Optional<Forecast> forecast, OptionalLong usable) {
    List<Recommendation> list = Recommender.recommend(new Recommender.Inputs(inventory(), UsageHistory.EMPTY, false, s,
        () -> PolicyFromSettings.builder(s, true, null), forecast, usable, NOW));
    for (int i = 1; i < list.size(); i++) {
      assertThat(list.get(i - 1).bytes()).as("largest first").isGreaterThanOrEqualTo(list.get(i).bytes());
    }
    return list.stream().collect(Collectors.toMap(Recommendation::id, r -> r));
  }

  @Test
  void unusedImagesCountOnlyWhatTheCoreWouldRemove() {
    Recommendation r = recommend(Settings.defaults(), Optional.empty(), OptionalLong.empty()).get("unused_images");

    // app:1-4 and solo: not base (keep=true), not busy (in use), not app:5 (1 day old)
    assertThat(r.count()).isEqualTo(5);
    assertThat(r.bytes()).isEqualTo(420 * MB);
    assertThat(r.evidence()).startsWith("5 images created 14 days or more ago (no usage history in a one-shot run")
        .contains("hold 420 MB").contains("Examples: solo:1, app:4, app:3 and 2 more.").doesNotContain("base:1").doesNotContain("busy:1");
    assertThat(r.settings()).containsEntry("PRUNE_ALL", "true").containsEntry("PRUNE_FILTER_UNTIL", "336h");
  }

  @Test
  void observedUseKeepsAnImageOutOfUnused() {
    UsageHistory used = new Fixtures.MapHistory().used("sha256:solo", NOW.minus(Duration.ofDays(2)));
    Settings s = Settings.defaults();
    List<Recommendation> list = Recommender.recommend(new Recommender.Inputs(inventory(), used, true, s,
        () -> PolicyFromSettings.builder(s, true, NOW.minus(Duration.ofDays(100))), Optional.empty(),
        OptionalLong.empty(), NOW));
    Recommendation r = list.stream().filter(x -> x.id().equals("unused_images")).findFirst().orElseThrow();
    assertThat(r.count()).isEqualTo(4);
    assertThat(r.evidence()).contains("not used for 14 days or more (last use from the event stream;")
        .doesNotContain("solo:1");
  }

  @Test
  void oldTagsKeepTheTwoNewestOfEachRepository() {
    Recommendation r = recommend(Settings.defaults(), Optional.empty(), OptionalLong.empty()).get("old_tags");

    // app:5 and app:4 are the two newest; app:1-3 go (solo has one tag: not counted)
    assertThat(r.count()).isEqualTo(3);
    assertThat(r.bytes()).isEqualTo(300 * MB);
    assertThat(r.evidence()).startsWith("KEEP_TAGS_PER_REPO=2 with PRUNE_ALL=true would free 300 MB: 3 older tags"
        + " in 1 repository (app)");
    assertThat(r.settings()).containsEntry("KEEP_TAGS_PER_REPO", "2");

    Settings configured = Settings.of(Map.of("KEEP_TAGS_PER_REPO", "2", "PRUNE_ALL", "true"));
    assertThat(recommend(configured, Optional.empty(), OptionalLong.empty())).doesNotContainKey("old_tags");
  }

  @Test
  void orphanedVolumesLeaveOutLabelledAndYoungOnes() {
    Recommendation r = recommend(Settings.defaults(), Optional.empty(), OptionalLong.empty()).get("orphaned_volumes");
    assertThat(r.count()).isEqualTo(1);
    assertThat(r.bytes()).isEqualTo(300 * MB);
    assertThat(r.evidence()).contains("(data-old)").contains("CLEANUP_VOLUMES=false");

    Settings all = Settings.of(Map.of("CLEANUP_VOLUMES", "true", "PRUNE_VOLUMES_ALL", "true"));
    assertThat(recommend(all, Optional.empty(), OptionalLong.empty())).doesNotContainKey("orphaned_volumes");
  }

  @Test
  void staleBuildCacheSkipsRecordsInUseOrRecent() {
    Recommendation r = recommend(Settings.defaults(), Optional.empty(), OptionalLong.empty()).get("stale_build_cache");
    assertThat(r.count()).isEqualTo(1);
    assertThat(r.bytes()).isEqualTo(200 * MB);
    assertThat(r.evidence()).contains("of the 330 MB build cache");
    assertThat(r.settings()).containsEntry("BUILD_CACHE_LIMIT", "1GB");
  }

  @Test
  void watermarksCloserThanADayOfGrowthAreFlagged() {
    long usable = 1_000 * 1_000 * MB; // 1 TB
    // 150 GB a day; high 85 % and critical 95 % leave 100 GB
    Forecast growing = new Forecast(Forecast.State.GROWING, NOW, Duration.ofHours(6), 150_000.0 * MB / 86_400,
        Duration.ofHours(10), Duration.ofDays(1));
    Recommendation r = recommend(Settings.defaults(), Optional.of(growing), OptionalLong.of(usable))
        .get("watermark_headroom");
    assertThat(r.bytes()).as("headroom missing").isEqualTo(50_000 * MB);
    assertThat(r.evidence()).startsWith("The disk grows 150 GB a day").contains("only 100 GB lie between")
        .contains("A high watermark of 80% leaves a day's growth.");
    assertThat(r.settings()).containsEntry("DISK_HIGH_WATERMARK", "80%");

    Forecast fast = new Forecast(Forecast.State.GROWING, NOW, Duration.ofHours(6), 300_000.0 * MB / 86_400,
        Duration.ofHours(5), Duration.ofHours(12));
    Recommendation tooFast = recommend(Settings.defaults(), Optional.of(fast), OptionalLong.of(usable))
        .get("watermark_headroom");
    assertThat(tooFast.evidence()).endsWith("the disk is too small for this growth.");
    assertThat(tooFast.settings()).isEmpty();

    Forecast slow = new Forecast(Forecast.State.GROWING, NOW, Duration.ofHours(6), 50_000.0 * MB / 86_400,
        Duration.ofDays(3), Duration.ofDays(4));
    assertThat(recommend(Settings.defaults(), Optional.of(slow), OptionalLong.of(usable)))
        .doesNotContainKey("watermark_headroom");
  }

  @Test
  void repositoryNamesKeepRegistryPorts() {
    assertThat(Recommender.repository("registry:5000/team/app:1.2")).isEqualTo("registry:5000/team/app");
    assertThat(Recommender.repository("app")).isEqualTo("app");
    assertThat(Recommender.repository("app@sha256:abc")).isEqualTo("app");
  }
}
