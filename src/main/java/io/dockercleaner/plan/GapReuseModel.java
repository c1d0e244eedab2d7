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
import java.util.Optional;

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
 *
 * <p><b>Silence and fetches.</b> A fetch (pull, build, load) is a need too: an image fetched again
 * after its last use (a re-pull after a deletion) is silent since that fetch, not since the use
 * before it. An image not used since its fetch (never used, or fetched again) awaits its first use,
 * a different process from reuse (a pull is usually followed by a run within seconds): its chance
 * pools, on top of the reuse estimate above as one pseudo-observation, the host's fetch-to-first-use
 * delays of the present images (a delay {@code d > t} is a hit when {@code d <= t + H}; an image
 * still unused since its fetch is a miss when silent {@code >= t + H}).
 *
 * <p><b>Horizon.</b> With {@link #adaptive} (the shipped model) the horizon follows the host's time
 * scale: the 95th percentile of all observed gaps between uses (the time within which nearly all
 * reuse comes; the longest horizon, 24 h, while fewer than {@value #MIN_GAPS_FOR_HORIZON} gaps are
 * known), and at most half the time the use history covers (since its earliest recorded use), at
 * least {@link UseTimes#MIN_SPACING}. A 24 h horizon on a history of minutes, or on a host that
 * reuses within minutes, never sees a silence reach {@code t + H}: every observation is a hit, the
 * estimates differ by smoothing noise only, and the ranking stops following the evidence (found on
 * the recorded trace of bench/README.md, where {@code cost} re-pulled 37 % more than LRU).
 */
public final class GapReuseModel implements ReuseModel {

  /** The longest horizon of the shipped model: "needed again within a day". */
  public static final Duration DEFAULT_HORIZON = Duration.ofHours(24);

  /** The share of the host's gaps between uses an adaptive horizon covers. */
  static final double HORIZON_GAP_QUANTILE = 0.95;

  /** Below this many observed gaps an adaptive horizon is the longest one. */
  static final int MIN_GAPS_FOR_HORIZON = 20;

  static final GapReuseModel DEFAULT = adaptive(DEFAULT_HORIZON);

  private final Duration horizon;
  private final boolean adaptive;

  /**
   * A model with its own horizon.
   *
   * @throws IllegalArgumentException when the horizon is not positive
   */
  public GapReuseModel(Duration horizon) {
    this(horizon, false);
  }

  private GapReuseModel(Duration horizon, boolean adaptive) {
    if (horizon == null || horizon.isNegative() || horizon.isZero()) {
      throw new IllegalArgumentException("horizon must be positive, was " + horizon);
    }
    this.horizon = horizon;
    this.adaptive = adaptive;
  }

  /**
   * A model whose horizon is derived per plan from the host's gaps between uses (see the class
   * comment), at most {@code maxHorizon}.
   *
   * @throws IllegalArgumentException when the horizon is not positive
   */
  public static GapReuseModel adaptive(Duration maxHorizon) {
    return new GapReuseModel(maxHorizon, true);
  }

  /** The horizon of "needed again": fixed, or the longest one when {@link #adaptive}. */
  public Duration horizon() {
    return horizon;
  }

  /** A plan's horizon and, for an adaptive one, where it came from (for the evidence). */
  record Horizon(long seconds, String why) {}

  /**
   * The horizon for a host whose completed gaps between uses are {@code sortedGaps} and whose use
   * history covers {@code historySeconds} (-1: no use known): the fixed one, or the adaptive one
   * (see the class comment).
   */
  Horizon horizon(long[] sortedGaps, long historySeconds) {
    long longest = horizon.getSeconds();
    if (!adaptive) {
      return new Horizon(longest, "");
    }
    long shortest = UseTimes.MIN_SPACING.getSeconds();
    long seconds = longest;
    String why = "";
    if (sortedGaps.length >= MIN_GAPS_FOR_HORIZON) {
      long quantile = sortedGaps[Math.min(sortedGaps.length - 1, (int) (HORIZON_GAP_QUANTILE * sortedGaps.length))];
      if (quantile < seconds) {
        seconds = Math.max(shortest, quantile);
        why = String.format(Locale.ROOT, " (%.0f %% of the host's %d gaps between uses are shorter)",
            100 * HORIZON_GAP_QUANTILE, sortedGaps.length);
      }
    }
    if (historySeconds >= 0 && historySeconds / 2 < seconds) {
      // a horizon longer than half the history could not be checked against it: no silence would
      // reach t + H, every observation would be a hit
      seconds = Math.max(shortest, historySeconds / 2);
      why = " (half of the " + human(historySeconds) + " the host's use history covers)";
    }
    return new Horizon(seconds, why);
  }

  @Override
  public Estimates prepare(Inventory inventory, UsageHistory history, Instant now) {
    Map<String, Observations> byRepository = new HashMap<>();
    Map<String, long[]> gapsById = new HashMap<>();
    Map<String, Long> silenceById = new HashMap<>();
    java.util.Set<String> awaitingFirstUse = new java.util.HashSet<>();
    Observations.Builder fetches = new Observations.Builder(); // fetch-to-first-use delays
    Map<String, Integer> usesById = new HashMap<>();
    Map<String, Long> sinceLastUseById = new HashMap<>();
    Map<String, Long> spanById = new HashMap<>();
    Observations.Builder global = new Observations.Builder();
    Instant[] earliestUse = new Instant[1];
    Map<String, List<Instant>> repoUses = new HashMap<>();
    Map<String, ImageInfo> newestByRepo = new HashMap<>();
    Map<String, Observations.Builder> repoBuilders = new HashMap<>();
    for (ImageInfo image : inventory.images()) {
      List<Instant> uses = sortedUses(history, image.id(), now);
      long[] gaps = new long[Math.max(0, uses.size() - 1)];
      for (int i = 1; i < uses.size(); i++) {
        gaps[i - 1] = Duration.between(uses.get(i - 1), uses.get(i)).getSeconds();
      }
      Optional<Instant> fetched = history.imageFirstSeen(image.id()).filter(at -> !at.isAfter(now));
      Instant silentSince =
          uses.isEmpty()
              ? fetched.orElse(image.createdAt())
              : uses.get(uses.size() - 1);
      if (fetched.isPresent()) {
        // a fetch is a need: fetched again after its last use (a re-pull), it is silent since then
        Instant firstUseSinceFetch = null;
        for (Instant at : uses) {
          if (!at.isBefore(fetched.get())) {
            firstUseSinceFetch = at;
            break;
          }
        }
        if (firstUseSinceFetch == null) {
          silentSince = fetched.get();
          awaitingFirstUse.add(image.id());
          fetches.add(new long[0], Math.max(0, Duration.between(fetched.get(), now).getSeconds()));
        } else {
          fetches.add(new long[] {Duration.between(fetched.get(), firstUseSinceFetch).getSeconds()}, -1);
        }
      } else if (uses.isEmpty()) {
        awaitingFirstUse.add(image.id()); // no fetch known: silent since Created
      }
      long silence = Math.max(0, Duration.between(silentSince, now).getSeconds());
      gapsById.put(image.id(), gaps);
      silenceById.put(image.id(), silence);
      usesById.put(image.id(), uses.size());
      if (!uses.isEmpty()) {
        sinceLastUseById.put(image.id(), Math.max(0, Duration.between(uses.get(uses.size() - 1), now).getSeconds()));
      }
      spanById.put(
          image.id(),
          uses.size() < 2 ? 0 : Duration.between(uses.get(0), uses.get(uses.size() - 1)).getSeconds());
      global.add(gaps, silence);
      if (!uses.isEmpty() && (earliestUse[0] == null || uses.get(0).isBefore(earliestUse[0]))) {
        earliestUse[0] = uses.get(0);
      }
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
          if (earliestUse[0] == null || uses.get(0).isBefore(earliestUse[0])) {
            earliestUse[0] = uses.get(0);
          }
          for (String repo : new java.util.TreeSet<>(history.imageRepositories(e.getKey()))) {
            repoBuilders.computeIfAbsent(repo, r -> new Observations.Builder()).add(gaps, silence);
            repoUses.computeIfAbsent(repo, r -> new ArrayList<>()).addAll(uses);
          }
        });
    Observations all = global.build();
    Observations fetchDelays = fetches.build();
    Horizon chosen = horizon(all.gaps, earliestUse[0] == null ? -1 : Duration.between(earliestUse[0], now).getSeconds());
    long horizonSeconds = chosen.seconds();
    String horizonNote = chosen.why();
    repoBuilders.forEach((repo, b) -> byRepository.put(repo, b.build()));
    repoUses.values().forEach(list -> list.sort(null));
    return image -> {
      long[] gaps = gapsById.getOrDefault(image.id(), new long[0]);
      long t = silenceById.getOrDefault(image.id(), 0L);
      int uses = usesById.getOrDefault(image.id(), 0);
      long sinceLastUse = sinceLastUseById.getOrDefault(image.id(), t);
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
      String fetchNote = "";
      if (awaitingFirstUse.contains(image.id())) {
        // awaiting its first use since a fetch: the host's fetch-to-first-use delays, with the reuse
        // estimate as one pseudo-observation
        int fetchHits = fetchDelays.hits(t, horizonSeconds);
        int fetchObs = fetchDelays.observations(t, horizonSeconds);
        double reuse = p;
        p = (fetchHits + reuse) / (fetchObs + 1.0);
        fetchNote = String.format(Locale.ROOT, "; not used since fetched %s ago: fetches silent > %s then used within %s: "
            + "%d of %d (with reuse %.2f: %.2f)", human(t), human(t), human(horizonSeconds), fetchHits, fetchObs, reuse, p);
      }
      String newestNote = "";
      if (repo != null && newestByRepo.get(repo).id().equals(image.id())) {
        // The newest image of a repository holds the layers its next build or pull starts from
        // (base, dependencies): it counts with the repository's own rate of use.
        List<Instant> merged = repoUses.get(repo); // sorted below, before any estimate
        double repoP = repositoryChance(merged, now, horizonSeconds);
        if (repoP > p) {
          p = repoP;
          newestNote = String.format(Locale.ROOT, "; newest image of %s, whose next build reuses its layers: "
              + "repository used %d× in %s, P=%.2f", repo, merged.size(),
              human(Duration.between(merged.get(0), merged.get(merged.size() - 1)).getSeconds()), repoP);
        }
      }
      p = Math.max(0, Math.min(1, p));
      return new ReuseEstimate(p, repull,
          evidence(uses, span, gaps, sinceLastUse, t, ownHits, ownObs, repo, repoHits, repoCount, prior, p, repull,
              fetchNote + newestNote, horizonSeconds, horizonNote));
    };
  }

  private String evidence(int uses, long spanSeconds, long[] gaps, long sinceLastUse, long t, int ownHits, int ownObs,
      String repo, int repoHits, int repoObs, double prior, double p, long repull, String notes,
      long horizonSeconds, String horizonNote) {
    StringBuilder text = new StringBuilder();
    if (uses == 0) {
      text.append("never used, first seen ").append(human(t)).append(" ago");
    } else if (uses == 1) {
      text.append("used once, ").append(human(sinceLastUse)).append(" ago");
    } else {
      long median = median(gaps);
      text.append("used ").append(uses).append("× in ").append(human(spanSeconds))
          .append(", every ~").append(human(median))
          .append("; last use ").append(human(sinceLastUse)).append(" ago, ");
      text.append(median > sinceLastUse ? "next use likely in " + human(median - sinceLastUse)
          : "overdue by " + human(sinceLastUse - median));
    }
    text.append("; silences > ").append(human(t)).append(" ended in a use within ").append(human(horizonSeconds))
        .append(horizonNote).append(": own ").append(ownHits).append(" of ").append(ownObs);
    if (repo != null) {
      text.append(", repository ").append(repo).append(' ').append(repoHits).append(" of ").append(repoObs);
    }
    text.append(String.format(Locale.ROOT, ", host-wide %.2f", prior));
    text.append(notes);
    text.append(String.format(Locale.ROOT, "; P(use within %s)=%.2f; re-pull %s; expected %s", human(horizonSeconds),
        p, Bytes.human(repull), Bytes.human(Math.round(p * repull))));
    return text.toString();
  }

  /**
   * The chance that a repository is used within the horizon, from its rate of use: {@code 1 -
   * exp(-rate × H)} with {@code rate = (uses - 1) / span}, while its silence is within twice its
   * longest gap (at least the horizon: a weekend is no abandonment); a repository silent longer
   * than that counts as abandoned (0).
   */
  private static double repositoryChance(List<Instant> uses, Instant now, long horizonSeconds) {
    if (uses.size() < 2) {
      return 0;
    }
    long span = Duration.between(uses.get(0), uses.get(uses.size() - 1)).getSeconds();
    long longestGap = 0;
    for (int i = 1; i < uses.size(); i++) {
      longestGap = Math.max(longestGap, Duration.between(uses.get(i - 1), uses.get(i)).getSeconds());
    }
    long silence = Duration.between(uses.get(uses.size() - 1), now).getSeconds();
    if (span <= 0 || silence > Math.max(2 * longestGap, horizonSeconds)) {
      return 0;
    }
    double ratePerSecond = (uses.size() - 1) / (double) span;
    return 1 - Math.exp(-ratePerSecond * horizonSeconds);
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
        if (silence < 0) {
          return; // gaps only
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
