package io.dockercleaner.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.core.ResourceType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GapReuseModelTest {
  private static final Instant NOW = Instant.parse("2026-01-20T22:00:00Z");
  private static final long MB = 1_000_000L;

  /** A history of uses (also of images that are gone) and, optionally, fetch times. */
  private static final class Uses implements UsageHistory {
    final Map<String, List<Instant>> uses = new HashMap<>();
    final Map<String, Instant> fetched = new HashMap<>();

    Uses add(String id, Instant... at) {
      uses.computeIfAbsent(id, k -> new ArrayList<>()).addAll(List.of(at));
      return this;
    }

    /** The image was (last) fetched at {@code at}: its first-seen time since it is present. */
    Uses fetched(String id, Instant at) {
      fetched.put(id, at);
      return this;
    }

    @Override
    public Map<String, List<Instant>> allImageUses() {
      return Map.copyOf(uses);
    }

    @Override
    public Optional<Instant> imageLastUsed(String imageId) {
      List<Instant> u = uses.get(imageId);
      return u == null ? Optional.empty() : Optional.of(u.get(u.size() - 1));
    }

    @Override
    public Optional<Instant> imageFirstSeen(String imageId) {
      return Optional.ofNullable(fetched.get(imageId));
    }

    @Override
    public Optional<Instant> containerExitedAt(String containerId) {
      return Optional.empty();
    }

    @Override
    public Optional<Instant> lastTouched(ResourceType type, String id) {
      return Optional.empty();
    }

    @Override
    public List<Instant> imageUses(String imageId) {
      return uses.getOrDefault(imageId, List.of());
    }
  }

  private static ImageInfo image(String id, String tag, long bytes) {
    return new ImageInfo(id, null, List.of(tag), Instant.parse("2026-01-01T00:00:00Z"), bytes, 0, Map.of());
  }

  private static Instant[] daily(Instant last, int count) {
    Instant[] out = new Instant[count];
    for (int i = 0; i < count; i++) {
      out[i] = last.minus(Duration.ofDays(count - 1 - i));
    }
    return out;
  }

  @Test
  void aNightlyImageSilentLessThanADayIsLikelyNeededAndSaysWhy() {
    ImageInfo tool = image("sha256:tool", "tools/tool:stable", 412 * MB);
    Uses history = new Uses().add(tool.id(), daily(NOW.minus(Duration.ofHours(20)), 9));
    ReuseEstimate e = ReuseModel.standard().prepare(new Inventory(List.of(), List.of(tool), List.of(), List.of()),
        history, NOW).estimate(tool);
    assertThat(e.probability()).isGreaterThan(0.85);
    assertThat(e.repullBytes()).isEqualTo(412 * MB);
    assertThat(e.evidence())
        .startsWith("used 9× in 8d, every ~1d; last use 20h ago, next use likely in 4h")
        .contains("own 8 of 8")
        .contains("re-pull 412 MB");
  }

  @Test
  void aBurstImageWhoseRepositoryPeersWentSilentIsUnlikelyNeeded() {
    List<ImageInfo> images = new ArrayList<>();
    Uses history = new Uses();
    for (int i = 0; i < 6; i++) { // earlier branches: a burst of 3 uses, then silence for days
      ImageInfo peer = image("sha256:peer" + i, "app:feat-" + i, 40 * MB);
      images.add(peer);
      Instant start = NOW.minus(Duration.ofDays(2 + i));
      history.add(peer.id(), start, start.plusSeconds(600), start.plusSeconds(1200));
    }
    ImageInfo branch = image("sha256:branch", "app:feat-9", 40 * MB);
    images.add(branch);
    Instant start = NOW.minus(Duration.ofHours(5));
    history.add(branch.id(), start, start.plusSeconds(600), start.plusSeconds(1200));
    ReuseEstimate e = ReuseModel.standard().prepare(new Inventory(List.of(), images, List.of(), List.of()),
        history, NOW).estimate(branch);
    assertThat(e.probability()).isLessThan(0.1);
    assertThat(e.evidence()).contains("repository app 0 of 6");
  }

  @Test
  void moreSilenceNeverMakesAnImageWithoutLongerGapsMoreLikelyNeeded() {
    ImageInfo img = image("sha256:x", "x:1", 10 * MB);
    Instant first = Instant.parse("2026-01-10T00:00:00Z");
    Uses history = new Uses().add(img.id(), first, first.plus(Duration.ofHours(2)), first.plus(Duration.ofHours(4)));
    Inventory inventory = new Inventory(List.of(), List.of(img), List.of(), List.of());
    double previous = 1;
    for (int hours = 5; hours < 24 * 8; hours += 7) {
      double p = ReuseModel.standard().prepare(inventory, history, first.plus(Duration.ofHours(hours)))
          .estimate(img).probability();
      assertThat(p).as("after %d h", hours).isLessThanOrEqualTo(previous);
      previous = p;
    }
  }

  @Test
  void theModelIsPure() {
    ImageInfo img = image("sha256:x", "x:1", 10 * MB);
    Uses history = new Uses().add(img.id(), daily(NOW.minus(Duration.ofHours(3)), 4));
    Inventory inventory = new Inventory(List.of(), List.of(img), List.of(), List.of());
    assertThat(ReuseModel.standard().prepare(inventory, history, NOW).estimate(img))
        .isEqualTo(ReuseModel.standard().prepare(inventory, history, NOW).estimate(img));
  }

  /**
   * The recorded trace of bench/README.md ("A recorded trace"), where {@code cost} re-pulled 37 %
   * more than LRU at 200 MB: a CI host reusing within minutes. A tool deleted by an earlier cleanup
   * is pulled again (its run follows within seconds) while a branch built and run once 85 s ago
   * waits. The old model measured the tool's silence from its use before the deletion (100 s) with
   * a 24 h horizon that no silence of this 6-minute history can reach, so every observation was a
   * hit and the count of gaps longer than the silence alone ranked them: the tool (P 0.50) went
   * first, before the branch (P 0.83), and was pulled again at once. Now the fetch is a need, an
   * image not used since its fetch is judged by the host's fetch-to-first-use delays, and the
   * horizon is at most half the history.
   */
  @Test
  void aToolPulledAgainAndAwaitingItsRunGoesAfterABranchThatWentSilent() {
    Instant now = Instant.parse("2026-11-30T10:50:00Z");
    Uses history = new Uses();
    List<ImageInfo> images = new ArrayList<>();
    for (int i = 0; i < 8; i++) { // one-offs pulled, run once and deleted 4-6 minutes ago
      history.add("sha256:gone" + i, now.minusSeconds(360 - 15 * i));
    }
    ImageInfo branch = image("sha256:branch", "app:feat-1", 3 * MB);
    history.fetched(branch.id(), now.minusSeconds(90)).add(branch.id(), now.minusSeconds(85));
    ImageInfo lint = image("sha256:lint", "tools/lint:stable", 26 * MB);
    history.fetched(lint.id(), now.minusSeconds(300))
        .add(lint.id(), now.minusSeconds(296), now.minusSeconds(196), now.minusSeconds(96));
    ImageInfo scan = image("sha256:scan", "tools/scan:stable", 42 * MB);
    history.add(scan.id(), now.minusSeconds(100)) // run once, then a cleanup deleted it
        .fetched(scan.id(), now.minusSeconds(2)); // pulled again: its run comes next
    images.add(scan);
    images.add(lint);
    images.add(branch);
    Inventory inventory = new Inventory(List.of(), images, List.of(), List.of());
    PlanPolicy policy = PlanPolicy.builder(now.minus(Duration.ofDays(1)))
        .cleanupPolicy(CleanupPolicy.COST)
        .reuseModel(ReuseModel.standard())
        .build(); // MIN_AGE and QUIET_PERIOD 0, as the replay of the compressed trace
    Plan plan = Planner.plan(inventory, history, policy, now, Planner.UNLIMITED);
    List<String> order = plan.steps().stream()
        .filter(step -> step.type() == ResourceType.IMAGE).map(PlanStep::id).toList();
    assertThat(order).hasSize(3).first().isEqualTo(branch.id()); // the tool pulled again is not deleted first
    ReuseModel.Estimates estimates = ReuseModel.standard().prepare(inventory, history, now);
    assertThat(estimates.estimate(scan).evidence())
        .contains("not used since fetched 2s ago")
        .contains("use within 3m (half of the 6m the host's use history covers)");
    assertThat(estimates.estimate(scan).probability()).isGreaterThan(0.7);
    assertThat(estimates.estimate(branch).probability()).isLessThan(0.5);
  }

  @Test
  void theAdaptiveHorizonFollowsTheHostsGapsAndItsHistory() {
    GapReuseModel adaptive = GapReuseModel.adaptive(Duration.ofHours(24));
    long[] tenMinuteGaps = new long[30];
    java.util.Arrays.fill(tenMinuteGaps, 600);
    long tenDays = Duration.ofDays(10).getSeconds();
    assertThat(adaptive.horizon(tenMinuteGaps, tenDays))
        .isEqualTo(new GapReuseModel.Horizon(600, " (95 % of the host's 30 gaps between uses are shorter)"));
    // too few gaps for a 95th percentile: the longest horizon
    assertThat(adaptive.horizon(java.util.Arrays.copyOf(tenMinuteGaps, 5), tenDays).seconds()).isEqualTo(86_400);
    // a history of 4 minutes cannot check more than 2 minutes
    assertThat(adaptive.horizon(new long[0], 240))
        .isEqualTo(new GapReuseModel.Horizon(120, " (half of the 4m the host's use history covers)"));
    // no use known at all: nothing to derive from
    assertThat(adaptive.horizon(new long[0], -1).seconds()).isEqualTo(86_400);
    // never shorter than the spacing of recorded uses
    assertThat(adaptive.horizon(new long[0], 10).seconds()).isEqualTo(UseTimes.MIN_SPACING.getSeconds());
    // a fixed horizon stays fixed
    assertThat(new GapReuseModel(Duration.ofHours(24)).horizon(tenMinuteGaps, 240))
        .isEqualTo(new GapReuseModel.Horizon(86_400, ""));
  }
}
