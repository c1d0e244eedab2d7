package io.dockercleaner.exec;

/**
 * The executor's pumps run a pass (start what may start) after every completion. A deletion whose
 * Future completes at once calls back into the pump while it is still running; the trampoline
 * turns that nested call into one more pass instead of a recursion. Not thread-safe: the owner
 * calls it holding its own lock.
 */
final class Trampoline {
  private boolean running;
  private boolean requested;

  /** Runs {@code pass}, and again while a call during it asked for another pass. */
  void run(Runnable pass) {
    if (running) {
      requested = true;
      return;
    }
    running = true;
    try {
      do {
        requested = false;
        pass.run();
      } while (requested);
    } finally {
      running = false;
    }
  }

  /** Asks for another pass once the current one returns. */
  void request() {
    requested = true;
  }

  /** True when, during the current pass, another pass was asked for (e.g. a completion arrived). */
  boolean requested() {
    return requested;
  }
}
