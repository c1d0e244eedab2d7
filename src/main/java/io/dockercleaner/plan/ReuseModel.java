package io.dockercleaner.plan;

import java.time.Instant;

/**
 * Estimates, per image, the chance that it is needed again soon and the bytes that would cost
 * ({@code CLEANUP_POLICY=cost}). Pure: the inventory, the usage history and the time are inputs.
 * The planner asks {@link #prepare} once per plan, then {@link Estimates#estimate} per candidate.
 */
public interface ReuseModel {

  /**
   * Prepares the estimates of one plan (e.g. indexes the use history of every image once).
   *
   * @param inventory what exists
   * @param history uses, first-seen times
   * @param now the time the plan is made for
   */
  Estimates prepare(Inventory inventory, UsageHistory history, Instant now);

  /** The estimates of one plan. */
  interface Estimates {
    /** The estimate for one image of the inventory {@link #prepare} was given. */
    ReuseEstimate estimate(ImageInfo image);
  }

  /**
   * The shipped model: {@link GapReuseModel#adaptive} with at most a 24 h horizon (shorter on a host
   * whose reuse comes within minutes, or whose use history is younger than two days).
   */
  static ReuseModel standard() {
    return GapReuseModel.DEFAULT;
  }
}
