package io.dockercleaner.cli;

import sun.misc.Signal;

/**
 * SIGTERM/SIGINT handling. A JVM shutdown hook would end with status 143; the contract is a
 * graceful stop with exit 0, so the signals are taken over (jdk.unsupported's sun.misc.Signal).
 */
final class Signals {
  private Signals() {}

  static void onTerminate(Runnable action) {
    Runnable once = new Runnable() {
      private boolean ran;

      @Override
      public synchronized void run() {
        if (!ran) {
          ran = true;
          new Thread(action, "docker-cleaner-shutdown").start();
        }
      }
    };
    Signal.handle(new Signal("TERM"), s -> once.run());
    Signal.handle(new Signal("INT"), s -> once.run());
  }
}
