package io.dockercleaner.plan;

import io.dockercleaner.core.ResourceType;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Read-only view of what the agent has observed (persisted last-use state and recent events).
 * Implementations must be side-effect free: the planner may call each method many times.
 */
public interface UsageHistory {

  /** The most uses per image an implementation needs to keep (the agent keeps this many). */
  int MAX_IMAGE_USES = 64;

  /** No history at all (first start, or state lost). */
  UsageHistory EMPTY =
      new UsageHistory() {
        @Override
        public Optional<Instant> imageLastUsed(String imageId) {
          return Optional.empty();
        }

        @Override
        public Optional<Instant> imageFirstSeen(String imageId) {
          return Optional.empty();
        }

        @Override
        public Optional<Instant> containerExitedAt(String containerId) {
          return Optional.empty();
        }

        @Override
        public Optional<Instant> lastTouched(ResourceType type, String id) {
          return Optional.empty();
        }
      };

  /** When a container last used (ran from) the image, if known. */
  Optional<Instant> imageLastUsed(String imageId);

  /** When the agent first saw the image, if known. */
  Optional<Instant> imageFirstSeen(String imageId);

  /** When the container last exited, as observed from events, if known. */
  Optional<Instant> containerExitedAt(String containerId);

  /** When any event last touched the object, if known (id = volume name for volumes). */
  Optional<Instant> lastTouched(ResourceType type, String id);

  /**
   * The recent uses of the image (container create/start), in any order, bounded by the
   * implementation (the agent keeps the last {@link #MAX_IMAGE_USES}). The default
   * knows only the last use.
   */
  default List<Instant> imageUses(String imageId) {
    return imageLastUsed(imageId).map(List::of).orElse(List.of());
  }

  /**
   * Every use history known by image ID, including images that are gone (deleted and not needed
   * since: their silence is evidence too, and leaving them out would only count the survivors).
   * The default knows none.
   */
  default java.util.Map<String, List<Instant>> allImageUses() {
    return java.util.Map.of();
  }

  /**
   * The repositories ({@code repo} of {@code repo:tag}) the image was seen tagged in, also after it
   * is gone, so that a deleted image's history still counts for its repository. The default knows
   * none.
   */
  default java.util.Set<String> imageRepositories(String imageId) {
    return java.util.Set.of();
  }
}
