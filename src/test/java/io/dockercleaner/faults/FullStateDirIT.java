package io.dockercleaner.faults;

import static io.dockercleaner.faults.FaultRig.sh;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dockercleaner.testsupport.AgentProcess;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * STATE_DIR on a tiny loop-mounted ext4 filesystem filled to the last block: a run that deletes
 * ends {@code partial} and says that its audit trail is incomplete, the metric counts the lines
 * lost, and once there is room again a run writes its audit and succeeds.
 */
@Tag("daemon")
class FullStateDirIT {
  @TempDir
  Path work;

  @Test
  void aRunWhoseAuditCannotBeWrittenEndsPartialAndIsCounted() throws Exception {
    String host = TestDaemons.main();
    DaemonFixture fixture = new DaemonFixture(host);
    fixture.reset();
    Path image = work.resolve("state.img");
    Path mount = work.resolve("mnt");
    Files.createDirectories(mount);
    sh("truncate", "-s", "1M", image.toString());
    sh("mkfs.ext4", "-q", "-F", image.toString());
    sh("mount", "-o", "loop", image.toString(), mount.toString());
    try {
      Path stateDir = Files.createDirectories(mount.resolve("state"));
      String keep = fixture.stopped("keeper-full", TestDaemons.TEST_IMAGE, "--label", "keep=true");
      Set<String> stopped = FaultRig.createdContainers(host, "full", 5);

      Map<String, String> env = AgentProcess.baseEnv(host);
      env.putAll(Map.of("STATE_DIR", stateDir.toString(), "MIN_AGE", "0s", "QUIET_PERIOD", "0s"));
      try (AgentProcess agent = AgentProcess.start(env)) {
        agent.awaitReady();
        // fill the filesystem to the last block (root may use the reserved ones too: so does the agent)
        sh("bash", "-c", "dd if=/dev/zero of='" + mount.resolve("fill") + "' bs=1k 2>/dev/null; true");
        Path probe = mount.resolve("probe");
        assertThatThrownBy(() -> Files.writeString(probe, "x")).as("the filesystem is full")
            .hasMessageContaining("No space left");
        Files.deleteIfExists(probe);

        String id = agent.startRun("{\"types\":[\"container\"]}");
        JsonObject record = agent.awaitRun(id);
        String pretty = record.encodePrettily();
        assertThat(record.getString("outcome")).as(pretty).isEqualTo("partial");
        assertThat(record.getJsonArray("errors").stream().map(String::valueOf)).as(pretty)
            .anyMatch(e -> e.contains("audit trail incomplete"));
        assertThat(record.getInteger("auditFailures")).as(pretty).isPositive();
        Set<String> removed = FaultRig.itemIds(record, "removed");
        assertThat(FaultRig.containerIds(host)).as("what the run reports removed is gone")
            .doesNotContainAnyElementsOf(removed).contains(keep);
        assertThat(removed).isSubsetOf(stopped);
        assertThat(agent.metric("docker_cleaner_audit_write_failures_total").orElse(0)).as("the metric")
            .isPositive();
        assertThat(agent.output()).as("the log names the audit file; output in %s", agent.logFile())
            .contains("cannot append to the audit file");

        // room again: the next run's audit is whole and it succeeds
        Files.delete(mount.resolve("fill"));
        Set<String> more = FaultRig.createdContainers(host, "again", 3);
        String second = agent.startRun("{\"types\":[\"container\"]}");
        JsonObject after = agent.awaitRun(second);
        assertThat(after.getString("outcome")).as(after.encodePrettily()).isEqualTo("succeeded");
        assertThat(FaultRig.itemIds(after, "removed")).containsAll(more);
        assertThat(FaultRig.audit(stateDir, second, "outcome")).extracting(l -> l.getString("id"))
            .containsExactlyInAnyOrderElementsOf(FaultRig.itemIds(after, "removed"));
        assertThat(FaultRig.containerIds(host)).containsExactly(keep);
        agent.sigterm();
      }
    } finally {
      sh("umount", mount.toString()); // a loop mount made with -o loop frees its loop device here
    }
  }
}
