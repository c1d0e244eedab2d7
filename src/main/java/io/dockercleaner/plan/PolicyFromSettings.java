package io.dockercleaner.plan;

import io.dockercleaner.config.LabelFilter;
import io.dockercleaner.config.Settings;
import io.dockercleaner.core.ResourceType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one place where the configuration becomes a {@link PlanPolicy}: every trigger — one-shot,
 * schedule, start, threshold, HTTP, plan apply, dry run — plans with a policy made here, so a
 * protection set in the configuration applies to all of them by construction. What differs per
 * trigger is only the budget (and, for targeted runs, the types asked for and the critical flag).
 */
public final class PolicyFromSettings {
  private PolicyFromSettings() {}

  /**
   * The policy of the configuration.
   *
   * @param buildCacheSupported whether the daemon can prune build cache (Podman cannot)
   * @param agentStartedAt when the agent started, or null for the one-shot (no usage history)
   */
  public static PlanPolicy.Builder builder(Settings settings, boolean buildCacheSupported, Instant agentStartedAt) {
    Set<ResourceType> enabled = EnumSet.noneOf(ResourceType.class);
    if (settings.containersEnabled()) {
      enabled.add(ResourceType.CONTAINER);
    }
    if (settings.imagesEnabled()) {
      enabled.add(ResourceType.IMAGE);
    }
    if (settings.volumesEnabled()) {
      enabled.add(ResourceType.VOLUME);
    }
    if (settings.networksEnabled()) {
      enabled.add(ResourceType.NETWORK);
    }
    if (settings.buildCacheEnabled() && buildCacheSupported) {
      enabled.add(ResourceType.BUILD_CACHE);
    }
    PlanPolicy.Builder b = PlanPolicy.builder(agentStartedAt)
        .labelFilter(labels(settings.labelFilters()))
        .keepImagePatterns(settings.keepImages())
        .keepTagsPerRepo(settings.keepTagsPerRepo())
        .skipKubeletManaged(settings.skipKubeletManaged())
        .minAge(settings.minAge())
        .quietPeriod(agentStartedAt == null ? java.time.Duration.ZERO : settings.quietPeriod())
        .enabledTypes(enabled)
        .volumesAll(settings.pruneVolumesAll())
        .imagesAll(settings.pruneAll())
        .buildCacheAll(settings.pruneAll())
        .cleanupPolicy(settings.cleanupPolicy());
    settings.until().relativeAge().ifPresent(b::untilAge);
    settings.until().absoluteCutoff().ifPresent(b::untilInstant);
    return b;
  }

  /** The label filters as one predicate (the daemon ANDs them) that knows its daemon form. */
  public static DaemonLabelFilters labels(List<LabelFilter> filters) {
    List<LabelFilter> copy = List.copyOf(filters);
    return new DaemonLabelFilters() {
      @Override
      public boolean test(Map<String, String> labels) {
        for (LabelFilter f : copy) {
          if (!f.matches(labels)) {
            return false;
          }
        }
        return true;
      }

      @Override
      public List<String[]> daemonFilters() {
        List<String[]> out = new ArrayList<>();
        for (LabelFilter f : copy) {
          out.add(new String[] {f.dockerFilterKey(), f.dockerFilterValue()});
        }
        return out;
      }
    };
  }
}
