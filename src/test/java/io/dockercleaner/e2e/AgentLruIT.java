package io.dockercleaner.e2e;

import static io.dockercleaner.testsupport.TestDaemons.docker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dockercleaner.testsupport.AgentProcess;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Least recently used first, learned from the event stream, on the shipped launcher ({@code
 * bin/docker-cleaner agent} as a child process) and the small daemon's 2 GiB loop-mounted data
 * root: two images used after the others were created are removed last (one) or kept (the other,
 * once the low watermark is reached); a workload crossing the high watermark triggers the run;
 * the last-use times survive SIGTERM and a restart on the same STATE_DIR.
 */
@Tag("daemon")
class AgentLruIT {
  private static final long MIB = 1024L * 1024;
  /** Each candidate image adds one layer of this size over the protected base. */
  private static final int IMAGE_MIB = 50;
  /** What the workload writes to cross the high watermark. */
  private static final int FILL_MIB = 200;
  /** The high watermark sits this far below the filled disk (other writes are noise). */
  private static final int CROSS_MARGIN_MIB = 20;
  /**
   * Bytes the run must free once the disk is full, in images: all unused ones and half of the
   * first used one, so the low watermark is reached after exactly one used image, half an image
   * from either side. Even a sample taken as the disk crosses the high watermark asks for more than
   * three images (IMAGES_TO_FREE - CROSS_MARGIN), so the plan always reaches the used ones.
   */
  private static final double IMAGES_TO_FREE = 3.5;

  @TempDir
  Path stateDir;

  @Test
  void imagesUsedLastAreRemovedLastAndTheirLastUseSurvivesARestart() throws Exception {
    String host = TestDaemons.small();
    DaemonFixture fixture = new DaemonFixture(host);
    fixture.reset();
    String run = UUID.randomUUID().toString().substring(0, 6);
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      ids.add(fixture.layerImage("e2elru/img" + i + ":" + run, IMAGE_MIB));
    }
    // The images most exposed to the bug of issue #9: without recorded use, images first seen at
    // the same instant go in id order, so the two smallest ids are the ones to use.
    List<String> byId = ids.stream().sorted().toList();
    String usedFirst = byId.get(0);
    String usedLast = byId.get(1);
    List<String> unused = byId.subList(2, 5);

    Path dataRoot = Path.of(docker(host, "info", "-f", "{{.DockerRootDir}}"));
    Disk now = Disk.of(dataRoot);
    double high = (now.used + (FILL_MIB - CROSS_MARGIN_MIB) * MIB) / now.base;
    double low = (now.used + FILL_MIB * MIB - IMAGES_TO_FREE * IMAGE_MIB * MIB) / now.base;
    assertThat(low).as("the data root holds the images (%s)", now).isGreaterThan(0).isLessThan(high);

