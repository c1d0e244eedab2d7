package io.dockercleaner.config;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * PRUNE_FILTER_UNTIL: only resources created before a cutoff are pruned. Either none (no age
 * filter), relative (older than an age, measured from the run's {@code now}) or absolute (a fixed
 * instant).
 *
 * <p>Callers pass the same {@code now} to every call of one run, so that all prune calls of the
 * run use the same cutoff even if the run takes minutes.
 */
public final class UntilFilter {
  private static final UntilFilter NONE = new UntilFilter(null, null);

  private final Duration age;
  private final Instant absolute;

  private UntilFilter(Duration age, Instant absolute) {
    this.age = age;
    this.absolute = absolute;
  }

  /** No age filter. */
  public static UntilFilter none() {
    return NONE;
  }

  /** Resources older than {@code age} at the run's start; a zero age means no filter. */
  public static UntilFilter relative(Duration age) {
    if (age.isNegative()) {
      throw new IllegalArgumentException("negative age " + age);
    }
    return age.isZero() ? NONE : new UntilFilter(age, null);
  }

  /** Resources created before {@code cutoff}. */
  public static UntilFilter absolute(Instant cutoff) {
    return new UntilFilter(null, Objects.requireNonNull(cutoff));
  }

  /** False when there is no age filter. */
  public boolean isEnabled() {
    return age != null || absolute != null;
  }

  /** The age, when relative. */
  public Optional<Duration> relativeAge() {
    return Optional.ofNullable(age);
  }

  /** The fixed cutoff, when absolute. */
  public Optional<Instant> absoluteCutoff() {
    return Optional.ofNullable(absolute);
  }

  /** The cutoff for a run started at {@code now}; empty when there is no age filter. */
  public Optional<Instant> cutoff(Instant now) {
    if (age != null) {
      return Optional.of(now.minus(age));
    }
    return Optional.ofNullable(absolute);
  }

  /**
   * The value of the Docker Engine {@code until} filter for a run started at {@code now}: the
   * cutoff in whole unix seconds (absolute, so every call of one run agrees); {@code ""} when
   * there is no age filter (then send no {@code until} filter at all).
   */
  public String dockerFilterValue(Instant now) {
    return cutoff(now).map(c -> Long.toString(c.getEpochSecond())).orElse("");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UntilFilter u && Objects.equals(age, u.age) && Objects.equals(absolute, u.absolute);
  }

  @Override
  public int hashCode() {
    return Objects.hash(age, absolute);
  }

  @Override
  public String toString() {
    if (age != null) {
      // as the user writes it: 24h, 1h30m (not ISO-8601's PT24H)
      return "older than " + age.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    }
    return absolute != null ? "created before " + absolute : "no age filter";
  }
}
