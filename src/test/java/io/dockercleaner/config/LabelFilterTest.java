package io.dockercleaner.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LabelFilterTest {
  private static final Map<String, String> NONE = Map.of();
  private static final Map<String, String> KEEP_TRUE = Map.of("keep", "true");
  private static final Map<String, String> KEEP_FALSE = Map.of("keep", "false");

  static Stream<Arguments> cases() {
    // filter, docker key, docker value, matches {no labels, keep=true, keep=false}
    return Stream.of(
        arguments("keep", "label", "keep", false, true, true),
        arguments("keep=true", "label", "keep=true", false, true, false),
        arguments("!keep", "label!", "keep", true, false, false),
        arguments("keep!=true", "label!", "keep=true", true, false, true));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void dockerFilterAndMatching(
      String syntax, String key, String value, boolean none, boolean keepTrue, boolean keepFalse) {
    LabelFilter filter = ValueParsers.parseLabelFilters("PRUNE_FILTER_LABEL", syntax).get(0);
    assertThat(filter.dockerFilterKey()).isEqualTo(key);
    assertThat(filter.dockerFilterValue()).isEqualTo(value);
    assertThat(filter.matches(NONE)).isEqualTo(none);
    assertThat(filter.matches(KEEP_TRUE)).isEqualTo(keepTrue);
    assertThat(filter.matches(KEEP_FALSE)).isEqualTo(keepFalse);
    assertThat(filter).hasToString(syntax);
  }
}
