package io.dockercleaner.cli;

import static io.dockercleaner.log.RunLog.fields;

import io.dockercleaner.config.ConfigException;
import io.dockercleaner.config.HostSpec;
import io.dockercleaner.config.LogLevel;
import io.dockercleaner.config.Settings;
import io.dockercleaner.core.Bytes;
import io.dockercleaner.log.RunLog;
import io.dockercleaner.oneshot.OneShotReport;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The one-shot across DOCKER_HOSTS: every host's settings (its own values, its docker context)
 * are resolved and validated before any host is touched; then the hosts run one after another,
 * or up to HOST_CONCURRENCY at once, each exactly as a one-shot on that host alone (its own log
 * lines carry its name, its own webhook notice and metrics textfile). A host that cannot be
 * reached is reported and the others go on. An aggregated SUMMARY line ends the run: totals and
 * one entry per host. The exit code is the worst host's.
 */
final class MultiHostRun {
  private MultiHostRun() {}

  /** One host, ready to run. */
  private record Prepared(HostSpec spec, Settings settings) {}

  /** What one host did. */
  private record Result(HostSpec spec, int exitCode, OneShotReport report, String error) {}

  /**
   * Every host's own settings (its values, its docker context's address and TLS material).
   *
   * @throws ConfigException with every problem, each naming its host
   */
  static Map<HostSpec, Settings> resolve(Settings settings, Map<String, String> env) {
    return resolve(settings, env, false);
  }

  /**
   * As {@link #resolve(Settings, Map)}; for the agent ({@code agent}) each host also keeps its
   * state in its own folder, {@code STATE_DIR/hosts/NAME} (usage state, audit trail, runtime
   * settings, disk history), unless it sets its own STATE_DIR; two hosts may not share one.
   */
  static Map<HostSpec, Settings> resolve(Settings settings, Map<String, String> env, boolean agent) {
    Map<HostSpec, Settings> out = new LinkedHashMap<>();
    List<String> errors = new ArrayList<>();
    Map<Path, String> stateDirs = new LinkedHashMap<>();
    for (HostSpec h : settings.hosts()) {
      try {
        Map<String, String> more = new LinkedHashMap<>();
        h.context().ifPresent(c -> more.putAll(DockerContexts.resolve("DOCKER_HOSTS host '" + h.name() + "'", c, env)));
        if (!agent) {
          ownTextfile(settings, h).ifPresent(f -> more.put("METRICS_TEXTFILE", f));
        } else if (!h.overrides().containsKey("STATE_DIR")) {
          settings.stateDir().ifPresent(d -> more.put("STATE_DIR", hostStateDir(d, h.name()).toString()));
        }
        Settings own = settings.forHost(h, more);
        if (agent && own.stateDir().isPresent()) {
          String other = stateDirs.putIfAbsent(own.stateDir().get().toAbsolutePath().normalize(), h.name());
          if (other != null) {
            errors.add("DOCKER_HOSTS host '" + h.name() + "': STATE_DIR " + own.stateDir().get() + " is also host '"
                + other + "''s; each host keeps its own state (leave STATE_DIR to the top level: each host then"
                + " gets STATE_DIR/hosts/NAME)");
          }
        }
        out.put(h, own);
      } catch (ConfigException e) {
        errors.addAll(e.errors());
      }
    }
    if (!errors.isEmpty()) {
      throw new ConfigException(errors, null);
    }
    return out;
  }

  static int run(Vertx vertx, Settings settings, Map<String, String> env, RunLog log) {
    List<Prepared> hosts = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    try {
      resolve(settings, env).forEach((h, s) -> hosts.add(new Prepared(h, s)));
    } catch (ConfigException e) {
      errors.addAll(e.errors());
    }
    if (!settings.pruneForce() && !settings.dryRun() && settings.hostConcurrency() > 1) {
      errors.add("PRUNE_FORCE=false asks on the terminal, one host at a time: set HOST_CONCURRENCY=1 (or"
          + " PRUNE_FORCE=true to run unattended)");
    }
    if (!errors.isEmpty()) {
      errors.forEach(e -> log.error(RunLog.INIT, e, fields()));
      log.summary(LogLevel.ERROR, "Nothing was done: invalid host configuration", fields("dry_run", settings.dryRun()));
      return OneShotReport.EXIT_FATAL;
    }
    log.info(RunLog.INIT, "Cleaning " + hosts.size() + " hosts, " + (settings.hostConcurrency() == 1
        ? "one after another" : "up to " + settings.hostConcurrency() + " at once") + ": "
        + String.join(", ", hosts.stream().map(p -> p.spec().toString()).toList()), fields("dry_run", settings.dryRun()));

    List<Result> results = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(settings.hostConcurrency(), hosts.size()), r -> {
      Thread t = new Thread(r, "docker-cleaner-host");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<Result>> running = new ArrayList<>();
      for (Prepared p : hosts) {
        running.add(pool.submit(() -> runHost(vertx, p, env, log)));
      }
      for (int i = 0; i < running.size(); i++) {
        try {
          results.add(running.get(i).get());
        } catch (java.util.concurrent.ExecutionException e) {
          // a bug in one host's run must not hide the others' results
          results.add(new Result(hosts.get(i).spec(), OneShotReport.EXIT_FATAL, null, String.valueOf(e.getCause())));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          results.add(new Result(hosts.get(i).spec(), OneShotReport.EXIT_FATAL, null, "interrupted"));
        }
      }
    } finally {
      pool.shutdownNow();
    }
    return summary(log, results, settings.dryRun());
  }

