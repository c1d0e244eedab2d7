package io.dockercleaner.cli;

import io.dockercleaner.config.Settings;
import io.dockercleaner.log.RunLog;
import io.vertx.core.Vertx;
import java.util.Map;

/** {@code docker-cleaner agent}: the long-running mode. */
final class AgentCommand {
  private AgentCommand() {}

  static int run(Vertx vertx, Settings settings, Map<String, String> env, RunLog log) {
    log.error(RunLog.INIT, "agent mode is not available in this build", RunLog.fields());
    vertx.close();
    return 2;
  }
}
