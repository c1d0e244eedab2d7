package io.dockercleaner.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.testsupport.AgentProcess;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A misspelt protection on the shipped launcher: {@code KEEP_IMAGE} (for KEEP_IMAGES) is refused
 * with exit 2 and deletes nothing; spelt right, the same run keeps the image and removes the rest.
 */
@Tag("daemon")
class NearMissLauncherIT {
  private DaemonFixture d;
  private String stopped;
  private String app;

  @BeforeEach
  void scenario() {
    d = new DaemonFixture(TestDaemons.main());
    d.reset();
    app = d.image("nearmiss/app:1", null, "near miss");
    stopped = d.stopped("nearmiss-stopped", TestDaemons.TEST_IMAGE);
  }

  private TestDaemons.Result oneShot(String keepVariable) {
    return TestDaemons.run(List.of(AgentProcess.projectRoot().resolve("bin/docker-cleaner").toString()), null,
        Map.of("DOCKER_HOST", d.host(), keepVariable, "nearmiss/*", "PRUNE_ALL", "true", "PRUNE_FILTER_UNTIL", "0",
            "MIN_AGE", "0s"));
  }

  @Test
  void aMisspeltKeepVariableIsRefusedAndNothingIsDeleted() {
    TestDaemons.Result r = oneShot("KEEP_IMAGE");

    assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isEqualTo(2);
    assertThat(r.stdout() + r.stderr()).contains("KEEP_IMAGE: not a docker-cleaner variable; did you mean KEEP_IMAGES?");
    assertThat(d.containerIds()).contains(stopped);
    assertThat(d.imageIds()).contains(app);
  }

  @Test
  void spelledRightTheImageIsKeptAndTheRestRemoved() {
    TestDaemons.Result r = oneShot("KEEP_IMAGES");

    assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
    assertThat(d.containerIds()).doesNotContain(stopped);
    assertThat(d.imageIds()).contains(app);
  }
}
