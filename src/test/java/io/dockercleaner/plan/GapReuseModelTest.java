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

  /** A history of uses only. */
  private static final class Uses implements UsageHistory {
    final Map<String, List<Instant>> uses = new HashMap<>();

    Uses add(String id, Instant... at) {
      uses.computeIfAbsent(id, k -> new ArrayList<>()).addAll(List.of(at));
      return this;
    }

    @Override
    public Optional<Instant> imageLastUsed(String imageId) {
      List<Instant> u = uses.get(imageId);
      return u == null ? Optional.empty() : Optional.of(u.get(u.size() - 1));
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
}
