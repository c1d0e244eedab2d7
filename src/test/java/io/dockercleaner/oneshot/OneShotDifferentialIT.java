package io.dockercleaner.oneshot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.EngineApi;
import io.dockercleaner.testsupport.TestDaemons;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Differential test of the one-shot v1 contract: on the same seeded random scenario, a real run of
 * the shipped launcher ({@code bin/docker-cleaner}) removes exactly what Debian's docker CLI
 * removes with {@code container prune}, {@code image prune [-a]}, {@code network prune} and the
 * same filters; and a dry run before it lists exactly what the real run then removes.
 *
 * <p>The scenario is built twice, in lockstep, on two private daemons that bin/test-daemon
 * started: the CLI prunes daemon A ({@code DOCKER_CLEANER_TEST_HOST}), docker-cleaner daemon B
 * ({@code DOCKER_CLEANER_TEST_HOST_DIFF}). Ids differ between the builds, so survivors are
 * compared by scenario name (see {@link DifferentialScenario}). The builds and the purge between
 * cases go through the Engine API (the requests the CLI sends, without a CLI process per object);
 * the prunes on daemon A are Debian's docker CLI itself.
 *
 * <p><b>Volumes.</b> The contract is "unused anonymous volumes only unless PRUNE_VOLUMES_ALL, on
 * every API version, older than the age filter". Docker 20.10 (API 1.41) cannot say that: its
 * {@code volume prune} has no {@code all} filter (it removes unused named volumes too) and rejects
 * {@code until}. So the CLI runs {@code volume prune -f} with the label filters only, and the
 * expected set is what it removed, narrowed to volumes whose name on daemon A is 64 hex digits
 * (anonymous) unless PRUNE_VOLUMES_ALL, and to phase-1 volumes (created before {@code until})
 * when the variant has an {@code until} instant.
 *
 * <p>Runs in failsafe (after {@code package}) so the launcher runs the jar just built. Seeds:
 * {@code -Ddifftest.seeds=1,2,3} replaces the default ones, {@code -Ddifftest.variants=LABEL_NOT_K}
 * picks variants; a failure names seed, variant and every differing object, and prints the
 * scenario to replay it.
 */
@Tag("daemon")
class OneShotDifferentialIT {
  /**
   * 3 and 5 are arbitrary; 127, 240 and 389 make a dangling image whose unprotected, unused child
   * the prune removes while the dangling parent itself is protected (keep=true, or outside the
   * label filter): the daemon then deletes the parent too, as an untagged parent left childless.
   */
  private static final long[] DEFAULT_SEEDS = {3L, 5L, 127L, 240L, 389L};
  private static final ObjectMapper MAPPER = new ObjectMapper();
  /** Networks an engine makes itself (Podman's default network is {@code podman}). */
  static final Set<String> PREDEFINED_NETWORKS = Set.of("bridge", "host", "none", "podman");
  static final List<String> TYPES = List.of("container", "image", "volume", "network");

  private static DaemonFixture cliSide;
  private static DaemonFixture cleanerSide;
  private static ExecutorService pool;
  private static Path baseImageTar;

  /**
   * Filter variants. {@code labelFilter} null: PRUNE_FILTER_LABEL unset (the default
   * {@code keep!=true}); {@code volumesVariable} null: volumes off (the default).
   */
  enum Variant {
    DEFAULTS_UNTIL(true, null, false, null, false),
    LABEL_K_EQ_V(true, "k=v", false, "PRUNE_VOLUMES", false),
    LABEL_K_NE_V(false, "k!=v", false, "CLEANUP_VOLUMES", true),
    LABEL_NOT_K(true, "!k", false, "PRUNE_VOLUMES", true),
    PRUNE_ALL_ANON_VOLUMES(true, "keep!=true", true, "PRUNE_VOLUMES", false),
    PRUNE_ALL_ALL_VOLUMES(false, null, true, "CLEANUP_VOLUMES", true);

    final boolean until;
    final String labelFilter;
    final boolean pruneAll;
    final String volumesVariable;
    final boolean volumesAll;

