package io.dockercleaner.recommend;

import io.dockercleaner.config.Settings;
import io.dockercleaner.core.Bytes;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.forecast.Forecast;
import io.dockercleaner.plan.BuildCacheInfo;
import io.dockercleaner.plan.ImageInfo;
import io.dockercleaner.plan.Inventory;
import io.dockercleaner.plan.Plan;
import io.dockercleaner.plan.PlanPolicy;
import io.dockercleaner.plan.PlanStep;
import io.dockercleaner.plan.Planner;
import io.dockercleaner.plan.UsageHistory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Suggestions with the numbers behind them, from what exists, its usage and the disk forecast.
 * Pure: the inventory, history, forecast and clock are inputs. What could be removed is always
 * asked of the {@link Planner} with the configuration's own policy (or a variant of it, for "what
 * if you set X"), so a recommendation never counts an object the cleanup would not touch:
 * protected (labels, KEEP_IMAGES, in use, MIN_AGE) objects are never in its numbers.
 */
public final class Recommender {
  /** An image not used for this long counts as unused. */
  static final Duration UNUSED_IMAGE_AGE = Duration.ofDays(14);
  /** Tags beyond the newest {@link #KEEP_TAGS} of a repository, not used for this long, are old. */
  static final Duration OLD_TAG_AGE = Duration.ofDays(7);
  static final int KEEP_TAGS = 2;
  /** An unused volume older than this is worth a look. */
  static final Duration ORPHANED_VOLUME_AGE = Duration.ofDays(30);
  /** A build cache record not used for this long is stale. */
  static final Duration STALE_CACHE_AGE = Duration.ofDays(14);

  /**
   * What the recommender looks at.
   *
   * @param inventory what exists
   * @param history usage as the agent saw it; {@link UsageHistory#EMPTY} for the one-shot (ages
   *     then come from creation times)
   * @param hasHistory whether {@code history} holds observed usage
   * @param settings the configuration
   * @param policy a fresh builder of the configuration's policy per call
   * @param forecast the disk forecast, when an agent made one
   * @param diskUsableBytes used + available bytes of the data disk, when known
   * @param now the time the recommendations are for
   */
  public record Inputs(Inventory inventory, UsageHistory history, boolean hasHistory, Settings settings,
      Supplier<PlanPolicy.Builder> policy, Optional<Forecast> forecast, OptionalLong diskUsableBytes, Instant now) {}

  private Recommender() {}

  /** Every recommendation that applies, largest bytes first. */
  public static List<Recommendation> recommend(Inputs in) {
    List<Recommendation> out = new ArrayList<>();
    unusedImages(in).ifPresent(out::add);
    oldTags(in).ifPresent(out::add);
    watermarkHeadroom(in).ifPresent(out::add);
    orphanedVolumes(in).ifPresent(out::add);
    staleBuildCache(in).ifPresent(out::add);
    out.sort(Comparator.comparingLong(Recommendation::bytes).reversed());
    return List.copyOf(out);
  }

  /** When an image was last used: observed use, else (observed) first sight, else its creation. */
  private static Instant lastUse(Inputs in, ImageInfo image) {
    return in.history().imageLastUsed(image.id())
        .or(() -> in.history().imageFirstSeen(image.id()))
        .orElse(image.createdAt());
  }

  private static Optional<Recommendation> unusedImages(Inputs in) {
    PlanPolicy policy = in.policy().get().enabledTypes(EnumSet.of(ResourceType.IMAGE)).build();
    Plan plan = Planner.plan(in.inventory(), in.history(), policy, in.now(), Planner.UNLIMITED);
    Map<String, ImageInfo> images = byId(in.inventory());
    List<PlanStep> unused = new ArrayList<>();
    Instant oldest = null;
    for (PlanStep s : plan.steps()) {
      ImageInfo image = images.get(s.id());
      if (s.type() == ResourceType.IMAGE && image != null
          && !lastUse(in, image).isAfter(in.now().minus(UNUSED_IMAGE_AGE))) {
        unused.add(s);
        Instant use = lastUse(in, image);
        oldest = oldest == null || use.isBefore(oldest) ? use : oldest;
      }
    }
    if (unused.isEmpty()) {
      return Optional.empty();
    }
    long bytes = unused.stream().mapToLong(PlanStep::estimatedBytes).sum();
    String basis = in.hasHistory() ? "not used for " + days(UNUSED_IMAGE_AGE) + " or more (last use from the event"
        + " stream; an image not seen in use since the agent started counts from its creation)"
        : "created " + days(UNUSED_IMAGE_AGE) + " or more ago (no usage history in a one-shot run: ages are creation"
            + " ages; the agent knows last use)";
    String evidence = count(unused.size(), "image") + " " + basis + " hold " + Bytes.human(bytes)
        + "; the least recent " + days(Duration.between(oldest, in.now())) + " ago; none is protected or in use."
        + " Examples: " + examples(unused);
    Map<String, String> suggest = new LinkedHashMap<>();
    suggest.put("PRUNE_ALL", "true");
    suggest.put("PRUNE_FILTER_UNTIL", UNUSED_IMAGE_AGE.toHours() + "h");
    return Optional.of(new Recommendation("unused_images", "Remove images unused for " + days(UNUSED_IMAGE_AGE),
        evidence + ". A threshold run removes them first; a sweep (one-shot or SCHEDULE) removes them with the"
            + " settings shown.", bytes, unused.size(), suggest));
  }

