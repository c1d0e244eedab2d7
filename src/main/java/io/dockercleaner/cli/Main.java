package io.dockercleaner.cli;

import static io.dockercleaner.log.RunLog.fields;

import io.dockercleaner.api.AcceptGate;
import io.dockercleaner.config.ConfigException;
import io.dockercleaner.config.LoadedConfig;
import io.dockercleaner.config.LogLevel;
import io.dockercleaner.config.Settings;
import io.dockercleaner.config.SettingsLoader;
import io.dockercleaner.config.StartupChecks;
import io.dockercleaner.core.Bytes;
import io.dockercleaner.docker.DockerClient;
import io.dockercleaner.docker.DockerClientOptions;
import io.dockercleaner.docker.DockerException;
import io.dockercleaner.docker.DockerHost;
import io.dockercleaner.log.JsonLines;
import io.dockercleaner.log.LogSetup;
import io.dockercleaner.log.RunLog;
import io.dockercleaner.oneshot.Candidate;
import io.dockercleaner.oneshot.OneShotReport;
import io.dockercleaner.oneshot.OneShotRun;
import io.dockercleaner.oneshot.OperationResult;
import io.dockercleaner.oneshot.Selection;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

/** Command-line entry point: {@code run} (default), {@code agent}, {@code check}, {@code replay}, {@code record}, {@code version}, {@code help}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // an exception no code caught: through logback, so it is a JSON line too with LOG_FORMAT=json
    Thread.setDefaultUncaughtExceptionHandler((thread, e) -> org.slf4j.LoggerFactory.getLogger(Main.class)
        .error("uncaught exception in thread {}", thread.getName(), e));
    int code = run(Arrays.asList(args), System.getenv(), System.out, System.err);
    System.exit(code);
  }

  /** Runs a command and returns the process exit code (for tests). */
  public static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
    LoadedConfig loaded;
    try {
      loaded = SettingsLoader.load(args, env);
    } catch (ConfigException e) {
      String cmd = e.command().orElse("");
      if (cmd.equals("help")) {
        out.println(SettingsLoader.usage());
        return 0;
      }
      if (cmd.equals("version")) {
        out.println("docker-cleaner " + version());
        return 0;
      }
      // the settings are invalid: JSON if the environment or a flag asked for it
      boolean json = jsonRequested(args, env);
      for (String line : e.errors()) {
        initLine(err, json, env, "ERROR", "Invalid configuration: " + line);
      }
      initLine(err, json, env, "ERROR", "Nothing was done. See `docker-cleaner --help` for every setting.");
      return OneShotReport.EXIT_FATAL;
    }
    Settings settings = loaded.settings();
    boolean json = settings.logFormat() == io.dockercleaner.config.LogFormat.JSON;
    // library diagnostics (Vert.x, Netty, logback) in the run log's format and level from here on
    LogSetup.configure(settings.logFormat(), settings.logLevel(), hostname(env));
    if (!loaded.command().equals("help") && !loaded.command().equals("version")) {
      // files, directories, certificates and addresses are checked before connecting: a start-up
      // that is going to fail must fail before anything can be deleted
      List<String> problems = new java.util.ArrayList<>();
      try {
        dockerHost(settings, env).checkCertificates();
      } catch (DockerException e) {
        problems.add(e.operation() + ": " + e.daemonMessage());
      }
      problems.addAll(StartupChecks.check(loaded.command(), settings));
      if (!problems.isEmpty()) {
        for (String line : problems) {
          initLine(err, json, env, "ERROR", "Invalid configuration: " + line);
        }
        initLine(err, json, env, "ERROR", "Nothing was done. See `docker-cleaner --help` for every setting.");
        return OneShotReport.EXIT_FATAL;
      }
    }
    switch (loaded.command()) {
      case "help":
        out.println(SettingsLoader.usage());
        return 0;
      case "version":
        out.println("docker-cleaner " + version());
        return 0;
      default:
        break;
    }
    if (loaded.command().equals("replay")) {
      return ReplayCommand.run(loaded, env, out, err); // no daemon, no event loop
    }
    RunLog log = new RunLog(out, settings.logFormat(), settings.logLevel(), settings.quiet(), hostname(env),
        Clock.systemUTC());
    // one event loop: the agent is I/O-bound; a 1 s blocked-thread check would be most of its idle CPU
    // the native transport (when available), with the HTTP API's connection cap applied at accept
    Vertx vertx = Vertx.builder().with(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(1)
        .setBlockedThreadCheckInterval(30_000)
        .setWorkerPoolSize(2).setInternalBlockingPoolSize(2)).withTransport(AcceptGate.transport()).build();
    try {
      return switch (loaded.command()) {
        case "check" -> check(vertx, settings, env, out, err);
        case "recommend" -> RecommendCommand.run(vertx, settings, env, out, err);
        case "record" -> RecordCommand.run(vertx, settings, env, loaded.options(), out, err);
        case "agent" -> AgentCommand.run(vertx, settings, env, log);
        default -> oneShot(vertx, settings, env, log);
      };
    } finally {
      if (!"agent".equals(loaded.command())) {
        await(vertx.close());
      }
    }
  }

  static Future<DockerClient> connect(Vertx vertx, Settings settings, Map<String, String> env) {
    DockerHost host;
    try {
      host = dockerHost(settings, env);
    } catch (DockerException e) {
      return Future.failedFuture(e);
    }
    return DockerClient.connect(vertx, DockerClientOptions.of(host));
  }

  /** DOCKER_HOST as logs may show it (credentials masked). */
  static String describeAddress(Settings settings, Map<String, String> env) {
    try {
      return dockerHost(settings, env).describe();
    } catch (DockerException e) {
      return String.valueOf(settings.effective().get("DOCKER_HOST"));
    }
  }

  /**
   * Connects for a command that prints its own output (record, recommend): the client, or null
   * after writing why it cannot connect as an ERROR line (the caller exits 2).
   */
  static DockerClient connectOrReport(Vertx vertx, Settings settings, Map<String, String> env, PrintStream err,
      boolean json) {
    try {
      return await(connect(vertx, settings, env));
    } catch (DockerException e) {
      initLine(err, json, env, "ERROR", cannotConnect(settings, e));
      return null;
    }
  }

  /** The connection failure, naming DOCKER_HOST (masked) as well as the daemon's or transport's message. */
  static String cannotConnect(Settings settings, DockerException e) {
    return "Cannot connect to the Docker daemon at DOCKER_HOST=" + settings.effective().get("DOCKER_HOST") + ": "
        + e.daemonMessage();
  }

  static DockerHost dockerHost(Settings settings, Map<String, String> env) {
    Map<String, String> dockerEnv = new HashMap<>();
    dockerEnv.put("DOCKER_HOST", settings.dockerHost());
    dockerEnv.put("DOCKER_TLS_VERIFY", settings.dockerTlsVerify() ? "1" : "");
    settings.dockerCertPath().ifPresent(p -> dockerEnv.put("DOCKER_CERT_PATH", p.toString()));
    dockerEnv.put("HOME", env.getOrDefault("HOME", System.getProperty("user.home", "/")));
    return DockerHost.fromEnvironment(dockerEnv);
  }

  private static int check(Vertx vertx, Settings settings, Map<String, String> env, PrintStream out, PrintStream err) {
    if (!settings.hosts().isEmpty()) {
      Map<io.dockercleaner.config.HostSpec, Settings> hosts;
      try {
        hosts = MultiHostRun.resolve(settings, env);
      } catch (io.dockercleaner.config.ConfigException e) {
        e.errors().forEach(m -> initLine(err, settings.logFormat() == io.dockercleaner.config.LogFormat.JSON, env,
            "ERROR", m));
        return OneShotReport.EXIT_FATAL;
      }
      int worst = 0;
      for (var h : hosts.entrySet()) {
        if (settings.logFormat() != io.dockercleaner.config.LogFormat.JSON) {
          out.println("host:           " + h.getKey().name() + " (" + h.getKey().describe() + ")");
        }
        worst = Math.max(worst, check(vertx, h.getValue(), env, out, err));
      }
      return worst;
    }
    boolean json = settings.logFormat() == io.dockercleaner.config.LogFormat.JSON;
    try {
      DockerClient docker = await(connect(vertx, settings, env));
      var info = await(docker.info());
      if (json) {
        out.println(JsonLines.line(Instant.now(), "INFO", RunLog.INIT,
            (docker.capabilities().podman() ? "Podman " : "Docker ") + docker.versionInfo().version() + " answers at "
                + docker.host().describe() + " (API " + docker.apiVersion() + ", " + docker.transport() + ")",
            hostname(env), fields("api_version", docker.apiVersion(), "storage_driver", info.driver(),
                "docker_root", info.dockerRootDir(), "build_cache_prune", docker.capabilities().buildCachePrune())));
        await(docker.close());
        return 0;
      }
      out.println("daemon:         " + (docker.capabilities().podman() ? "Podman " : "Docker ") + docker.versionInfo().version()
          + " (" + docker.versionInfo().os() + "/" + docker.versionInfo().arch() + ")");
      out.println("address:        " + docker.host().describe());
      out.println("api version:    " + docker.apiVersion() + " (daemon supports " + docker.versionInfo().minApiVersion()
          + " to " + docker.pingInfo().apiVersion() + ")");
      out.println("transport:      " + docker.transport());
      out.println("storage driver: " + info.driver());
      out.println("docker root:    " + info.dockerRootDir());
      out.println("build cache:    " + (docker.capabilities().buildCachePrune() ? "prune supported" : "prune unsupported"));
      await(docker.close());
      return 0;
    } catch (DockerException e) {
      initLine(err, json, env, "ERROR", cannotConnect(settings, e));
      return OneShotReport.EXIT_FATAL;
    }
  }

  /** A start-up line on stderr before or outside the run log, in its text or JSON shape. */
  static void initLine(PrintStream err, boolean json, Map<String, String> env, String level, String message) {
    Instant now = Instant.now();
    if (json) {
      err.println(JsonLines.line(now, level, RunLog.INIT, message, hostname(env), null));
    } else {
      err.println("[" + now.truncatedTo(ChronoUnit.SECONDS) + "] [" + level + "] [INIT] " + message);
    }
  }

  /** LOG_FORMAT=json from a flag or the environment, read without the (invalid) settings. */
  static boolean jsonRequested(List<String> args, Map<String, String> env) {
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equalsIgnoreCase("--log-format=json")) {
        return true;
      }
      if (a.equals("--log-format") && i + 1 < args.size()) {
        return args.get(i + 1).trim().equalsIgnoreCase("json");
      }
      if (a.startsWith("--log-format=")) {
        return false;
      }
    }
    return env.getOrDefault("LOG_FORMAT", "").trim().equalsIgnoreCase("json");
  }

  private static int oneShot(Vertx vertx, Settings settings, Map<String, String> env, RunLog log) {
    if (!settings.hosts().isEmpty()) {
      return MultiHostRun.run(vertx, settings, env, log);
    }
    return oneShotHost(vertx, settings, env, log, hostname(env)).exitCode();
  }

  /** One host's one-shot result: its exit code, and its report when it got as far as running. */
  record HostOutcome(int exitCode, OneShotReport report) {}

  /**
   * The one-shot on one daemon.
   *
   * @param host the name its webhook notices and metrics carry
   */
  static HostOutcome oneShotHost(Vertx vertx, Settings settings, Map<String, String> env, RunLog log, String host) {
    log.info(RunLog.INIT, "docker-cleaner " + version() + " starting one-shot cleanup" + (settings.dryRun() ? " (dry run: nothing will be deleted)" : ""),
        fields("dry_run", settings.dryRun()));
    if (log.enabled(LogLevel.DEBUG)) {
      log.debug(RunLog.INIT, "Settings: " + settings.effective(), fields());
    }
    DockerClient docker;
    try {
      docker = await(connect(vertx, settings, env));
    } catch (DockerException e) {
      log.error(RunLog.INIT, cannotConnect(settings, e), fields("error", e.getMessage(), "dry_run", settings.dryRun()));
      log.summary(LogLevel.ERROR, "Nothing was done: cannot connect to the Docker daemon", fields("dry_run", settings.dryRun()));
      return new HostOutcome(OneShotReport.EXIT_FATAL, null);
    }
    log.info(RunLog.INIT, "Connected to " + (docker.capabilities().podman() ? "Podman " : "Docker ") + docker.versionInfo().version()
        + " at " + docker.host().describe() + " (API " + docker.apiVersion() + ", " + docker.transport() + ")",
        fields("dry_run", settings.dryRun()));
    try {
      boolean dryRun = settings.dryRun();
      if (!dryRun && !settings.pruneForce()) {
        Integer refused = confirm(docker, settings, log);
        if (refused != null) {
          return new HostOutcome(refused, null);
        }
      }
      Instant startedAt = Instant.now();
      OneShotReport report = await(new OneShotRun(docker, settings, log, Clock.systemUTC(), dryRun).run());
      summary(log, report);
      OneShotOutputs.metricsTextfile(settings, report, host, log);
      OneShotOutputs.notifyWebhooks(vertx, settings, report, host, startedAt, log);
      return new HostOutcome(report.exitCode(), report);
    } finally {
      await(docker.close().recover(e -> Future.succeededFuture()));
    }
  }

  /** PRUNE_FORCE=false: show the plan, ask on the terminal. Returns an exit code to stop with, or null to go on. */
  private static Integer confirm(DockerClient docker, Settings settings, RunLog log) {
    java.io.Console console = System.console();
    if (console == null) {
      log.error(RunLog.INIT, "PRUNE_FORCE=false needs a terminal to confirm, and there is none: set PRUNE_FORCE=true "
          + "to run unattended, or DRY_RUN=true to preview. Nothing was deleted.", fields("dry_run", false));
      return OneShotReport.EXIT_FATAL;
    }
    List<Selection> plan = await(new OneShotRun(docker, settings, log, Clock.systemUTC(), true).preview());
    long total = 0;
    for (Selection s : plan) {
      for (Candidate c : s.candidates()) {
        console.printf("  %-11s %-14s %-40s %s%n", s.type().label(), c.id().replaceFirst("^sha256:", "").substring(0,
            Math.min(12, c.id().replaceFirst("^sha256:", "").length())), c.name(), c.sizeBytes() >= 0 ? Bytes.human(c.sizeBytes()) : "");
      }
      total += s.sizeBytes();
    }
    String answer = console.readLine("Remove these %d objects (about %s)? [y/N] ",
        plan.stream().mapToInt(s -> s.candidates().size()).sum(), Bytes.human(total));
    if (answer == null || !(answer.trim().equalsIgnoreCase("y") || answer.trim().equalsIgnoreCase("yes"))) {
      log.summary(LogLevel.WARN, "Cancelled: nothing was deleted", fields("dry_run", false));
      return OneShotReport.EXIT_FATAL;
    }
    return null;
  }

  private static void summary(RunLog log, OneShotReport report) {
    String removed = report.operations().stream()
        .filter(o -> o.status() != OperationResult.Status.DISABLED)
        .map(o -> o.removed().size() + " " + noun(o.type(), o.removed().size())
            + (o.status() == OperationResult.Status.UNSUPPORTED ? " (unsupported)" : o.status() == OperationResult.Status.FAILED ? " (failed)" : ""))
        .collect(Collectors.joining(", "));
    Map<String, Object> byType = new java.util.LinkedHashMap<>();
    report.operations().forEach(o -> byType.put(o.type().label(), Map.of("count", o.removed().size(),
        "space_freed_bytes", o.bytesFreed(), "status", o.status().label(), "duration_seconds", o.duration().toMillis() / 1000.0)));
    String verb = report.dryRun() ? "Would remove " : "Removed ";
    String message = verb + (removed.isEmpty() ? "nothing (every operation disabled)" : removed) + "; "
        + Bytes.human(report.bytesFreed()) + (report.dryRun() ? " would be freed" : " freed") + " in "
        + String.format(java.util.Locale.ROOT, "%.1f", report.duration().toMillis() / 1000.0) + " s; "
        + report.succeeded() + " operations succeeded, " + report.failed() + " failed";
    LogLevel level = report.exitCode() == 0 ? LogLevel.INFO : report.exitCode() == 1 ? LogLevel.WARN : LogLevel.ERROR;
    log.summary(level, message, fields("count", report.operations().stream().mapToInt(o -> o.removed().size()).sum(),
        "space_freed_bytes", report.bytesFreed(), "duration_seconds", report.duration().toMillis() / 1000.0,
        "dry_run", report.dryRun(), "operations_succeeded", report.succeeded(), "operations_failed", report.failed(),
        "exit_code", report.exitCode(), "by_type", byType));
  }

  static String noun(io.dockercleaner.core.ResourceType type, int count) {
    String one = type == io.dockercleaner.core.ResourceType.BUILD_CACHE ? "build cache record" : type.label();
    return count == 1 ? one : one + "s";
  }

  static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  static String hostname(Map<String, String> env) {
    String h = env.get("HOSTNAME");
    if (h != null && !h.isBlank()) {
      return h;
    }
    try {
      return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  /** Blocks the calling (main) thread on a Future; never call from an event loop. */
  static <T> T await(Future<T> f) {
    CompletableFuture<T> cf = f.toCompletionStage().toCompletableFuture();
    try {
      return cf.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    }
  }
}
