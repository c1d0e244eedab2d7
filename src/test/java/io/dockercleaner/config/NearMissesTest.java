package io.dockercleaner.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Misspelt variables are refused by name; the environment's other variables are left alone. */
class NearMissesTest {

  @ParameterizedTest
  @CsvSource({
      "KEEP_IMAGE, KEEP_IMAGES",
      "KEEP_IMAGS, KEEP_IMAGES",
      "PRUNE_UNTIL, PRUNE_FILTER_UNTIL",
      "PRUNE_LABEL, PRUNE_FILTER_LABEL",
      "DRYRUN, DRY_RUN",
      "MIN_AGES, MIN_AGE",
      "KEEP_TAGS, KEEP_TAGS_PER_REPO",
      "API_TOKEN_READ, API_TOKEN_FOR_READ",
      "DISK_HIGH, DISK_HIGH_WATERMARK",
      "CLEANUP_VOLUME, CLEANUP_VOLUMES",
      "DELETE_CONCURENCY, DELETE_CONCURRENCY",
      "KEEP_IAMGES, KEEP_IMAGES",
  })
  void aMisspeltVariableIsRecognisedWithWhatItMeant(String name, String meant) {
    assertThat(NearMisses.suggestion(name, EnvironmentVariables.names())).contains(meant);
  }

  @ParameterizedTest
  @ValueSource(strings = {"PATH", "HOME", "HOSTNAME", "LANG", "TERM", "PWD", "SHLVL", "USER", "TZ", "CI",
      "JAVA_HOME", "JAVA_OPTS", "MAVEN_OPTS", "JAVA_TOOL_OPTIONS", "DOCKER_CONFIG", "DOCKER_CONTEXT",
      "DOCKER_API_VERSION", "DOCKER_BUILDKIT", "DOCKER_DRIVER", "DOCKER_TLS_CERTDIR", "DOCKER_CLEANER_JAVA_OPTS",
      // the test suite's own daemon variables (split: TestLayersTest reads that name as "reaches a daemon")
      "DOCKER_CLEANER_" + "TEST_HOST", "DOCKER_CLEANER_" + "TEST_HOST_DIFF", "KUBERNETES_SERVICE_HOST",
      "KUBERNETES_SERVICE_PORT", "KUBERNETES_PORT", "DOCKER_PORT", "DOCKER_PORT_2375_TCP", "DOCKER_SERVICE_PORT", "DOCKER_SERVICE_HOST", "CI_JOB_ID",
      "GITHUB_ACTIONS", "RUNNER_OS", "RUNNER_TEMP", "GITLAB_CI", "SSH_AUTH_SOCK", "XDG_RUNTIME_DIR",
      "DEBIAN_FRONTEND", "LC_ALL", "TMPDIR", "NODE_NAME", "POD_NAME", "POD_NAMESPACE", "NOMAD_ALLOC_ID",
      "NOMAD_TASK_NAME", "BUILDKIT_HOST", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "LOG_DIR", "STATE",
      "KEEP_IMAGES", "PRUNE_FILTER_UNTIL", "JAVA"})
  void anotherProgramsVariableOrAKnownOneIsNoNearMiss(String name) {
    assertThat(NearMisses.suggestion(name, EnvironmentVariables.names())).isEmpty();
  }

  @Test
  void loadingRefusesANearMissNamingItAndWhatItMeant() {
    assertThatThrownBy(() -> SettingsLoader.load(List.of(), Map.of("KEEP_IMAGE", "app:*", "PATH", "/usr/bin")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("KEEP_IMAGE: not a docker-cleaner variable; did you mean KEEP_IMAGES?");
  }

  @Test
  void loadingIgnoresOtherProgramsVariables() {
    assertThat(SettingsLoader.load(List.of(), Map.of("PATH", "/usr/bin", "JAVA_HOME", "/opt/java")).settings())
        .isNotNull();
  }

  @Test
  void distanceCountsEdits() {
    assertThat(NearMisses.distance("KEEP_IMAGE", "KEEP_IMAGES")).isEqualTo(1);
    assertThat(NearMisses.distance("DRYRUN", "DRY_RUN")).isEqualTo(1);
    assertThat(NearMisses.distance("ABC", "ABC")).isZero();
    assertThat(NearMisses.distance("", "AB")).isEqualTo(2);
    assertThat(NearMisses.distance("KEEP_IAMGES", "KEEP_IMAGES")).as("a swap is one edit").isEqualTo(1);
    assertThat(NearMisses.distance("DOCKER_PORT", "DOCKER_HOST")).isEqualTo(2);
  }
}
