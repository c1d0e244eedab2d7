package io.dockercleaner.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Service spec references against local images: by tag (in every spelling), by digest, by id. */
class ServiceImageRefsTest {
  private static final String DIGEST = "sha256:" + "a".repeat(64);
  private static final String OTHER_DIGEST = "sha256:" + "b".repeat(64);

  private static ImageInfo image(List<String> tags, List<String> digests) {
    return new ImageInfo("sha256:" + "c".repeat(64), null, tags, Instant.EPOCH, 1, 0, Map.of(), digests);
  }

  @Test
  void aPinnedSpecMatchesTheImageByItsTagAndByItsDigest() {
    ServiceImageRefs refs = ServiceImageRefs.of(List.of("busybox:1.36@" + DIGEST));
    assertThat(refs.matches(image(List.of("busybox:1.36"), List.of()))).as("by tag").isTrue();
    assertThat(refs.matches(image(List.of(), List.of("busybox@" + DIGEST)))).as("pulled by digest, untagged").isTrue();
    assertThat(refs.matches(image(List.of("busybox:1.35"), List.of("busybox@" + OTHER_DIGEST)))).as("other").isFalse();
  }

  @Test
  void spellingsOfDockerHubAreTheSameRepository() {
    ServiceImageRefs refs = ServiceImageRefs.of(List.of("docker.io/library/nginx:1", "index.docker.io/me/app:2"));
    assertThat(refs.matches(image(List.of("nginx:1"), List.of()))).isTrue();
    assertThat(refs.matches(image(List.of("me/app:2"), List.of()))).isTrue();
    assertThat(refs.matches(image(List.of("nginx:2"), List.of()))).isFalse();
    assertThat(refs.matches(image(List.of("registry.example:5000/nginx:1"), List.of()))).isFalse();
  }

  @Test
  void aBareRepositoryMeansLatestAndARegistryWithAPortIsNoTag() {
    ServiceImageRefs refs = ServiceImageRefs.of(List.of("app", "localhost:5000/team/tool"));
    assertThat(refs.matches(image(List.of("app:latest"), List.of()))).isTrue();
    assertThat(refs.matches(image(List.of("app:1"), List.of()))).isFalse();
    assertThat(refs.matches(image(List.of("localhost:5000/team/tool:latest"), List.of()))).isTrue();
  }

  @Test
  void aDigestOnlyReferenceMatchesNoTagAndAnIdMatchesTheImage() {
    ServiceImageRefs refs = ServiceImageRefs.of(List.of("app@" + DIGEST, "sha256:" + "c".repeat(64)));
    assertThat(refs.matches(image(List.of("app:latest"), List.of()))).as("the id").isTrue();
    ServiceImageRefs digestOnly = ServiceImageRefs.of(List.of("app@" + DIGEST));
    assertThat(digestOnly.matches(image(List.of("app:latest"), List.of()))).isFalse();
    assertThat(digestOnly.matches(image(List.of(), List.of("mirror.example/app@" + DIGEST)))).isTrue();
  }

  @Test
  void blankReferencesAreIgnored() {
    assertThat(ServiceImageRefs.of(List.of("", " ")).isEmpty()).isTrue();
    assertThat(ServiceImageRefs.of(List.of()).matches(image(List.of("app:1"), List.of()))).isFalse();
  }
}
