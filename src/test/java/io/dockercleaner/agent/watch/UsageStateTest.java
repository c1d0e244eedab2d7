package io.dockercleaner.agent.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.core.ResourceType;
import io.dockercleaner.docker.model.ContainerSummary;
import io.dockercleaner.docker.model.DockerEvent;
import io.dockercleaner.docker.model.ImageSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class UsageStateTest {
  private static final String IMAGE_A = "sha256:" + "a".repeat(64);
  private static final String IMAGE_B = "sha256:" + "b".repeat(64);
  private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

  @TempDir Path dir;

  private static DockerEvent event(String type, String action, String actor, Map<String, String> attributes,
      Instant at) {
    long nanos = at.getEpochSecond() * 1_000_000_000L + at.getNano();
    return new DockerEvent(type, action, actor, attributes, "local", at.getEpochSecond(), nanos);
  }

  private static ImageSummary image(String id, String... tags) {
    return new ImageSummary(id, "", List.of(tags), List.of(), 0, 1000, -1, -1, Map.of());
  }

  private static ContainerSummary container(String id, String imageId, String state) {
    return new ContainerSummary(id, List.of("/" + id), "img", imageId, state, "", 0, Map.of(), -1, List.of());
  }

  @Test
  void usesAreRecordedOncePerMinuteKeptAfterDeletionAndSurviveASaveAndLoad() throws IOException {
    UsageState state = UsageState.load(dir, T0);
    state.reconcile(List.of(image(IMAGE_A, "app:1")), List.of(), T0);
    for (int day = 0; day < 3; day++) {
      Instant at = T0.plus(java.time.Duration.ofDays(day));
      // docker run: create and start within a second are one use
      state.observe(event("container", "create", "c" + day, Map.of("image", "app:1"), at));
      state.observe(event("container", "start", "c" + day, Map.of("image", "app:1"), at.plusSeconds(1)));
    }
    List<Instant> expected = List.of(T0, T0.plus(java.time.Duration.ofDays(1)), T0.plus(java.time.Duration.ofDays(2)));
    assertThat(state.imageUses(IMAGE_A)).isEqualTo(expected);
    // deleting the image forgets its last use, not the use history a re-pull will need
    state.observe(event("image", "delete", IMAGE_A, Map.of(), T0.plus(java.time.Duration.ofDays(3))));
    assertThat(state.imageLastUsed(IMAGE_A)).isEmpty();
    assertThat(state.imageUses(IMAGE_A)).isEqualTo(expected);
    assertThat(state.imageRepositories(IMAGE_A)).containsExactly("app");
    state.saveNow();
    UsageState loaded = UsageState.load(dir, T0);
    assertThat(loaded.imageUses(IMAGE_A)).isEqualTo(expected);
    assertThat(loaded.imageRepositories(IMAGE_A)).as("kept with the history of a deleted image").containsExactly("app");
    assertThat(loaded.allImageUses()).containsOnlyKeys(IMAGE_A);
  }

  @Test
  void aStateFileWithoutUseHistoryStillLoads() throws IOException {
    Files.writeString(dir.resolve(UsageState.FILE_NAME), "{\"version\":1,\"lastEventTimeNano\":0,\"imageIdByName\":{},"
        + "\"imageFirstSeen\":{\"byId\":{},\"byName\":{}},\"imageLastUsed\":{\"byId\":{},\"byName\":{}},"
        + "\"imageTouched\":{\"byId\":{},\"byName\":{}},\"containerExitedAt\":{},\"touched\":{}}");
    UsageState state = UsageState.load(dir, T0);
    assertThat(state.hadHistory()).isTrue();
    assertThat(state.imageUses(IMAGE_A)).isEmpty();
  }

  @Test
  void useHistoryOlderThanTheRetentionIsDroppedAtReconcile() {
    UsageState state = UsageState.inMemory();
    state.reconcile(List.of(image(IMAGE_A, "app:1")), List.of(), T0);
    state.observe(event("container", "start", "c1", Map.of("image", IMAGE_A), T0));
    state.reconcile(List.of(image(IMAGE_A, "app:1")), List.of(),
        T0.plus(UsageState.USE_HISTORY_RETENTION).plusSeconds(1));
    assertThat(state.imageUses(IMAGE_A)).isEmpty();
  }

  @Test
  void containerStartByTagMarksTheImageUsedOnceTheTagIsKnown() {
    UsageState state = UsageState.inMemory();
    state.reconcile(List.of(image(IMAGE_A, "app:1")), List.of(), T0);
    state.observe(event("container", "create", "c1", Map.of("image", "app:1"), T0.plusSeconds(5)));
    state.observe(event("container", "start", "c1", Map.of("image", "docker.io/library/app:1"), T0.plusSeconds(6)));
    assertThat(state.imageLastUsed(IMAGE_A)).contains(T0.plusSeconds(6));
    assertThat(state.lastTouched(ResourceType.CONTAINER, "c1")).contains(T0.plusSeconds(6));
    assertThat(state.imageLastUsed(IMAGE_B)).isEmpty();
  }

  @Test
  void aNameNotYetResolvableIsKeptAndResolvedByTheNextReconcile() {
    UsageState state = UsageState.inMemory();
    state.observe(event("image", "pull", "new:2", Map.of("name", "new:2"), T0.plusSeconds(1)));
    state.observe(event("container", "start", "c1", Map.of("image", "new:2"), T0.plusSeconds(2)));
    assertThat(state.imageLastUsed(IMAGE_B)).isEmpty();
    state.reconcile(List.of(image(IMAGE_B, "new:2")), List.of(), T0.plusSeconds(3));
    assertThat(state.imageLastUsed(IMAGE_B)).contains(T0.plusSeconds(2));
    // Pulled before the inventory saw it: first seen at the pull, not at the reconcile.
    assertThat(state.imageFirstSeen(IMAGE_B)).contains(T0.plusSeconds(1));
  }

  @Test
  void aContainerStartedByShortIdResolvesToTheImage() {
    UsageState state = UsageState.inMemory();
    state.reconcile(List.of(image(IMAGE_A)), List.of(), T0);
    state.observe(event("container", "start", "c1", Map.of("image", "aaaaaaaaaaaa"), T0.plusSeconds(1)));
    assertThat(state.imageLastUsed(IMAGE_A)).contains(T0.plusSeconds(1));
  }

  @Test
  void dieRecordsTheExitAndDestroyForgetsTheContainer() {
    UsageState state = UsageState.inMemory();
    state.observe(event("container", "die", "c1", Map.of("exitCode", "0"), T0));
    assertThat(state.containerExitedAt("c1")).contains(T0);
    state.observe(event("container", "destroy", "c1", Map.of(), T0.plusSeconds(1)));
    assertThat(state.containerExitedAt("c1")).isEmpty();
    assertThat(state.lastTouched(ResourceType.CONTAINER, "c1")).isEmpty();
  }

  @Test
  void tagSetsFirstSeenOnceAndLaterEventsOnlyTouch() {
    UsageState state = UsageState.inMemory();
    state.observe(event("image", "tag", IMAGE_A, Map.of("name", "app:2"), T0.plusSeconds(10)));
    state.observe(event("image", "tag", IMAGE_A, Map.of("name", "app:3"), T0.plusSeconds(20)));
    state.observe(event("image", "untag", IMAGE_A, Map.of(), T0.plusSeconds(30)));
    assertThat(state.imageFirstSeen(IMAGE_A)).contains(T0.plusSeconds(10));
    assertThat(state.lastTouched(ResourceType.IMAGE, IMAGE_A)).contains(T0.plusSeconds(30));
    // The tag event teaches the name: a start by that name is now resolved at once.
    state.observe(event("container", "start", "c9", Map.of("image", "app:3"), T0.plusSeconds(40)));
    assertThat(state.imageLastUsed(IMAGE_A)).contains(T0.plusSeconds(40));
  }

  @Test
  void volumeAndNetworkEventsTouchThemUntilDestroyed() {
    UsageState state = UsageState.inMemory();
    state.observe(event("volume", "mount", "data", Map.of("container", "c1"), T0));
    state.observe(event("network", "connect", "n1", Map.of("container", "c1"), T0.plusSeconds(1)));
    assertThat(state.lastTouched(ResourceType.VOLUME, "data")).contains(T0);
    assertThat(state.lastTouched(ResourceType.NETWORK, "n1")).contains(T0.plusSeconds(1));
    state.observe(event("volume", "destroy", "data", Map.of(), T0.plusSeconds(2)));
    assertThat(state.lastTouched(ResourceType.VOLUME, "data")).isEmpty();
  }

  @Test
  void reconcileSetsFirstSeenForUnknownImagesOnlyAndKeepsEarlierOnes() {
    UsageState state = UsageState.inMemory();
    state.observe(event("image", "import", IMAGE_A, Map.of(), T0));
    state.reconcile(List.of(image(IMAGE_A), image(IMAGE_B)), List.of(), T0.plusSeconds(100));
    assertThat(state.imageFirstSeen(IMAGE_A)).contains(T0);
    assertThat(state.imageFirstSeen(IMAGE_B)).contains(T0.plusSeconds(100));
    state.reconcile(List.of(image(IMAGE_A), image(IMAGE_B)), List.of(), T0.plusSeconds(200));
    assertThat(state.imageFirstSeen(IMAGE_B)).contains(T0.plusSeconds(100));
  }

  @Test
  void reconcileDropsObjectsThatNoLongerExistButKeepsStateNewerThanTheInventory() {
    UsageState state = UsageState.inMemory();
    state.reconcile(List.of(image(IMAGE_A), image(IMAGE_B)), List.of(), T0);
    state.observe(event("container", "die", "gone", Map.of(), T0.plusSeconds(1)));
    state.observe(event("container", "die", "fresh", Map.of(), T0.plusSeconds(10)));
    state.observe(event("container", "die", "kept", Map.of(), T0.plusSeconds(2)));
    Instant inventoryAt = T0.plusSeconds(5);
    state.reconcile(List.of(image(IMAGE_A)), List.of(container("kept", IMAGE_A, "exited")), inventoryAt);
    assertThat(state.imageFirstSeen(IMAGE_B)).isEmpty();
    assertThat(state.imageFirstSeen(IMAGE_A)).contains(T0);
    assertThat(state.containerExitedAt("gone")).isEmpty();
    assertThat(state.containerExitedAt("kept")).contains(T0.plusSeconds(2));
    // Died after the inventory was taken: it may simply be newer than the list.
    assertThat(state.containerExitedAt("fresh")).contains(T0.plusSeconds(10));
  }

  @Test
  void reconcileMarksImagesOfRunningContainersUsedNow() {
    UsageState state = UsageState.inMemory();
    state.reconcile(List.of(image(IMAGE_A), image(IMAGE_B)),
        List.of(container("run", IMAGE_A, "running"), container("old", IMAGE_B, "exited")), T0);
    assertThat(state.imageLastUsed(IMAGE_A)).contains(T0);
    assertThat(state.imageLastUsed(IMAGE_B)).isEmpty();
  }

  @Test
  void retainTouchedForgetsVolumesThatNoLongerExist() {
    UsageState state = UsageState.inMemory();
    state.observe(event("volume", "mount", "a", Map.of(), T0));
    state.observe(event("volume", "mount", "b", Map.of(), T0));
    state.retainTouched(ResourceType.VOLUME, List.of("a"), T0.plusSeconds(1));
    assertThat(state.lastTouched(ResourceType.VOLUME, "a")).contains(T0);
    assertThat(state.lastTouched(ResourceType.VOLUME, "b")).isEmpty();
  }

  @Test
  void saveThenLoadGivesTheSameAnswers() throws IOException {
    UsageState state = UsageState.load(dir, T0);
    assertThat(state.hadHistory()).isFalse();
    state.reconcile(List.of(image(IMAGE_A, "app:1")), List.of(), T0);
    state.observe(event("container", "start", "c1", Map.of("image", "app:1"), T0.plusSeconds(1)));
    state.observe(event("container", "start", "c2", Map.of("image", "later:1"), T0.plusSeconds(2)));
    state.observe(event("container", "die", "c1", Map.of(), T0.plusSeconds(3)));
    state.observe(event("volume", "mount", "data", Map.of(), T0.plusSeconds(4)));
    assertThat(state.changedSinceSave()).isTrue();
    state.saveNow();
    assertThat(state.changedSinceSave()).isFalse();

    UsageState loaded = UsageState.load(dir, T0.plusSeconds(60));
    assertThat(loaded.hadHistory()).isTrue();
    assertThat(loaded.imageFirstSeen(IMAGE_A)).contains(T0);
    assertThat(loaded.imageLastUsed(IMAGE_A)).contains(T0.plusSeconds(1));
    assertThat(loaded.containerExitedAt("c1")).contains(T0.plusSeconds(3));
    assertThat(loaded.lastTouched(ResourceType.VOLUME, "data")).contains(T0.plusSeconds(4));
    assertThat(loaded.lastEventTimeNano()).isEqualTo(state.lastEventTimeNano());
    // The unresolved name survived too and resolves once the image is listed.
    loaded.reconcile(List.of(image(IMAGE_A, "app:1"), image(IMAGE_B, "later:1")), List.of(), T0.plusSeconds(1));
    assertThat(loaded.imageLastUsed(IMAGE_B)).contains(T0.plusSeconds(2));
    // Atomic write: only state.json is left behind, no temp file.
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly(UsageState.FILE_NAME);
    }
  }

  @Test
  void aCorruptFileIsMovedAsideAndTheStateStartsEmpty() throws IOException {
    Files.writeString(dir.resolve(UsageState.FILE_NAME), "{\"version\":1,\"lastEventTimeNa");
    UsageState state = UsageState.load(dir, Instant.parse("2026-11-28T10:15:00Z"));
    assertThat(state.hadHistory()).isFalse();
    assertThat(state.imageFirstSeen(IMAGE_A)).isEmpty();
    assertThat(dir.resolve(UsageState.FILE_NAME)).doesNotExist();
    assertThat(dir.resolve("state.json.corrupt-20261128T101500Z"))
        .hasContent("{\"version\":1,\"lastEventTimeNa");
    // It saves afresh over the moved file.
    state.observe(event("container", "die", "c1", Map.of(), T0));
    state.saveNow();
    assertThat(UsageState.load(dir, T0).containerExitedAt("c1")).contains(T0);
  }

  @Test
  void aFileOfAnotherFormatVersionIsMovedAsideToo() throws IOException {
    Files.writeString(dir.resolve(UsageState.FILE_NAME), "{\"version\":99}");
    UsageState state = UsageState.load(dir, T0);
    assertThat(state.hadHistory()).isFalse();
    assertThat(dir.resolve("state.json.corrupt-20261128T100000Z")).exists();
  }

  @Test
  void aValidFileWithWrongTypesIsCorrupt() throws IOException {
    Files.writeString(dir.resolve(UsageState.FILE_NAME), "{\"version\":1,\"lastEventTimeNano\":0,"
        + "\"imageIdByName\":{},\"imageFirstSeen\":{\"byId\":{\"x\":\"yesterday\"},\"byName\":{}},"
        + "\"imageLastUsed\":{\"byId\":{},\"byName\":{}},\"imageTouched\":{\"byId\":{},\"byName\":{}},"
        + "\"containerExitedAt\":{},\"touched\":{}}");
    assertThat(UsageState.load(dir, T0).hadHistory()).isFalse();
  }

  @Test
  void tempFilesOfInterruptedSavesAreRemovedAtLoadAndNothingElse() throws IOException {
    UsageState saved = UsageState.load(dir, T0);
    saved.observe(event("container", "die", "c1", Map.of(), T0));
    saved.saveNow();
    Path orphan1 = Files.writeString(dir.resolve(UsageState.FILE_NAME + ".123456.tmp"), "{\"half\":");
    Path orphan2 = Files.writeString(dir.resolve(UsageState.FILE_NAME + ".9.tmp"), "");
    Path other = Files.writeString(dir.resolve("audit.jsonl"), "{}\n");

    UsageState loaded = UsageState.load(dir, T0);

    assertThat(orphan1).doesNotExist();
    assertThat(orphan2).doesNotExist();
    assertThat(other).exists();
    assertThat(loaded.containerExitedAt("c1")).contains(T0);
  }

  @Test
  void aFailedSaveIsRememberedUntilASaveSucceeds() throws IOException {
    Path stateDir = dir.resolve("state");
    UsageState state = UsageState.load(stateDir, T0);
    state.observe(event("container", "die", "c1", Map.of(), T0));
    Files.writeString(stateDir, "a file where the directory should be");

    assertThat(org.assertj.core.api.Assertions.catchThrowable(state::saveNow)).isInstanceOf(IOException.class);
    assertThat(state.lastSaveFailure()).hasValueSatisfying(f -> assertThat(f).contains(stateDir.toString()));

    Files.delete(stateDir);
    state.saveNow();
    assertThat(state.lastSaveFailure()).isEmpty();
  }

  @Test
  void anInMemoryStateNeverWrites() throws IOException {
    UsageState state = UsageState.inMemory();
    state.observe(event("container", "die", "c1", Map.of(), T0));
    state.saveNow();
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void saveOnAWorkerThreadWritesWhatLoadReads(Vertx vertx, VertxTestContext ctx) {
    UsageState state = UsageState.load(dir, T0);
    state.observe(event("container", "die", "c1", Map.of(), T0));
    state.save(vertx).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThat(state.changedSinceSave()).isFalse();
      assertThat(UsageState.load(dir, T0).containerExitedAt("c1")).contains(T0);
      ctx.completeNow();
    })));
  }
}
