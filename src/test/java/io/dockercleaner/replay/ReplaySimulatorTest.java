package io.dockercleaner.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.plan.CleanupPolicy;
import io.dockercleaner.plan.PlanPolicy;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReplaySimulatorTest {
  private static final Instant T0 = Instant.parse("2026-01-05T00:00:00Z");

  private static List<TraceEvent> parse(String text) throws Exception {
    return TraceParser.parse("t", new StringReader(text));
  }

  private static List<TraceEvent> smallTrace() throws Exception {
    try (Reader r = new InputStreamReader(ReplaySimulatorTest.class.getResourceAsStream("/replay/small-trace.jsonl"),
        StandardCharsets.UTF_8)) {
      return TraceParser.parse("small-trace.jsonl", r);
    }
  }

  private static PlanPolicy policy(CleanupPolicy order, Instant start) {
    return PlanPolicy.builder(start).minAge(Duration.ofHours(1)).cleanupPolicy(order).build();
  }

  private static String line(Instant at, String event, String image, String extra) {
    return "{\"t\":\"" + at + "\",\"event\":\"" + event + "\",\"image\":\"" + image + "\"" + extra + "}\n";
  }

  private static String layers(String... digestsAndSizes) {
    StringBuilder out = new StringBuilder(",\"layers\":[");
    for (int i = 0; i < digestsAndSizes.length; i += 2) {
      out.append(i == 0 ? "" : ",").append("{\"digest\":\"").append(digestsAndSizes[i]).append("\",\"size\":")
          .append(digestsAndSizes[i + 1]).append('}');
    }
    return out.append(']').toString();
  }

  @Test
  void aDeletedImageNeededAgainIsAMissAndOnlyItsMissingLayersAreRepulled() throws Exception {
    // disk 1000, high 85 %, low 60 %: base (300) shared by a and b; a (+200) old, b (+200), c (+300) crosses
    String trace = line(T0, "pull", "base", ",\"tag\":\"base:1\"" + layers("lb", "300"))
        + line(T0.plusSeconds(60), "pull", "a", ",\"tag\":\"a:1\"" + layers("lb", "300", "la", "200"))
        + line(T0.plusSeconds(7200), "pull", "b", ",\"tag\":\"b:1\"" + layers("lb", "300", "lbb", "200"))
        + line(T0.plusSeconds(3 * 3600), "use", "base", "")
        + line(T0.plusSeconds(4 * 3600), "pull", "c", ",\"tag\":\"c:1\"" + layers("lc", "300"))
        + line(T0.plusSeconds(5 * 3600), "use", "a", "");
    ReplayReport r = ReplaySimulator.run(parse(trace), new ReplaySimulator.Budget(1000, 0.85, 0.6),
        policy(CleanupPolicy.LRU, T0));
    // at c: usage 1000 > 850 → free down to 600: LRU takes a (never used, first seen first), then b
    assertThat(r.cleanupRuns()).isEqualTo(1);
    assertThat(r.deletions()).isEqualTo(2);
    assertThat(r.peakUsageBytes()).isEqualTo(1000);
    // a comes back: its own layer only, the shared base layer never left (counted once)
    assertThat(r.misses()).isEqualTo(1);
    assertThat(r.bytesRepulled()).isEqualTo(200);
    assertThat(r.bytesFetched()).isEqualTo(1000);
    assertThat(r.finalUsageBytes()).isEqualTo(800);
    assertThat(r.overflows()).isZero();
  }

  @Test
  void anImageInUseIsNeverDeletedEvenWhenTheTargetIsMissed() throws Exception {
    String trace = line(T0, "pull", "big", ",\"tag\":\"big:1\"" + layers("l1", "800"))
        + line(T0.plusSeconds(60), "use", "big", ",\"seconds\":86400")
        + line(T0.plusSeconds(7200), "pull", "small", ",\"tag\":\"small:1\"" + layers("l2", "100"));
    ReplayReport r = ReplaySimulator.run(parse(trace), new ReplaySimulator.Budget(1000, 0.85, 0.5),
        policy(CleanupPolicy.COST, T0));
    // big:1 runs, small:1 is younger than MIN_AGE: the cleanup may delete nothing and says so
    assertThat(r.cleanupRuns()).isEqualTo(1);
    assertThat(r.deletions()).isZero();
    assertThat(r.shortRuns()).isEqualTo(1);
    assertThat(r.finalUsageBytes()).isEqualTo(900);
  }

  @Test
  void onTheSmallTraceCostRepullsLessThanLruBecauseTheNightlyToolStays() throws Exception {
    List<TraceEvent> events = smallTrace();
    ReplaySimulator.Budget budget = new ReplaySimulator.Budget(1_000_000_000L, 0.85, 0.75);
    ReplayReport lru = ReplaySimulator.run(events, budget, policy(CleanupPolicy.LRU, events.get(0).at()));
    ReplayReport cost = ReplaySimulator.run(events, budget, policy(CleanupPolicy.COST, events.get(0).at()));
    assertThat(lru.bytesRepulled()).isEqualTo(600_000_000L);
    assertThat(cost.bytesRepulled()).isEqualTo(300_000_000L);
    assertThat(cost.misses()).isLessThan(lru.misses());
  }

  @Test
  void replayIsDeterministic() throws Exception {
    Random random = new Random(5);
    for (int n = 0; n < 8; n++) {
      String trace = randomTrace(random);
      for (CleanupPolicy order : CleanupPolicy.values()) {
        ReplaySimulator.Budget budget = new ReplaySimulator.Budget(3000, 0.8, 0.6);
        ReplayReport first = ReplaySimulator.run(parse(trace), budget, policy(order, T0));
        ReplayReport second = ReplaySimulator.run(parse(trace), budget, policy(order, T0));
        assertThat(second).as("trace %d, %s", n, order).isEqualTo(first);
      }
    }
  }

  @Test
  void usageNeverStaysAboveTheHighWatermarkWhenEverythingMayGo() throws Exception {
    Random random = new Random(9);
    for (int n = 0; n < 8; n++) {
      ReplayReport r = ReplaySimulator.run(parse(randomTrace(random)), new ReplaySimulator.Budget(3000, 0.8, 0.6),
          PlanPolicy.builder(T0).cleanupPolicy(CleanupPolicy.COST).build()); // MIN_AGE 0, nothing runs long
      assertThat(r.shortRuns()).as("trace %d", n).isZero();
    }
  }

  /** Random pulls and uses of 30 images over a few layers, some shared, over ten days. */
  private static String randomTrace(Random random) throws IOException {
    StringBuilder out = new StringBuilder();
    boolean[] defined = new boolean[30];
    Instant at = T0;
    for (int i = 0; i < 300; i++) {
      at = at.plusSeconds(60 + random.nextInt(3600));
      int image = random.nextInt(30);
      if (!defined[image] || random.nextInt(4) == 0) {
        String own = "l" + image;
        String shared = "s" + image % 4;
        out.append(line(at, "pull", "i" + image, ",\"tag\":\"r" + image % 5 + ":t" + image + "\""
            + (defined[image] ? "" : layers(shared, String.valueOf(100 + image % 4 * 10), own,
                String.valueOf(50 + image * 7)))));
        defined[image] = true;
      } else {
        out.append(line(at, "use", "i" + image, ""));
      }
    }
    return out.toString();
  }
}
