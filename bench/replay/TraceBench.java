import io.dockercleaner.config.Settings;
import io.dockercleaner.plan.CleanupPolicy;
import io.dockercleaner.plan.PlanPolicy;
import io.dockercleaner.plan.PolicyFromSettings;
import io.dockercleaner.replay.ForecastAccuracy;
import io.dockercleaner.replay.ReplayReport;
import io.dockercleaner.replay.ReplaySimulator;
import io.dockercleaner.replay.TraceEvent;
import io.dockercleaner.replay.TraceParser;
import java.io.IOException;
import java.io.StringReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Synthetic CI-host traces and the policy comparison of bench/README.md ("Cleanup policies on
 * replayed traces"). Run with bench/replay/run.sh (single-file Java on the shaded jar).
 *
 * <p>Usage: {@code TraceBench [--seeds N] [--first-seed S] [--days D] [--tools N]
 * [--branches-per-hour X] [--oneoffs-per-hour X] [--revisit P] [--out DIR]}: writes
 * DIR/ci-SEED.jsonl for N seeds from S, replays each with lru, age and cost at every budget with the agent's default
 * settings (MIN_AGE 1h, QUIET_PERIOD 2m, watermarks 85%/75%), prints a Markdown table.
 */
public final class TraceBench {

  /** The generator's parameters (documented in bench/README.md). */
  record Params(
      int days,
      int repositories, // app-N, each built on one base image
      int baseImages, // ci/base-N:latest, shared by the repositories' images (layers shared)
      int nightlyTools, // tools/tool-N:stable pulled and run every night at 03:00 (big)
      double featureBranchesPerHour, // Mon-Fri 08:00-18:00, bursts of 1-4 uses within ~1 h
      double branchRevisitChance, // chance a branch is rebuilt and used again the next working day
      double oneOffsPerHour, // oneoff/tool-K:v pulled and used once, any time
      double weeklyDepsChange) { // chance per repository and week that its deps layer changes

    static Params standard() {
      return new Params(14, 6, 3, 4, 2.0, 0.2, 0.4, 0.5);
    }
  }

  private static final long MB = 1_000_000L;
  private static final Instant START = Instant.parse("2026-01-05T00:00:00Z"); // a Monday

  public static void main(String[] args) throws IOException {
    int seeds = 12;
    int firstSeed = 1;
    Params d = Params.standard();
    int days = d.days();
    int tools = d.nightlyTools();
    double branchesPerHour = d.featureBranchesPerHour();
    double oneOffsPerHour = d.oneOffsPerHour();
    double revisit = d.branchRevisitChance();
    Path out = Path.of("bench/replay/traces");
    Duration minRunInterval = Duration.ofSeconds(60); // the agent's MIN_RUN_INTERVAL default
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--seeds" -> seeds = Integer.parseInt(args[++i]);
        case "--first-seed" -> firstSeed = Integer.parseInt(args[++i]);
        case "--days" -> days = Integer.parseInt(args[++i]);
        case "--tools" -> tools = Integer.parseInt(args[++i]);
        case "--branches-per-hour" -> branchesPerHour = Double.parseDouble(args[++i]);
        case "--oneoffs-per-hour" -> oneOffsPerHour = Double.parseDouble(args[++i]);
        case "--revisit" -> revisit = Double.parseDouble(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        case "--min-run-interval" -> minRunInterval = Duration.ofSeconds(Long.parseLong(args[++i]));
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Params params = new Params(days, d.repositories(), d.baseImages(), tools, branchesPerHour, revisit, oneOffsPerHour,
        d.weeklyDepsChange());
    Files.createDirectories(out);
    long[] budgetsGb = {8, 12, 16};
    CleanupPolicy[] policies = {CleanupPolicy.LRU, CleanupPolicy.AGE, CleanupPolicy.COST};
    Settings defaults = Settings.of(Map.of());
    System.out.println("| seed | disk | lru re-pulled (misses) | age re-pulled (misses) | cost re-pulled (misses) | cost vs lru | peak lru / cost | overflows lru / age / cost |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    long[] totals = new long[3];
    // forecast accuracy per (budget, policy), pooled over seeds
    Map<String, List<ForecastAccuracy>> accuracy = new java.util.TreeMap<>();
    double worst = Double.NEGATIVE_INFINITY;
    String worstAt = "";
    for (int seed = firstSeed; seed < firstSeed + seeds; seed++) {
      String text = generate(params, seed);
      Path file = out.resolve("ci-" + seed + ".jsonl");
      Files.writeString(file, text, StandardCharsets.UTF_8);
      List<TraceEvent> events;
      try {
        events = TraceParser.parse(file.toString(), new StringReader(text));
      } catch (io.dockercleaner.replay.TraceException e) {
        throw new IllegalStateException("generator wrote a bad trace: " + e.getMessage(), e);
      }
      for (long gb : budgetsGb) {
        ReplayReport[] r = new ReplayReport[3];
        for (int p = 0; p < 3; p++) {
          PlanPolicy policy = PolicyFromSettings.builder(defaults, true, events.get(0).at())
              .cleanupPolicy(policies[p]).build();
          r[p] = ReplaySimulator.run(events, new ReplaySimulator.Budget(gb * 1_000_000_000L, 0.85, 0.75), policy,
              ReplaySimulator.Options.agent(minRunInterval));
          totals[p] += r[p].bytesRepulled();
          accuracy.computeIfAbsent(String.format(Locale.ROOT, "%02d GB %s", gb, policies[p].label()),
              k -> new ArrayList<>()).add(r[p].forecast());
        }
        double change = r[0].bytesRepulled() == 0
            ? (r[2].bytesRepulled() == 0 ? 0 : Double.POSITIVE_INFINITY)
            : 100.0 * (r[2].bytesRepulled() - r[0].bytesRepulled()) / r[0].bytesRepulled();
        if (change > worst) {
          worst = change;
          worstAt = "seed " + seed + ", " + gb + " GB";
        }
        System.out.printf(Locale.ROOT, "| %d | %d GB | %s (%d) | %s (%d) | %s (%d) | %+.1f %% | %s / %s | %d / %d / %d |%n",
            seed, gb, gb(r[0].bytesRepulled()), r[0].misses(), gb(r[1].bytesRepulled()), r[1].misses(),
            gb(r[2].bytesRepulled()), r[2].misses(), change, gb(r[0].peakUsageBytes()), gb(r[2].peakUsageBytes()),
            r[0].overflows(), r[1].overflows(), r[2].overflows());
      }
    }
    System.out.printf(Locale.ROOT, "%nTotal re-pulled over %d traces × %d budgets: lru %s, age %s, cost %s; cost vs lru %+.1f %%; worst single case for cost vs lru: %+.1f %% (%s)%n",
        seeds, budgetsGb.length, gb(totals[0]), gb(totals[1]), gb(totals[2]),
        100.0 * (totals[2] - totals[0]) / Math.max(1, totals[0]), worst, worstAt);
    System.out.printf(Locale.ROOT, "%nForecast time-to-full accuracy (points >= 2 h from full, pooled over the %d seeds;"
        + " MIN_RUN_INTERVAL %ds):%n%n", seeds, minRunInterval.toSeconds());
    System.out.println("| disk | policy | points | judged | never full in trace | < 2 h | no forecast | median abs error | p90 abs error | median signed | within 20 % |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
    List<ForecastAccuracy> everything = new ArrayList<>();
    for (Map.Entry<String, List<ForecastAccuracy>> e : accuracy.entrySet()) {
      ForecastAccuracy f = ForecastAccuracy.pool(e.getValue());
      everything.add(f);
      String[] key = e.getKey().split(" ");
      printAccuracy(Integer.parseInt(key[0]) + " GB", key[2], f);
    }
    printAccuracy("all", "all", ForecastAccuracy.pool(everything));
  }

  private static void printAccuracy(String disk, String policy, ForecastAccuracy f) {
    System.out.printf(Locale.ROOT, "| %s | %s | %d | %d | %d | %d | %d | %.1f %% | %.1f %% | %+.1f %% | %.1f %% |%n", disk,
        policy, f.evaluations(), f.judged(), f.censored(), f.nearerThanMinAway(), f.noForecast(),
        100 * f.absErrorQuantile(0.5), 100 * f.absErrorQuantile(0.9), 100 * f.medianSignedError(),
        100 * f.shareWithin(0.2));
  }

  private static String gb(long bytes) {
    return String.format(Locale.ROOT, "%.1f GB", bytes / 1e9);
  }

  // ---- the generator ------------------------------------------------------------------------

  private record Line(Instant at, long order, String json) {}

  private static final class Gen {
    final Random random;
    final List<Line> lines = new ArrayList<>();
    long order;
    int nextImage;
    int nextLayer;

    Gen(long seed) {
      random = new Random(seed);
    }

    String imageId() {
      return String.format("sha256:%064x", ++nextImage);
    }

    String layer(long bytes) {
      return String.format("{\"digest\":\"sha256:%064x\",\"size\":%d}", 0x1000000L + ++nextLayer, bytes);
    }

    long size(long minMb, long maxMb) {
      return (minMb + (long) (random.nextDouble() * (maxMb - minMb))) * MB;
    }

    void emit(Instant at, String json) {
      lines.add(new Line(at, order++, json));
    }

    void pull(Instant at, String id, String tag, String layers) {
      emit(at, "{\"t\":\"" + at + "\",\"event\":\"pull\",\"image\":\"" + id + "\""
          + (tag == null ? "" : ",\"tag\":\"" + tag + "\"") + ",\"layers\":[" + layers + "]}");
    }

    void build(Instant at, String id, String tag, String base, String layers) {
      emit(at, "{\"t\":\"" + at + "\",\"event\":\"build\",\"image\":\"" + id + "\",\"tag\":\"" + tag + "\",\"base\":\""
          + base + "\",\"layers\":[" + layers + "]}");
    }

    void use(Instant at, String id, long seconds) {
      emit(at, "{\"t\":\"" + at + "\",\"event\":\"use\",\"image\":\"" + id + "\",\"seconds\":" + seconds + "}");
    }

    Instant minutes(Instant at, double minutes) {
      return at.plusSeconds((long) (minutes * 60));
    }

    /** Poisson arrival times in [from, to) at {@code perHour}. */
    List<Instant> arrivals(Instant from, Instant to, double perHour) {
      List<Instant> out = new ArrayList<>();
      double hours = 0;
      double span = Duration.between(from, to).getSeconds() / 3600.0;
      while (true) {
        hours += -Math.log(1 - random.nextDouble()) / perHour;
        if (hours >= span) {
          return out;
        }
        out.add(from.plusSeconds((long) (hours * 3600)));
      }
    }
  }

  /** One synthetic CI host's trace, deterministic per seed. */
  static String generate(Params p, long seed) {
    Gen g = new Gen(seed);
    // base images: 3 layers each, shared by every image built on them
    String[] baseIds = new String[p.baseImages()];
    String[] baseLayers = new String[p.baseImages()];
    for (int b = 0; b < p.baseImages(); b++) {
      baseIds[b] = g.imageId();
      baseLayers[b] = g.layer(g.size(60, 120)) + "," + g.layer(g.size(100, 300)) + "," + g.layer(g.size(20, 80));
      g.pull(START, baseIds[b], "ci/base-" + b + ":latest", baseLayers[b]);
    }
    int[] baseOf = new int[p.repositories()];
    String[] depsLayer = new String[p.repositories()];
    for (int r = 0; r < p.repositories(); r++) {
      baseOf[r] = g.random.nextInt(p.baseImages());
      depsLayer[r] = g.layer(g.size(150, 400));
    }
    // nightly tools: big images of their own
    String[] toolIds = new String[p.nightlyTools()];
    String[] toolLayers = new String[p.nightlyTools()];
    for (int t = 0; t < p.nightlyTools(); t++) {
      toolIds[t] = g.imageId();
      toolLayers[t] = g.layer(g.size(300, 900)) + "," + g.layer(g.size(100, 500));
    }
    List<String[]> revisits = new ArrayList<>(); // [repo, branch] to rebuild next working day
    int branch = 0;
    int oneOff = 0;
    for (int day = 0; day < p.days(); day++) {
      Instant midnight = START.plus(Duration.ofDays(day));
      boolean weekday = day % 7 < 5;
      if (day % 7 == 0 && day > 0) {
        for (int r = 0; r < p.repositories(); r++) {
          if (g.random.nextDouble() < p.weeklyDepsChange()) {
            depsLayer[r] = g.layer(g.size(150, 400)); // dependencies changed: new shared layer
          }
        }
      }
      // nightly: every repository's main branch is rebuilt at ~02:00 and tested (3 runs)
      for (int r = 0; r < p.repositories(); r++) {
        Instant at = g.minutes(midnight, 120 + g.random.nextDouble() * 30);
        String id = g.imageId();
        g.build(at, id, "app-" + r + ":main", baseIds[baseOf[r]],
            baseLayers[baseOf[r]] + "," + depsLayer[r] + "," + g.layer(g.size(10, 60)));
        for (int k = 0; k < 3; k++) {
          g.use(g.minutes(at, 5 + 10 * k), id, 300);
        }
      }
      // nightly tools at ~03:00: pulled (no-op when present) and run for 20 min
      for (int t = 0; t < p.nightlyTools(); t++) {
        Instant at = g.minutes(midnight, 180 + g.random.nextDouble() * 20);
        g.pull(at, toolIds[t], "tools/tool-" + t + ":stable", toolLayers[t]);
        g.use(g.minutes(at, 1), toolIds[t], 1200);
      }
      // feature branches during working hours, in bursts
      if (weekday) {
        List<String[]> today = new ArrayList<>(revisits);
        revisits.clear();
        for (Instant at : g.arrivals(midnight.plus(Duration.ofHours(8)), midnight.plus(Duration.ofHours(18)),
            p.featureBranchesPerHour())) {
          int r = g.random.nextInt(p.repositories());
          today.add(new String[] {String.valueOf(r), "feat-" + (++branch), at.toString()});
        }
        for (String[] b : today) {
          int r = Integer.parseInt(b[0]);
          Instant at = b.length > 2 ? Instant.parse(b[2]) : g.minutes(midnight, 8 * 60 + g.random.nextDouble() * 600);
          String id = g.imageId();
          g.build(at, id, "app-" + r + ":" + b[1], baseIds[baseOf[r]],
              baseLayers[baseOf[r]] + "," + depsLayer[r] + "," + g.layer(g.size(10, 60)));
          int runs = 1 + g.random.nextInt(4);
          double minute = 2;
          for (int k = 0; k < runs; k++) {
            g.use(g.minutes(at, minute), id, 120 + g.random.nextInt(600));
            minute += 5 + g.random.nextDouble() * 20;
          }
          if (g.random.nextDouble() < p.branchRevisitChance()) {
            revisits.add(new String[] {b[0], b[1]});
          }
        }
      }
      // one-off images at any hour: pulled, run once, never again
      for (Instant at : g.arrivals(midnight, midnight.plus(Duration.ofDays(1)), p.oneOffsPerHour())) {
        String id = g.imageId();
        g.pull(at, id, "oneoff/tool-" + (++oneOff) + ":v1", g.layer(g.size(100, 800)));
        g.use(g.minutes(at, 1), id, 60 + g.random.nextInt(600));
      }
    }
    g.lines.sort(Comparator.comparing(Line::at).thenComparingLong(Line::order));
    StringBuilder text = new StringBuilder();
    text.append("# synthetic CI host, seed ").append(seed).append(", ").append(p).append('\n');
    for (Line line : g.lines) {
      text.append(line.json()).append('\n');
    }
    return text.toString();
  }
}
