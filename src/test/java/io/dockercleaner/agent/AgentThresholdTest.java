package io.dockercleaner.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dockercleaner.agent.watch.DiskMonitor;
import io.dockercleaner.agent.watch.DiskSample;
import io.dockercleaner.core.ItemOutcome;
import io.dockercleaner.core.Reason;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.core.RunOutcome;
import io.dockercleaner.exec.AuditLog;
import io.dockercleaner.exec.ItemResult;
import io.dockercleaner.exec.RunRecord;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk threshold for real: the small daemon's 2 GiB data root is filled with images of known
 * size; the agent frees just enough to get under the low watermark, least recently used first,
 * never touching a protected, running or more recently used image while an older one is left.
 */
@Tag("daemon")
@ExtendWith(VertxExtension.class)
class AgentThresholdTest {
  private static final int BLOB_MIB = 100;
  private static final long MIB = 1024L * 1024;

  @TempDir
  Path stateDir;

  @Test
  void crossingTheHighWatermarkFreesLeastRecentlyUsedImagesUntilUnderTheLowWatermark(Vertx vertx) throws Exception {
    String host = TestDaemons.small();
    DaemonFixture fixture = new DaemonFixture(host);
    fixture.reset();
    String run = UUID.randomUUID().toString().substring(0, 6);
    // protected (keep=true) and used earliest: the oldest by last use, still never removed
    String kept = blobImage(host, "at/kept:" + run, "keep=true");
    String busy = blobImage(host, "at/busy:" + run, "keep=false");
    List<String> old = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      old.add(blobImage(host, "at/old" + i + ":" + run, "keep=false"));
    }
    String recent = blobImage(host, "at/recent:" + run, "keep=false");
    fixture.running("busy-" + run, "at/busy:" + run);

    // phase 1: an agent with thresholds off learns last use from events, in a known order
    Instant previous = Instant.EPOCH;
    try (AgentHarness watcher = AgentHarness.start(vertx, host, Map.of("STATE_DIR", stateDir.toString()))) {
      List<String> order = new ArrayList<>(List.of("at/kept:" + run));
      for (int i = 1; i <= 4; i++) {
        order.add("at/old" + i + ":" + run);
      }
      order.add("at/recent:" + run);
      List<String> ids = new ArrayList<>(List.of(kept));
      ids.addAll(old);
      ids.add(recent);
      for (int i = 0; i < order.size(); i++) {
        String c = TestDaemons.docker(host, "create", "--network", "none", "--label", "keep=false", order.get(i), "true");
        TestDaemons.docker(host, "rm", c);
        String id = ids.get(i);
        Instant after = previous;
        await().atMost(AgentHarness.WAIT).until(() -> watcher.agent.state().imageLastUsed(id)
            .filter(t -> t.isAfter(after)).isPresent());
        previous = watcher.agent.state().imageLastUsed(id).orElseThrow();
      }
    }
    assertThat(stateDir.resolve("state.json")).exists();

    // phase 2: watermarks relative to what is used now, so that about 2.5 images must go
    String dataRoot = AgentHarness.get(io.dockercleaner.docker.DockerClient.connect(vertx,
        io.dockercleaner.docker.DockerClientOptions.of(io.dockercleaner.docker.DockerHost.parse(host, false, null)))
        .compose(c -> c.info().map(info -> info.dockerRootDir()).eventually(c::close)));
    DiskSample now = AgentHarness.get(new DiskMonitor(vertx, Path.of(dataRoot)).sample());
    long usable = now.usedBytes() + now.availableBytes();
    double high = now.usedRatio() - 0.01;
    double low = (now.usedBytes() - 2.5 * BLOB_MIB * MIB) / usable;
    assertThat(low).as("the data root must hold the images (%s)", now).isGreaterThan(0);

