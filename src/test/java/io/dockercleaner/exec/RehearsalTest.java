package io.dockercleaner.exec;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.config.LogFormat;
import io.dockercleaner.config.LogLevel;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up rehearsal of the delete path: every made-up deletion reaches the in-process
 * stand-in and only it, and nothing is left in the temp folder.
 */
class RehearsalTest {
  private final Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));

  @TempDir
  Path parent;

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private Rehearsal.Result rehearse(Path in, int deletions) throws Exception {
    return Rehearsal.run(vertx, in, deletions, 8, LogFormat.JSON, LogLevel.DEBUG, Clock.systemUTC())
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void everyMadeUpDeletionGoesToTheStandInAndTheFolderIsRemoved() throws Exception {
    Rehearsal.Result r = rehearse(parent, 50);

    assertThat(r.removed()).isEqualTo(50);
    // the client's negotiation (ping, version) and one DELETE per image: the stand-in saw it all
    assertThat(r.requests()).isEqualTo(52);
    try (Stream<Path> left = Files.list(parent)) {
      assertThat(left).as("the stand-in's socket, audit file and folder are removed").isEmpty();
    }
  }

  @Test
  void aFolderThatCannotBeMadeFailsWithTheReason() {
    Path missing = parent.resolve("no-such-folder");

    assertThat(Rehearsal.run(vertx, missing, 10, 8, LogFormat.TEXT, LogLevel.INFO, Clock.systemUTC())
        .toCompletionStage().toCompletableFuture())
        .failsWithin(60, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
        .withMessageContaining("cannot make a temp folder for the stand-in in " + missing);
  }

  @Test
  void madeUpImagesHaveDistinctIdsOfTheRealShape() {
    assertThat(Rehearsal.steps(300)).extracting(s -> s.id()).doesNotHaveDuplicates()
        .allMatch(id -> id.matches("sha256:[0-9a-f]{64}"));
  }
}