    Map<String, String> env = AgentProcess.baseEnv(host);
    env.putAll(Map.of("STATE_DIR", stateDir.toString(), "MIN_AGE", "0s", "QUIET_PERIOD", "0s",
        "DISK_CHECK_INTERVAL", "200ms", "DELETE_CONCURRENCY", "1",
        "DISK_HIGH_WATERMARK", percent(high), "DISK_LOW_WATERMARK", percent(low)));
    String filler = "e2e-fill-" + run;
    Instant usedFirstAt;
    Instant usedLastAt;
    try (AgentProcess agent = AgentProcess.start(env)) {
      agent.awaitReady();
      usedFirstAt = use(agent, host, usedFirst, Instant.EPOCH);
      usedLastAt = use(agent, host, usedLast, usedFirstAt);
      // the metrics see the same events as the usage state (one listener no longer replaces another)
      assertThat(agent.metric("docker_cleaner_events_total", "type", "container", "action", "start").orElse(0))
          .as("container starts counted in /metrics").isGreaterThanOrEqualTo(2);

      // a workload writes to the data root: the disk crosses the high watermark for real
      docker(host, "run", "-d", "--pull", "never", "--network", "none", "--name", filler, TestDaemons.TEST_IMAGE,
          "sh", "-c", "dd if=/dev/zero of=/fill bs=1M count=" + FILL_MIB + " && exec sleep 1000000");
      JsonObject[] found = new JsonObject[1];
      await().alias("a finished threshold run").atMost(AgentProcess.WAIT).pollInterval(Duration.ofMillis(200))
          .until(() -> {
            found[0] = agent.runs().stream().filter(r -> r.getString("trigger").equals("threshold")
                && !r.getString("outcome").equals("running")).findFirst().orElse(null);
            return found[0] != null;
          });
      JsonObject record = agent.run(found[0].getString("id"));

      List<JsonObject> audit = Files.readAllLines(stateDir.resolve("audit.jsonl")).stream().map(JsonObject::new)
          .filter(o -> o.getString("runId").equals(record.getString("id")))
          .filter(o -> "outcome".equals(o.getString("phase"))).toList(); // intent lines precede each deletion
      List<String> removed = audit.stream().filter(o -> o.getString("outcome").equals("removed"))
          .map(o -> o.getString("id")).toList();
      assertThat(removed).as("removal order in the audit; agent output in %s", agent.logFile()).hasSize(4);
      assertThat(removed.subList(0, 3)).as("the never used images go first").containsExactlyInAnyOrderElementsOf(unused);
      assertThat(removed.get(3)).as("then the image used first").isEqualTo(usedFirst);
      assertThat(audit).as("the image used last is not even planned: the target is reached before it")
          .noneMatch(o -> o.getString("id").equals(usedLast));
      assertThat(audit.get(3).getString("rule")).contains("last used " + usedFirstAt);
      assertThat(record.getString("outcome")).isEqualTo("succeeded");
      assertThat(record.getDouble("diskUsedRatioAfter")).as("under the low watermark").isLessThanOrEqualTo(low);

      assertThat(fixture.imageIds()).as("the daemon's images").contains(usedLast)
          .doesNotContainAnyElementsOf(removed);
      assertThat(agent.sigterm()).as("exit code after SIGTERM; output in %s", agent.logFile()).isZero();
    } finally {
      TestDaemons.dockerResult(host, null, "rm", "-f", filler);
    }

    // the memory of use is on disk ...
    JsonObject state = new JsonObject(Files.readString(stateDir.resolve("state.json")));
    assertThat(state.getLong("lastEventTimeNano")).as("events were recorded").isPositive();
    assertThat(Instant.parse(state.getJsonObject("imageLastUsed").getJsonObject("byId").getString(usedLast)))
        .isEqualTo(usedLastAt);

    // ... and a new agent on the same STATE_DIR plans with it
    try (AgentProcess restarted = AgentProcess.start(env)) {
      assertThat(restarted.lastUsedInPlan(usedLast)).as("last use of the kept image after the restart").contains(usedLastAt);
      assertThat(restarted.sigterm()).isZero();
    }
  }

  /**
   * Runs a container of {@code imageId}'s tag (as a user would) and waits until the agent's plan
   * shows a last use after {@code after}; returns it.
   */
  private static Instant use(AgentProcess agent, String host, String imageId, Instant after) {
    String tag = docker(host, "inspect", "-f", "{{index .RepoTags 0}}", imageId);
    docker(host, "run", "--rm", "--pull", "never", "--network", "none", tag, "true");
    Instant[] seen = new Instant[1];
    await().alias("the agent records the use of " + tag + " from the event stream (GET /v1/plan rule 'last used')")
        .atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).until(() -> {
          seen[0] = agent.lastUsedInPlan(imageId).orElse(null);
          return seen[0] != null && seen[0].isAfter(after);
        });
    return seen[0];
  }

  private static String percent(double ratio) {
    return String.format(Locale.ROOT, "%.4f%%", ratio * 100);
  }

  /** The data root's filesystem as df (and the agent) see it: used = total - free. */
  private record Disk(long used, double base) {
    static Disk of(Path path) throws IOException {
      FileStore store = Files.getFileStore(path);
      long used = store.getTotalSpace() - store.getUnallocatedSpace();
      return new Disk(used, (double) used + store.getUsableSpace());
    }
  }
}
