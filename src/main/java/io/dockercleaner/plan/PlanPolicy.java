package io.dockercleaner.plan;

import io.dockercleaner.core.ResourceType;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What the planner may remove. A plain value, validated once at construction; the config layer
 * builds it from the environment.
 *
 * @param labelFilter true for label sets that may be removed (e.g. {@code keep!=true} rejects
 *     {@code keep=true}); objects it rejects are skipped with {@code PROTECTED_LABEL}
 * @param keepImagePatterns {@code KEEP_IMAGES} globs, see {@link ImagePattern}
 * @param keepTagsPerRepo {@code KEEP_TAGS_PER_REPO}: the newest N tags of each repository are
 *     kept (by image Created); 0 = off
 * @param minAge {@code MIN_AGE}: nothing used or first seen more recently is removed
 * @param quietPeriod {@code QUIET_PERIOD}: nothing an event touched more recently is removed
 * @param enabledTypes types to plan; others are ignored (not even listed as skipped)
 * @param volumesAll also named volumes (not only anonymous ones)
 * @param maxDeletions at most this many steps per plan
 * @param agentStartedAt when the agent started: the first-seen time of images without history;
 *     {@code null} when there is no agent and no usage history (the one-shot): images then count
 *     from their Created time
 * @param critical disk usage is above the critical watermark: images without history count as
 *     first seen at their Created time instead of at agent start
 * @param untilAge {@code PRUNE_FILTER_UNTIL} as an age (sweeps only: objects created more recently
 *     than {@code now - untilAge} are kept); {@code null} when not relative
 * @param untilInstant {@code PRUNE_FILTER_UNTIL} as a fixed instant; {@code null} when not absolute
 * @param imagesAll {@code PRUNE_ALL}: sweeps remove every unused image, not only dangling ones
 * @param buildCacheAll {@code PRUNE_ALL}: sweeps also remove shared and internal build cache
 * @param skipKubeletManaged {@code KUBELET_MANAGED=skip}: containers with {@code io.kubernetes.*}
 *     labels and the images they use are never planned ({@code KUBELET_MANAGED}): the kubelet
 *     garbage-collects them itself
 * @param cleanupPolicy {@code CLEANUP_POLICY}: the order of unused tagged images in targeted plans
 * @param reuseModel the estimates {@link CleanupPolicy#COST} orders by (and prints as evidence)
 */
public record PlanPolicy(
    Predicate<Map<String, String>> labelFilter,
    List<String> keepImagePatterns,
    int keepTagsPerRepo,
    Duration minAge,
    Duration quietPeriod,
    Set<ResourceType> enabledTypes,
    boolean volumesAll,
    int maxDeletions,
    Instant agentStartedAt,
    boolean critical,
    Duration untilAge,
    Instant untilInstant,
    boolean imagesAll,
    boolean buildCacheAll,
    boolean skipKubeletManaged,
    CleanupPolicy cleanupPolicy,
    ReuseModel reuseModel) {

  /** The label prefix the kubelet (through dockershim or cri-dockerd) puts on its containers. */
  public static final String KUBELET_LABEL_PREFIX = "io.kubernetes.";

  /** True when these container labels mark a container the kubelet manages. */
  public static boolean kubeletManaged(Map<String, String> labels) {
    for (String key : labels.keySet()) {
      if (key.startsWith(KUBELET_LABEL_PREFIX)) {
        return true;
      }
    }
    return false;
  }

  /** Types planned unless configured otherwise: volumes are opt-in, networks have no size. */
  public static final Set<ResourceType> DEFAULT_ENABLED_TYPES =
      Set.copyOf(EnumSet.of(ResourceType.CONTAINER, ResourceType.IMAGE, ResourceType.BUILD_CACHE));

  /** No limit on the number of steps. */
  public static final int UNLIMITED_DELETIONS = Integer.MAX_VALUE;

  /**
   * Validates every component.
   *
   * @throws NullPointerException naming a missing component
   * @throws IllegalArgumentException with a message naming the bad component and its value
   */
  public PlanPolicy {
    Objects.requireNonNull(labelFilter, "labelFilter must not be null");
    Objects.requireNonNull(keepImagePatterns, "keepImagePatterns must not be null");
    Objects.requireNonNull(minAge, "minAge must not be null");
    Objects.requireNonNull(quietPeriod, "quietPeriod must not be null");
    Objects.requireNonNull(enabledTypes, "enabledTypes must not be null");
    Objects.requireNonNull(cleanupPolicy, "cleanupPolicy must not be null");
    Objects.requireNonNull(reuseModel, "reuseModel must not be null");
    if (untilAge != null && untilInstant != null) {
      throw new IllegalArgumentException("untilAge and untilInstant are exclusive");
    }
    if (untilAge != null && (untilAge.isNegative() || untilAge.isZero())) {
      untilAge = null; // zero = no age filter, as PRUNE_FILTER_UNTIL=0
    }
    keepImagePatterns = List.copyOf(keepImagePatterns);
    for (String pattern : keepImagePatterns) {
      try {
        ImagePattern.compile(pattern);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("keepImagePatterns: " + e.getMessage(), e);
      }
    }
    if (keepTagsPerRepo < 0) {
      throw new IllegalArgumentException("keepTagsPerRepo must be >= 0, was " + keepTagsPerRepo);
    }
    if (minAge.isNegative()) {
      throw new IllegalArgumentException("minAge must not be negative, was " + minAge);
    }
    if (quietPeriod.isNegative()) {
      throw new IllegalArgumentException("quietPeriod must not be negative, was " + quietPeriod);
    }
    if (maxDeletions < 1) {
      throw new IllegalArgumentException("maxDeletions must be >= 1, was " + maxDeletions);
    }
    enabledTypes = Set.copyOf(enabledTypes);
  }

  /**
   * A builder with permissive defaults: every label set allowed, no keep patterns, keep-tags
   * off, no minimum age, no quiet period, {@link #DEFAULT_ENABLED_TYPES}, anonymous volumes only,
   * unlimited deletions, not critical; kubelet-managed objects skipped (the product's default);
   * {@link CleanupPolicy#LRU}, {@link ReuseModel#standard()}.
   */
  public static Builder builder(Instant agentStartedAt) {
    return new Builder(agentStartedAt);
  }

  /**
   * The {@code until} cut-off of a sweep made at {@code now}, in whole seconds as the daemon's
   * prune filters take it: objects created after it are kept. Empty without an age filter.
   */
  public Optional<Instant> untilCutoff(Instant now) {
    Instant cutoff = untilInstant != null ? untilInstant : untilAge != null ? minusClamped(now, untilAge) : null;
    return Optional.ofNullable(cutoff).map(c -> c.truncatedTo(ChronoUnit.SECONDS));
  }

  /** Whether the planner knows the agent's usage history (false for the one-shot). */
  public boolean hasAgent() {
    return agentStartedAt != null;
  }

  static Instant minusClamped(Instant now, Duration duration) {
    // a huge age must not overflow Instant
    try {
      return now.minus(duration);
    } catch (ArithmeticException | java.time.DateTimeException e) {
      return Instant.MIN;
    }
  }

  /** True if the planner may plan objects of this type. */
  public boolean enabled(ResourceType type) {
    return enabledTypes.contains(type);
  }

  /** Builds a {@link PlanPolicy}; {@link #build()} validates. */
  public static final class Builder {
    private Predicate<Map<String, String>> labelFilter = labels -> true;
    private List<String> keepImagePatterns = List.of();
    private boolean skipKubeletManaged = true;
    private int keepTagsPerRepo;
    private Duration minAge = Duration.ZERO;
    private Duration quietPeriod = Duration.ZERO;
    private Set<ResourceType> enabledTypes = DEFAULT_ENABLED_TYPES;
    private boolean volumesAll;
    private int maxDeletions = UNLIMITED_DELETIONS;
    private Instant agentStartedAt;
    private boolean critical;
    private Duration untilAge;
    private Instant untilInstant;
    private boolean imagesAll;
    private boolean buildCacheAll;
    private CleanupPolicy cleanupPolicy = CleanupPolicy.LRU;
    private ReuseModel reuseModel = ReuseModel.standard();

    private Builder(Instant agentStartedAt) {
      this.agentStartedAt = agentStartedAt;
    }

    /** See {@link PlanPolicy#labelFilter()}. */
    public Builder labelFilter(Predicate<Map<String, String>> labelFilter) {
      this.labelFilter = labelFilter;
      return this;
    }

    /** See {@link PlanPolicy#keepImagePatterns()}. */
    public Builder keepImagePatterns(List<String> keepImagePatterns) {
      this.keepImagePatterns = keepImagePatterns;
      return this;
    }

    /** See {@link PlanPolicy#keepTagsPerRepo()}. */
    public Builder keepTagsPerRepo(int keepTagsPerRepo) {
      this.keepTagsPerRepo = keepTagsPerRepo;
      return this;
    }

    /** See {@link PlanPolicy#minAge()}. */
    public Builder minAge(Duration minAge) {
      this.minAge = minAge;
      return this;
    }

    /** See {@link PlanPolicy#quietPeriod()}. */
    public Builder quietPeriod(Duration quietPeriod) {
      this.quietPeriod = quietPeriod;
      return this;
    }

    /** See {@link PlanPolicy#enabledTypes()}. */
    public Builder enabledTypes(Set<ResourceType> enabledTypes) {
      this.enabledTypes = enabledTypes;
      return this;
    }

    /** See {@link PlanPolicy#volumesAll()}. */
    public Builder volumesAll(boolean volumesAll) {
      this.volumesAll = volumesAll;
      return this;
    }

    /** See {@link PlanPolicy#maxDeletions()}. */
    public Builder maxDeletions(int maxDeletions) {
      this.maxDeletions = maxDeletions;
      return this;
    }

    /** See {@link PlanPolicy#agentStartedAt()}. */
    public Builder agentStartedAt(Instant agentStartedAt) {
      this.agentStartedAt = agentStartedAt;
      return this;
    }

    /** See {@link PlanPolicy#critical()}. */
    public Builder critical(boolean critical) {
      this.critical = critical;
      return this;
    }

    /** See {@link PlanPolicy#untilAge()}. */
    public Builder untilAge(Duration untilAge) {
      this.untilAge = untilAge;
      this.untilInstant = null;
      return this;
    }

    /** See {@link PlanPolicy#untilInstant()}. */
    public Builder untilInstant(Instant untilInstant) {
      this.untilInstant = untilInstant;
      this.untilAge = null;
      return this;
    }

    /** See {@link PlanPolicy#imagesAll()}. */
    public Builder imagesAll(boolean imagesAll) {
      this.imagesAll = imagesAll;
      return this;
    }

    /** See {@link PlanPolicy#buildCacheAll()}. */
    public Builder buildCacheAll(boolean buildCacheAll) {
      this.buildCacheAll = buildCacheAll;
      return this;
    }

    /** See {@link PlanPolicy#skipKubeletManaged()}. */
    public Builder skipKubeletManaged(boolean skipKubeletManaged) {
      this.skipKubeletManaged = skipKubeletManaged;
      return this;
    }

    /** See {@link PlanPolicy#cleanupPolicy()}. */
    public Builder cleanupPolicy(CleanupPolicy cleanupPolicy) {
      this.cleanupPolicy = cleanupPolicy;
      return this;
    }

    /** See {@link PlanPolicy#reuseModel()}. */
    public Builder reuseModel(ReuseModel reuseModel) {
      this.reuseModel = reuseModel;
      return this;
    }

    /** Builds and validates the policy. */
    public PlanPolicy build() {
      return new PlanPolicy(
          labelFilter,
          keepImagePatterns,
          keepTagsPerRepo,
          minAge,
          quietPeriod,
          enabledTypes,
          volumesAll,
          maxDeletions,
          agentStartedAt,
          critical,
          untilAge,
          untilInstant,
          imagesAll,
          buildCacheAll,
          skipKubeletManaged,
          cleanupPolicy,
          reuseModel);
    }
  }
}
