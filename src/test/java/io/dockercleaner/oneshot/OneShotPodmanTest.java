package io.dockercleaner.oneshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.testsupport.CliRun;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The one-shot run against Podman's Docker-compatible API: works, build cache reported unsupported. */
@Tag("daemon")
class OneShotPodmanTest {

  @Test
  void runsAndReportsBuildCacheUnsupportedWithoutFailing() {
    DaemonFixture p = new DaemonFixture(TestDaemons.podman());
    String stopped = TestDaemons.docker(p.host(), "create", "--network", "none", "--label", "keep=false",
        TestDaemons.TEST_IMAGE, "true");
    String kept = TestDaemons.docker(p.host(), "create", "--network", "none", "--label", "keep=true",
        TestDaemons.TEST_IMAGE, "true");
    CliRun r = CliRun.run(Map.of("DOCKER_HOST", p.host(), "LOG_FORMAT", "json", "PRUNE_FILTER_UNTIL", "0", "MIN_AGE", "0"));
    assertThat(r.exitCode()).as(r.stdout()).isZero();
    assertThat(r.stdout()).contains("Podman");
    assertThat(r.jsonLines()).anySatisfy(n -> {
      assertThat(n.get("operation").asText()).isEqualTo("BUILD_CACHE");
      assertThat(n.get("level").asText()).isEqualTo("WARN");
      assertThat(n.get("message").asText()).contains("Unsupported");
    });
    assertThat(r.summary().get("by_type").get("build_cache").get("status").asText()).isEqualTo("unsupported");
    String remaining = TestDaemons.docker(p.host(), "ps", "-aq", "--no-trunc");
    assertThat(remaining).contains(kept).doesNotContain(stopped);
    TestDaemons.docker(p.host(), "rm", "-f", kept);
  }

  /**
   * Podman lists a locally built {@code app:1} as {@code docker.io/library/app:1}: KEEP_IMAGES
   * written as on Docker must still protect it (and PRUNE_ALL, whose prune call Podman refuses,
   * must still remove the rest).
   */
  @Test
  void keepImagesProtectsPodmansFullyQualifiedNamesAndPruneAllRemovesTheRest() {
    DaemonFixture p = new DaemonFixture(TestDaemons.podman());
    String kept = build(p.host(), "app:1", "kept");
    String unused = build(p.host(), "other:1", "unused");
    assertThat(TestDaemons.docker(p.host(), "image", "inspect", "--format", "{{join .RepoTags \",\"}}", kept))
        .as("how Podman names the image").contains("docker.io/library/app:1");
    CliRun r = CliRun.run(Map.of("DOCKER_HOST", p.host(), "LOG_FORMAT", "json", "PRUNE_FILTER_UNTIL", "0",
        "MIN_AGE", "0", "PRUNE_ALL", "true", "PRUNE_FILTER_LABEL", "keep!=never", "KEEP_IMAGES", "app:*,dc-test/busybox")); // the test image is kept too
    assertThat(r.exitCode()).as(r.stdout()).isZero();
    String remaining = TestDaemons.docker(p.host(), "images", "-q", "--no-trunc");
    assertThat(remaining).contains(kept).doesNotContain(unused);
    TestDaemons.docker(p.host(), "rmi", kept);
  }

  private static String build(String host, String tag, String content) {
    String dockerfile = "FROM " + TestDaemons.TEST_IMAGE + "\nLABEL content=" + content + "\n";
    String id = TestDaemons.build(host, tag, dockerfile).strip();
    return id.startsWith("sha256:") ? id : "sha256:" + id;
  }
}
