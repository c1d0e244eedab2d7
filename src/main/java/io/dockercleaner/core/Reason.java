package io.dockercleaner.core;

/**
 * Why an object was planned for removal or skipped. One vocabulary for logs, metrics labels
 * ({@link #label()}), run records and webhook payloads.
 */
public enum Reason {
  // why removed
  STOPPED_CONTAINER("stopped_container"),
  DANGLING_IMAGE("dangling_image"),
  UNUSED_BUILD_CACHE("unused_build_cache"),
  UNUSED_IMAGE("unused_image"),
  UNUSED_VOLUME("unused_volume"),
  UNUSED_NETWORK("unused_network"),
  // why skipped
  PROTECTED_LABEL("protected_label"),
  KEEP_IMAGES_PATTERN("keep_images_pattern"),
  KEEP_TAGS_PER_REPO("keep_tags_per_repo"),
  IN_USE("in_use"),
  /** An image a Swarm service spec references (or, on a worker, a swarm task of this node). */
  SWARM_SERVICE("swarm_service"),
  /** A container the kubelet manages ({@code io.kubernetes.*} labels), or an image one uses. */
  KUBELET_MANAGED("kubelet_managed"),
  RUNNING("running"),
  TOO_YOUNG("too_young"),
  RECENTLY_TOUCHED("recently_touched"),
  NAMED_VOLUME("named_volume"),
  REMOVAL_IN_PROGRESS("removal_in_progress"),
  CONFLICT("conflict"),
  NOT_FOUND("not_found"),
  BUDGET_EXHAUSTED("budget_exhausted"),
  SHUTDOWN("shutdown"),
  DEADLINE("deadline"),
  TARGET_REACHED("target_reached"),
  UNSUPPORTED("unsupported"),
  DRY_RUN("dry_run");

  private final String label;

  Reason(String label) {
    this.label = label;
  }

  /** Why an object of this type is removed by the configured (one-shot) sequence. */
  public static Reason removalOf(ResourceType type) {
    return switch (type) {
      case CONTAINER -> STOPPED_CONTAINER;
      case IMAGE -> UNUSED_IMAGE;
      case VOLUME -> UNUSED_VOLUME;
      case NETWORK -> UNUSED_NETWORK;
      case BUILD_CACHE -> UNUSED_BUILD_CACHE;
    };
  }

  /** snake_case label used in metrics and payloads. */
  public String label() {
    return label;
  }
}
