package io.dockercleaner.agent;

import io.dockercleaner.core.ResourceType;
import io.dockercleaner.exec.RunRecord;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * One run at a time, and a queue that keeps every request whole. A request arriving during a run
 * is queued; it merges only with a queued request of the same kind (same real/dry, same
 * full-sequence or budgeted, same types, no plan id) — the merged run then serves both, with the
 * larger target — so a dry run is never served by a real run nor a real run by a dry one, and a
 * plan apply is never widened. Every caller's ticket names the run that will really serve it (its
 * id is given out when queued). The queue is bounded; identical bursts collapse into one entry.
 *
 * <p>Threading: every method runs on the agent's Vert.x context, except the read-only lookups.
 */
final class RunCoordinator {
  /** Distinct requests waiting behind the current run; a burst of one kind takes one slot. */
  static final int MAX_QUEUED = 16;

  /** A run that will serve one or more requests. */
  static final class Slot {
    final String runId = "r-" + UUID.randomUUID().toString().substring(0, 8);
    TriggerRequest request;
    final Promise<RunRecord> done = Promise.promise();
    RunRecord record; // set when the run starts

    Slot(TriggerRequest request) {
      this.request = request;
    }
  }

  /** The answer to a request: the run that serves it, and whether it joined a queued one. */
  record Ticket(String runId, boolean joined, boolean queued, Future<RunRecord> done) {}

  private final BiFunction<Slot, Promise<RunRecord>, Void> starter;
  private Slot current;
  private final Deque<Slot> queue = new ArrayDeque<>();

  /** {@code starter} starts the slot's run and completes the promise with its record when done. */
  RunCoordinator(BiFunction<Slot, Promise<RunRecord>, Void> starter) {
    this.starter = starter;
  }

  /** Starts a run now, or queues the request (merged with a queued one of the same kind). */
  Ticket request(TriggerRequest req) {
    if (current == null) {
      Slot slot = new Slot(req);
      start(slot);
      return new Ticket(slot.runId, false, false, slot.done.future());
    }
    for (Slot queued : queue) {
      if (mergeable(queued.request, req)) {
        queued.request = merge(queued.request, req);
        return new Ticket(queued.runId, true, true, queued.done.future());
      }
    }
    if (queue.size() >= MAX_QUEUED) {
      throw new QueueFullException("the run queue is full (" + MAX_QUEUED + " different requests waiting); try again later");
    }
    Slot slot = new Slot(req);
    queue.addLast(slot);
    return new Ticket(slot.runId, false, true, slot.done.future());
  }

  /** The queue is full: the request was not taken. */
  static final class QueueFullException extends IllegalStateException {
    QueueFullException(String message) {
      super(message);
    }
  }

  private void start(Slot slot) {
    current = slot;
    Promise<RunRecord> finished = Promise.promise();
    finished.future().onComplete(r -> {
      current = null;
      if (r.succeeded()) {
        slot.done.tryComplete(r.result());
      } else {
        slot.done.tryFail(r.cause());
      }
      Slot next = queue.pollFirst();
      if (next != null) {
        start(next);
      }
    });
    starter.apply(slot, finished);
  }

  /** True when a request is waiting or running. */
  boolean busy() {
    return current != null;
  }

  /** The running slot, or null. */
  Slot current() {
    return current;
  }

  /** Whether a request of this kind is already queued (thresholds need not queue twice). */
  boolean queuedLike(TriggerRequest req) {
    for (Slot s : queue) {
      if (mergeable(s.request, req)) {
        return true;
      }
    }
    return false;
  }

  /** Ids of the queued runs, in order. */
  List<String> queuedIds() {
    List<String> ids = new ArrayList<>();
    queue.forEach(s -> ids.add(s.runId));
    return ids;
  }

  /** Drops every queued request (shutdown); their callers' futures fail. */
  void clear(String why) {
    Iterator<Slot> it = queue.iterator();
    while (it.hasNext()) {
      it.next().done.tryFail(new IllegalStateException(why));
      it.remove();
    }
  }

  static boolean mergeable(TriggerRequest a, TriggerRequest b) {
    return a.planId().isEmpty() && b.planId().isEmpty() && a.dryRun() == b.dryRun()
        && a.fullSequence() == b.fullSequence() && a.types().equals(b.types()) && a.trigger().equals(b.trigger());
  }

  /** Two requests of one kind: the larger target (none = unlimited, the largest), the later time budget. */
  static TriggerRequest merge(TriggerRequest a, TriggerRequest b) {
    OptionalLong target = a.targetBytes().isEmpty() || b.targetBytes().isEmpty() ? OptionalLong.empty()
        : OptionalLong.of(Math.max(a.targetBytes().getAsLong(), b.targetBytes().getAsLong()));
    Set<ResourceType> types = a.types().isEmpty() ? Set.of() : EnumSet.copyOf(a.types());
    return new TriggerRequest(a.trigger(), a.fullSequence(), a.dryRun(), types, target,
        b.maxDuration().or(a::maxDuration), Optional.empty());
  }
}
