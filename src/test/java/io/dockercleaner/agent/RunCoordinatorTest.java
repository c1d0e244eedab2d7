package io.dockercleaner.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dockercleaner.core.ResourceType;
import io.dockercleaner.exec.RunRecord;
import io.vertx.core.Promise;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The run queue keeps each request whole: pure, no daemon, no Vert.x. */
class RunCoordinatorTest {
  private final List<RunCoordinator.Slot> started = new ArrayList<>();
  private final List<Promise<RunRecord>> running = new ArrayList<>();
  private final RunCoordinator runs = new RunCoordinator((slot, done) -> {
    started.add(slot);
    running.add(done);
    return null;
  });

  private static TriggerRequest http(boolean dryRun, Set<ResourceType> types, Long target) {
    return new TriggerRequest("http", false, dryRun, types,
        target == null ? OptionalLong.empty() : OptionalLong.of(target), Optional.empty(), Optional.empty());
  }

  private void finishCurrent() {
    RunCoordinator.Slot slot = started.get(started.size() - 1);
    running.get(running.size() - 1).complete(new RunRecord(slot.runId, slot.request.trigger(),
        slot.request.dryRun(), Instant.EPOCH, 0));
  }

  @Test
  void aDryRunIsNeverMergedWithARealRunAndEachTicketNamesItsRun() {
    RunCoordinator.Ticket first = runs.request(http(false, Set.of(ResourceType.IMAGE), null));
    RunCoordinator.Ticket images = runs.request(http(false, Set.of(ResourceType.IMAGE), null));
    RunCoordinator.Ticket dry = runs.request(http(true, Set.of(ResourceType.CONTAINER), null));
    RunCoordinator.Ticket moreImages = runs.request(http(false, Set.of(ResourceType.IMAGE), 5L));

    assertThat(started).hasSize(1);
    assertThat(images.runId()).isNotEqualTo(first.runId());
    assertThat(moreImages.runId()).as("same kind: joins the queued image run").isEqualTo(images.runId());
    assertThat(moreImages.joined()).isTrue();
    assertThat(dry.runId()).as("a dry run gets a run of its own").isNotIn(first.runId(), images.runId());

    finishCurrent();
    assertThat(started).hasSize(2);
    RunCoordinator.Slot second = started.get(1);
    assertThat(second.runId).isEqualTo(images.runId());
    assertThat(second.request.dryRun()).isFalse();
    assertThat(second.request.types()).containsExactly(ResourceType.IMAGE);
    assertThat(second.request.targetBytes()).as("no target = unlimited, the larger").isEmpty();

    finishCurrent();
    RunCoordinator.Slot third = started.get(2);
    assertThat(third.runId).isEqualTo(dry.runId());
    assertThat(third.request.dryRun()).as("the dry run stays a dry run").isTrue();
    assertThat(third.request.types()).containsExactly(ResourceType.CONTAINER);
    finishCurrent();
    assertThat(dry.done().result().id()).isEqualTo(dry.runId());
    assertThat(runs.busy()).isFalse();
  }

  @Test
  void planAppliesNeverMergeAndTheLargerTargetWins() {
    runs.request(http(false, Set.of(), 10L));
    TriggerRequest apply = new TriggerRequest("http", false, false, Set.of(), OptionalLong.empty(), Optional.empty(),
        Optional.of("p-1"));
    RunCoordinator.Ticket a = runs.request(apply);
    RunCoordinator.Ticket b = runs.request(apply);
    assertThat(a.runId()).isNotEqualTo(b.runId());
    RunCoordinator.Ticket small = runs.request(http(false, Set.of(), 10L));
    RunCoordinator.Ticket large = runs.request(http(false, Set.of(), 30L));
    assertThat(large.runId()).isEqualTo(small.runId());
    assertThat(runs.queuedIds()).containsExactly(a.runId(), b.runId(), small.runId());
    finishCurrent();
    finishCurrent();
    finishCurrent();
    assertThat(started.get(3).request.targetBytes()).hasValue(30L);
  }

  @Test
  void aBurstOfOneKindTakesOneSlotAndTheQueueIsBounded() {
    runs.request(http(false, Set.of(), null));
    for (int i = 0; i < 1000; i++) {
      runs.request(http(false, Set.of(), null));
    }
    assertThat(runs.queuedIds()).hasSize(1);
    for (int i = 1; i < RunCoordinator.MAX_QUEUED; i++) {
      runs.request(new TriggerRequest("http", false, false, Set.of(), OptionalLong.empty(), Optional.empty(),
          Optional.of("p-" + i)));
    }
    assertThatThrownBy(() -> runs.request(new TriggerRequest("http", false, false, Set.of(), OptionalLong.empty(),
        Optional.empty(), Optional.of("p-x")))).isInstanceOf(RunCoordinator.QueueFullException.class)
        .hasMessageContaining("queue is full");
  }
}