    Variant(boolean until, String labelFilter, boolean pruneAll, String volumesVariable, boolean volumesAll) {
      this.until = until;
      this.labelFilter = labelFilter;
      this.pruneAll = pruneAll;
      this.volumesVariable = volumesVariable;
      this.volumesAll = volumesAll;
    }

    /** The docker CLI's {@code --filter} values for the label filter (docker-cleaner's syntax → the daemon's). */
    List<String> cliLabelFilters() {
      String spec = labelFilter == null ? "keep!=true" : labelFilter;
      List<String> out = new ArrayList<>();
      for (String f : spec.split(",")) {
        if (f.startsWith("!")) {
          out.add("label!=" + f.substring(1));
        } else if (f.contains("!=")) {
          out.add("label!=" + f.replace("!=", "="));
        } else {
          out.add("label=" + f);
        }
      }
      return out;
    }

    Map<String, String> cleanerEnv(Instant untilInstant) {
      Map<String, String> env = new LinkedHashMap<>();
      env.put("PRUNE_FILTER_UNTIL", until ? untilInstant.toString() : "0");
      if (labelFilter != null) {
        env.put("PRUNE_FILTER_LABEL", labelFilter);
      }
      env.put("PRUNE_ALL", Boolean.toString(pruneAll));
      if (volumesVariable != null) {
        env.put(volumesVariable, "true");
      }
      env.put("PRUNE_VOLUMES_ALL", Boolean.toString(volumesAll));
      return env;
    }
  }

  @BeforeAll
  static void daemons() throws IOException {
    // both refuse anything bin/test-daemon did not start: prune runs delete everything unprotected
    String a = TestDaemons.main();
    String b = TestDaemons.require("DOCKER_CLEANER_TEST_HOST_DIFF");
    assertThat(a).as("the two sides need two different daemons").isNotEqualTo(b);
    cliSide = new DaemonFixture(a);
    cleanerSide = new DaemonFixture(b);
    cliSide.reset();
    cleanerSide.reset();
    pool = Executors.newFixedThreadPool(6);
    // a prune may remove the base image in some variant: keep a copy to restore it
    baseImageTar = Files.createTempFile("dc-base", ".tar");
    TestDaemons.docker(a, "save", "-o", baseImageTar.toString(), TestDaemons.TEST_IMAGE);
  }

  @AfterAll
  static void tearDown() throws IOException {
    release(pool, baseImageTar, cliSide, cleanerSide);
  }

  /** After a class of scenario tests: the pool stopped, the base image copy deleted, the daemons reset. */
  static void release(ExecutorService pool, Path baseImageTar, DaemonFixture... daemons) throws IOException {
    if (pool != null) {
      pool.shutdownNow();
    }
    if (baseImageTar != null) {
      Files.deleteIfExists(baseImageTar);
    }
    for (DaemonFixture d : daemons) {
      if (d != null) {
        d.reset();
      }
    }
  }

  static Stream<Arguments> cases() {
    // the two PRUNE_ALL variants take turns over the default seeds (5 seeds × 5 variants, all 6
    // variants covered): a whole case costs ~20 s, and the suite must stay well under 30 minutes
    return seedsTimesVariants("difftest", DEFAULT_SEEDS).filter(a -> {
      Variant v = (Variant) a.get()[1];
      if (!System.getProperty("difftest.variants", "").isBlank()
          || (v != Variant.PRUNE_ALL_ANON_VOLUMES && v != Variant.PRUNE_ALL_ALL_VOLUMES)) {
        return true;
      }
      int index = indexOf(DEFAULT_SEEDS, (Long) a.get()[0]);
      return index < 0 || (index % 2 == 0) == (v == Variant.PRUNE_ALL_ANON_VOLUMES);
    });
  }

  private static int indexOf(long[] values, long value) {
    for (int i = 0; i < values.length; i++) {
      if (values[i] == value) {
        return i;
      }
    }
    return -1;
  }

