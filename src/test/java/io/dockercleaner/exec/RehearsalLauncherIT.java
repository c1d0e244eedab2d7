package io.dockercleaner.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dockercleaner.testsupport.AgentProcess;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up rehearsal on the shipped launcher ({@code bin/docker-cleaner agent}) against a
 * private daemon: it deletes nothing real and writes no audit line; the first real run afterwards
 * deletes through the real daemon with its audit lines; a rehearsal that cannot run is a warning,
 * not a failed start.
 */
@Tag("daemon")
class RehearsalLauncherIT {
  private DaemonFixture d;
  private String stopped;

  @TempDir
  Path stateDir;

  @TempDir
  Path tmp;

  @BeforeEach
  void scenario() {
    d = new DaemonFixture(TestDaemons.main());
    d.reset();
    stopped = d.stopped("rehearsal-stopped", TestDaemons.TEST_IMAGE);
  }

  private AgentProcess agent(Path javaTmp) {
    Map<String, String> env = AgentProcess.baseEnv(d.host());
    env.put("STATE_DIR", stateDir.toString());
    env.put("MIN_AGE", "0s");
    env.put("QUIET_PERIOD", "0s");
    env.put("DOCKER_CLEANER_JAVA_OPTS", "-Djava.io.tmpdir=" + javaTmp);
    return AgentProcess.start(env);
  }

  private static Optional<JsonObject> line(AgentProcess a, String messageStart) {
    return a.jsonLines().stream().filter(l -> l.getString("message", "").startsWith(messageStart)).findFirst();
  }

  private List<JsonObject> auditLines() throws IOException {
    Path audit = stateDir.resolve(AuditLog.FILE_NAME);
    return Files.exists(audit) ? Files.readAllLines(audit).stream().map(JsonObject::new).toList() : List.of();
  }

  @Test
  void theRehearsalDeletesNothingRealAndTheFirstRunDeletesWithItsAudit() throws IOException {
    try (AgentProcess a = agent(tmp)) {
      a.awaitReady();
      JsonObject rehearsed = await().atMost(AgentProcess.WAIT).until(() -> line(a, "Rehearsed the delete path"),
          Optional::isPresent).get();

      assertThat(rehearsed.getInteger("rehearsal_deletions")).isEqualTo(Rehearsal.DEFAULT_DELETIONS);
      assertThat(d.containerIds()).contains(stopped);
      assertThat(auditLines()).as("no audit line for a made-up deletion").isEmpty();
      assertThat(a.runs()).isEmpty();
      try (Stream<Path> left = Files.list(tmp)) {
        assertThat(left).as("the stand-in's folder is removed").isEmpty();
      }

      JsonObject run = a.awaitRun(a.startRun("{\"types\":[\"container\"]}"));

      assertThat(run.getInteger("removed")).as(run.encodePrettily()).isEqualTo(1);
      assertThat(d.containerIds()).doesNotContain(stopped);
      assertThat(auditLines()).extracting(l -> l.getString("id")).containsOnly(stopped);
      assertThat(auditLines()).extracting(l -> l.getString("phase")).containsExactly("intent", "outcome");
    }
  }

  @Test
  void aRehearsalThatCannotRunIsAWarningAndTheAgentWorks() throws IOException {
    // a file where the temp folder should be (a missing folder would not do: Netty makes it)
    Path notAFolder = Files.writeString(tmp.resolve("not-a-folder"), "x");
    try (AgentProcess a = agent(notAFolder)) {
      a.awaitReady();
      JsonObject warned = await().atMost(AgentProcess.WAIT).until(() -> line(a, "Delete path not rehearsed"),
          Optional::isPresent).get();

      assertThat(warned.getString("level")).isEqualTo("WARN");
      assertThat(warned.getString("message")).contains("cannot make a temp folder for the stand-in in " + notAFolder);

      JsonObject run = a.awaitRun(a.startRun("{\"types\":[\"container\"]}"));

      assertThat(run.getInteger("removed")).as(run.encodePrettily()).isEqualTo(1);
      assertThat(d.containerIds()).doesNotContain(stopped);
    }
  }
}
