package io.dockercleaner.cli;

import io.dockercleaner.config.LogFormat;
import io.dockercleaner.config.Settings;
import io.dockercleaner.core.Bytes;
import io.dockercleaner.docker.DockerClient;
import io.dockercleaner.docker.DockerException;
import io.dockercleaner.exec.InventoryLoader;
import io.dockercleaner.oneshot.OneShotReport;
import io.dockercleaner.plan.Inventory;
import io.dockercleaner.plan.PolicyFromSettings;
import io.dockercleaner.plan.UsageHistory;
import io.dockercleaner.recommend.Recommendation;
import io.dockercleaner.recommend.Recommender;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@code docker-cleaner recommend}: reads the daemon (nothing is deleted) and prints suggestions
 * with their numbers, as text or, with LOG_FORMAT=json, one JSON document. The one-shot has no
 * usage history: image ages are creation ages (the agent's {@code GET /v1/recommendations} uses
 * last use from the event stream and its disk forecast).
 */
final class RecommendCommand {
  private RecommendCommand() {}

  static int run(Vertx vertx, Settings settings, Map<String, String> env, PrintStream out, PrintStream err) {
    boolean json = settings.logFormat() == LogFormat.JSON;
    if (!settings.hosts().isEmpty()) {
      Map<io.dockercleaner.config.HostSpec, Settings> hosts;
      try {
        hosts = MultiHostRun.resolve(settings, env);
      } catch (io.dockercleaner.config.ConfigException e) {
        e.errors().forEach(m -> Main.initLine(err, json, env, "ERROR", m));
        return OneShotReport.EXIT_FATAL;
      }
      int worst = 0;
      for (var h : hosts.entrySet()) {
        if (!json) {
          out.println("== " + h.getKey().name() + " (" + h.getKey().describe() + ")");
        }
        Map<String, String> hostEnv = new java.util.HashMap<>(env);
        hostEnv.put("HOSTNAME", h.getKey().name());
        worst = Math.max(worst, run(vertx, h.getValue(), hostEnv, out, err));
      }
      return worst;
    }
    DockerClient docker = Main.connectOrReport(vertx, settings, env, err, json);
    if (docker == null) {
      return OneShotReport.EXIT_FATAL;
    }
    try {
      Instant now = Instant.now();
      Inventory inventory = Main.await(docker.systemDf().compose(df -> InventoryLoader.load(docker, df, false, now)));
      boolean buildCache = docker.capabilities().buildCachePrune();
      List<Recommendation> recommendations = Recommender.recommend(new Recommender.Inputs(inventory, UsageHistory.EMPTY,
          false, settings, () -> PolicyFromSettings.builder(settings, buildCache, null), Optional.empty(),
          OptionalLong.empty(), now));
      if (json) {
        out.println(Recommendation.document(recommendations, now, false).put("host", Main.hostname(env)).encode());
      } else {
        print(out, recommendations);
      }
      return 0;
    } catch (DockerException e) {
      Main.initLine(err, json, env, "ERROR", "Cannot read the daemon: " + e.getMessage());
      return OneShotReport.EXIT_FATAL;
    } finally {
      Main.await(docker.close());
    }
  }

  private static void print(PrintStream out, List<Recommendation> recommendations) {
    if (recommendations.isEmpty()) {
      out.println("No recommendations: nothing stands out.");
      return;
    }
    int n = 0;
    for (Recommendation r : recommendations) {
      out.println(++n + ". " + r.title() + " (" + r.id() + ", " + Bytes.human(r.bytes()) + ")");
      out.println("   " + r.evidence());
      if (!r.settings().isEmpty()) {
        StringBuilder s = new StringBuilder("   settings:");
        r.settings().forEach((k, v) -> s.append(' ').append(k).append('=').append(v));
        out.println(s);
      }
    }
  }
}