  /** Every seed with every variant: {@code -DPREFIX.seeds=1,2} and {@code -DPREFIX.variants=A,B}, else the defaults. */
  static Stream<Arguments> seedsTimesVariants(String prefix, long[] defaultSeeds) {
    String property = System.getProperty(prefix + ".seeds", "");
    long[] seeds = property.isBlank() ? defaultSeeds
        : Arrays.stream(property.split(",")).map(String::trim).mapToLong(Long::parseLong).toArray();
    String variantProperty = System.getProperty(prefix + ".variants", "");
    List<Variant> variants = variantProperty.isBlank() ? List.of(Variant.values())
        : Arrays.stream(variantProperty.split(",")).map(String::trim).map(Variant::valueOf).toList();
    return Arrays.stream(seeds).boxed().flatMap(seed -> variants.stream().map(v -> Arguments.of(seed, v)));
  }

  @ParameterizedTest(name = "seed {0}, {1}")
  @MethodSource("cases")
  void cleanerRemovesWhatTheDockerCliRemovesAndDryRunListsIt(long seed, Variant variant) {
    DifferentialScenario scenario = DifferentialScenario.generate(seed);
    long t0 = System.nanoTime();
    parallel(() -> prepare(cliSide, baseImageTar), () -> prepare(cleanerSide, baseImageTar));
    long t1 = System.nanoTime();
    DifferentialScenario.Built builtA = new DifferentialScenario.Built(cliSide.host(), baseImageId(cliSide.host()));
    DifferentialScenario.Built builtB = new DifferentialScenario.Built(cleanerSide.host(), baseImageId(cleanerSide.host()));
    Instant until = scenario.build(List.of(builtA, builtB), pool, betweenPhases(variant));
    long t2 = System.nanoTime();

    Snapshot beforeA = Snapshot.of(builtA);
    Snapshot beforeB = Snapshot.of(builtB);
    List<String> problems = new ArrayList<>();
    for (String type : TYPES) {
      if (!beforeA.names(type).equals(beforeB.names(type))) {
        throw new AssertionError("seed " + seed + ", " + variant + ": the two builds differ in " + type + "s: "
            + beforeA.names(type) + " vs " + beforeB.names(type));
      }
    }

    // the two sides at once: the CLI prunes A while docker-cleaner dry-runs, then runs, on B
    Map<String, TestDaemons.Result> cli = new LinkedHashMap<>();
    CleanerRuns cleaner = new CleanerRuns();
    long[] cliMillis = new long[1];
    parallel(() -> {
      long start = System.nanoTime();
      cli.putAll(pruneWithCli(cliSide.host(), variant, until));
      cliMillis[0] = (System.nanoTime() - start) / 1_000_000;
    }, () -> cleaner.runOn(builtB, variant, until));
    long t3 = System.nanoTime();
    // where the time goes (target/failsafe-reports/*-output.txt)
    System.out.printf("seed %d, %s: purge %d ms, build %d ms, prune %d ms (cli %d ms, dry run %d ms, real run %d ms)%n",
        seed, variant, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000, cliMillis[0],
        cleaner.dryMillis, cleaner.realMillis);

    cli.forEach((cmd, r) -> {
      if (r.exitCode() != 0) {
        problems.add("docker " + cmd + " exited " + r.exitCode() + ": " + r.stderr().strip());
      }
    });
    if (cleaner.dry.exitCode() != 0) {
      problems.add("dry run exited " + cleaner.dry.exitCode() + ":\n" + cleaner.dry.stdout() + cleaner.dry.stderr());
    }
    if (cleaner.real.exitCode() != 0) {
      problems.add("real run exited " + cleaner.real.exitCode() + ":\n" + cleaner.real.stdout() + cleaner.real.stderr());
    }
    if (!cleaner.afterDry.equals(beforeB)) {
      problems.add("the dry run deleted something: " + diffAll(beforeB, cleaner.afterDry));
    }

    Snapshot afterA = Snapshot.of(builtA);
    Map<String, Set<String>> removedByCli = beforeA.removed(afterA);
    Map<String, Set<String>> expected = new TreeMap<>(removedByCli);
    expected.put("volume", expectedVolumes(scenario, variant, removedByCli.get("volume"), beforeA));
    // a deliberate difference: the CLI's image prune also deletes the untagged parents of the
    // images it removes whatever their labels say (a keep=true parent can go); docker-cleaner
    // lists such parents, plans them after their children and keeps the ones its label filter
    // protects (and deletes with noprune, so the daemon takes nothing it did not list)
    java.util.function.Predicate<Map<String, String>> mayGo = io.dockercleaner.plan.PolicyFromSettings.labels(
        io.dockercleaner.config.ValueParsers.parseLabelFilters("PRUNE_FILTER_LABEL",
            variant.labelFilter == null ? "keep!=true" : variant.labelFilter));
    Set<String> protectedParents = new TreeSet<>();
    beforeA.byType().get("image").forEach((id, name) -> {
      if (!beforeA.byType().get("top-image").containsKey(id)
          && !mayGo.test(parseLabels(beforeA.byType().get("image-labels").get(id)))) {
        protectedParents.add(name);
      }
    });
    Set<String> expectedImages = new TreeSet<>(removedByCli.get("image"));
    expectedImages.removeAll(protectedParents);
    expected.put("image", expectedImages);
    Map<String, Set<String>> removedByCleaner = beforeB.removed(cleaner.afterReal);
    Map<String, Set<String>> listedByDryRun = cleaner.dryListed(beforeB);

    System.out.printf("seed %d, %s: %d objects; the CLI removed %s; expected of docker-cleaner %s%n", seed, variant,
        TYPES.stream().mapToInt(t -> beforeA.byType().get(t).size()).sum(), removedByCli, expected);
    for (String type : TYPES) {
      compare(problems, scenario, type, "real run vs docker CLI", "docker CLI removed (expected)",
          expected.get(type), "docker-cleaner removed", removedByCleaner.get(type));
      compare(problems, scenario, type, "dry run vs real run", "dry run listed",
          listedByDryRun.getOrDefault(type, Set.of()), "real run removed", removedByCleaner.get(type));
    }
    if (!problems.isEmpty()) {
      throw new AssertionError("seed " + seed + ", variant " + variant + " (" + variant.cleanerEnv(until)
          + "; CLI filters " + variant.cliLabelFilters() + (variant.until ? " until=" + until : "") + "): "
          + problems.size() + " mismatch(es):\n- " + String.join("\n- ", problems) + "\n" + scenario);
    }
  }

