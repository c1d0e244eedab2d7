package io.dockercleaner.cli;

import io.dockercleaner.config.ConfigException;
import io.dockercleaner.config.LoadedConfig;
import io.dockercleaner.config.LogFormat;
import io.dockercleaner.config.Settings;
import io.dockercleaner.config.ValueParsers;
import io.dockercleaner.core.Bytes;
import io.dockercleaner.log.JsonLines;
import io.dockercleaner.plan.CleanupPolicy;
import io.dockercleaner.plan.PlanPolicy;
import io.dockercleaner.plan.PolicyFromSettings;
import io.dockercleaner.replay.ForecastAccuracy;
import io.dockercleaner.replay.ReplayReport;
import io.dockercleaner.replay.ReplaySimulator;
import io.dockercleaner.replay.TraceEvent;
import io.dockercleaner.replay.TraceException;
import io.dockercleaner.replay.TraceParser;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * {@code docker-cleaner replay --trace FILE --disk-bytes SIZE [--policy lru|age|cost] [--high P]
 * [--low P]}: replays a trace with the agent's planner and the configured protections
 * ({@link PolicyFromSettings}, so KEEP_IMAGES, MIN_AGE, QUIET_PERIOD... apply as in the agent) and
 * prints what it cost. Talks to no daemon. Exit 0, or 2 for bad options or a bad trace line.
 */
final class ReplayCommand {
  private ReplayCommand() {}

