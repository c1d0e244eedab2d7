package io.dockercleaner.plan;

import io.dockercleaner.core.Bytes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The shipped {@link ReuseModel}: "how often did a silence as long as this one end in a use within
 * the horizon?", counted over observed gaps between uses. No fitting, no framework; every number
 * it uses is printed in the evidence.
 *
 * <p>For an image silent for {@code t} (since its last use, or since first seen when never used)
 * and a horizon {@code H}, an <em>observation</em> is a past silence longer than {@code t}:
 *
 * <ul>
 *   <li>a completed gap {@code g > t} between two uses is a <em>hit</em> when {@code g <= t + H}
 *       (the use came within the horizon), else a miss;
 *   <li>the current silence {@code s} of another image is a miss when {@code s >= t + H} (it stayed
 *       silent the whole horizon) and is left out when {@code t < s < t + H} (not known yet).
 * </ul>
 *
 * The image's own gaps, the other images of its repository (gaps and current silences, deleted
 * images included: {@link UsageHistory#allImageUses()} and {@link UsageHistory#imageRepositories})
 * and one pseudo-observation worth the whole host's rate (every image with a use history; the
 * prior, itself smoothed toward 1/2) are pooled: {@code P = (ownHits + repoHits + prior) / (ownObs
 * + repoObs + 1)}. The newest image of a repository (by Created) holds the layers the repository's
 * next build or pull starts from, so it counts with at least the repository's own rate of use
 * ({@code 1 - exp(-rate × H)}, 0 once the repository is silent for more than twice its longest gap
 * and the horizon). Examples: a nightly job's image silent 20 h with 8 gaps of ~24 h → about 0.9;
 * a feature branch's image used in a burst, in a repository whose other branches all went silent
 * for days → near 0. Deleted images' silences are real evidence: had one been needed, it would
 * have been fetched again and its use recorded.
 */
public final class GapReuseModel implements ReuseModel {

  /** The horizon of the shipped model: "needed again within a day". */
  public static final Duration DEFAULT_HORIZON = Duration.ofHours(24);

  static final GapReuseModel DEFAULT = new GapReuseModel(DEFAULT_HORIZON);

  private final Duration horizon;

  /**
   * A model with its own horizon.
   *
   * @throws IllegalArgumentException when the horizon is not positive
   */
  public GapReuseModel(Duration horizon) {
    if (horizon == null || horizon.isNegative() || horizon.isZero()) {
      throw new IllegalArgumentException("horizon must be positive, was " + horizon);
    }
    this.horizon = horizon;
  }

  /** The horizon of "needed again". */
  public Duration horizon() {
    return horizon;
  }

