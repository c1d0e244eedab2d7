package io.dockercleaner.plan;

import java.util.Locale;

/**
 * How a targeted plan orders the unused tagged images that every protection of the core already
 * allows ({@code CLEANUP_POLICY}; {@code age} only for {@code replay}). The policy never adds a
 * candidate: it only reorders them.
 */
public enum CleanupPolicy {
  /** Least recently used first (docuum, kubelet image GC): the default. */
  LRU,
  /** Oldest image ({@code Created}) first, whatever its use: the {@code until} filter's view. */
  AGE,
  /**
   * Least expected re-pull cost per byte freed first: the {@link ReuseModel}'s chance that the
   * image is needed again within its horizon, ties by LRU.
   */
  COST;

  /** The lower-case name used in settings, flags and output. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