  static int run(LoadedConfig loaded, Map<String, String> env, PrintStream out, PrintStream err) {
    Settings settings = loaded.settings();
    boolean json = settings.logFormat() == LogFormat.JSON;
    Map<String, String> options = loaded.options();
    List<String> problems = new ArrayList<>();
    String trace = options.get("trace");
    if (trace == null || trace.isBlank()) {
      problems.add("--trace: missing (expected --trace FILE, a JSON-lines trace: docs/trace-format.md)");
    }
    long diskBytes = 0;
    String disk = options.get("disk-bytes");
    if (disk == null) {
      problems.add("--disk-bytes: missing (expected the disk size to replay against, e.g. --disk-bytes 50GB)");
    } else {
      try {
        OptionalLong parsed = ValueParsers.parseByteSize("--disk-bytes", disk);
        if (parsed.isEmpty() || parsed.getAsLong() <= 0) {
          problems.add("--disk-bytes: invalid value '" + disk + "' (expected a size > 0, e.g. 50GB)");
        } else {
          diskBytes = parsed.getAsLong();
        }
      } catch (ConfigException e) {
        problems.addAll(e.errors());
      }
    }
    CleanupPolicy policy = settings.cleanupPolicy();
    String p = options.get("policy");
    if (p != null) {
      try {
        policy = CleanupPolicy.valueOf(p.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        problems.add("--policy: invalid value '" + p + "' (expected one of lru, age, cost)");
      }
    }
    double high = ratio("--high", options.get("high"), settings.diskHighWatermarkRatio(), problems);
    double low = ratio("--low", options.get("low"), settings.diskLowWatermarkRatio(), problems);
    if (problems.isEmpty() && low > high) {
      problems.add("--low " + pct(low) + " is above --high " + pct(high) + " (the low watermark must not exceed the high one)");
    }
    if (!problems.isEmpty()) {
      return fail(err, json, env, problems);
    }
    List<TraceEvent> events;
    try (Reader reader = Files.newBufferedReader(Path.of(trace), StandardCharsets.UTF_8)) {
      events = TraceParser.parse(trace, reader);
    } catch (TraceException e) {
      return fail(err, json, env, List.of("bad trace: " + e.getMessage()));
    } catch (IOException e) {
      return fail(err, json, env, List.of("--trace: cannot read " + trace + ": " + e.getMessage()));
    }
    Instant start = events.isEmpty() ? Instant.EPOCH : events.get(0).at();
    // the agent watched from the trace's start; Podman-less, so build cache is irrelevant here
    PlanPolicy planPolicy = PolicyFromSettings.builder(settings, true, start).cleanupPolicy(policy).build();
    // MIN_RUN_INTERVAL (flag --min-run-interval) spaces the cleanups as in the agent; the forecast is
    // fed the replayed usage as the agent's 10 s disk samples and judged every 10 minutes
    ReplayReport report = ReplaySimulator.run(events, new ReplaySimulator.Budget(diskBytes, high, low), planPolicy,
        ReplaySimulator.Options.agent(settings.minRunInterval()));
    print(out, json, env, trace, report);
    return 0;
  }

  private static double ratio(String flag, String raw, double fallback, List<String> problems) {
    if (raw == null) {
      return fallback;
    }
    try {
      return ValueParsers.parsePercentage(flag, raw);
    } catch (ConfigException e) {
      problems.addAll(e.errors());
      return fallback;
    }
  }

  private static int fail(PrintStream err, boolean json, Map<String, String> env, List<String> problems) {
    for (String problem : problems) {
      Main.initLine(err, json, env, "ERROR", "replay: " + problem);
    }
    return 2;
  }

  /** The report: one JSON line (run log shape, operation REPLAY) or a few text lines. */
  static void print(PrintStream out, boolean json, Map<String, String> env, String trace, ReplayReport r) {
    String summary = "replayed " + r.events() + " events of " + trace + " with policy " + r.policy().label()
        + " on " + Bytes.human(r.diskBytes()) + " (high " + pct(r.highRatio()) + ", low " + pct(r.lowRatio()) + "): "
        + Bytes.human(r.bytesRepulled()) + " re-pulled in " + r.misses() + " misses, " + r.deletions()
        + " deletions in " + r.cleanupRuns() + " cleanups, peak " + Bytes.human(r.peakUsageBytes());
    if (json) {
      Map<String, Object> fields = new LinkedHashMap<>();
      fields.put("trace", trace);
      fields.put("policy", r.policy().label());
      fields.put("disk_bytes", r.diskBytes());
      fields.put("high_ratio", r.highRatio());
      fields.put("low_ratio", r.lowRatio());
      fields.put("events", r.events());
      fields.put("first_event", r.firstAt() == null ? null : r.firstAt().toString());
      fields.put("last_event", r.lastAt() == null ? null : r.lastAt().toString());
      fields.put("cleanup_runs", r.cleanupRuns());
      fields.put("deletions", r.deletions());
      fields.put("misses", r.misses());
      fields.put("bytes_repulled", r.bytesRepulled());
      fields.put("bytes_fetched", r.bytesFetched());
      fields.put("peak_usage_bytes", r.peakUsageBytes());
      fields.put("overflows", r.overflows());
      fields.put("short_runs", r.shortRuns());
      fields.put("final_usage_bytes", r.finalUsageBytes());
      fields.put("min_run_interval_seconds", r.minRunInterval().toSeconds());
      fields.put("deferred_runs", r.deferredRuns());
      if (r.forecast() != null) {
        ForecastAccuracy f = r.forecast();
        fields.put("forecast_evaluations", f.evaluations());
        fields.put("forecast_judged", f.judged());
        fields.put("forecast_censored", f.censored());
        fields.put("forecast_no_forecast", f.noForecast());
        fields.put("forecast_abs_error_median", nanToNull(f.absErrorQuantile(0.5)));
        fields.put("forecast_abs_error_p90", nanToNull(f.absErrorQuantile(0.9)));
        fields.put("forecast_within_20pct", nanToNull(f.shareWithin(0.2)));
      }
      out.println(JsonLines.line(Instant.now(), "INFO", "REPLAY", summary, Main.hostname(env), fields));
      return;
    }
    out.println(summary);
    out.println("  bytes re-pulled:    " + r.bytesRepulled() + " (" + Bytes.human(r.bytesRepulled()) + ")");
    out.println("  misses:             " + r.misses());
    out.println("  deletions:          " + r.deletions());
    out.println("  cleanup runs:       " + r.cleanupRuns() + " (" + r.shortRuns() + " ended above the high watermark)");
    out.println("  peak usage:         " + r.peakUsageBytes() + " (" + Bytes.human(r.peakUsageBytes()) + ", "
        + pct((double) r.peakUsageBytes() / r.diskBytes()) + " of the disk)");
    out.println("  disk overflows:     " + r.overflows());
    out.println("  bytes first pulled: " + r.bytesFetched() + " (" + Bytes.human(r.bytesFetched()) + ")");
    out.println("  final usage:        " + r.finalUsageBytes() + " (" + Bytes.human(r.finalUsageBytes()) + ")");
    out.println("  min run interval:   " + r.minRunInterval().toSeconds() + "s (" + r.deferredRuns()
        + " cleanups started later because of it)");
    if (r.forecast() != null) {
      ForecastAccuracy f = r.forecast();
      out.println("  forecast:           " + f.judged() + " of " + f.evaluations() + " points judged (>= 2h from full;"
          + " " + f.censored() + " never full within the trace, " + f.nearerThanMinAway() + " nearer, "
          + f.noForecast() + " without a forecast): |error| median "
          + pct(f.absErrorQuantile(0.5)) + ", p90 " + pct(f.absErrorQuantile(0.9)) + ", within 20%: "
          + pct(f.shareWithin(0.2)));
    }
  }

  private static Double nanToNull(double v) {
    return Double.isNaN(v) ? null : v;
  }

  private static String pct(double ratio) {
    if (Double.isNaN(ratio)) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%.1f%%", ratio * 100);
  }
}
