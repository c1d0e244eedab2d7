package io.dockercleaner.agent.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void doublesFromTheInitialDelayUpToTheCapWithoutJitter() {
    Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0, () -> 0.5);
    assertThat(backoff.next()).isEqualTo(Duration.ofSeconds(1));
    assertThat(backoff.next()).isEqualTo(Duration.ofSeconds(2));
    assertThat(backoff.next()).isEqualTo(Duration.ofSeconds(4));
    assertThat(backoff.next()).isEqualTo(Duration.ofSeconds(8));
    assertThat(backoff.next()).isEqualTo(Duration.ofSeconds(16));
    assertThat(backoff.next()).isEqualTo(Duration.ofSeconds(30));
    for (int i = 0; i < 100; i++) {
      assertThat(backoff.next()).isEqualTo(Duration.ofSeconds(30));
    }
    assertThat(backoff.attempts()).isEqualTo(106);
  }

  @Test
  void jitterShortensEachDelayByAtMostTheRatio() {
    Backoff longest = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2, () -> 0.0);
    Backoff shortest = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2, () -> 1.0);
    assertThat(longest.next()).isEqualTo(Duration.ofSeconds(1));
    assertThat(shortest.next()).isEqualTo(Duration.ofMillis(800));
    assertThat(longest.next()).isEqualTo(Duration.ofSeconds(2));
    assertThat(shortest.next()).isEqualTo(Duration.ofMillis(1600));
  }

  @Test
  void resetStartsAgainFromTheInitialDelay() {
    Backoff backoff = new Backoff(Duration.ofMillis(10), Duration.ofMillis(100), 0, () -> 0);
    backoff.next();
    backoff.next();
    backoff.next();
    backoff.reset();
    assertThat(backoff.attempts()).isZero();
    assertThat(backoff.next()).isEqualTo(Duration.ofMillis(10));
  }

  @Test
  void rejectsInvalidSettingsNamingThem() {
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), 0, () -> 0))
        .hasMessage("initialDelay must be positive, got PT0S");
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 0, () -> 0))
        .hasMessage("maxDelay PT1S is below initialDelay PT2S");
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 1.5, () -> 0))
        .hasMessage("jitterRatio must be within 0..1, got 1.5");
  }
}
