/**
 * What the agent watches between cleanups: the Docker event stream ({@link
 * io.dockercleaner.agent.watch.EventSupervisor}, supervised: loss → back-off → reconcile →
 * resubscribe since the last event), the memory of use built from it ({@link
 * io.dockercleaner.agent.watch.UsageState}, persisted atomically in STATE_DIR), and the disk
 * ({@link io.dockercleaner.agent.watch.DiskMonitor}, bytes and inodes).
 *
 * <p>Wiring, in the agent: load the state; connect the client; reconcile once with a full
 * inventory; start the supervisor with {@code onEvent(state::observe)} (listeners add up: metrics add their own) and a reconcile callback
 * that lists images and containers into {@code state.reconcile(...)}, resuming from {@code
 * state.lastEventTimeNano()}; save the state periodically with {@code save(vertx)} and at shutdown
 * with {@code saveNow()}; sample the disk every DISK_CHECK_INTERVAL.
 */
package io.dockercleaner.agent.watch;
