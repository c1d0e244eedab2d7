package io.dockercleaner.oneshot;

import io.dockercleaner.docker.DockerHost;
import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.testsupport.CliRun;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.FailingProxy;
import io.dockercleaner.testsupport.TestDaemons;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Exit codes 1 and 2 for real, and bad input that deletes nothing. */
@Tag("daemon")
class OneShotExitCodeTest {
  private static DaemonFixture d;
  /** Holds the bad config files; a static @MethodSource cannot use @TempDir. */
  private static Path badConfigDir;

  @BeforeAll
  static void scenario() {
    d = new DaemonFixture(TestDaemons.main());
    freshScenario();
  }

  @AfterAll
  static void removeBadConfigs() {
    TestDaemons.deleteTree(badConfigDir);
  }

  private static void freshScenario() {
    d.reset();
    d.stopped("exit-stopped", TestDaemons.TEST_IMAGE);
    d.dangling("t/exit-dangling:1", null);
    d.network("exit-net");
    d.volume(null);
  }

  private static Map<String, String> env(String host, String... kv) {
    Map<String, String> env = new HashMap<>();
    env.put("DOCKER_HOST", host);
    env.put("LOG_FORMAT", "json");
    env.put("PRUNE_FILTER_UNTIL", "0");
    env.put("MIN_AGE", "0");
    for (int i = 0; i < kv.length; i += 2) {
      env.put(kv[i], kv[i + 1]);
    }
    return env;
  }

  @Test
  void oneFailingOperationGivesExitOneAndTheOthersStillRun() throws Exception {
    freshScenario();
    try (FailingProxy proxy = FailingProxy.start(d.host(), key -> key.equals("POST /networks/prune"))) {
      CliRun r = CliRun.run(env(proxy.host(), "DRY_RUN", "false"));
      assertThat(r.exitCode()).as(r.stdout()).isEqualTo(1);
      assertThat(r.stdout()).contains("injected failure for POST /networks/prune");
      assertThat(r.summary().get("operations_failed").asInt()).isEqualTo(1);
      // build cache ran after the failed network step
      assertThat(r.jsonLines()).anySatisfy(n -> assertThat(n.path("operation").asText()).isEqualTo("BUILD_CACHE"));
    }
    assertThat(d.networkNames()).contains("exit-net");
    assertThat(d.containerIds()).isEmpty(); // containers were pruned before the failure
  }

  @Test
  void everyOperationFailingGivesExitTwo() throws Exception {
    try (FailingProxy proxy = FailingProxy.start(d.host(), key -> key.endsWith("/prune") || key.startsWith("GET /containers")
        || key.startsWith("GET /images/json") || key.startsWith("GET /networks") || key.startsWith("GET /system/df"))) {
      CliRun r = CliRun.run(env(proxy.host()));
      assertThat(r.exitCode()).as(r.stdout()).isEqualTo(2);
    }
  }