  @Override
  public Estimates prepare(Inventory inventory, UsageHistory history, Instant now) {
    long horizonSeconds = horizon.getSeconds();
    Map<String, Observations> byRepository = new HashMap<>();
    Map<String, long[]> gapsById = new HashMap<>();
    Map<String, Long> silenceById = new HashMap<>();
    Map<String, Integer> usesById = new HashMap<>();
    Map<String, Long> spanById = new HashMap<>();
    Observations.Builder global = new Observations.Builder();
    Map<String, List<Instant>> repoUses = new HashMap<>();
    Map<String, ImageInfo> newestByRepo = new HashMap<>();
    Map<String, Observations.Builder> repoBuilders = new HashMap<>();
    for (ImageInfo image : inventory.images()) {
      List<Instant> uses = sortedUses(history, image.id(), now);
      long[] gaps = new long[Math.max(0, uses.size() - 1)];
      for (int i = 1; i < uses.size(); i++) {
        gaps[i - 1] = Duration.between(uses.get(i - 1), uses.get(i)).getSeconds();
      }
      Instant silentSince =
          uses.isEmpty()
              ? history.imageFirstSeen(image.id()).orElse(image.createdAt())
              : uses.get(uses.size() - 1);
      long silence = Math.max(0, Duration.between(silentSince, now).getSeconds());
      gapsById.put(image.id(), gaps);
      silenceById.put(image.id(), silence);
      usesById.put(image.id(), uses.size());
      spanById.put(
          image.id(),
          uses.size() < 2 ? 0 : Duration.between(uses.get(0), uses.get(uses.size() - 1)).getSeconds());
      global.add(gaps, silence);
      String repo = repository(image);
      if (repo != null) {
        repoBuilders.computeIfAbsent(repo, r -> new Observations.Builder()).add(gaps, silence);
        repoUses.computeIfAbsent(repo, r -> new ArrayList<>()).addAll(uses);
        ImageInfo newest = newestByRepo.get(repo);
        if (newest == null || image.createdAt().isAfter(newest.createdAt())
            || (image.createdAt().equals(newest.createdAt()) && image.id().compareTo(newest.id()) > 0)) {
          newestByRepo.put(repo, image);
        }
      }
    }
    // images that are gone: their gaps and silences count host-wide and for the repositories they
    // were tagged in (their silence since deletion is real: a need would have brought them back)
    java.util.Set<String> present = new java.util.HashSet<>(gapsById.keySet());
    history.allImageUses().entrySet().stream()
        .filter(e -> !present.contains(e.getKey()))
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> {
          List<Instant> uses = new ArrayList<>();
          for (Instant at : e.getValue()) {
            if (!at.isAfter(now)) {
              uses.add(at);
            }
          }
          if (uses.isEmpty()) {
            return;
          }
          uses.sort(null);
          long[] gaps = new long[uses.size() - 1];
          for (int i = 1; i < uses.size(); i++) {
            gaps[i - 1] = Duration.between(uses.get(i - 1), uses.get(i)).getSeconds();
          }
          long silence = Duration.between(uses.get(uses.size() - 1), now).getSeconds();
          global.add(gaps, silence);
          for (String repo : new java.util.TreeSet<>(history.imageRepositories(e.getKey()))) {
            repoBuilders.computeIfAbsent(repo, r -> new Observations.Builder()).add(gaps, silence);
            repoUses.computeIfAbsent(repo, r -> new ArrayList<>()).addAll(uses);
          }
        });
    Observations all = global.build();
    repoBuilders.forEach((repo, b) -> byRepository.put(repo, b.build()));
    repoUses.values().forEach(list -> list.sort(null));
    return image -> {
      long[] gaps = gapsById.getOrDefault(image.id(), new long[0]);
      long t = silenceById.getOrDefault(image.id(), 0L);
      int uses = usesById.getOrDefault(image.id(), 0);
      long span = spanById.getOrDefault(image.id(), 0L);
      long repull = image.uniqueBytes();
      // own completed gaps longer than the silence
      int ownObs = 0;
      int ownHits = 0;
      for (long g : gaps) {
        if (g > t) {
          ownObs++;
          if (g <= t + horizonSeconds) {
            ownHits++;
          }
        }
      }
      // the repository's other images: their gaps and silences, minus this image's own gaps
      String repo = repository(image);
      Observations repoObs = repo == null ? null : byRepository.get(repo);
      int repoHits = 0;
      int repoCount = 0;
      if (repoObs != null) {
        repoHits = repoObs.hits(t, horizonSeconds) - ownHits;
        repoCount = repoObs.observations(t, horizonSeconds) - ownObs;
      }
      int globalHits = all.hits(t, horizonSeconds);
      int globalCount = all.observations(t, horizonSeconds);
      double prior = (globalHits + 0.5) / (globalCount + 1.0);
      double p = (ownHits + repoHits + prior) / (ownObs + repoCount + 1.0);
      String newestNote = "";
      if (repo != null && newestByRepo.get(repo).id().equals(image.id())) {
        // The newest image of a repository holds the layers its next build or pull starts from
        // (base, dependencies): it counts with the repository's own rate of use.
        List<Instant> merged = repoUses.get(repo); // sorted below, before any estimate
        double repoP = repositoryChance(merged, now);
        if (repoP > p) {
          p = repoP;
          newestNote = String.format(Locale.ROOT, "; newest image of %s, whose next build reuses its layers: "
              + "repository used %d× in %s, P=%.2f", repo, merged.size(),
              human(Duration.between(merged.get(0), merged.get(merged.size() - 1)).getSeconds()), repoP);
        }
      }
      p = Math.max(0, Math.min(1, p));
      return new ReuseEstimate(p, repull,
          evidence(uses, span, gaps, t, ownHits, ownObs, repo, repoHits, repoCount, prior, p, repull, newestNote));
    };
  }

  private String evidence(int uses, long spanSeconds, long[] gaps, long t, int ownHits, int ownObs,
      String repo, int repoHits, int repoObs, double prior, double p, long repull, String newestNote) {
    StringBuilder text = new StringBuilder();
    if (uses == 0) {
      text.append("never used, first seen ").append(human(t)).append(" ago");
    } else if (uses == 1) {
      text.append("used once, ").append(human(t)).append(" ago");
    } else {
      long median = median(gaps);
      text.append("used ").append(uses).append("× in ").append(human(spanSeconds))
          .append(", every ~").append(human(median))
          .append("; last use ").append(human(t)).append(" ago, ");
      text.append(median > t ? "next use likely in " + human(median - t) : "overdue by " + human(t - median));
    }
    text.append("; silences > ").append(human(t)).append(" ended in a use within ").append(human(horizon.getSeconds()))
        .append(": own ").append(ownHits).append(" of ").append(ownObs);
    if (repo != null) {
      text.append(", repository ").append(repo).append(' ').append(repoHits).append(" of ").append(repoObs);
    }
    text.append(String.format(Locale.ROOT, ", host-wide %.2f", prior));
    text.append(newestNote);
    text.append(String.format(Locale.ROOT, "; P(use within %s)=%.2f; re-pull %s; expected %s", human(horizon.getSeconds()),
        p, Bytes.human(repull), Bytes.human(Math.round(p * repull))));
    return text.toString();
  }

  /**
   * The chance that a repository is used within the horizon, from its rate of use: {@code 1 -
   * exp(-rate × H)} with {@code rate = (uses - 1) / span}, while its silence is within twice its
   * longest gap (at least the horizon: a weekend is no abandonment); a repository silent longer
   * than that counts as abandoned (0).
   */
  private double repositoryChance(List<Instant> uses, Instant now) {
    if (uses.size() < 2) {
      return 0;
    }
    long span = Duration.between(uses.get(0), uses.get(uses.size() - 1)).getSeconds();
    long longestGap = 0;
    for (int i = 1; i < uses.size(); i++) {
      longestGap = Math.max(longestGap, Duration.between(uses.get(i - 1), uses.get(i)).getSeconds());
    }
    long silence = Duration.between(uses.get(uses.size() - 1), now).getSeconds();
    if (span <= 0 || silence > Math.max(2 * longestGap, horizon.getSeconds())) {
      return 0;
    }
    double ratePerSecond = (uses.size() - 1) / (double) span;
    return 1 - Math.exp(-ratePerSecond * horizon.getSeconds());
  }

  /** Uses at or before {@code now}, ascending. */
  private static List<Instant> sortedUses(UsageHistory history, String imageId, Instant now) {
    List<Instant> uses = new ArrayList<>();
    for (Instant at : history.imageUses(imageId)) {
      if (!at.isAfter(now)) {
        uses.add(at);
      }
    }
    uses.sort(null);
    return uses;
  }

  /** The repository of the image's first tag, or null when untagged. */
  static String repository(ImageInfo image) {
    for (String tag : image.repoTags()) {
      if (!ImageInfo.NONE_TAG.equals(tag)) {
        return ImagePattern.repository(tag);
      }
    }
    return null;
  }

  private static long median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static String human(long seconds) {
    return Planner.human(Duration.ofSeconds(seconds));
  }

  /** Sorted gaps and current silences of a set of images, counted by binary search. */
  static final class Observations {
    private final long[] gaps; // sorted
    private final long[] silences; // sorted

    private Observations(long[] gaps, long[] silences) {
      this.gaps = gaps;
      this.silences = silences;
    }

    /** Completed gaps in (t, t+h] plus nothing from silences (a silence is never a hit). */
    int hits(long t, long h) {
      return countAbove(gaps, t) - countAbove(gaps, t + h);
    }

    /** Gaps longer than t, plus silences of at least t+h (known misses). */
    int observations(long t, long h) {
      return countAbove(gaps, t) + countAtLeast(silences, t + h);
    }

    private static int countAbove(long[] sorted, long x) {
      return sorted.length - upperBound(sorted, x);
    }

    private static int countAtLeast(long[] sorted, long x) {
      return sorted.length - upperBound(sorted, x - 1);
    }

    /** Index of the first element greater than x. */
    private static int upperBound(long[] sorted, long x) {
      int lo = 0;
      int hi = sorted.length;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (sorted[mid] <= x) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }

    static final class Builder {
      private long[] gaps = new long[16];
      private int gapCount;
      private long[] silences = new long[16];
      private int silenceCount;

      void add(long[] imageGaps, long silence) {
        for (long g : imageGaps) {
          if (gapCount == gaps.length) {
            gaps = Arrays.copyOf(gaps, gapCount * 2);
          }
          gaps[gapCount++] = g;
        }
        if (silenceCount == silences.length) {
          silences = Arrays.copyOf(silences, silenceCount * 2);
        }
        silences[silenceCount++] = silence;
      }

      Observations build() {
        long[] g = Arrays.copyOf(gaps, gapCount);
        long[] s = Arrays.copyOf(silences, silenceCount);
        Arrays.sort(g);
        Arrays.sort(s);
        return new Observations(g, s);
      }
    }
  }
}
