package io.dockercleaner.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImagePatternTest {

  @ParameterizedTest(name = "{0} vs {1} -> {2}")
  @CsvSource({
    // repo-only pattern: any tag
    "alpine, alpine:3.20, true",
    "alpine, alpine:latest, true",
    "alpine, alpine2:latest, false",
    // one image, several spellings: Docker lists app:1, Podman docker.io/library/app:1 and
    // localhost/x:1 for a local image; a pattern in either spelling protects both
    "alpine, library/alpine:latest, true",
    "alpine, docker.io/library/alpine:3.20, true",
    "app:*, docker.io/library/app:1, true",
    "docker.io/library/app:*, app:1, true",
    "team/app, docker.io/team/app:1, true",
    "docker.io/team/app, team/app:1, true",
    "dc-test/*, localhost/dc-test/busybox:latest, true",
    "app:*, docker.io/library/other:1, false",
    "app:*, registry.local/app:1, false",
    "docker.io/library/app:*, registry.local/app:1, false",
    // exact
    "alpine:3.20, alpine:3.20, true",
    "alpine:3.20, alpine:3.21, false",
    // * in tag
    "myrepo/*:release-*, myrepo/app:release-1.2, true",
    "myrepo/*:release-*, myrepo/app:dev-1.2, false",
    "myrepo/*:release-*, myrepo/team/app:release-1, false",
    "myrepo/**:release-*, myrepo/team/app:release-1, true",
    // * does not cross /
    "*:latest, alpine:latest, true",
    "*:latest, myrepo/app:latest, false",
    "**:latest, myrepo/app:latest, true",
    "**:latest, myrepo/app:1.0, false",
    "**, registry.local:5000/a/b:c, true",
    // ? is one character, not /
    "app?:v1, app1:v1, true",
    "app?:v1, app12:v1, false",
    // registry with port: the colon before the last / is not a tag separator
    "localhost:5000/app, localhost:5000/app:1.0, true",
    "localhost:5000/app:1.*, localhost:5000/app:1.0, true",
    "localhost:5000/app:1.*, localhost:5000/app:2.0, false",
    "localhost:*/app, localhost:5000/app:2.0, true",
    // regex metacharacters are literal
    "my.repo/app+x:v(1), my.repo/app+x:v(1), true",
    "my.repo/app:v1, myXrepo/app:v1, false",
    // a reference without tag is latest
    "app:latest, app, true",
    "app:v1, app, false",
  })
  void matches(String pattern, String repoTag, boolean expected) {
    assertThat(ImagePattern.compile(pattern).matches(repoTag)).isEqualTo(expected);
  }

  @Test
  void matchesAnyChecksEveryTag() {
    ImagePattern pattern = ImagePattern.compile("*:release-*");
    assertThat(pattern.matchesAny(List.of("app:dev", "app:release-2"))).isTrue();
    assertThat(pattern.matchesAny(List.of("app:dev", "<none>:<none>"))).isFalse();
    assertThat(pattern.matchesAny(List.of())).isFalse();
  }

  @ParameterizedTest(name = "[{0}] -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "'   '| image pattern must not be blank",
        "''| image pattern must not be blank",
        "a b:c| image pattern 'a b:c' contains whitespace",
        ":tag| image pattern ':tag' has an empty repository",
        "alpine:| image pattern 'alpine:' has an empty tag",
      })
  void rejectsInvalidPatternsWithExactMessages(String pattern, String message) {
    assertThatThrownBy(() -> ImagePattern.compile(pattern))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void repositoryStripsOnlyTheTag() {
    assertThat(ImagePattern.repository("alpine:3.20")).isEqualTo("alpine");
    assertThat(ImagePattern.repository("localhost:5000/app:1")).isEqualTo("localhost:5000/app");
    assertThat(ImagePattern.repository("localhost:5000/app")).isEqualTo("localhost:5000/app");
  }

  @Test
  void toStringIsThePatternAsWritten() {
    assertThat(ImagePattern.compile("myrepo/*:release-*")).hasToString("myrepo/*:release-*");
  }
}
