package io.dockercleaner.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dockercleaner.core.ResourceType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PlanPolicyTest {
  private static final Instant START = Instant.parse("2025-10-10T00:00:00Z");

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of(
            "negative keepTagsPerRepo",
            (UnaryOperator<PlanPolicy.Builder>) b -> b.keepTagsPerRepo(-1),
            IllegalArgumentException.class,
            "keepTagsPerRepo must be >= 0, was -1"),
        Arguments.of(
            "negative minAge",
            (UnaryOperator<PlanPolicy.Builder>) b -> b.minAge(Duration.ofSeconds(-5)),
            IllegalArgumentException.class,
            "minAge must not be negative, was PT-5S"),
        Arguments.of(
            "negative quietPeriod",
            (UnaryOperator<PlanPolicy.Builder>) b -> b.quietPeriod(Duration.ofMinutes(-2)),
            IllegalArgumentException.class,
            "quietPeriod must not be negative, was PT-2M"),
        Arguments.of(
            "zero maxDeletions",
            (UnaryOperator<PlanPolicy.Builder>) b -> b.maxDeletions(0),
            IllegalArgumentException.class,
            "maxDeletions must be >= 1, was 0"),
        Arguments.of(
            "bad pattern",
            (UnaryOperator<PlanPolicy.Builder>) b -> b.keepImagePatterns(List.of("ok", "alpine:")),
            IllegalArgumentException.class,
            "keepImagePatterns: image pattern 'alpine:' has an empty tag"),
        Arguments.of(
            "null labelFilter",
            (UnaryOperator<PlanPolicy.Builder>) b -> b.labelFilter(null),
            NullPointerException.class,
            "labelFilter must not be null"),
        Arguments.of(
            "null minAge",
            (UnaryOperator<PlanPolicy.Builder>) b -> b.minAge(null),
            NullPointerException.class,
            "minAge must not be null"),
        Arguments.of(
            "null quietPeriod",
            (UnaryOperator<PlanPolicy.Builder>) b -> b.quietPeriod(null),
            NullPointerException.class,
            "quietPeriod must not be null"),
        Arguments.of(
            "null enabledTypes",
            (UnaryOperator<PlanPolicy.Builder>) b -> b.enabledTypes(null),
            NullPointerException.class,
            "enabledTypes must not be null"),
        Arguments.of(
            "null keepImagePatterns",
            (UnaryOperator<PlanPolicy.Builder>) b -> b.keepImagePatterns(null),
            NullPointerException.class,
            "keepImagePatterns must not be null"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void rejectsInvalidValuesWithExactMessages(
      String name,
      UnaryOperator<PlanPolicy.Builder> change,
      Class<? extends Throwable> type,
      String message) {
    assertThatThrownBy(() -> change.apply(PlanPolicy.builder(START)).build())
        .isInstanceOf(type)
        .hasMessage(message);
  }

  @Test
  void builderDefaultsArePermissiveAndVolumesOff() {
    PlanPolicy policy = PlanPolicy.builder(START).build();
    assertThat(policy.labelFilter().test(java.util.Map.of("keep", "true"))).isTrue();
    assertThat(policy.keepImagePatterns()).isEmpty();
    assertThat(policy.keepTagsPerRepo()).isZero();
    assertThat(policy.minAge()).isEqualTo(Duration.ZERO);
    assertThat(policy.quietPeriod()).isEqualTo(Duration.ZERO);
    assertThat(policy.enabledTypes())
        .containsExactlyInAnyOrder(
            ResourceType.CONTAINER, ResourceType.IMAGE, ResourceType.BUILD_CACHE);
    assertThat(policy.enabled(ResourceType.VOLUME)).isFalse();
    assertThat(policy.volumesAll()).isFalse();
    assertThat(policy.maxDeletions()).isEqualTo(Integer.MAX_VALUE);
    assertThat(policy.agentStartedAt()).isEqualTo(START);
    assertThat(policy.critical()).isFalse();
  }

  @Test
  void copiesCollectionsSoLaterChangesDoNotLeakIn() {
    var patterns = new java.util.ArrayList<>(List.of("alpine"));
    var types = new java.util.HashSet<>(Set.of(ResourceType.IMAGE));
    PlanPolicy policy =
        PlanPolicy.builder(START).keepImagePatterns(patterns).enabledTypes(types).build();
    patterns.add("busybox");
    types.add(ResourceType.VOLUME);
    assertThat(policy.keepImagePatterns()).containsExactly("alpine");
    assertThat(policy.enabledTypes()).containsExactly(ResourceType.IMAGE);
  }
}