  private static Result runHost(Vertx vertx, Prepared p, Map<String, String> env, RunLog log) {
    RunLog hostLog = log.forHost(p.spec().name());
    try {
      Main.HostOutcome outcome = Main.oneShotHost(vertx, p.settings(), env, hostLog, p.spec().name());
      return new Result(p.spec(), outcome.exitCode(), outcome.report(),
          outcome.report() == null ? "nothing was done (see its log lines)" : null);
    } catch (RuntimeException e) {
      hostLog.error(RunLog.INIT, "Failed: " + e.getMessage(), fields("error", String.valueOf(e.getMessage())));
      return new Result(p.spec(), OneShotReport.EXIT_FATAL, null, String.valueOf(e.getMessage()));
    }
  }

  /** The aggregated SUMMARY line; returns the worst exit code. */
  private static int summary(RunLog log, List<Result> results, boolean dryRun) {
    int worst = 0;
    long bytes = 0;
    long removed = 0;
    List<Map<String, Object>> perHost = new ArrayList<>();
    List<String> parts = new ArrayList<>();
    for (Result r : results) {
      worst = Math.max(worst, r.exitCode());
      Map<String, Object> h = new LinkedHashMap<>();
      h.put("host", r.spec().name());
      h.put("exit_code", r.exitCode());
      if (r.report() != null) {
        long count = r.report().operations().stream().mapToInt(o -> o.removed().size()).sum();
        bytes += r.report().bytesFreed();
        removed += count;
        h.put("count", count);
        h.put("space_freed_bytes", r.report().bytesFreed());
        h.put("operations_failed", r.report().failed());
        parts.add(r.spec().name() + " " + count + " objects, " + Bytes.human(r.report().bytesFreed()) + " (exit "
            + r.exitCode() + ")");
      } else {
        h.put("error", r.error());
        parts.add(r.spec().name() + " failed: " + r.error() + " (exit " + r.exitCode() + ")");
      }
      perHost.add(h);
    }
    long failedHosts = results.stream().filter(r -> r.exitCode() != 0).count();
    String message = String.format(Locale.ROOT, "%d hosts: %s %d objects, %s%s; %d with errors — %s",
        results.size(), dryRun ? "would remove" : "removed", removed, Bytes.human(bytes),
        dryRun ? " would be freed" : " freed", failedHosts, String.join("; ", parts));
    LogLevel level = worst == 0 ? LogLevel.INFO : worst == 1 ? LogLevel.WARN : LogLevel.ERROR;
    log.summary(level, message, fields("hosts", perHost, "count", removed, "space_freed_bytes", bytes,
        "hosts_failed", failedHosts, "exit_code", worst, "dry_run", dryRun));
    return worst;
  }

  /** Where the agent keeps a host's state when the host does not set its own STATE_DIR. */
  static Path hostStateDir(Path stateDir, String host) {
    return stateDir.resolve("hosts").resolve(host);
  }

  /**
   * METRICS_TEXTFILE per host, unless the host sets its own: {@code docker_cleaner.prom} → {@code
   * docker_cleaner_build1.prom} (hosts must not overwrite each other's file).
   */
  private static Optional<String> ownTextfile(Settings s, HostSpec h) {
    Optional<Path> file = s.metricsTextfile();
    if (file.isEmpty() || h.overrides().containsKey("METRICS_TEXTFILE")) {
      return Optional.empty();
    }
    String name = file.get().getFileName().toString();
    int dot = name.lastIndexOf('.');
    String own = dot > 0 ? name.substring(0, dot) + "_" + h.name() + name.substring(dot) : name + "_" + h.name();
    return Optional.of(file.get().resolveSibling(own).toString());
  }
}
