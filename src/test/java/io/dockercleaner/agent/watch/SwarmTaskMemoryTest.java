package io.dockercleaner.agent.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dockercleaner.docker.model.ContainerSummary;
import io.dockercleaner.docker.model.DockerEvent;
import io.dockercleaner.docker.model.ImageSummary;
import io.dockercleaner.testsupport.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's memory of the swarm tasks its node ran: what a worker, which cannot list service
 * specs, keeps protected after a task left the node.
 */
class SwarmTaskMemoryTest {
  private static final String IMAGE_A = "sha256:" + "a".repeat(64);
  private static final String IMAGE_B = "sha256:" + "b".repeat(64);
  private static final String SERVICE = "s".repeat(25);
  private static final String OTHER_SERVICE = "o".repeat(25);
  private static final String REF_A = "web:1@sha256:" + "d".repeat(64);

  private final MutableClock clock = new MutableClock();

  @TempDir Path dir;

  private static ContainerSummary task(String id, String service, String serviceName, String ref, String imageId) {
    Map<String, String> labels = new HashMap<>();
    labels.put(SwarmTaskMemory.SERVICE_ID_LABEL, service);
    labels.put(SwarmTaskMemory.SERVICE_NAME_LABEL, serviceName);
    labels.put("com.docker.swarm.task.id", "t" + id);
    return new ContainerSummary(id, List.of("/" + serviceName + ".1." + id), ref, imageId, "running", "Up", 0, labels,
        -1, List.of());
  }

  private static DockerEvent containerEvent(String action, String id, Map<String, String> attributes, Instant at) {
    long nanos = at.getEpochSecond() * 1_000_000_000L + at.getNano();
    return new DockerEvent("container", action, id, attributes, "local", at.getEpochSecond(), nanos);
  }

  @Test
  void aTaskContainerIsRecordedWithItsServiceReferenceIdAndTimeAndSaysSo() {
    SwarmTaskMemory memory = new SwarmTaskMemory();
    Instant t = clock.instant();
    assertThat(memory.recordContainers(List.of(task("c1", SERVICE, "web", REF_A, IMAGE_A),
        new ContainerSummary("plain", List.of("/plain"), "tool:1", IMAGE_B, "exited", "", 0, Map.of(), -1, List.of())),
        t)).isTrue();
    List<SwarmTaskMemory.Entry> entries = memory.seenSince(t.minus(Duration.ofDays(1)));
    assertThat(entries).as("only swarm task containers count")
        .containsExactly(new SwarmTaskMemory.Entry(SERVICE, "web", REF_A, IMAGE_A, t));
    assertThat(entries.get(0).references()).containsExactly(REF_A, IMAGE_A);
    assertThat(entries.get(0).evidence())
        .isEqualTo("task of service web (" + SERVICE.substring(0, 12) + ") seen on this node at " + t);
  }

  @Test
  void seeingTheTaskAgainMovesItsTimeForwardNeverBack() {
    SwarmTaskMemory memory = new SwarmTaskMemory();
    Instant t = clock.instant();
    memory.record(SERVICE, "web", REF_A, IMAGE_A, t.plusSeconds(60));
    assertThat(memory.record(SERVICE, "web", REF_A, IMAGE_A, t)).as("an older sighting changes nothing").isFalse();
    memory.record(SERVICE, "web", REF_A, IMAGE_A, t.plusSeconds(120));
    assertThat(memory.seenSince(Instant.EPOCH)).extracting(SwarmTaskMemory.Entry::lastSeen)
        .containsExactly(t.plusSeconds(120));
  }

  @Test
  void aSightingWithoutImageIdMergesIntoTheEntryThatKnowsIt() {
    SwarmTaskMemory memory = new SwarmTaskMemory();
    Instant t = clock.instant();
    // an event before the id is known, then a listing with the id, then an event again
    memory.record(SERVICE, "web", REF_A, "", t);
    memory.record(SERVICE, "web", REF_A, IMAGE_A, t.plusSeconds(10));
    memory.record(SERVICE, "", REF_A, null, t.plusSeconds(20));
    assertThat(memory.seenSince(Instant.EPOCH))
        .containsExactly(new SwarmTaskMemory.Entry(SERVICE, "web", REF_A, IMAGE_A, t.plusSeconds(20)));
  }

  @Test
  void aSightingWithoutServiceOrImageIsIgnored() {
    SwarmTaskMemory memory = new SwarmTaskMemory();
    assertThat(memory.record("", "web", REF_A, IMAGE_A, clock.instant())).isFalse();
    assertThat(memory.record(SERVICE, "web", " ", "", clock.instant())).isFalse();
    assertThat(memory.size()).isZero();
  }

  @Test
  void entriesOlderThanTheRetentionAreForgottenWithAControlledClock() {
    SwarmTaskMemory memory = new SwarmTaskMemory();
    Duration retention = Duration.ofDays(30);
    memory.record(SERVICE, "web", REF_A, IMAGE_A, clock.instant());
    clock.advance(Duration.ofDays(10));
    memory.record(OTHER_SERVICE, "jobs", "jobs:2", IMAGE_B, clock.instant());
    clock.advance(Duration.ofDays(20)); // web seen exactly 30 days ago: still within
    assertThat(memory.seenSince(clock.instant().minus(retention))).extracting(SwarmTaskMemory.Entry::serviceName)
        .as("most recently seen first").containsExactly("jobs", "web");
    clock.advance(Duration.ofSeconds(1));
    assertThat(memory.forgetSeenBefore(clock.instant().minus(retention))).isEqualTo(1);
    assertThat(memory.seenSince(Instant.EPOCH)).extracting(SwarmTaskMemory.Entry::serviceName).containsExactly("jobs");
  }

