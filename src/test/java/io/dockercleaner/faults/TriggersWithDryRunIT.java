package io.dockercleaner.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dockercleaner.testsupport.AgentProcess;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1,000 concurrent {@code POST /v1/runs} (200 in flight at a time) while a run waits on a frozen daemon, one of them a dry
 * run for containers among real image runs: nothing is removed on the dry run's behalf (stopped
 * containers only it asked about stay), and every 202 names a run that matches its request.
 */
@Tag("daemon")
class TriggersWithDryRunIT {
  private static final int REQUESTS = 1000;
  private static final int DRY_RUN_INDEX = 500;
  /**
   * Requests in flight at once: below the API's connection cap (256, api/ConnectionLimits), which
   * closes connections beyond it unanswered by design.
   */
  private static final int IN_FLIGHT = 200;
  private static final String REAL = "{\"types\":[\"image\"]}";
  private static final String DRY = "{\"dryRun\":true,\"types\":[\"container\"]}";

  @TempDir
  Path stateDir;

  @Test
  void aDryRunAmongAThousandRealTriggersRemovesNothingAndEveryAnswerNamesAMatchingRun() throws Exception {
    String host = TestDaemons.main();
    DaemonFixture fixture = new DaemonFixture(host);
    fixture.reset();
    Set<String> stopped = FaultRig.createdContainers(host, "dry", 5);
    String unusedImage = fixture.image("faults/unused:1", null, "unused-" + System.nanoTime());
    long dockerd = FaultRig.dockerdPid(host);

    Map<String, String> env = AgentProcess.baseEnv(host);
    env.putAll(Map.of("STATE_DIR", stateDir.toString(), "MIN_AGE", "0s", "QUIET_PERIOD", "0s",
        "API_RATE_LIMIT", "100000/min"));
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(30)).build();
    try (AgentProcess agent = AgentProcess.start(env)) {
      agent.awaitReady();
      List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
      List<String> bodies = new ArrayList<>();
      // frozen, the first run waits on the daemon while the other requests arrive: what is tested
      // is how they are queued and merged, not a race against the run's speed
      FaultRig.signal("STOP", dockerd);
      try {
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        for (int i = 0; i < REQUESTS; i++) {
          String body = i == DRY_RUN_INDEX ? DRY : REAL;
          bodies.add(body);
          assertThat(inFlight.tryAcquire(AgentProcess.WAIT.toSeconds(), TimeUnit.SECONDS)).as("request %d sent", i).isTrue();
          calls.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.port() + "/v1/runs"))
              .timeout(AgentProcess.WAIT).header("Content-Type", "application/json")
              .header("Authorization", "Bearer " + AgentProcess.TOKEN).POST(HttpRequest.BodyPublishers.ofString(body))
              .build(), HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> inFlight.release()));
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(AgentProcess.WAIT.toSeconds(), TimeUnit.SECONDS);
      } finally {
        FaultRig.signal("CONT", dockerd);
      }

      Map<String, JsonObject> runs = new HashMap<>();
      for (int i = 0; i < REQUESTS; i++) {
        HttpResponse<String> r = calls.get(i).join();
        assertThat(r.statusCode()).as("request %d: %s", i, r.body()).isEqualTo(202);
        String runId = new JsonObject(r.body()).getString("runId");
        JsonObject record = runs.computeIfAbsent(runId, agent::awaitRun);
        boolean dry = bodies.get(i).equals(DRY);
        assertThat(record.getBoolean("dryRun")).as("request %d (%s) answered with %s", i, bodies.get(i),
            record.encodePrettily()).isEqualTo(dry);
        // the run does what its request asked: a real image run touches only images, the dry run only containers
        String type = dry ? "container" : "image";
        assertThat(FaultRig.items(record)).as("request %d (%s) answered with %s", i, bodies.get(i), runId)
            .allSatisfy(item -> assertThat(item.getString("type")).isEqualTo(type));
        if (dry) {
          assertThat(FaultRig.itemIds(record, "would_remove")).as(record.encodePrettily()).isEqualTo(stopped);
          assertThat(FaultRig.itemIds(record, "removed")).isEmpty();
        }
      }
      assertThat(runs.values().stream().filter(r -> r.getBoolean("dryRun"))).as("one dry run").hasSize(1);
      // the real runs: one that was waiting on the frozen daemon, and one follow-up for the rest
      assertThat(runs.values().stream().filter(r -> !r.getBoolean("dryRun")).count()).isBetween(1L, 2L);
      await().atMost(AgentProcess.WAIT).until(() -> agent.runs().stream()
          .noneMatch(r -> "running".equals(r.getString("outcome"))));

      assertThat(FaultRig.containerIds(host)).as("no real run asked for containers").containsAll(stopped);
      assertThat(unusedImage).startsWith("sha256:");
      assertThat(fixture.imageIds()).as("the real runs removed the unused image").doesNotContain(unusedImage);
      assertThat(FaultRig.auditLines(stateDir)).as("nothing audited for containers")
          .noneMatch(l -> "container".equals(l.getString("type")));
      assertThat(agent.runs()).as("no run beyond those the answers name")
          .allSatisfy(r -> assertThat(runs).containsKey(r.getString("id")));
      assertThat(agent.sigterm()).as("exit code after SIGTERM; output in %s", agent.logFile()).isZero();
    } finally {
      FaultRig.signal("CONT", dockerd);
    }
  }
}
