package io.dockercleaner.agent.watch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageReferenceTest {
  private static final String HEX = "69312d1c29c285f3c23369ff33cc2c1538904714eb70de845a08f06fafa51b24";

  @ParameterizedTest
  @CsvSource({
      "busybox, busybox:latest",
      "busybox:1.36, busybox:1.36",
      "library/busybox, busybox:latest",
      "docker.io/library/busybox:1.36, busybox:1.36",
      "docker.io/acme/app, acme/app:latest",
      "registry.local:5000/app, registry.local:5000/app:latest",
      "registry.local:5000/app:v1, registry.local:5000/app:v1",
      "busybox@sha256:" + HEX + ", busybox@sha256:" + HEX,
      "dc-test/busybox:latest, dc-test/busybox:latest",
      HEX + ", sha256:" + HEX,
      "sha256:" + HEX + ", sha256:" + HEX,
  })
  void normalisesToTheRepoTagsForm(String input, String expected) {
    assertThat(ImageReference.normalise(input)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"69312d1c29c2, true", "sha256:69312d1c29c2, true", "69312d1c29c, false", "busybox, false"})
  void recognisesShortIds(String input, boolean expected) {
    assertThat(ImageReference.isIdPrefix(input)).isEqualTo(expected);
  }
}
