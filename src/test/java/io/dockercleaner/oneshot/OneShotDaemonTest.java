package io.dockercleaner.oneshot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dockercleaner.testsupport.CliRun;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.EngineApi;
import io.dockercleaner.testsupport.TestDaemons;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The one-shot contract on a real private daemon: the design's resource set, exact expectations
 * per setting, dry run == real run.
 *
 * <p>Every test starts from the same scenario. Building it takes a dozen builds and container
 * runs, so a test reuses the one the previous test left when the daemon still holds exactly what
 * that build made (same ids of every container with its state, image with its tags, volume,
 * network and build cache record: {@link #fingerprint}); otherwise (the previous test removed or
 * added something) the daemon is reset and the scenario built again.
 */
@Tag("daemon")
class OneShotDaemonTest {
  private static DaemonFixture d;

  // the scenario (kept between tests while the daemon still holds exactly it)
  private static String running;
  private static String stopped;
  private static String stoppedKeep;
  private static String usedImage;
  private static String unusedImage;
  private static String keepImage;
  private static String danglingImage;
  private static String danglingKeep;
  private static String danglingUsedByStopped;
  /** What the daemon held right after the last build of the scenario; null before the first. */
  private static String builtFingerprint;

  @BeforeAll
  static void daemon() {
    d = new DaemonFixture(TestDaemons.main());
    builtFingerprint = null;
  }

  @BeforeEach
  void scenario() {
    if (builtFingerprint != null && builtFingerprint.equals(fingerprint())) {
      return; // the previous test left the scenario exactly as built
    }
    d.reset();
    // independent objects at once: the builds and runs wait on the daemon, not on each other
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      CompletableFuture<String> used = on(pool, () -> d.image("t/used:1", null, "used"));
      CompletableFuture<String> keep = on(pool, () -> d.image("t/keep:1", "keep=true", "keep"));
      // the other builds after these two: their LABEL steps then come from the builder's cache, one
      // shared intermediate image per label as in a build one after the other (two builds at once
      // would each make their own, and an extra untagged parent changes what a run removes)
      CompletableFuture<Void> labelSteps = CompletableFuture.allOf(used, keep);
      CompletableFuture<String> unused = after(labelSteps, pool, () -> d.image("t/unused:1", null, "unused"));
      CompletableFuture<String> dangling = after(labelSteps, pool, () -> d.dangling("t/dangling:1", null));
      CompletableFuture<String> dangKeep = after(labelSteps, pool, () -> d.dangling("t/dangling-keep:1", "keep=true"));
      CompletableFuture<String> dangStopped = after(labelSteps, pool, () -> d.dangling("t/dangling-stopped:1", null));
      CompletableFuture<String> netUsed = on(pool, () -> d.network("net-used"));
      CompletableFuture<String> runningC = used.thenCombine(netUsed, (i, n) -> n).thenApplyAsync(n -> d.running(
          "running", "t/used:1", "--network", n, "-v", "named-used:/data", "-v", "/anon-used"), pool);
      CompletableFuture<String> stoppedC = dangStopped.thenApplyAsync(i -> d.stopped("stopped", i), pool);
      CompletableFuture<String> stoppedKeepC = on(pool,
          () -> d.stopped("stopped-keep", TestDaemons.TEST_IMAGE, "--label", "keep=true"));
      List<CompletableFuture<String>> others = List.of(on(pool, () -> d.volume("named-unused")),
          on(pool, () -> d.volume("named-keep", "keep=true")),
          on(pool, () -> d.volume(null)), // anonymous, unused
          on(pool, () -> d.network("net-unused")), on(pool, () -> d.network("net-keep", "keep=true")));
      usedImage = join(used);
      unusedImage = join(unused);
      keepImage = join(keep);
      danglingImage = join(dangling);
      danglingKeep = join(dangKeep);
      danglingUsedByStopped = join(dangStopped);
      running = join(runningC);
      stopped = join(stoppedC);
      stoppedKeep = join(stoppedKeepC);
      others.forEach(OneShotDaemonTest::join);
    } finally {
      pool.shutdownNow();
    }
    builtFingerprint = fingerprint();
  }

  private static CompletableFuture<String> on(ExecutorService pool, java.util.function.Supplier<String> task) {
    return CompletableFuture.supplyAsync(task, pool);
  }

  private static CompletableFuture<String> after(CompletableFuture<Void> first, ExecutorService pool,
      java.util.function.Supplier<String> task) {
    return first.thenApplyAsync(v -> task.get(), pool);
  }

  private static String join(CompletableFuture<String> f) {
    try {
      return f.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new AssertionError("building the scenario failed: " + e.getCause(), e.getCause());
    }
  }

  /**
   * Every container id with its state, image id with its tags, volume name, network id and build
   * cache record on the daemon, sorted: equal fingerprints = nothing removed, added or stopped.
   */
  private static String fingerprint() {
    java.util.TreeSet<String> out = new java.util.TreeSet<>();
    EngineApi.get(d.host(), "/containers/json?all=1")
        .forEach(c -> out.add("container " + c.get("Id").asText() + " " + c.path("State").asText()));
    EngineApi.get(d.host(), "/images/json?all=1")
        .forEach(i -> out.add("image " + i.get("Id").asText() + " " + i.path("RepoTags")));
    EngineApi.get(d.host(), "/volumes").path("Volumes").forEach(v -> out.add("volume " + v.get("Name").asText()));
    EngineApi.get(d.host(), "/networks").forEach(n -> out.add("network " + n.get("Id").asText()));
    EngineApi.get(d.host(), "/system/df").path("BuildCache")
        .forEach(b -> out.add("build-cache " + b.get("ID").asText()));
    return String.join("\n", out);
  }

  private static Map<String, String> env(String... kv) {
    Map<String, String> env = new HashMap<>();
    env.put("DOCKER_HOST", d.host());
    env.put("LOG_FORMAT", "json");
    env.put("LOG_LEVEL", "DEBUG");
    // fixtures are seconds old: MIN_AGE (default 1h, applies to every trigger) would keep them all
    env.put("MIN_AGE", "0");
    for (int i = 0; i < kv.length; i += 2) {
      env.put(kv[i], kv[i + 1]);
    }
    return env;
  }

  private static Set<String> anonymousVolumes() {
    Set<String> out = new HashSet<>();
    for (String v : d.volumeNames()) {
      if (v.matches("[0-9a-f]{64}")) {
        out.add(v);
      }
    }
    return out;
  }

  @Test
  void defaultsRemoveNothingYoungerThan24h() {
    String before = d.counts();
    CliRun r = CliRun.run(env());
    assertThat(r.exitCode()).as(r.stdout()).isZero();
    assertThat(d.counts()).isEqualTo(before);
    assertThat(r.stdout()).contains("newer than the age filter");
  }

  @Test
  void noAgeFilterRemovesStoppedContainersDanglingImagesUnusedNetworks() {
    Set<String> volumesBefore = d.volumeNames();
    CliRun r = CliRun.run(env("PRUNE_FILTER_UNTIL", "0"));
    assertThat(r.exitCode()).as(r.stdout()).isZero();
    assertThat(d.containerIds()).containsExactlyInAnyOrder(running, stoppedKeep);
    // the stopped container went first, so the dangling image it used is dangling and unused now
    assertThat(d.imageIds()).doesNotContain(danglingImage, danglingUsedByStopped)
        .contains(danglingKeep, usedImage, unusedImage, keepImage);
    assertThat(d.volumeNames()).isEqualTo(volumesBefore); // volumes are off by default
    assertThat(d.networkNames()).contains("net-keep", "net-used").doesNotContain("net-unused");
    JsonNode summary = r.summary();
    assertThat(summary.get("operations_failed").asInt()).isZero();
    assertThat(summary.get("by_type").get("container").get("count").asInt()).isEqualTo(1);
    assertThat(summary.get("by_type").get("image").get("count").asInt()).isEqualTo(2);
    assertThat(summary.get("by_type").get("network").get("count").asInt()).isEqualTo(1);
    assertThat(summary.get("space_freed_bytes").asLong()).isPositive();
  }

  @Test
  void pruneAllRemovesUnusedTaggedImagesButNotKeptOrUsedOnes() {
    CliRun r = CliRun.run(env("PRUNE_FILTER_UNTIL", "0", "PRUNE_ALL", "true"));
    assertThat(r.exitCode()).as(r.stdout()).isZero();
    assertThat(d.imageIds()).doesNotContain(unusedImage, danglingImage, danglingUsedByStopped)
        .contains(usedImage, keepImage, danglingKeep);
    assertThat(TestDaemons.docker(d.host(), "images", "--format", "{{.Repository}}:{{.Tag}}"))
        .contains(TestDaemons.TEST_IMAGE);
  }

  @Test
  void volumesOnRemoveAnonymousOnlyThenAllWithPruneVolumesAll() {
    Set<String> anon = anonymousVolumes();
    assertThat(anon).hasSize(2); // one unused, one used by the running container
    CliRun r = CliRun.run(env("PRUNE_FILTER_UNTIL", "0", "PRUNE_VOLUMES", "true"));
    assertThat(r.exitCode()).as(r.stdout()).isZero();
    assertThat(anonymousVolumes()).hasSize(1);
    assertThat(d.volumeNames()).contains("named-unused", "named-keep", "named-used");
    assertThat(r.stdout()).contains("PRUNE_VOLUMES_ALL");

    CliRun all = CliRun.run(env("PRUNE_FILTER_UNTIL", "0", "CLEANUP_VOLUMES", "true", "PRUNE_VOLUMES_ALL", "true"));
    assertThat(all.exitCode()).as(all.stdout()).isZero();
    assertThat(d.volumeNames()).contains("named-keep", "named-used").doesNotContain("named-unused");
    assertThat(anonymousVolumes()).hasSize(1); // the used one
  }

  @Test
  void eachCleanupSwitchTurnsItsTypeOff() {
    Set<String> containers = d.containerIds();
    Set<String> images = d.imageIds();
    Set<String> networks = d.networkNames();
    CliRun r = CliRun.run(env("PRUNE_FILTER_UNTIL", "0", "CLEANUP_CONTAINERS", "false", "CLEANUP_IMAGES", "false",
        "CLEANUP_NETWORKS", "false", "CLEANUP_BUILD_CACHE", "false"));
    assertThat(r.exitCode()).as(r.stdout()).isZero();
    assertThat(d.containerIds()).isEqualTo(containers);
    assertThat(d.imageIds()).isEqualTo(images);
    assertThat(d.networkNames()).isEqualTo(networks);

    CliRun imagesOnly = CliRun.run(env("PRUNE_FILTER_UNTIL", "0", "CLEANUP_CONTAINERS", "false",
        "CLEANUP_NETWORKS", "false", "CLEANUP_BUILD_CACHE", "false"));
    assertThat(imagesOnly.exitCode()).isZero();
    assertThat(d.containerIds()).isEqualTo(containers);
    // the stopped container still uses its image, so only the other dangling image goes
    assertThat(d.imageIds()).doesNotContain(danglingImage).contains(danglingUsedByStopped);
    assertThat(d.networkNames()).isEqualTo(networks);
  }

  @Test
  void keepLabelProtectsEveryTypeAndTheRunSaysSo() {
    CliRun r = CliRun.run(env("PRUNE_FILTER_UNTIL", "0", "PRUNE_ALL", "true", "PRUNE_VOLUMES", "true",
        "PRUNE_VOLUMES_ALL", "true"));
    assertThat(r.exitCode()).as(r.stdout()).isZero();
    assertThat(d.containerIds()).contains(stoppedKeep);
    assertThat(d.imageIds()).contains(keepImage, danglingKeep);
    assertThat(d.volumeNames()).contains("named-keep");
    assertThat(d.networkNames()).contains("net-keep");
    List<JsonNode> warns = r.jsonLines().stream().filter(n -> "protected_label".equals(n.path("reason").asText())).toList();
    assertThat(warns).extracting(n -> n.get("operation").asText())
        .contains("CONTAINER", "IMAGE", "VOLUME", "NETWORK");
  }

  @Test
  void dryRunListsExactlyWhatTheRealRunRemoves() {
    String[] settings = {"PRUNE_FILTER_UNTIL", "0", "PRUNE_ALL", "true", "PRUNE_VOLUMES", "true"};
    String before = d.counts();
    Set<String> containersBefore = d.containerIds();
    Set<String> imagesBefore = d.imageIds();
    Set<String> volumesBefore = d.volumeNames();
    Set<String> networksBefore = d.networkNames();

    CliRun dry = CliRun.run(env(concat(settings, "DRY_RUN", "true")));
    assertThat(dry.exitCode()).as(dry.stdout()).isZero();
    assertThat(d.counts()).as("a dry run deletes nothing").isEqualTo(before);
    assertThat(dry.jsonLines()).filteredOn(n -> n.has("id")).allSatisfy(n -> {
      assertThat(n.get("dry_run").asBoolean()).isTrue();
      assertThat(n.has("name")).isTrue();
      assertThat(n.has("type")).isTrue();
    });

    CliRun real = CliRun.run(env(settings));
    assertThat(real.exitCode()).as(real.stdout()).isZero();
    Set<String> containersGone = minus(containersBefore, d.containerIds());
    Set<String> imagesGone = minus(imagesBefore, d.imageIds());
    Set<String> volumesGone = minus(volumesBefore, d.volumeNames());
    Set<String> networksGone = minus(networksBefore, d.networkNames());

    assertThat(new HashSet<>(dry.itemIds("container"))).isEqualTo(containersGone).isNotEmpty();
    assertThat(new HashSet<>(dry.itemIds("image"))).isEqualTo(imagesGone).isNotEmpty();
    assertThat(new HashSet<>(dry.itemIds("volume"))).isEqualTo(volumesGone).isNotEmpty();
    Set<String> dryNetworkNames = new HashSet<>();
    dry.jsonLines().stream().filter(n -> "network".equals(n.path("type").asText()))
        .forEach(n -> dryNetworkNames.add(n.get("name").asText()));
    assertThat(dryNetworkNames).isEqualTo(networksGone).isNotEmpty();
    assertThat(new HashSet<>(real.itemIds("container"))).isEqualTo(containersGone);
    assertThat(dry.summary().get("count").asInt()).isEqualTo(real.summary().get("count").asInt());
  }

  @Test
  void buildCacheIsPrunedAndDryRunMatches() {
    d.buildkitImage("t/bk:1", "bk " + System.nanoTime());
    TestDaemons.docker(d.host(), "rmi", "t/bk:1");
    Set<String> cacheBefore = d.buildCacheIds();
    assertThat(cacheBefore).isNotEmpty();
    String[] only = {"PRUNE_FILTER_UNTIL", "0", "PRUNE_ALL", "true", "CLEANUP_CONTAINERS", "false",
        "CLEANUP_IMAGES", "false", "CLEANUP_NETWORKS", "false"};
    CliRun dry = CliRun.run(env(concat(only, "DRY_RUN", "true")));
    assertThat(d.buildCacheIds()).isEqualTo(cacheBefore);
    CliRun real = CliRun.run(env(only));
    assertThat(real.exitCode()).as(real.stdout()).isZero();
    Set<String> gone = minus(cacheBefore, d.buildCacheIds());
    assertThat(gone).isNotEmpty();
    assertThat(new HashSet<>(dry.itemIds("build_cache"))).isEqualTo(new HashSet<>(real.itemIds("build_cache")));
    assertThat(real.stdout()).contains("cannot protect build cache");
  }

  @Test
  void textLinesMatchTheContractFormat() {
    Map<String, String> env = env("PRUNE_FILTER_UNTIL", "0");
    env.put("LOG_FORMAT", "text");
    env.put("LOG_LEVEL", "INFO");
    CliRun r = CliRun.run(env);
    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout().lines().toList()).isNotEmpty().allSatisfy(l -> assertThat(l).matches(
        "\\[\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z\\] \\[(DEBUG|INFO|WARN|ERROR)\\] "
            + "\\[(INIT|CONTAINER|IMAGE|VOLUME|NETWORK|BUILD_CACHE|SUMMARY)\\] .+"));
    assertThat(r.stdout()).containsPattern("\\[INFO\\] \\[CONTAINER\\] Removed 1 stopped containers \\(.+ freed\\)");
  }

  @Test
  void everyJsonLineHasTheRequiredKeys() {
    CliRun r = CliRun.run(env("PRUNE_FILTER_UNTIL", "0", "DRY_RUN", "true"));
    assertThat(r.jsonLines()).isNotEmpty().allSatisfy(n -> assertThat(n.fieldNames()).toIterable()
        .contains("timestamp", "level", "operation", "message", "hostname"));
    assertThat(r.jsonLines()).filteredOn(n -> n.path("message").asText().startsWith("Would remove"))
        .filteredOn(n -> !n.has("id"))
        .allSatisfy(n -> assertThat(n.fieldNames()).toIterable()
            .contains("count", "space_freed_bytes", "duration_seconds", "dry_run"));
  }

  @Test
  void quietPrintsOnlyTheSummary() {
    Map<String, String> env = env("QUIET", "true");
    env.put("LOG_LEVEL", "INFO");
    CliRun r = CliRun.run(env);
    assertThat(r.exitCode()).isZero();
    assertThat(r.jsonLines()).extracting(n -> n.get("operation").asText()).containsExactly("SUMMARY");
  }

  private static Set<String> minus(Set<String> a, Set<String> b) {
    Set<String> out = new HashSet<>(a);
    out.removeAll(b);
    return out;
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
