package io.dockercleaner.agent.watch;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.docker.model.DockerEvent;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventPositionTest {

  private static DockerEvent event(String action, String id, long timeNano) {
    return new DockerEvent("container", action, id, Map.of(), "local", timeNano / 1_000_000_000L, timeNano);
  }

  @Test
  void formatsSinceAsSecondsDotNineDigitNanos() {
    assertThat(EventPosition.formatSince(1_795_880_528_974_467_024L)).isEqualTo("1795880528.974467024");
    assertThat(EventPosition.formatSince(1_700_000_000_000_000_005L)).isEqualTo("1700000000.000000005");
    assertThat(EventPosition.formatSince(1_700_000_000_000_000_000L)).isEqualTo("1700000000.000000000");
  }

  @Test
  void sinceIsTheNewestEventTimeEvenWhenEventsArriveOutOfOrder() {
    EventPosition position = new EventPosition(8);
    assertThat(position.since()).isNull();
    position.accept(event("start", "a", 2_000_000_000_000_000_500L));
    position.accept(event("start", "b", 2_000_000_000_000_000_400L));
    assertThat(position.since()).isEqualTo("2000000000.000000500");
  }

  @Test
  void dropsAnEventSeenBeforeButKeepsOlderNewOnes() {
    EventPosition position = new EventPosition(8);
    assertThat(position.accept(event("start", "a", 5_000))).isTrue();
    assertThat(position.accept(event("die", "a", 6_000))).isTrue();
    // The replay after resubscribing with since=6000 sends "die" again: a duplicate.
    assertThat(position.accept(event("die", "a", 6_000))).isFalse();
    // Same time, other object: a different event.
    assertThat(position.accept(event("die", "b", 6_000))).isTrue();
    // Stamped earlier but never seen (concurrent events may be published out of order).
    assertThat(position.accept(event("create", "c", 5_500))).isTrue();
  }

  @Test
  void remembersOnlyTheWindow() {
    EventPosition position = new EventPosition(2);
    position.accept(event("start", "a", 1));
    position.accept(event("start", "b", 2));
    position.accept(event("start", "c", 3));
    assertThat(position.accept(event("start", "a", 1))).isTrue();
    assertThat(position.accept(event("start", "c", 3))).isFalse();
  }

  @Test
  void resumesFromAPersistedTime() {
    EventPosition position = new EventPosition(8);
    position.resumeFrom(1_700_000_000_123_000_000L);
    assertThat(position.since()).isEqualTo("1700000000.123000000");
  }
}
