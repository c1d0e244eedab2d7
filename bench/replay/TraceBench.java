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
import java.util.Arrays;
import java.util.Set;
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
    int floorFutures = 0; // --floor N: measure the forecast's floor with N futures per point instead
    boolean horizons = false; // --horizons: the agent's forecast judged with a horizon cap (trace-end censoring check)
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
        case "--floor" -> floorFutures = Integer.parseInt(args[++i]);
        case "--horizons" -> horizons = true;
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Params params = new Params(days, d.repositories(), d.baseImages(), tools, branchesPerHour, revisit, oneOffsPerHour,
        d.weeklyDepsChange());
    if (floorFutures > 0) {
      floor(params, firstSeed, seeds, floorFutures, minRunInterval);
      return;
    }
    if (horizons) {
      horizons(params, firstSeed, seeds, minRunInterval);
      return;
    }
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
      List<TraceEvent> events = parse(file.toString(), text);
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

  // ---- the floor of the forecast error (bench only) -----------------------------------------

  /**
   * The floor of the time-to-full error on these traces (bench/README.md, "Floor"): an oracle that
   * knows the generator's parameters and its state at the evaluation point (which layers are on
   * disk, each repository's base and this week's dependencies layer, the tools' layers, the branches
   * already due for a rebuild, the runs of images already fetched) but none of the draws still to
   * come, simulates the generator forward with nothing removed {@code futures} times and predicts
   * the median fill time. Judged on exactly the replay's points (the listener of ReplaySimulator),
   * with the same error. Deterministic per seed. Variant "rates only": the same futures, assuming
   * every reusable layer (bases, tools, dependencies) is on disk and no pending run re-fetches.
   */
  static void floor(Params params, int firstSeed, int seeds, int futures, Duration minRunInterval)
      throws IOException {
    long[] budgetsGb = {8, 12, 16};
    CleanupPolicy[] policies = {CleanupPolicy.LRU, CleanupPolicy.AGE, CleanupPolicy.COST};
    Settings defaults = Settings.of(Map.of());
    String[] rows = {"agent forecaster (DiskForecaster)", "oracle, median of futures", "oracle, mean of futures",
        "oracle, rates only (no on-disk set), median", "oracle, flat over the day (no time of day), median",
        "model check: oracle median vs a simulated future"};
    Map<String, List<List<ForecastAccuracy.Point>>> cells = new java.util.TreeMap<>();
    long started = System.nanoTime();
    for (int seed = firstSeed; seed < firstSeed + seeds; seed++) {
      List<TraceEvent> events = parse("ci-" + seed, generate(params, seed));
      Oracle oracle = new Oracle(params, events);
      for (long gb : budgetsGb) {
        for (int p = 0; p < 3; p++) {
          String key = String.format(Locale.ROOT, "%02d GB %s", gb, policies[p].label());
          List<List<ForecastAccuracy.Point>> lists = cells.computeIfAbsent(key, k -> {
            List<List<ForecastAccuracy.Point>> l = new ArrayList<>();
            for (int r = 0; r < rows.length; r++) {
              l.add(new ArrayList<>());
            }
            return l;
          });
          long disk = gb * 1_000_000_000L;
          long streamSeed = seed * 1_000_003L + gb * 101 + p;
          int[] n = {0};
          PlanPolicy policy = PolicyFromSettings.builder(defaults, true, events.get(0).at())
              .cleanupPolicy(policies[p]).build();
          ReplaySimulator.run(events, new ReplaySimulator.Budget(disk, 0.85, 0.75), policy,
              ReplaySimulator.Options.agent(minRunInterval), (at, next, usage, onDisk, point) -> {
                lists.get(0).add(point);
                if (point.actual() == null || point.actual().compareTo(ForecastAccuracy.MIN_AWAY) < 0) {
                  for (int r = 1; r < rows.length; r++) {
                    lists.get(r).add(new ForecastAccuracy.Point(null, point.actual())); // not judged anyway
                  }
                  return;
                }
                Duration[] o = oracle.predict(at, next, usage, onDisk, disk, futures,
                    new java.util.SplittableRandom(streamSeed * 7_919L + n[0]++));
                lists.get(1).add(new ForecastAccuracy.Point(o[0], point.actual()));
                lists.get(2).add(new ForecastAccuracy.Point(o[1], point.actual()));
                lists.get(3).add(new ForecastAccuracy.Point(o[2], point.actual()));
                lists.get(4).add(new ForecastAccuracy.Point(o[4], point.actual()));
                lists.get(5).add(new ForecastAccuracy.Point(o[0], o[3]));
              });
        }
      }
      System.err.printf(Locale.ROOT, "seed %d done, %.0f s%n", seed, (System.nanoTime() - started) / 1e9);
    }
    System.out.printf(Locale.ROOT, "Floor of the time-to-full error: seeds %d-%d, %d futures per point, MIN_RUN_INTERVAL %ds%n%n",
        firstSeed, firstSeed + seeds - 1, futures, minRunInterval.toSeconds());
    System.out.println("| disk | policy | forecaster | judged | no forecast | median abs error | p90 abs error | median signed | within 20 % |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    List<List<ForecastAccuracy>> all = new ArrayList<>();
    for (int r = 0; r < rows.length; r++) {
      all.add(new ArrayList<>());
    }
    List<double[]> oracleRatios = new ArrayList<>(); // predicted / actual of the oracle median, for the calibration check
    for (Map.Entry<String, List<List<ForecastAccuracy.Point>>> e : cells.entrySet()) {
      String[] key = e.getKey().split(" ");
      for (int r = 0; r < rows.length; r++) {
        ForecastAccuracy f = ForecastAccuracy.of(e.getValue().get(r));
        all.get(r).add(f);
        printFloor(Integer.parseInt(key[0]) + " GB", key[2], rows[r], f);
      }
      for (ForecastAccuracy.Point pt : e.getValue().get(1)) {
        if (pt.actual() != null && pt.predicted() != null && pt.actual().compareTo(ForecastAccuracy.MIN_AWAY) >= 0) {
          oracleRatios.add(new double[] {pt.predicted().toMillis() / (double) pt.actual().toMillis()});
        }
      }
    }
    for (int r = 0; r < rows.length; r++) {
      printFloor("all", "all", rows[r], ForecastAccuracy.pool(all.get(r)));
    }
    // the median is not necessarily the best point for the median relative error: the best constant
    // factor on the oracle's median, chosen on these very points (an optimistic bound)
    double bestFactor = 1;
    double bestMedian = Double.POSITIVE_INFINITY;
    double[] ratios = oracleRatios.stream().mapToDouble(a -> a[0]).toArray();
    for (double c = 0.70; c <= 1.301; c += 0.01) {
      double[] abs = new double[ratios.length];
      for (int i = 0; i < ratios.length; i++) {
        abs[i] = Math.abs(c * ratios[i] - 1);
      }
      Arrays.sort(abs);
      double m = abs[(int) Math.ceil(0.5 * abs.length) - 1];
      if (m < bestMedian) {
        bestMedian = m;
        bestFactor = c;
      }
    }
    System.out.printf(Locale.ROOT, "%nBest constant factor on the oracle's median (fitted on these points): x%.2f -> median abs error %.1f %%%n",
        bestFactor, 100 * bestMedian);
  }

  /**
   * The agent's forecast judged with and without a cap on the horizon. A point is judged only when
   * the disk fills before the trace ends, so near the end of a trace only the points that fill soon
   * are judged (right-censoring): the forecasts there look too long. With a cap H, a point is judged
   * only when the trace goes on for at least H after it and the disk fills within H: whether a point
   * counts no longer depends on where it sits in the trace.
   */
  private static void horizons(Params params, int firstSeed, int seeds, Duration minRunInterval) throws IOException {
    long[] budgetsGb = {8, 12, 16};
    CleanupPolicy[] policies = {CleanupPolicy.LRU, CleanupPolicy.AGE, CleanupPolicy.COST};
    Duration[] caps = {null, Duration.ofHours(24), Duration.ofHours(48), Duration.ofHours(72), Duration.ofHours(96)};
    Settings defaults = Settings.of(Map.of());
    Map<String, List<List<ForecastAccuracy.Point>>> cells = new java.util.TreeMap<>();
    for (int seed = firstSeed; seed < firstSeed + seeds; seed++) {
      List<TraceEvent> events = parse("ci-" + seed, generate(params, seed));
      Instant end = events.get(events.size() - 1).at();
      for (long gb : budgetsGb) {
        for (int p = 0; p < 3; p++) {
          String key = String.format(Locale.ROOT, "%02d GB %s", gb, policies[p].label());
          List<List<ForecastAccuracy.Point>> lists = cells.computeIfAbsent(key, k -> {
            List<List<ForecastAccuracy.Point>> l = new ArrayList<>();
            for (int c = 0; c < caps.length; c++) {
              l.add(new ArrayList<>());
            }
            return l;
          });
          PlanPolicy policy = PolicyFromSettings.builder(defaults, true, events.get(0).at())
              .cleanupPolicy(policies[p]).build();
          ReplaySimulator.run(events, new ReplaySimulator.Budget(gb * 1_000_000_000L, 0.85, 0.75), policy,
              ReplaySimulator.Options.agent(minRunInterval), (at, next, usage, onDisk, point) -> {
                Duration left = Duration.between(at, end);
                for (int c = 0; c < caps.length; c++) {
                  Duration cap = caps[c];
                  if (cap == null) {
                    lists.get(c).add(point);
                  } else if (left.compareTo(cap) >= 0 && point.actual() != null && point.actual().compareTo(cap) <= 0) {
                    lists.get(c).add(point);
                  }
                }
              });
        }
      }
    }
    System.out.printf(Locale.ROOT, "Forecast accuracy with a horizon cap: seeds %d-%d, MIN_RUN_INTERVAL %ds%n%n",
        firstSeed, firstSeed + seeds - 1, minRunInterval.toSeconds());
    System.out.println("| disk | policy | horizon | judged | no forecast | median abs error | p90 abs error | median signed | within 20 % |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    List<List<ForecastAccuracy>> all = new ArrayList<>();
    for (int c = 0; c < caps.length; c++) {
      all.add(new ArrayList<>());
    }
    for (Map.Entry<String, List<List<ForecastAccuracy.Point>>> e : cells.entrySet()) {
      String[] key = e.getKey().split(" ");
      for (int c = 0; c < caps.length; c++) {
        ForecastAccuracy f = ForecastAccuracy.of(e.getValue().get(c));
        all.get(c).add(f);
        printHorizon(Integer.parseInt(key[0]) + " GB", key[2], caps[c], f);
      }
    }
    for (int c = 0; c < caps.length; c++) {
      printHorizon("all", "all", caps[c], ForecastAccuracy.pool(all.get(c)));
    }
  }

  /** A generated trace, parsed (the generator writing a bad line is a bug of this bench). */
  private static List<TraceEvent> parse(String name, String text) throws IOException {
    try {
      return TraceParser.parse(name, new StringReader(text));
    } catch (io.dockercleaner.replay.TraceException e) {
      throw new IllegalStateException("generator wrote a bad trace: " + e.getMessage(), e);
    }
  }

  private static void printHorizon(String disk, String policy, Duration cap, ForecastAccuracy f) {
    System.out.printf(Locale.ROOT, "| %s | %s | %s | %d | %d | %.1f %% | %.1f %% | %+.1f %% | %.1f %% |%n", disk, policy,
        cap == null ? "trace end (as judged)" : "≤ " + cap.toHours() + " h, trace ≥ " + cap.toHours() + " h on",
        f.judged(), f.noForecast(), 100 * f.absErrorQuantile(0.5), 100 * f.absErrorQuantile(0.9),
        100 * f.medianSignedError(), 100 * f.shareWithin(0.2));
  }

  private static void printFloor(String disk, String policy, String row, ForecastAccuracy f) {
    System.out.printf(Locale.ROOT, "| %s | %s | %s | %d | %d | %.1f %% | %.1f %% | %+.1f %% | %.1f %% |%n", disk, policy,
        row, f.judged(), f.noForecast(), 100 * f.absErrorQuantile(0.5), 100 * f.absErrorQuantile(0.9),
        100 * f.medianSignedError(), 100 * f.shareWithin(0.2));
  }

  /** The generator's state read from its trace, and its forward simulation (see {@link #floor}). */
  static final class Oracle {
    private static final int DAY = 86_400;
    private static final int HORIZON_DAYS = 28; // a future not full by then counts as never
    private static final int NIGHTLY = 0, TOOL = 1, BRANCH = 2, ONEOFF = 3, PENDING_USE = 4;

    final Params p;
    final List<TraceEvent> events;
    final long[] atSec; // per event, seconds since START
    final Map<String, Integer> layerId = new java.util.HashMap<>();
    final List<Long> layerSizes = new ArrayList<>();
    long[] layerBytes;
    final Map<String, int[]> imageLayers = new java.util.HashMap<>();
    final int[] baseOf;
    final int[][] baseLayers;
    final int[][] toolLayers;
    final int[][] depsOf; // [repo][week] layer id, -1 unknown
    final int[][] nightlyIdx; // [day][repo] event index, -1 none
    final int[][] toolIdx; // [day][tool]
    final int[] fetchIdx; // per use event: index of the image's latest pull/build before it
    record Feature(int idx, int day, int repo, int rebuildIdx) {}
    final List<Feature> features = new ArrayList<>();
    int[] stamp; // per layer id: the future that fetched it
    int future;

    Oracle(Params p, List<TraceEvent> events) {
      this.p = p;
      this.events = events;
      int n = events.size();
      atSec = new long[n];
      fetchIdx = new int[n];
      baseOf = new int[p.repositories()];
      baseLayers = new int[p.baseImages()][];
      toolLayers = new int[p.nightlyTools()][];
      int weeks = (p.days() + 6) / 7 + 1;
      depsOf = new int[p.repositories()][weeks];
      for (int[] w : depsOf) {
        Arrays.fill(w, -1);
      }
      nightlyIdx = new int[p.days() + 1][p.repositories()];
      toolIdx = new int[p.days() + 1][p.nightlyTools()];
      for (int[] a : nightlyIdx) {
        Arrays.fill(a, -1);
      }
      for (int[] a : toolIdx) {
        Arrays.fill(a, -1);
      }
      Map<String, Integer> baseIndex = new java.util.HashMap<>();
      Map<String, Integer> lastFetch = new java.util.HashMap<>();
      Map<String, Integer> lastFeatureOfTag = new java.util.HashMap<>();
      for (int i = 0; i < n; i++) {
        TraceEvent e = events.get(i);
        atSec[i] = Duration.between(START, e.at()).getSeconds();
        int day = (int) Math.floorDiv(atSec[i], DAY);
        if (!e.layers().isEmpty() && !imageLayers.containsKey(e.imageId())) {
          int[] ids = new int[e.layers().size()];
          for (int l = 0; l < ids.length; l++) {
            TraceEvent.Layer layer = e.layers().get(l);
            ids[l] = layerId.computeIfAbsent(layer.digest(), d -> {
              layerSizes.add(layer.sizeBytes());
              return layerSizes.size() - 1;
            });
          }
          imageLayers.put(e.imageId(), ids);
        }
        String tag = e.tag() == null ? "" : e.tag();
        if (e.kind() == TraceEvent.Kind.USE) {
          fetchIdx[i] = lastFetch.getOrDefault(e.imageId(), -1);
          continue;
        }
        if (e.kind() == TraceEvent.Kind.REMOVE) {
          continue;
        }
        lastFetch.put(e.imageId(), i);
        if (tag.startsWith("ci/base-")) {
          int b = Integer.parseInt(tag.substring(8, tag.indexOf(':')));
          baseLayers[b] = imageLayers.get(e.imageId());
          baseIndex.put(e.imageId(), b);
        } else if (tag.startsWith("tools/tool-")) {
          int t = Integer.parseInt(tag.substring(11, tag.indexOf(':')));
          toolLayers[t] = imageLayers.get(e.imageId());
          toolIdx[day][t] = i;
        } else if (tag.startsWith("app-")) {
          int r = Integer.parseInt(tag.substring(4, tag.indexOf(':')));
          baseOf[r] = baseIndex.get(e.baseImageId());
          depsOf[r][day / 7] = imageLayers.get(e.imageId())[3]; // base's 3 layers, deps, source
          if (tag.endsWith(":main")) {
            nightlyIdx[day][r] = i;
          } else {
            Integer previous = lastFeatureOfTag.put(tag, features.size());
            if (previous != null) {
              Feature f = features.get(previous);
              features.set(previous, new Feature(f.idx(), f.day(), f.repo(), i));
            }
            features.add(new Feature(i, day, r, -1));
          }
        }
      }
      layerBytes = layerSizes.stream().mapToLong(Long::longValue).toArray();
      stamp = new int[layerBytes.length];
    }

    int nextWorkingDay(int day) {
      int d = day + 1;
      while (d % 7 >= 5) {
        d++;
      }
      return d;
    }

    /**
     * The oracle's time to full at a point: [median, mean, rates-only median, one more simulated
     * future (the model check's "actual"), median of futures flat over the day]; null where never full
     * within the horizon.
     */
    Duration[] predict(Instant at, int next, long usage, Set<String> onDiskDigests, long disk, int futures,
        java.util.SplittableRandom random) {
      long ts = Duration.between(START, at).getSeconds();
      int day0 = (int) Math.floorDiv(ts, DAY);
      int tod = (int) (ts - (long) day0 * DAY);
      boolean[] onDisk = new boolean[layerBytes.length];
      for (Map.Entry<String, Integer> e : layerId.entrySet()) {
        onDisk[e.getValue()] = onDiskDigests.contains(e.getKey());
      }
      int[] deps = new int[p.repositories()];
      for (int r = 0; r < deps.length; r++) {
        deps[r] = -1;
        for (int w = day0 / 7; w >= 0 && deps[r] < 0; w--) {
          deps[r] = depsOf[r][Math.min(w, depsOf[r].length - 1)];
        }
      }
      // state decided before the point: rebuilds due (day, repo), unknown ones (beyond the trace), runs pending
      List<int[]> dueKnown = new ArrayList<>();
      List<int[]> dueUnknown = new ArrayList<>();
      for (Feature f : features) {
        if (f.idx() >= next || (f.rebuildIdx() >= 0 && f.rebuildIdx() < next)) {
          continue; // not built yet, or already rebuilt
        }
        int due = nextWorkingDay(f.day());
        if (f.rebuildIdx() >= 0) {
          dueKnown.add(new int[] {due, f.repo()});
        } else if (due >= p.days()) {
          dueUnknown.add(new int[] {due, f.repo()});
        }
      }
      List<Integer> pendingUses = new ArrayList<>();
      for (int j = next; j < events.size() && atSec[j] < ts + 3 * 3600; j++) {
        if (events.get(j).kind() == TraceEvent.Kind.USE && fetchIdx[j] >= 0 && fetchIdx[j] < next) {
          pendingUses.add(j);
        }
      }
      double[] median = new double[futures];
      double[] ratesOnly = new double[futures];
      for (int f = 0; f < futures; f++) {
        double[] t = simulate(ts, day0, tod, next, usage, onDisk, deps, dueKnown, dueUnknown, pendingUses, disk, random,
            false);
        median[f] = t[0];
        ratesOnly[f] = t[1];
      }
      double[] flat = new double[futures];
      for (int f = 0; f < futures; f++) {
        flat[f] = simulate(ts, day0, tod, next, usage, onDisk, deps, dueKnown, dueUnknown, pendingUses, disk, random,
            true)[0];
      }
      Arrays.sort(flat);
      double extra = simulate(ts, day0, tod, next, usage, onDisk, deps, dueKnown, dueUnknown, pendingUses, disk,
          random, false)[0];
      double mean = 0;
      for (double m : median) {
        mean += m / futures;
      }
      Arrays.sort(median);
      Arrays.sort(ratesOnly);
      return new Duration[] {seconds(median[(futures - 1) / 2]), seconds(mean), seconds(ratesOnly[(futures - 1) / 2]),
          seconds(extra), seconds(flat[(futures - 1) / 2])};
    }

    private static Duration seconds(double s) {
      return Double.isInfinite(s) || Double.isNaN(s) ? null : Duration.ofMillis((long) (s * 1000));
    }

    // one future's scratch, reused
    private final long[] keys = new long[4096];
    private final int[] kind = new int[4096];
    private final int[] arg = new int[4096];
    private final long[] when = new long[4096];

    /**
     * One future from {@code ts} with nothing removed: seconds to full for [the oracle, rates only].
     * {@code flat}: every arrival uniform over its day (the same amounts per day, no time of day).
     */
    private double[] simulate(long ts, int day0, int tod, int next, long usage, boolean[] onDisk, int[] depsNow,
        List<int[]> dueKnown, List<int[]> dueUnknown, List<Integer> pendingUses, long disk,
        java.util.SplittableRandom rnd, boolean flat) {
      int me = ++future;
      long used = usage;
      long usedRates = usage;
      double fullAt = Double.POSITIVE_INFINITY;
      double fullRates = Double.POSITIVE_INFINITY;
      int repos = p.repositories();
      long[] newDeps = new long[repos]; // bytes of a dependencies layer changed in this future, 0: none
      boolean[] newDepsFetched = new boolean[repos];
      java.util.Map<Integer, List<Integer>> rebuilds = new java.util.HashMap<>(); // day -> repos
      for (int[] d : dueKnown) {
        rebuilds.computeIfAbsent(d[0], k -> new ArrayList<>()).add(d[1]);
      }
      for (int[] d : dueUnknown) {
        if (rnd.nextDouble() < p.branchRevisitChance()) {
          rebuilds.computeIfAbsent(d[0], k -> new ArrayList<>()).add(d[1]);
        }
      }
      for (int d = day0; d <= day0 + HORIZON_DAYS; d++) {
        long midnight = (long) d * DAY;
        int from = d == day0 ? tod : 0;
        if (d > day0 && d % 7 == 0) {
          for (int r = 0; r < repos; r++) {
            if (rnd.nextDouble() < p.weeklyDepsChange()) {
              newDeps[r] = mb(rnd, 150, 400);
              newDepsFetched[r] = false;
            }
          }
        }
        int count = 0;
        for (int r = 0; r < repos; r++) {
          if (d == day0 && (d >= nightlyIdx.length || nightlyIdx[d][r] < 0 || nightlyIdx[d][r] < next)) {
            continue; // today's already ran (or the trace has none: past its end)
          }
          count = add(count, midnight + (flat ? window(rnd, from, 0, DAY) : window(rnd, from, 120 * 60, 150 * 60)),
              NIGHTLY, r);
        }
        for (int i = 0; i < p.nightlyTools(); i++) {
          if (d == day0 && (d >= toolIdx.length || toolIdx[d][i] < 0 || toolIdx[d][i] < next)) {
            continue;
          }
          count = add(count, midnight + (flat ? window(rnd, from, 0, DAY) : window(rnd, from, 180 * 60, 200 * 60)),
              TOOL, i);
        }
        if (d % 7 < 5) {
          for (int r : rebuilds.getOrDefault(d, List.of())) {
            count = add(count, midnight + (flat ? window(rnd, from, 0, DAY) : window(rnd, from, 8 * 3600, 18 * 3600)),
                BRANCH, r);
          }
          double hours = Math.max(from, flat ? 0 : 8 * 3600) / 3600.0;
          double perHour = flat ? p.featureBranchesPerHour() * 10 / 24 : p.featureBranchesPerHour();
          while (true) {
            hours += -Math.log(1 - rnd.nextDouble()) / perHour;
            if (hours >= (flat ? 24 : 18)) {
              break;
            }
            count = add(count, midnight + (long) (hours * 3600), BRANCH, rnd.nextInt(repos));
          }
        }
        double hours = from / 3600.0;
        while (true) {
          hours += -Math.log(1 - rnd.nextDouble()) / p.oneOffsPerHour();
          if (hours >= 24) {
            break;
          }
          count = add(count, midnight + (long) (hours * 3600), ONEOFF, 0);
        }
        for (int j : pendingUses) {
          if (atSec[j] >= midnight && atSec[j] < midnight + DAY) {
            count = add(count, atSec[j], PENDING_USE, j);
          }
        }
        Arrays.sort(keys, 0, count);
        for (int k = 0; k < count; k++) {
          int e = (int) (keys[k] & 0xFFF);
          long added = 0;
          long addedRates = 0;
          switch (kind[e]) {
            case NIGHTLY, BRANCH -> {
              int r = arg[e];
              for (int l : baseLayers[baseOf[r]]) {
                added += need(l, onDisk, me);
              }
              if (newDeps[r] > 0) {
                if (!newDepsFetched[r]) {
                  newDepsFetched[r] = true;
                  added += newDeps[r];
                  addedRates += newDeps[r];
                }
              } else {
                added += need(depsNow[r], onDisk, me);
              }
              long source = mb(rnd, 10, 60);
              added += source;
              addedRates += source;
              if (kind[e] == BRANCH && rnd.nextDouble() < p.branchRevisitChance()) {
                rebuilds.computeIfAbsent(nextWorkingDay(d), x -> new ArrayList<>()).add(r);
              }
            }
            case TOOL -> {
              for (int l : toolLayers[arg[e]]) {
                added += need(l, onDisk, me);
              }
            }
            case ONEOFF -> {
              long bytes = mb(rnd, 100, 800);
              added += bytes;
              addedRates += bytes;
            }
            case PENDING_USE -> {
              for (int l : imageLayers.get(events.get(arg[e]).imageId())) {
                added += need(l, onDisk, me);
              }
            }
            default -> throw new IllegalStateException();
          }
          used += added;
          usedRates += addedRates;
          double after = when[e] - ts;
          if (used >= disk && Double.isInfinite(fullAt)) {
            fullAt = after;
          }
          if (usedRates >= disk && Double.isInfinite(fullRates)) {
            fullRates = after;
          }
        }
        if (!Double.isInfinite(fullAt) && !Double.isInfinite(fullRates)) {
          break;
        }
      }
      return new double[] {fullAt, fullRates};
    }

    private int add(int count, long atSec, int k, int a) {
      kind[count] = k;
      arg[count] = a;
      when[count] = atSec;
      keys[count] = (atSec << 12) | count;
      return count + 1;
    }

    /** A time of day uniform in [lo, hi), given it is not before {@code from} (then uniform in what is left). */
    private static long window(java.util.SplittableRandom rnd, int from, int lo, int hi) {
      double start = Math.max(from + 1, lo);
      if (start >= hi) {
        return (long) start;
      }
      return (long) (start + rnd.nextDouble() * (hi - start));
    }

    private static long mb(java.util.SplittableRandom rnd, long min, long max) {
      return (min + (long) (rnd.nextDouble() * (max - min))) * MB;
    }

    private long need(int layer, boolean[] onDisk, int me) {
      if (layer < 0 || onDisk[layer] || stamp[layer] == me) {
        return 0;
      }
      stamp[layer] = me;
      return layerBytes[layer];
    }
  }
}