  private static Optional<Recommendation> oldTags(Inputs in) {
    if (in.settings().keepTagsPerRepo() > 0 && in.settings().pruneAll()) {
      return Optional.empty(); // already configured
    }
    Map<String, Set<String>> imagesByRepo = new HashMap<>();
    for (ImageInfo image : in.inventory().images()) {
      for (String tag : image.repoTags()) {
        if (!ImageInfo.NONE_TAG.equals(tag)) {
          imagesByRepo.computeIfAbsent(repository(tag), r -> new HashSet<>()).add(image.id());
        }
      }
    }
    Set<String> manyTags = imagesByRepo.entrySet().stream().filter(e -> e.getValue().size() > KEEP_TAGS)
        .flatMap(e -> e.getValue().stream()).collect(Collectors.toSet());
    if (manyTags.isEmpty()) {
      return Optional.empty();
    }
    // the core decides: all images, the newest KEEP_TAGS of each repository protected, OLD_TAG_AGE old
    PlanPolicy policy = in.policy().get().enabledTypes(EnumSet.of(ResourceType.IMAGE)).imagesAll(true)
        .keepTagsPerRepo(KEEP_TAGS).untilAge(OLD_TAG_AGE).build();
    Plan plan = Planner.sweep(in.inventory(), in.history(), policy, in.now());
    Map<String, ImageInfo> images = byId(in.inventory());
    List<PlanStep> old = plan.steps().stream()
        .filter(s -> s.type() == ResourceType.IMAGE && manyTags.contains(s.id()))
        .filter(s -> !lastUse(in, images.get(s.id())).isAfter(in.now().minus(OLD_TAG_AGE)))
        .toList();
    if (old.isEmpty()) {
      return Optional.empty();
    }
    long bytes = old.stream().mapToLong(PlanStep::estimatedBytes).sum();
    Set<String> repos = new java.util.TreeSet<>();
    for (PlanStep s : old) {
      images.get(s.id()).repoTags().stream().filter(t -> !ImageInfo.NONE_TAG.equals(t))
          .map(Recommender::repository).forEach(repos::add);
    }
    Map<String, String> suggest = new LinkedHashMap<>();
    suggest.put("KEEP_TAGS_PER_REPO", String.valueOf(KEEP_TAGS));
    suggest.put("PRUNE_ALL", "true");
    suggest.put("PRUNE_FILTER_UNTIL", OLD_TAG_AGE.toHours() + "h");
    return Optional.of(new Recommendation("old_tags", "Keep the " + KEEP_TAGS + " newest tags per repository",
        "KEEP_TAGS_PER_REPO=" + KEEP_TAGS + " with PRUNE_ALL=true would free " + Bytes.human(bytes) + ": "
            + count(old.size(), "older tag") + " in " + count(repos.size(), "repository") + " ("
            + repos.stream().limit(5).collect(Collectors.joining(", ")) + (repos.size() > 5 ? ", …" : "")
            + "), none used for " + days(OLD_TAG_AGE) + "; the " + KEEP_TAGS + " newest of each repository stay."
            + " Examples: " + examples(old) + ".", bytes, old.size(), suggest));
  }

  private static Optional<Recommendation> watermarkHeadroom(Inputs in) {
    if (in.forecast().isEmpty() || in.forecast().get().state() != Forecast.State.GROWING
        || in.diskUsableBytes().isEmpty()) {
      return Optional.empty();
    }
    Settings s = in.settings();
    long usable = in.diskUsableBytes().getAsLong();
    long perDay = Math.round(in.forecast().get().growthBytesPerSecond() * 86_400);
    long gap = Math.round((s.diskCriticalWatermarkRatio() - s.diskHighWatermarkRatio()) * usable);
    if (gap >= perDay || usable <= 0) {
      return Optional.empty();
    }
    // the high watermark that leaves a day's growth below critical, never at or under the low one
    double suggested = Math.floor((s.diskCriticalWatermarkRatio() - (double) perDay / usable) * 20 + 1e-9) / 20;
    boolean feasible = suggested > s.diskLowWatermarkRatio();
    Map<String, String> suggest = new LinkedHashMap<>();
    if (feasible) {
      suggest.put("DISK_HIGH_WATERMARK", Math.round(suggested * 100) + "%");
    }
    return Optional.of(new Recommendation("watermark_headroom", "Leave a day of growth between the high and critical"
        + " watermarks", "The disk grows " + Bytes.human(perDay) + " a day (gross, from the last "
        + Forecast.human(in.forecast().get().observed()) + " of samples) but only " + Bytes.human(gap)
        + " lie between DISK_HIGH_WATERMARK " + pct(s.diskHighWatermarkRatio()) + " and DISK_CRITICAL_WATERMARK "
        + pct(s.diskCriticalWatermarkRatio()) + ": a cleanup that falls behind for a day reaches critical. "
        + (feasible ? "A high watermark of " + pct(suggested) + " leaves a day's growth."
            : "No high watermark above the low one (" + pct(s.diskLowWatermarkRatio()) + ") leaves a day's growth:"
                + " the disk is too small for this growth."),
        perDay - gap, 0, suggest));
  }

