package io.dockercleaner.oneshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.oneshot.OneShotDifferentialIT.CleanerRuns;
import io.dockercleaner.oneshot.OneShotDifferentialIT.Snapshot;
import io.dockercleaner.oneshot.OneShotDifferentialIT.Variant;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Podman parity of the one-shot (issue 15): the same random scenario ({@link DifferentialScenario})
 * is built on the private Docker daemon and on the private Podman service, and docker-cleaner runs
 * on each, dry run first, for every filter variant of {@link OneShotDifferentialIT} (defaults,
 * PRUNE_ALL, PRUNE_VOLUMES and PRUNE_VOLUMES_ALL, label {@code k=v}, {@code k!=v}, {@code !k}, an
 * {@code until} instant between two creations). On each engine: exit 0, the dry run deletes
 * nothing and lists exactly what the real run removes. Across the engines: the removed objects,
 * compared by scenario name, are the same. Protected and in-use objects staying is proved on
 * Docker by the differential test against the docker CLI, and so carries over to Podman here.
 *
 * <p>Seeds: {@code -Dpodmanparity.seeds=1,2}; variants: {@code -Dpodmanparity.variants=LABEL_NOT_K}.
 */
@Tag("daemon")
class PodmanParityIT {
  private static final long[] DEFAULT_SEEDS = {5L};

  private static DaemonFixture docker;
  private static DaemonFixture podman;
  private static ExecutorService pool;
  private static Path baseImageTar;

  @BeforeAll
  static void daemons() throws IOException {
    // both refuse anything bin/test-daemon did not start: the runs delete everything unprotected
    docker = new DaemonFixture(TestDaemons.main());
    podman = new DaemonFixture(TestDaemons.podman());
    docker.reset();
    podman.reset();
    pool = Executors.newFixedThreadPool(6);
    baseImageTar = Files.createTempFile("dc-podman-base", ".tar");
    TestDaemons.docker(docker.host(), "save", "-o", baseImageTar.toString(), TestDaemons.TEST_IMAGE);
    // the same base on both engines: bin/test-daemon imports Podman's without the keep=true label,
    // and scenario images inherit keep from it
    TestDaemons.docker(podman.host(), "load", "-q", "-i", baseImageTar.toString());
  }

  @AfterAll
  static void tearDown() throws IOException {
    OneShotDifferentialIT.release(pool, baseImageTar, docker, podman);
  }

  static Stream<Arguments> cases() {
    return OneShotDifferentialIT.seedsTimesVariants("podmanparity", DEFAULT_SEEDS);
  }

  @ParameterizedTest(name = "seed {0}, {1}")
  @MethodSource("cases")
  void podmanRemovesWhatDockerRemovesAndEachDryRunListsIt(long seed, Variant variant) {
    DifferentialScenario scenario = DifferentialScenario.generate(seed);
    parallel(() -> OneShotDifferentialIT.prepare(docker, baseImageTar),
        () -> OneShotDifferentialIT.prepare(podman, baseImageTar));
    DifferentialScenario.Built onDocker = new DifferentialScenario.Built(docker.host(),
        OneShotDifferentialIT.baseImageId(docker.host()));
    DifferentialScenario.Built onPodman = new DifferentialScenario.Built(podman.host(),
        OneShotDifferentialIT.baseImageId(podman.host()));
    Instant until = scenario.build(List.of(onDocker, onPodman), pool, OneShotDifferentialIT.betweenPhases(variant));

    Snapshot beforeDocker = Snapshot.of(onDocker);
    Snapshot beforePodman = Snapshot.of(onPodman);
    for (String type : OneShotDifferentialIT.TYPES) {
      assertThat(beforePodman.names(type)).as("seed %d: the two builds' %ss", seed, type)
          .isEqualTo(beforeDocker.names(type));
    }

    CleanerRuns dockerRuns = new CleanerRuns();
    CleanerRuns podmanRuns = new CleanerRuns();
    parallel(() -> dockerRuns.runOn(onDocker, variant, until), () -> podmanRuns.runOn(onPodman, variant, until));

    List<String> problems = new ArrayList<>();
    check(problems, "Docker", scenario, dockerRuns, beforeDocker);
    check(problems, "Podman", scenario, podmanRuns, beforePodman);
    Map<String, Set<String>> removedOnDocker = beforeDocker.removed(dockerRuns.afterReal);
    Map<String, Set<String>> removedOnPodman = beforePodman.removed(podmanRuns.afterReal);
    System.out.printf("seed %d, %s: removed on Docker %s, on Podman %s%n", seed, variant, removedOnDocker,
        removedOnPodman);
    for (String type : OneShotDifferentialIT.TYPES) {
      OneShotDifferentialIT.compare(problems, scenario, type, "Podman vs Docker", "removed on Docker",
          removedOnDocker.get(type), "removed on Podman", removedOnPodman.get(type));
    }
    assertThat(removedOnDocker.values().stream().mapToInt(Set::size).sum())
        .as("seed %d, %s: the scenario gives the run something to remove", seed, variant).isPositive();
    if (!problems.isEmpty()) {
      throw new AssertionError("seed " + seed + ", variant " + variant + " (" + variant.cleanerEnv(until) + "): "
          + problems.size() + " mismatch(es):\n- " + String.join("\n- ", problems) + "\n" + scenario);
    }
  }

  /** One engine: both runs exit 0, the dry run deletes nothing and lists what the real run removes. */
  private static void check(List<String> problems, String engine, DifferentialScenario scenario, CleanerRuns runs,
      Snapshot before) {
    if (runs.dry.exitCode() != 0) {
      problems.add(engine + ": dry run exited " + runs.dry.exitCode() + ":\n" + runs.dry.stdout() + runs.dry.stderr());
    }
    if (runs.real.exitCode() != 0) {
      problems.add(engine + ": real run exited " + runs.real.exitCode() + ":\n" + runs.real.stdout()
          + runs.real.stderr());
    }
    if (!runs.afterDry.equals(before)) {
      problems.add(engine + ": the dry run deleted something: " + OneShotDifferentialIT.diffAll(before, runs.afterDry));
    }
    Map<String, Set<String>> removed = before.removed(runs.afterReal);
    Map<String, Set<String>> listed = runs.dryListed(before);
    for (String type : OneShotDifferentialIT.TYPES) {
      OneShotDifferentialIT.compare(problems, scenario, type, engine + ": dry run vs real run", "dry run listed",
          listed.getOrDefault(type, Set.of()), "real run removed", removed.get(type));
    }
  }

  private static void parallel(Runnable... tasks) {
    OneShotDifferentialIT.parallel(pool, tasks);
  }

}
