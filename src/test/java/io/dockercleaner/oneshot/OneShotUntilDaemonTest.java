package io.dockercleaner.oneshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.testsupport.CliRun;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import java.time.Instant;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/**
 * The one-shot's {@code PRUNE_FILTER_UNTIL} as a timestamp between two creations, on a real private
 * daemon. Apart from {@link OneShotDaemonTest}: it needs two containers of its own, not that class's
 * scenario.
 */
@Tag("daemon")
class OneShotUntilDaemonTest {
  @Test
  void untilAsTimestampBetweenTwoCreations() {
    DaemonFixture d = new DaemonFixture(TestDaemons.main());
    d.reset();
    String older = d.stopped("older", TestDaemons.TEST_IMAGE);
    long olderSecond = Instant.parse(TestDaemons.docker(d.host(), "inspect", "-f", "{{.Created}}", older))
        .getEpochSecond();
    // wait for the wall clock to pass into the next second (a condition, not a fixed sleep)
    Awaitility.await().until(() -> Instant.now().getEpochSecond() > olderSecond);
    String newer = d.stopped("newer", TestDaemons.TEST_IMAGE);
    long newerSecond = Instant.parse(TestDaemons.docker(d.host(), "inspect", "-f", "{{.Created}}", newer))
        .getEpochSecond();
    String between = Instant.ofEpochSecond(newerSecond).toString();
    CliRun r = CliRun.run(Map.of("DOCKER_HOST", d.host(), "LOG_FORMAT", "json", "LOG_LEVEL", "DEBUG",
        // MIN_AGE (default 1h, applies to every trigger) would keep the seconds-old containers
        "MIN_AGE", "0", "PRUNE_FILTER_UNTIL", between));
    assertThat(r.exitCode()).as(r.stdout()).isZero();
    assertThat(d.containerIds()).containsExactly(newer);
  }
}