  private static Optional<Recommendation> orphanedVolumes(Inputs in) {
    if (in.settings().volumesEnabled() && in.settings().pruneVolumesAll()) {
      return Optional.empty(); // every unused volume is already a candidate
    }
    PlanPolicy all = in.policy().get().enabledTypes(EnumSet.of(ResourceType.VOLUME)).volumesAll(true)
        .untilAge(ORPHANED_VOLUME_AGE).build();
    Plan plan = Planner.sweep(in.inventory(), in.history(), all, in.now());
    List<PlanStep> volumes = plan.steps().stream().filter(s -> s.type() == ResourceType.VOLUME).toList();
    if (volumes.isEmpty()) {
      return Optional.empty();
    }
    long bytes = volumes.stream().mapToLong(PlanStep::estimatedBytes).sum();
    Map<String, String> suggest = new LinkedHashMap<>();
    suggest.put("CLEANUP_VOLUMES", "true");
    suggest.put("PRUNE_VOLUMES_ALL", "true");
    return Optional.of(new Recommendation("orphaned_volumes", "Review volumes no container uses",
        count(volumes.size(), "volume") + " used by no container and created more than " + days(ORPHANED_VOLUME_AGE)
            + " ago hold " + Bytes.human(bytes) + " (" + examples(volumes) + "). "
            + (in.settings().volumesEnabled() ? "Only anonymous volumes are removed today (PRUNE_VOLUMES_ALL=false)."
                : "Volumes are never removed today (CLEANUP_VOLUMES=false).")
            + " Volumes hold data: check them, label the ones to keep with keep=true, then enable the settings shown.",
        bytes, volumes.size(), suggest));
  }

  private static Optional<Recommendation> staleBuildCache(Inputs in) {
    Instant cutoff = in.now().minus(STALE_CACHE_AGE);
    List<BuildCacheInfo> stale = new ArrayList<>();
    long total = 0;
    for (BuildCacheInfo b : in.inventory().buildCache()) {
      total += Math.max(0, b.sizeBytes());
      Instant last = b.lastUsedAt() != null ? b.lastUsedAt() : b.createdAt();
      if (!b.inUse() && !b.shared() && !last.isAfter(cutoff)) {
        stale.add(b);
      }
    }
    long bytes = stale.stream().mapToLong(BuildCacheInfo::estimatedBytes).sum();
    if (bytes == 0) {
      return Optional.empty();
    }
    Map<String, String> suggest = new LinkedHashMap<>();
    long keep = Math.max(0, total - bytes);
    // a limit a little above what is fresh: the stale part goes, the fresh part stays
    long limit = Math.max(1_000_000_000L, (keep * 12 / 10 + 999_999_999L) / 1_000_000_000L * 1_000_000_000L);
    suggest.put("BUILD_CACHE_LIMIT", limit / 1_000_000_000L + "GB");
    return Optional.of(new Recommendation("stale_build_cache", "Cap the build cache",
        count(stale.size(), "build cache record") + " not used by a build for " + days(STALE_CACHE_AGE) + " hold "
            + Bytes.human(bytes) + " of the " + Bytes.human(total) + " build cache. BUILD_CACHE_LIMIT="
            + limit / 1_000_000_000L + "GB makes the agent trim it, least recently used first.",
        bytes, stale.size(), suggest));
  }

  private static Map<String, ImageInfo> byId(Inventory inventory) {
    Map<String, ImageInfo> m = new HashMap<>();
    inventory.images().forEach(i -> m.put(i.id(), i));
    return m;
  }

  /** {@code registry:5000/app:1} → {@code registry:5000/app}. */
  static String repository(String repoTag) {
    int at = repoTag.indexOf('@');
    String ref = at >= 0 ? repoTag.substring(0, at) : repoTag;
    int colon = ref.lastIndexOf(':');
    return colon > ref.lastIndexOf('/') ? ref.substring(0, colon) : ref;
  }

  private static String examples(List<PlanStep> steps) {
    return steps.stream().limit(3).map(PlanStep::name).collect(Collectors.joining(", "))
        + (steps.size() > 3 ? " and " + (steps.size() - 3) + " more" : "");
  }

  private static String count(long n, String what) {
    String plural = what.endsWith("y") ? what.substring(0, what.length() - 1) + "ies" : what + "s";
    return n + " " + (n == 1 ? what : plural);
  }

  private static String days(Duration d) {
    long days = d.toDays();
    return days >= 1 ? days + (days == 1 ? " day" : " days") : Forecast.human(d);
  }

  private static String pct(double ratio) {
    return String.format(Locale.ROOT, "%d%%", Math.round(ratio * 100));
  }
}