  private static Map<String, String> parseLabels(String lines) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String l : lines == null ? new String[0] : lines.split("\n")) {
      int eq = l.indexOf('=');
      if (eq > 0) {
        out.put(l.substring(0, eq), l.substring(eq + 1));
      }
    }
    return out;
  }

  /**
   * The volumes docker-cleaner must remove, derived from what the CLI's {@code volume prune}
   * removed on API 1.41 (see the class comment): anonymous ones only unless PRUNE_VOLUMES_ALL,
   * and only those created before {@code until} when the variant has one.
   */
  private static Set<String> expectedVolumes(DifferentialScenario s, Variant variant, Set<String> removedByCli,
      Snapshot beforeA) {
    if (variant.volumesVariable == null) {
      return Set.of();
    }
    return removedByCli.stream()
        .filter(name -> variant.volumesAll || beforeA.idOf("volume", name).matches("[0-9a-f]{64}"))
        .filter(name -> !variant.until || s.volumePhase(name) == 1)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  static void compare(List<String> problems, DifferentialScenario s, String type, String what,
      String leftName, Set<String> left, String rightName, Set<String> right) {
    Set<String> onlyLeft = new TreeSet<>(left);
    onlyLeft.removeAll(right);
    Set<String> onlyRight = new TreeSet<>(right);
    onlyRight.removeAll(left);
    if (!onlyLeft.isEmpty() || !onlyRight.isEmpty()) {
      StringBuilder m = new StringBuilder(type + "s, " + what + ":");
      for (String n : onlyLeft) {
        m.append("\n    ").append(leftName).append(" but not ").append(rightName).append(": ").append(s.describe(n));
      }
      for (String n : onlyRight) {
        m.append("\n    ").append(rightName).append(" but not ").append(leftName).append(": ").append(s.describe(n));
      }
      problems.add(m.toString());
    }
  }

  static String diffAll(Snapshot before, Snapshot after) {
    return before.removed(after).toString();
  }

  // ---- the two sides -------------------------------------------------------------------------

  /** The CLI side, in docker-cleaner's order: containers → images → volumes → networks. */
  private static Map<String, TestDaemons.Result> pruneWithCli(String host, Variant variant, Instant until) {
    List<String> filters = new ArrayList<>();
    for (String f : variant.cliLabelFilters()) {
      filters.add("--filter");
      filters.add(f);
    }
    List<String> untilFilter = variant.until ? List.of("--filter", "until=" + until) : List.of();
    Map<String, TestDaemons.Result> out = new LinkedHashMap<>();
    List<List<String>> commands = new ArrayList<>();
    commands.add(concat(List.of("container", "prune", "-f"), untilFilter, filters));
    commands.add(concat(variant.pruneAll ? List.of("image", "prune", "-f", "-a") : List.of("image", "prune", "-f"),
        untilFilter, filters));
    if (variant.volumesVariable != null) {
      // API 1.41: no `until` for volumes, no `all` filter (see the class comment)
      commands.add(concat(List.of("volume", "prune", "-f"), List.of(), filters));
    }
    commands.add(concat(List.of("network", "prune", "-f"), untilFilter, filters));
    for (List<String> c : commands) {
      out.put(String.join(" ", c), TestDaemons.dockerResult(host, null, c.toArray(String[]::new)));
    }
    return out;
  }

  /** The docker-cleaner side: dry run, then the real run, each followed by a snapshot. */
  static final class CleanerRuns {
    TestDaemons.Result dry;
    TestDaemons.Result real;
    Snapshot afterDry;
    Snapshot afterReal;
    long dryMillis;
    long realMillis;

    void runOn(DifferentialScenario.Built b, Variant variant, Instant until) {
      Map<String, String> env = variant.cleanerEnv(until);
      env.put("DRY_RUN", "true");
      long s0 = System.nanoTime();
      dry = launch(b.host, env);
      dryMillis = (System.nanoTime() - s0) / 1_000_000;
      afterDry = Snapshot.of(b);
      env.remove("DRY_RUN");
      s0 = System.nanoTime();
      real = launch(b.host, env);
      realMillis = (System.nanoTime() - s0) / 1_000_000;
      afterReal = Snapshot.of(b);
    }

    /** (type → scenario names) of the dry run's per-item "Would remove" lines. */
    Map<String, Set<String>> dryListed(Snapshot before) {
      Map<String, Set<String>> out = new TreeMap<>();
      for (String line : dry.stdout().lines().filter(l -> l.startsWith("{")).toList()) {
        JsonNode n;
        try {
          n = MAPPER.readTree(line);
        } catch (IOException e) {
          throw new AssertionError("dry run printed a line that is not JSON: " + line);
        }
        if (n.has("type") && n.has("id") && n.path("message").asText().startsWith("Would remove")) {
          String type = n.get("type").asText();
          out.computeIfAbsent(type, t -> new TreeSet<>()).add(before.nameOf(type, n.get("id").asText()));
        }
      }
      return out;
    }
  }

  /** Runs the shipped launcher with exactly the given settings (a clean environment). */
  static TestDaemons.Result launch(String host, Map<String, String> settings) {
    Path launcher = Path.of(System.getProperty("basedir", ".")).resolve("bin/docker-cleaner").toAbsolutePath();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("DOCKER_HOST", TestDaemons.requireHost(host));
    env.put("LOG_FORMAT", "json");
    env.put("CLEANUP_BUILD_CACHE", "false");
    env.put("MIN_AGE", "0"); // MIN_AGE may apply to the one-shot: 0 keeps this test about the filters
    env.putAll(settings);
    try {
      ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "run");
      // nothing from the calling shell (PRUNE_*, KEEP_IMAGES, DOCKER_*) may leak into the run
      Map<String, String> penv = pb.environment();
      Map<String, String> keep = new LinkedHashMap<>();
      for (String k : List.of("PATH", "HOME", "JAVA_HOME", "MAVEN_OPTS")) {
        if (System.getenv(k) != null) {
          keep.put(k, System.getenv(k));
        }
      }
      penv.clear();
      penv.putAll(keep);
      penv.put("HOSTNAME", "difftest");
      penv.putAll(env);
      Path out = Files.createTempFile("dc-diff-out", ".txt");
      Path err = Files.createTempFile("dc-diff-err", ".txt");
      pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      Process p = pb.start();
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new AssertionError("docker-cleaner did not finish within 5 minutes");
      }
      TestDaemons.Result r = new TestDaemons.Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
      return r;
    } catch (IOException e) {
      throw new AssertionError("cannot run " + launcher + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  // ---- daemon state ----------------------------------------------------------------------------

  /** What exists on one daemon: type → (daemon id → scenario name). */
  record Snapshot(Map<String, Map<String, String>> byType) {
    /** Reads the daemon's lists over its socket (no CLI process: this runs five times per case). */
    static Snapshot of(DifferentialScenario.Built b) {
      Map<String, Map<String, String>> m = new TreeMap<>();
      Map<String, String> containers = new TreeMap<>();
      for (JsonNode c : engineGet(b.host, "/containers/json?all=1")) {
        containers.put(c.get("Id").asText(), c.get("Names").get(0).asText().substring(1));
      }
      m.put("container", containers);
      Map<String, String> imageNames = new java.util.HashMap<>();
      b.imageIds.forEach((name, id) -> imageNames.put(id, name));
      imageNames.put(b.baseImageId, "base:" + TestDaemons.TEST_IMAGE);
      Map<String, String> images = new TreeMap<>();
      Map<String, String> tagged = new TreeMap<>();
      for (JsonNode i : engineGet(b.host, "/images/json?all=1")) {
        String id = i.get("Id").asText();
        images.put(id, imageNames.getOrDefault(id, "unknown-image:" + id));
        boolean hasTag = false;
        for (JsonNode t : i.path("RepoTags")) {
          hasTag |= !t.asText().equals("<none>:<none>");
        }
        if (hasTag) {
          tagged.put(id, images.get(id));
        }
      }
      m.put("image", images);
      m.put("tagged-image", tagged);
      // top-level images (what `docker images` lists); the rest are untagged parents of others
      Map<String, String> topLevel = new TreeMap<>();
      for (JsonNode i : engineGet(b.host, "/images/json")) {
        topLevel.put(i.get("Id").asText(), images.getOrDefault(i.get("Id").asText(), "unknown-image"));
      }
      m.put("top-image", topLevel);
      // labels of every image, as "k=v" lines (to tell which untagged parents a filter protects)
      Map<String, String> labels = new TreeMap<>();
      for (JsonNode i : engineGet(b.host, "/images/json?all=1")) {
        StringBuilder l = new StringBuilder();
        i.path("Labels").fields().forEachRemaining(e -> l.append(e.getKey()).append('=').append(e.getValue().asText())
            .append('\n'));
        labels.put(i.get("Id").asText(), l.toString());
      }
      m.put("image-labels", labels);
      Map<String, String> volumeNames = new java.util.HashMap<>();
      b.volumeNames.forEach((name, actual) -> volumeNames.put(actual, name));
      Map<String, String> volumes = new TreeMap<>();
      for (JsonNode v : engineGet(b.host, "/volumes").path("Volumes")) {
        String name = v.get("Name").asText();
        volumes.put(name, volumeNames.getOrDefault(name, "unknown-volume:" + name));
      }
      m.put("volume", volumes);
      Map<String, String> networks = new TreeMap<>();
      for (JsonNode n : engineGet(b.host, "/networks")) {
        if (!PREDEFINED_NETWORKS.contains(n.get("Name").asText())) {
          networks.put(n.get("Id").asText(), n.get("Name").asText());
        }
      }
      m.put("network", networks);
      return new Snapshot(m);
    }

    Set<String> names(String type) {
      return new TreeSet<>(byType.get(type).values());
    }

    /**
     * type → scenario names present here and gone in {@code after}. An image the prune only
     * untagged (it stays as the parent of another image) counts as {@code NAME (untagged only)}.
     */
    Map<String, Set<String>> removed(Snapshot after) {
      Map<String, Set<String>> out = new TreeMap<>();
      for (String type : TYPES) {
        Set<String> gone = new TreeSet<>();
        byType.get(type).forEach((id, name) -> {
          if (!after.byType.get(type).containsKey(id)) {
            gone.add(name);
          } else if (type.equals("image") && byType.get("tagged-image").containsKey(id)
              && !after.byType.get("tagged-image").containsKey(id)) {
            gone.add(name + " (untagged only)");
          }
        });
        out.put(type, gone);
      }
      return out;
    }

    String nameOf(String type, String id) {
      Map<String, String> m = byType.getOrDefault(type, Map.of());
      return m.getOrDefault(id, "unknown-" + type + ":" + id);
    }

    String idOf(String type, String name) {
      return byType.get(type).entrySet().stream().filter(e -> e.getValue().equals(name)).map(Map.Entry::getKey)
          .findFirst().orElseThrow(() -> new AssertionError("no " + type + " " + name));
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /**
   * Clean daemon with the base image present, through the Engine API (the requests of {@code docker
   * rm -f -v}, {@code rmi -f}, {@code volume rm -f}, {@code network rm}, without a CLI process),
   * failing on any refused container, volume or network delete; unlike {@link DaemonFixture#reset()}
   * it reloads the base image when a case's prune took it.
   */
  static void prepare(DaemonFixture d, Path baseImageTar) {
    String host = d.host();
    List<String> containers = new ArrayList<>();
    engineGet(host, "/containers/json?all=1").forEach(c -> containers.add(c.get("Id").asText()));
    // at once, as the CLI's rm of several containers does (a running one waits for its kill)
    EngineApi.each(containers, id -> deleteOrFail(host, "/containers/" + id + "?force=1&v=1"));
    boolean baseThere = EngineApi.removeImagesButTheTestImage(host);
    List<String> volumes = new ArrayList<>();
    engineGet(host, "/volumes").path("Volumes").forEach(v -> volumes.add(v.get("Name").asText()));
    EngineApi.each(volumes, v -> deleteOrFail(host, "/volumes/" + v + "?force=1"));
    List<String> networks = new ArrayList<>();
    for (JsonNode n : engineGet(host, "/networks")) {
      if (!PREDEFINED_NETWORKS.contains(n.get("Name").asText())) {
        networks.add(n.get("Id").asText());
      }
    }
    EngineApi.each(networks, n -> deleteOrFail(host, "/networks/" + n));
    if (!baseThere) {
      TestDaemons.docker(host, "load", "-q", "-i", baseImageTar.toString());
    }
  }

  private static void deleteOrFail(String host, String path) {
    int status = EngineApi.delete(host, path);
    if (status != 204 && status != 200 && status != 404) {
      throw new AssertionError("DELETE " + path + " on " + host + " answered " + status);
    }
  }

  static String baseImageId(String host) {
    return engineGet(host, "/images/" + TestDaemons.TEST_IMAGE + "/json").get("Id").asText();
  }

  /** GET on the daemon's unix socket (see {@link io.dockercleaner.testsupport.EngineApi}). */
  static JsonNode engineGet(String host, String path) {
    return EngineApi.get(host, path);
  }

  /**
   * What the build waits on between its phases: a variant with an {@code until} instant needs it a
   * whole second after phase 1 and before phase 2; one without (neither side gets an age filter:
   * PRUNE_FILTER_UNTIL=0, no CLI {@code until}) cannot tell the phases apart and waits for nothing.
   */
  static java.util.function.Consumer<Long> betweenPhases(Variant variant) {
    return variant.until ? OneShotDifferentialIT::awaitNextSecond : second -> { };
  }

  /** Waits on the condition that the wall clock has passed into a later second. */
  static void awaitNextSecond(long epochSecond) {
    Awaitility.await().pollInterval(Duration.ofMillis(10)).atMost(Duration.ofSeconds(5))
        .until(() -> Instant.now().getEpochSecond() > epochSecond);
  }

  private static void parallel(Runnable... tasks) {
    parallel(pool, tasks);
  }

  /** Runs the tasks at once on {@code pool}; an assertion failing in one is thrown here. */
  static void parallel(ExecutorService pool, Runnable... tasks) {
    try {
      CompletableFuture.allOf(Arrays.stream(tasks).map(t -> CompletableFuture.runAsync(t, pool))
          .toArray(CompletableFuture[]::new)).join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new AssertionError(e.getCause());
    }
  }

  @SafeVarargs
  private static List<String> concat(List<String>... parts) {
    List<String> out = new ArrayList<>();
    for (List<String> p : parts) {
      out.addAll(p);
    }
    return out;
  }
}