  @Test
  void theMemoryIsBoundedAndForgetsTheLeastRecentlySeenFirst() {
    SwarmTaskMemory memory = new SwarmTaskMemory();
    Instant t = clock.instant();
    for (int i = 0; i < SwarmTaskMemory.MAX_ENTRIES + 10; i++) {
      memory.record("service" + i, "s" + i, "app:" + i, "", t.plusSeconds(i));
    }
    assertThat(memory.size()).isEqualTo(SwarmTaskMemory.MAX_ENTRIES);
    List<SwarmTaskMemory.Entry> kept = memory.seenSince(Instant.EPOCH);
    assertThat(kept.get(kept.size() - 1).serviceId()).as("the 10 least recently seen went").isEqualTo("service10");
    assertThat(kept.get(0).serviceId()).isEqualTo("service" + (SwarmTaskMemory.MAX_ENTRIES + 9));
  }

  @Test
  void aManagersServiceListDropsTheServicesThatNoLongerExist() {
    SwarmTaskMemory memory = new SwarmTaskMemory();
    memory.record(SERVICE, "web", REF_A, IMAGE_A, clock.instant());
    memory.record(OTHER_SERVICE, "jobs", "jobs:2", IMAGE_B, clock.instant());
    assertThat(memory.retainServices(Set.of(SERVICE))).isEqualTo(1);
    assertThat(memory.seenSince(Instant.EPOCH)).extracting(SwarmTaskMemory.Entry::serviceName).containsExactly("web");
  }

  @Test
  void theJsonFormRoundTripsAndAMalformedEntryIsRefused() throws IOException {
    SwarmTaskMemory memory = new SwarmTaskMemory();
    memory.record(SERVICE, "web", REF_A, IMAGE_A, clock.instant());
    memory.record(OTHER_SERVICE, "", "jobs:2", "", clock.instant().plusSeconds(5));
    SwarmTaskMemory read = new SwarmTaskMemory();
    read.readJson(new ObjectMapper().readTree(memory.toJson().toString()));
    assertThat(read.seenSince(Instant.EPOCH)).isEqualTo(memory.seenSince(Instant.EPOCH));
    assertThatThrownBy(() -> new SwarmTaskMemory().readJson(new ObjectMapper().readTree("[{\"serviceId\":\"x\"}]")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("swarmTasks[0] needs a serviceId and a lastSeen");
  }

  // ---- as part of the usage state: fed by reconcile and events, saved in state.json

  @Test
  void theUsageStateRecordsTasksFromReconcileAndFromEventsAndKeepsThemAcrossARestart() throws IOException {
    UsageState state = UsageState.load(dir, clock.instant());
    Instant listed = clock.instant();
    state.reconcile(List.of(new ImageSummary(IMAGE_A, "", List.of("web:1"), List.of(), 0, 1, -1, -1, Map.of()),
        new ImageSummary(IMAGE_B, "", List.of("jobs:2"), List.of(), 0, 1, -1, -1, Map.of())),
        List.of(task("c1", SERVICE, "web", REF_A, IMAGE_A)), listed);
    clock.advance(Duration.ofHours(1));
    // a task of another service comes and goes while the agent watches: only its events tell
    Map<String, String> attributes = Map.of("image", "jobs:2", "name", "jobs.1.x",
        SwarmTaskMemory.SERVICE_ID_LABEL, OTHER_SERVICE, SwarmTaskMemory.SERVICE_NAME_LABEL, "jobs");
    state.observe(containerEvent("start", "c2", attributes, clock.instant()));
    clock.advance(Duration.ofHours(1));
    Instant destroyed = clock.instant();
    state.observe(containerEvent("destroy", "c2", attributes, destroyed));
    state.saveNow();

    UsageState restarted = UsageState.load(dir, clock.instant());
    assertThat(restarted.swarmTasksWithin(Duration.ofDays(30), clock.instant())).containsExactly(
        new SwarmTaskMemory.Entry(OTHER_SERVICE, "jobs", "jobs:2", IMAGE_B, destroyed),
        new SwarmTaskMemory.Entry(SERVICE, "web", REF_A, IMAGE_A, listed));

    clock.advance(Duration.ofDays(30).minusHours(1).plusSeconds(1)); // web: 30 days and a second ago
    assertThat(restarted.swarmTasksWithin(Duration.ofDays(30), clock.instant()))
        .extracting(SwarmTaskMemory.Entry::serviceName).containsExactly("jobs");
    assertThat(restarted.changedSinceSave()).as("the forgotten entry is saved next time").isTrue();
    assertThat(restarted.swarmTasksWithin(Duration.ZERO, clock.instant())).as("retention 0: nothing").isEmpty();
  }

  @Test
  void aStateFileWithoutSwarmTasksStillLoads() throws IOException {
    Files.writeString(dir.resolve(UsageState.FILE_NAME), "{\"version\":1,\"lastEventTimeNano\":0,\"imageIdByName\":{},"
        + "\"imageFirstSeen\":{\"byId\":{},\"byName\":{}},\"imageLastUsed\":{\"byId\":{},\"byName\":{}},"
        + "\"imageTouched\":{\"byId\":{},\"byName\":{}},\"containerExitedAt\":{},\"touched\":{}}");
    UsageState state = UsageState.load(dir, clock.instant());
    assertThat(state.hadHistory()).isTrue();
    assertThat(state.swarmTasksWithin(Duration.ofDays(30), clock.instant())).isEmpty();
  }
}
