package io.dockercleaner.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LogHubTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static void publish(LogHub hub, int n) {
    for (int i = 0; i < n; i++) {
      hub.publish(T0.plusSeconds(i), "INFO", "TEST", "line " + i);
    }
  }

  @Test
  void ringKeepsOnlyTheNewestLinesWithIncreasingSequenceNumbers() {
    LogHub hub = new LogHub(3);
    publish(hub, 5);
    assertThat(hub.since(0)).extracting(LogHub.Line::seq).containsExactly(3L, 4L, 5L);
    assertThat(hub.since(4)).extracting(LogHub.Line::message).containsExactly("line 4");
  }

  @Test
  void lineJsonCarriesSequenceTimestampLevelOperationAndMessage() {
    LogHub hub = new LogHub(3);
    hub.publish(T0, "WARN", "DISK", "quote \" and newline \n inside");
    String json = hub.since(0).get(0).json();
    assertThat(new io.vertx.core.json.JsonObject(json).getMap()).containsEntry("seq", 1).containsEntry("level", "WARN")
        .containsEntry("operation", "DISK").containsEntry("timestamp", "2026-01-01T00:00:00.000Z")
        .containsEntry("message", "quote \" and newline \n inside");
    assertThat(json).as("one SSE data line: no raw newline").doesNotContain("\n");
  }

  @Test
  void subscriberGetsTheBacklogAfterItsPositionThenLiveLines() {
    LogHub hub = new LogHub(10);
    publish(hub, 4);
    LogHub.Subscriber s = hub.subscribe(2, 100, () -> {});
    hub.publish(T0, "INFO", "TEST", "live");
    LogHub.Batch batch = s.take(100);
    assertThat(batch.lines()).extracting(LogHub.Line::seq).containsExactly(3L, 4L, 5L);
    assertThat(batch.droppedBefore()).isZero();
    assertThat(batch.more()).isFalse();
  }

  @Test
  void wakeUpIsCalledOnlyWhenTheQueueTurnsNonEmpty() {
    LogHub hub = new LogHub(10);
    AtomicInteger wakeUps = new AtomicInteger();
    LogHub.Subscriber s = hub.subscribe(0, 100, wakeUps::incrementAndGet);
    publish(hub, 3);
    assertThat(wakeUps).hasValue(1);
    s.take(100);
    publish(hub, 2);
    assertThat(wakeUps).hasValue(2);
  }

  @Test
  void aSlowSubscriberDropsLinesBeyondItsQueueAndIsToldHowMany() {
    LogHub hub = new LogHub(100);
    LogHub.Subscriber slow = hub.subscribe(0, 5, () -> {});
    LogHub.Subscriber other = hub.subscribe(0, 100, () -> {});
    publish(hub, 12);
    LogHub.Batch batch = slow.take(100);
    assertThat(batch.lines()).extracting(LogHub.Line::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(batch.droppedBefore()).isEqualTo(7);
    assertThat(slow.take(100).droppedBefore()).as("counted once").isZero();
    assertThat(other.take(100).lines()).as("another reader loses nothing").hasSize(12);
  }

  @Test
  void takeReturnsAtMostTheAskedLinesAndSaysMoreAreWaiting() {
    LogHub hub = new LogHub(100);
    LogHub.Subscriber s = hub.subscribe(0, 100, () -> {});
    publish(hub, 5);
    LogHub.Batch first = s.take(2);
    assertThat(first.lines()).hasSize(2);
    assertThat(first.more()).isTrue();
    assertThat(s.queued()).isEqualTo(3);
  }

  @Test
  void anUnsubscribedReaderGetsNothingMore() {
    LogHub hub = new LogHub(10);
    LogHub.Subscriber s = hub.subscribe(0, 100, () -> {});
    hub.unsubscribe(s);
    publish(hub, 2);
    assertThat(s.queued()).isZero();
    assertThat(hub.subscriberCount()).isZero();
  }

  @Test
  void capacityMustBePositive() {
    assertThatThrownBy(() -> new LogHub(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
