package io.dockercleaner.oneshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * PRUNE_FORCE=false on a real terminal: the built jar runs under {@code script} (a pseudo-terminal),
 * shows the plan and removes only after "y".
 */
@Tag("daemon")
class OneShotConfirmIT {
  private DaemonFixture d;
  private String stopped;

  @BeforeEach
  void scenario() {
    d = new DaemonFixture(TestDaemons.main());
    d.reset();
    stopped = d.stopped("confirm-me", TestDaemons.TEST_IMAGE);
  }

  private TestDaemons.Result runOnTerminal(String answer) {
    Path jar = Path.of(System.getProperty("docker-cleaner.jar", "target/docker-cleaner.jar")).toAbsolutePath();
    String cmd = "java -jar " + jar + " run";
    return TestDaemons.run(List.of("script", "-q", "-e", "-c", cmd, "/dev/null"),
        (answer + "\n").getBytes(StandardCharsets.UTF_8),
        Map.of("DOCKER_HOST", d.host(), "PRUNE_FORCE", "false", "PRUNE_FILTER_UNTIL", "0", "MIN_AGE", "0", "TERM", "dumb"));
  }

  @Test
  void noKeepsEverythingAndExitsTwo() {
    TestDaemons.Result r = runOnTerminal("n");
    assertThat(r.exitCode()).as(r.stdout()).isEqualTo(2);
    assertThat(r.stdout()).contains(stopped.substring(0, 12)).contains("[y/N]").contains("Cancelled: nothing was deleted");
    assertThat(d.containerIds()).contains(stopped);
  }

  @Test
  void yesRemovesWhatThePlanShowed() {
    TestDaemons.Result r = runOnTerminal("y");
    assertThat(r.exitCode()).as(r.stdout()).isZero();
    assertThat(r.stdout()).contains(stopped.substring(0, 12)).contains("Removed 1 stopped containers");
    assertThat(d.containerIds()).doesNotContain(stopped);
  }
}