  @Test
  void noSocketGivesExitTwoWithAHint(@TempDir Path dir) {
    CliRun r = CliRun.run(env("unix://" + dir.resolve("docker.sock")));
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stdout()).contains("does not exist").contains(DockerHost.SOCKET_MOUNT_HINT);
  }

  static Stream<Arguments> badInputs() throws Exception {
    Path dir = Files.createTempDirectory("dc-badcfg");
    badConfigDir = dir;
    Path unknownKey = Files.writeString(dir.resolve("unknown.yaml"), "prune_al: true\n");
    Path badValue = Files.writeString(dir.resolve("badvalue.yaml"), "prune_all: soon\n");
    Path notYaml = Files.writeString(dir.resolve("broken.yaml"), "prune_all: [true\n");
    Path nested = Files.writeString(dir.resolve("nested.yaml"), "log_level:\n  nested: true\n");
    Path list = Files.writeString(dir.resolve("list.yaml"), "- prune_all\n");
    List<Arguments> cases = new ArrayList<>(List.of(
        // environment
        Arguments.of(Map.of("PRUNE_ALL", "maybe"), List.of(), "PRUNE_ALL"),
        Arguments.of(Map.of("PRUNE_VOLUMES", "2"), List.of(), "PRUNE_VOLUMES"),
        Arguments.of(Map.of("PRUNE_FORCE", "sure"), List.of(), "PRUNE_FORCE"),
        Arguments.of(Map.of("CLEANUP_CONTAINERS", "nope"), List.of(), "CLEANUP_CONTAINERS"),
        Arguments.of(Map.of("CLEANUP_IMAGES", "t"), List.of(), "CLEANUP_IMAGES"),
        Arguments.of(Map.of("CLEANUP_VOLUMES", "enable"), List.of(), "CLEANUP_VOLUMES"),
        Arguments.of(Map.of("CLEANUP_NETWORKS", "-1"), List.of(), "CLEANUP_NETWORKS"),
        Arguments.of(Map.of("CLEANUP_BUILD_CACHE", "yesplease"), List.of(), "CLEANUP_BUILD_CACHE"),
        Arguments.of(Map.of("PRUNE_FILTER_UNTIL", "24 hours"), List.of(), "PRUNE_FILTER_UNTIL"),
        Arguments.of(Map.of("PRUNE_FILTER_UNTIL", "-5m"), List.of(), "PRUNE_FILTER_UNTIL"),
        Arguments.of(Map.of("PRUNE_FILTER_UNTIL", "2025-13-45T00:00:00Z"), List.of(), "PRUNE_FILTER_UNTIL"),
        Arguments.of(Map.of("PRUNE_FILTER_LABEL", "=value"), List.of(), "PRUNE_FILTER_LABEL"),
        Arguments.of(Map.of("PRUNE_FILTER_LABEL", "keep!="), List.of(), "PRUNE_FILTER_LABEL"),
        Arguments.of(Map.of("PRUNE_FILTER_LABEL", "a,,b"), List.of(), "PRUNE_FILTER_LABEL"),
        Arguments.of(Map.of("LOG_LEVEL", "TRACE"), List.of(), "LOG_LEVEL"),
        Arguments.of(Map.of("LOG_FORMAT", "xml"), List.of(), "LOG_FORMAT"),
        Arguments.of(Map.of("QUIET", "loud"), List.of(), "QUIET"),
        Arguments.of(Map.of("DRY_RUN", "perhaps"), List.of(), "DRY_RUN"),
        Arguments.of(Map.of("PRUNE_VOLUMES_ALL", "everything"), List.of(), "PRUNE_VOLUMES_ALL"),
        Arguments.of(Map.of("DOCKER_HOST", "ssh://user@host"), List.of(), "DOCKER_HOST"),
        Arguments.of(Map.of("DOCKER_HOST", "ftp://host"), List.of(), "DOCKER_HOST"),
        Arguments.of(Map.of("METRICS_TEXTFILE", ""), List.of("--log-level", "LOUD"), "--log-level"),
        // flags
        Arguments.of(Map.of(), List.of("--dry-run=maybe"), "--dry-run"),
        Arguments.of(Map.of(), List.of("--log-format", "yaml"), "--log-format"),
        Arguments.of(Map.of(), List.of("--prune-filter-until", "yesterday"), "--prune-filter-until"),
        Arguments.of(Map.of(), List.of("--no-such-flag"), "--no-such-flag"),
        Arguments.of(Map.of(), List.of("--log-format"), "--log-format"),
        Arguments.of(Map.of(), List.of("prune"), "prune"),
        Arguments.of(Map.of(), List.of("--prune-filter-label", "!"), "--prune-filter-label"),
        // config file
        Arguments.of(Map.of(), List.of("--config", unknownKey.toString()), "prune_al"),
        Arguments.of(Map.of(), List.of("--config", badValue.toString()), "prune_all"),
        Arguments.of(Map.of(), List.of("--config", notYaml.toString()), notYaml.toString()),
        Arguments.of(Map.of(), List.of("--config", nested.toString()), "log_level"),
        Arguments.of(Map.of(), List.of("--config", list.toString()), list.toString()),
        Arguments.of(Map.of(), List.of("--config", dir.resolve("missing.yaml").toString()), "missing.yaml")));
    return cases.stream();
  }

  @ParameterizedTest(name = "{2}: {0} {1}")
  @MethodSource("badInputs")
  void badInputExitsTwoNamingTheInputAndDeletesNothing(Map<String, String> extraEnv, List<String> args, String named) {
    String before = d.counts();
    Map<String, String> env = env(d.host());
    env.putAll(extraEnv);
    CliRun r = CliRun.run(env, args.toArray(String[]::new));
    assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isEqualTo(2);
    assertThat(r.stderr()).contains(named);
    assertThat(d.counts()).isEqualTo(before);
  }

  @Test
  void pruneForceFalseWithoutATerminalRefusesAndDeletesNothing() {
    String before = d.counts();
    CliRun r = CliRun.run(env(d.host(), "PRUNE_FORCE", "false"));
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stdout()).contains("PRUNE_FORCE=false needs a terminal");
    assertThat(d.counts()).isEqualTo(before);
  }
}
