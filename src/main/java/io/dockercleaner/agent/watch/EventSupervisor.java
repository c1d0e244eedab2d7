package io.dockercleaner.agent.watch;

import io.dockercleaner.docker.DockerClient;
import io.dockercleaner.docker.DockerClient.EventStream;
import io.dockercleaner.docker.codec.EventDecoder;
import io.dockercleaner.docker.model.DockerEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the agent subscribed to the daemon's {@code GET /events}, non-blocking.
 *
 * <p>The daemon never ends the stream on its own, so its end or failure is an error: the
 * supervisor reports "disconnected", backs off (see {@link Backoff}), calls the caller's
 * {@code reconcile} (re-read the full inventory: events may have been missed beyond the daemon's
 * buffer of 256), then resubscribes with {@code since} = the newest event seen, so the events that
 * happened meanwhile are delivered. Events the daemon sends again ({@code since} is inclusive) are
 * dropped. A failing reconcile or subscription is retried the same way, forever, until
 * {@link #stop()}. A malformed event line is skipped and counted, never fatal.
 *
 * <p>Threading: everything runs on one Vert.x context (the caller's, if {@link #start} is called
 * on one, else a new event-loop context). The listeners are called there, in stream order, each
 * event to every listener in the order they were added; an exception from one listener is logged
 * and affects neither the other listeners nor the stream. The getters may be read from any thread.
 *
 * <p>Listeners are added, never replaced: the agent's usage state, the metrics and any later
 * consumer each register their own and all see every event.
 */
public final class EventSupervisor {
  private static final Logger LOG = LoggerFactory.getLogger(EventSupervisor.class);

  private enum Phase { NEW, SUBSCRIBING, CONNECTED, WAITING, STOPPED }

  private final Vertx vertx;
  private final DockerClient client;
  private final EventSupervisorOptions options;
  private final Supplier<Future<Void>> reconcile;
  private final Backoff backoff;
  private final EventPosition position;

  // Copy-on-write: listeners may be added from any thread, also while events are delivered.
  private final List<Handler<DockerEvent>> eventListeners = new CopyOnWriteArrayList<>();
  private final List<Handler<StreamState>> stateListeners = new CopyOnWriteArrayList<>();

  // Only touched from `context`.
  private Context context;
  private Phase phase = Phase.NEW;
  private int generation;
  private EventStream stream;
  private long retryTimerId = -1;
  private long stableTimerId = -1;
  private boolean everConnected;
  private final Promise<Void> started = Promise.promise();

  // Read from any thread.
  private volatile boolean connected;
  private volatile long reconnects;
  private volatile long malformed;
  private volatile long eventsReceived;
  private volatile long duplicatesDropped;
  private volatile Instant lastEventAt;
  private volatile String lastDisconnectReason = "not started";

  /**
   * A supervisor; nothing happens until {@link #start}.
   *
   * @param reconcile called after every loss, before resubscribing: re-read the full inventory.
   *     Its failure counts as a failed attempt (back off, try again).
   */
  public EventSupervisor(Vertx vertx, DockerClient client, EventSupervisorOptions options,
      Supplier<Future<Void>> reconcile) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.client = Objects.requireNonNull(client, "client");
    this.options = Objects.requireNonNull(options, "options");
    this.reconcile = Objects.requireNonNull(reconcile, "reconcile");
    this.backoff = new Backoff(options.initialBackoff(), options.maxBackoff(), options.jitterRatio(),
        () -> ThreadLocalRandom.current().nextDouble());
    this.position = new EventPosition(options.dedupWindowEvents());
  }

  /**
   * Adds a listener for each new event (duplicates already dropped), after the ones added before;
   * it never replaces them. Add it before {@link #start} to see every event; one added later sees
   * the events delivered from then on.
   */
  public EventSupervisor onEvent(Handler<DockerEvent> listener) {
    eventListeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  /** Adds a listener for connection changes, after the ones added before (never replaces them). */
  public EventSupervisor onStateChange(Handler<StreamState> listener) {
    stateListeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  /** Subscribes from now on; same as {@code start(0)}. */
  public Future<Void> start() {
    return start(0);
  }

  /**
   * Subscribes. The Future completes once the first stream is open; until then, failures are
   * retried with back-off like any loss (but reconcile is only called after a stream was lost or
   * a first attempt failed). It fails only if {@link #stop()} comes first.
   *
   * @param resumeFromTimeNano the newest event time already processed (e.g. persisted by {@link
   *     UsageState#lastEventTimeNano()}), so that the daemon replays what it still buffers since;
   *     0 to start with new events only
   */
  public Future<Void> start(long resumeFromTimeNano) {
    Context current = vertx.getOrCreateContext();
    current.runOnContext(v -> {
      if (phase != Phase.NEW) {
        return;
      }
      context = current;
      if (resumeFromTimeNano > 0) {
        position.resumeFrom(resumeFromTimeNano);
      }
      subscribe();
    });
    return started.future();
  }

  /** Closes the stream and stops retrying; completes when done. Idempotent. */
  public Future<Void> stop() {
    Promise<Void> done = Promise.promise();
    Context ctx = context != null ? context : vertx.getOrCreateContext();
    ctx.runOnContext(v -> {
      if (phase == Phase.STOPPED) {
        done.complete();
        return;
      }
      boolean wasConnected = connected;
      phase = Phase.STOPPED;
      generation++;
      cancelTimers();
      started.tryFail("the event supervisor was stopped before the stream opened");
      connected = false;
      lastDisconnectReason = "stopped";
      EventStream open = stream;
      stream = null;
      if (wasConnected) {
        notifyState(new StreamState(false, "stopped", false));
      }
      if (open != null) {
        open.close();
        open.ended().onComplete(x -> done.complete());
      } else {
        done.complete();
      }
    });
    return done.future();
  }

  /** True while the stream is open. */
  public boolean connected() {
    return connected;
  }

  /** How many times the stream was opened again after a loss. */
  public long reconnects() {
    return reconnects;
  }

  /** Malformed event lines skipped so far. */
  public long malformed() {
    return malformed;
  }

  /** Events delivered to the listener so far. */
  public long eventsReceived() {
    return eventsReceived;
  }

  /** Events the daemon sent again after a resubscription, dropped. */
  public long duplicatesDropped() {
    return duplicatesDropped;
  }

  /** The daemon's time of the last event delivered, or null before the first. */
  public Instant lastEventAt() {
    return lastEventAt;
  }

  /** Why the stream was last lost ("not started" before the first connection). */
  public String lastDisconnectReason() {
    return lastDisconnectReason;
  }

  /** The {@code since} the next resubscription will use, or null when no event was seen yet. */
  public String since() {
    return position.since();
  }

  // ---- on the context ----------------------------------------------------------------------

  private void subscribe() {
    phase = Phase.SUBSCRIBING;
    int gen = ++generation;
    EventDecoder streamDecoder = new EventDecoder(new EventDecoder.Listener() {
      @Override
      public void onEvent(DockerEvent event) {
        if (gen == generation) {
          deliver(event);
        }
      }

      @Override
      public void onMalformed(String reason, int lineLengthBytes) {
        malformed++;
        LOG.warn("skipped a malformed event ({} bytes): {}", lineLengthBytes, reason);
      }
    });
    String since = position.since();
    Handler<Buffer> body = chunk -> {
      if (Vertx.currentContext() == context) {
        streamDecoder.handle(chunk);
      } else {
        // The client's stream answers on the context that opened it (ours); this is a safety net.
        context.runOnContext(v -> streamDecoder.handle(chunk));
      }
    };
    client.streamEvents(options.filters(), since, body).onComplete(ar -> {
      if (gen != generation) {
        if (ar.succeeded()) {
          ar.result().close();
        }
        return;
      }
      if (ar.failed()) {
        lost(gen, "cannot subscribe to events: " + message(ar.cause()));
        return;
      }
      stream = ar.result();
      phase = Phase.CONNECTED;
      connected = true;
      boolean reconnect = everConnected;
      everConnected = true;
      if (reconnect) {
        reconnects++;
      }
      LOG.info("event stream {} (since {})", reconnect ? "reconnected" : "connected",
          since == null ? "now" : since);
      // A stream that stays up proves the daemon healthy again: start backing off from the start.
      stableTimerId = vertx.setTimer(options.maxBackoff().toMillis(), id -> {
        stableTimerId = -1;
        if (gen == generation) {
          backoff.reset();
        }
      });
      started.tryComplete();
      notifyState(new StreamState(true, since == null ? "subscribed" : "subscribed since " + since, reconnect));
      stream.ended().onComplete(end -> {
        if (gen != generation) {
          return;
        }
        streamDecoder.end();
        lost(gen, end.failed() ? message(end.cause()) : "the event stream ended");
      });
    });
  }

  private void deliver(DockerEvent event) {
    if (!position.accept(event)) {
      duplicatesDropped++;
      return;
    }
    eventsReceived++;
    lastEventAt = event.instant();
    // An event proves the stream healthy: the next loss backs off from the start again.
    backoff.reset();
    for (Handler<DockerEvent> listener : eventListeners) {
      try {
        listener.handle(event);
      } catch (RuntimeException e) {
        LOG.error("event listener failed on {} {} {}", event.type(), event.action(), event.actorId(), e);
      }
    }
  }

  private void lost(int gen, String reason) {
    if (gen != generation || phase == Phase.STOPPED) {
      return;
    }
    generation++;
    cancelTimers();
    boolean wasConnected = connected;
    connected = false;
    stream = null;
    lastDisconnectReason = reason;
    phase = Phase.WAITING;
    Duration delay = backoff.next();
    LOG.warn("event stream lost: {}; reconciling and resubscribing in {} ms (attempt {})", reason,
        delay.toMillis(), backoff.attempts());
    if (wasConnected) {
      notifyState(new StreamState(false, reason, false));
    }
    int waitGen = generation;
    retryTimerId = vertx.setTimer(Math.max(1, delay.toMillis()), id -> {
      retryTimerId = -1;
      if (waitGen != generation) {
        return;
      }
      Future<Void> reconciled;
      try {
        reconciled = Objects.requireNonNull(reconcile.get(), "reconcile returned null");
      } catch (RuntimeException e) {
        reconciled = Future.failedFuture(e);
      }
      reconciled.onComplete(r -> context.runOnContext(v -> {
        if (waitGen != generation) {
          return;
        }
        if (r.failed()) {
          lost(waitGen, "reconcile failed: " + message(r.cause()));
        } else {
          subscribe();
        }
      }));
    });
  }

  private void cancelTimers() {
    if (retryTimerId >= 0) {
      vertx.cancelTimer(retryTimerId);
      retryTimerId = -1;
    }
    if (stableTimerId >= 0) {
      vertx.cancelTimer(stableTimerId);
      stableTimerId = -1;
    }
  }

  private void notifyState(StreamState state) {
    for (Handler<StreamState> listener : stateListeners) {
      try {
        listener.handle(state);
      } catch (RuntimeException e) {
        LOG.error("state listener failed on {}", state, e);
      }
    }
  }

  private static String message(Throwable t) {
    return t == null ? "unknown error" : (t.getMessage() != null ? t.getMessage() : t.toString());
  }
}