    try (AgentHarness agent = AgentHarness.start(vertx, host, Map.of(
        "STATE_DIR", stateDir.toString(),
        "DISK_HIGH_WATERMARK", percent(high),
        "DISK_LOW_WATERMARK", percent(low),
        "DISK_CHECK_INTERVAL", "200ms",
        "DELETE_CONCURRENCY", "1",
        "MIN_RUN_INTERVAL", "1s"))) {
      assertThat(agent.agent.state().imageLastUsed(old.get(0))).as("last use loaded from STATE_DIR").isPresent();
      await().atMost(AgentHarness.WAIT).until(() -> agent.finished.stream()
          .anyMatch(r -> r.trigger().equals("threshold") && r.count(ItemOutcome.REMOVED) > 0));
      RunRecord record = agent.finished.stream().filter(r -> r.trigger().equals("threshold")).findFirst().orElseThrow();

      List<String> removed = record.items().stream().filter(i -> i.outcome() == ItemOutcome.REMOVED)
          .map(i -> i.step().id()).toList();
      assertThat(removed).as("least recently used first, and no more than needed")
          .containsExactly(old.get(0), old.get(1), old.get(2));
      assertThat(record.items()).allSatisfy(i -> assertThat(i.step().type()).isEqualTo(ResourceType.IMAGE));
      assertThat(record.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
      assertThat(record.diskUsedRatioAfter()).isLessThanOrEqualTo(low);
      assertThat(record.items().stream().filter(i -> i.outcome() == ItemOutcome.SKIPPED).map(ItemResult::skipReason))
          .allSatisfy(r -> assertThat(r).isEqualTo(Reason.TARGET_REACHED));

      assertThat(fixture.imageIds()).doesNotContainAnyElementsOf(removed)
          .contains(kept, busy, old.get(3), recent);

      List<String> audited = Files.readAllLines(stateDir.resolve(AuditLog.FILE_NAME)).stream()
          .map(JsonObject::new).filter(o -> o.getString("runId").equals(record.id()) && "outcome".equals(o.getString("phase")))
          .map(o -> o.getString("outcome") + " " + o.getString("id")).toList();
      assertThat(audited).containsExactly("removed " + old.get(0), "removed " + old.get(1), "removed " + old.get(2));
    }
  }

  @Test
  void aThresholdRunThatStartsUnderTheLowWatermarkRemovesNothing(Vertx vertx) throws Exception {
    String host = TestDaemons.small();
    DaemonFixture fixture = new DaemonFixture(host);
    fixture.reset();
    String run = UUID.randomUUID().toString().substring(0, 6);
    String unused = fixture.image("at/unused:" + run, null, "unused " + run);
    try (AgentHarness h = AgentHarness.start(vertx, host, Map.of("DELETE_CONCURRENCY", "1"))) {
      // a threshold request coalesced during an earlier run carries the bytes of an old sample;
      // by the time it runs the disk is (here: always was) under DISK_LOW_WATERMARK
      RunRecord record = h.runAndWait(TriggerRequest.threshold("threshold", java.util.OptionalLong.of(512 * MIB),
          java.util.Set.of(), false));

      assertThat(record.diskUsedRatioBefore()).isLessThan(h.agent.settings().diskLowWatermarkRatio());
      assertThat(record.count(ItemOutcome.REMOVED)).isZero();
      assertThat(record.outcome()).isEqualTo(RunOutcome.NOTHING_RECLAIMABLE);
      assertThat(fixture.imageIds()).contains(unused);
    }
  }

  /** An image FROM the test image with a unique {@value #BLOB_MIB} MiB layer. */
  private static String blobImage(String host, String tag, String label) {
    return TestDaemons.build(host, tag, "FROM " + TestDaemons.TEST_IMAGE + "\nLABEL " + label
        + "\nRUN echo " + UUID.randomUUID() + " > /nonce && dd if=/dev/zero of=/blob bs=1M count=" + BLOB_MIB
        + " 2>/dev/null\n");
  }

  private static String percent(double ratio) {
    return String.format(Locale.ROOT, "%.4f%%", ratio * 100);
  }
}
