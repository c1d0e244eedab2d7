package io.dockercleaner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.testsupport.AgentProcess;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API of the shipped launcher ({@code bin/docker-cleaner agent} as a child process): a run
 * started with {@code POST /v1/runs}, and a plan fetched with {@code GET /v1/plan} then applied with
 * {@code POST /v1/runs {"planId": ...}}.
 */
@Tag("daemon")
class AgentHttpIT {
  @TempDir
  Path stateDir;

  private String host;
  private DaemonFixture fixture;
  private String run;

  @BeforeEach
  void cleanDaemon() {
    host = TestDaemons.main();
    fixture = new DaemonFixture(host);
    fixture.reset();
    run = UUID.randomUUID().toString().substring(0, 6);
  }

  private Map<String, String> env() {
    Map<String, String> env = AgentProcess.baseEnv(host);
    env.putAll(Map.of("STATE_DIR", stateDir.toString(), "MIN_AGE", "0s", "QUIET_PERIOD", "0s"));
    return env;
  }

  @Test
  void postRunRemovesStoppedUnprotectedContainersAndNothingWithoutTheToken() throws Exception {
    Set<String> stopped = Set.of(fixture.stopped("e2e-s1-" + run, TestDaemons.TEST_IMAGE),
        fixture.stopped("e2e-s2-" + run, TestDaemons.TEST_IMAGE), fixture.stopped("e2e-s3-" + run, TestDaemons.TEST_IMAGE));
    String protectedOne = fixture.stopped("e2e-keep-" + run, TestDaemons.TEST_IMAGE, "--label", "keep=true");
    String running = fixture.running("e2e-run-" + run, TestDaemons.TEST_IMAGE);
    Set<String> before = fixture.containerIds();

    try (AgentProcess agent = AgentProcess.start(env())) {
      AgentProcess.Response anonymous = agent.send("POST", "/v1/runs", "{\"types\":[\"container\"]}", false);
      assertThat(anonymous.status()).as(anonymous.body()).isEqualTo(401);
      assertThat(fixture.containerIds()).as("nothing deleted without the token").isEqualTo(before);

      String id = agent.startRun("{\"types\":[\"container\"]}");
      JsonObject record = agent.awaitRun(id);

      assertThat(record.getString("trigger")).isEqualTo("http");
      assertThat(record.getString("outcome")).as(record.encodePrettily()).isEqualTo("succeeded");
      assertThat(removed(record)).containsExactlyInAnyOrderElementsOf(stopped);
      assertThat(fixture.containerIds()).containsExactlyInAnyOrder(protectedOne, running);
      assertThat(auditedRemovals(id)).as("the audit trail").containsExactlyInAnyOrderElementsOf(stopped);
      assertThat(agent.sigterm()).as("exit code after SIGTERM; output in %s", agent.logFile()).isZero();
    }
  }

  @Test
  void aPlanIsAppliedAsPlannedOnlyWhatIsStillEligibleAndNothingAddedSince() throws Exception {
    String s1 = fixture.stopped("e2e-s1-" + run, TestDaemons.TEST_IMAGE);
    String s2 = fixture.stopped("e2e-s2-" + run, TestDaemons.TEST_IMAGE);
    String tag = "e2eplan/app:" + run;
    String image = fixture.layerImage(tag, 1);

    try (AgentProcess agent = AgentProcess.start(env())) {
      String counts = fixture.counts();
      JsonObject plan = agent.plan("types=container,image");
      List<JsonObject> items = plan.getJsonArray("items").stream().map(JsonObject.class::cast).toList();
      assertThat(items).extracting(i -> i.getString("id")).containsExactlyInAnyOrder(s1, s2, image);
      assertThat(fixture.counts()).as("planning deletes nothing").isEqualTo(counts);

      // the world moves on: a new stopped container (not in the plan), and the image is in use now
      String later = fixture.stopped("e2e-later-" + run, TestDaemons.TEST_IMAGE);
      String user = fixture.running("e2e-user-" + run, tag);

      AgentProcess.Response unknown = agent.send("POST", "/v1/runs", "{\"planId\":\"p-unknown\"}", true);
      assertThat(unknown.status()).as(unknown.body()).isEqualTo(404);
      assertThat(unknown.json().getString("error")).contains("p-unknown");

      String id = agent.startRun(new JsonObject().put("planId", plan.getString("id")).encode());
      JsonObject record = agent.awaitRun(id);

      assertThat(record.getString("planId")).isEqualTo(plan.getString("id"));
      assertThat(removed(record)).as(record.encodePrettily()).containsExactlyInAnyOrder(s1, s2);
      JsonObject imageItem = record.getJsonArray("items").stream().map(JsonObject.class::cast)
          .filter(i -> i.getString("id").equals(image)).findFirst().orElseThrow();
      assertThat(imageItem.getString("outcome")).isEqualTo("skipped");
      assertThat(imageItem.getString("skipReason")).as("in use since the plan was made").isEqualTo("in_use");
      assertThat(fixture.containerIds()).contains(later, user).doesNotContain(s1, s2);
      assertThat(fixture.imageIds()).contains(image);
      assertThat(auditedRemovals(id)).containsExactlyInAnyOrder(s1, s2);
      assertThat(agent.sigterm()).as("exit code after SIGTERM; output in %s", agent.logFile()).isZero();
    }
  }

  @Test
  void onlyTheNewestTenRunsKeepTheirItemsInMemoryAndOlderOnesAnswerFromTheAudit() throws Exception {
    int runs = io.dockercleaner.agent.Agent.RECENT_RUNS_WITH_ITEMS + 1;
    List<String> runIds = new java.util.ArrayList<>();
    List<String> containers = new java.util.ArrayList<>();
    try (AgentProcess agent = AgentProcess.start(env())) {
      for (int i = 0; i < runs; i++) {
        String container = fixture.stopped("e2e-c" + i + "-" + run, TestDaemons.TEST_IMAGE);
        String id = agent.startRun("{\"types\":[\"container\"]}");
        JsonObject record = agent.awaitRun(id);
        assertThat(removed(record)).as("run %d: %s", i, record.encodePrettily()).containsExactly(container);
        runIds.add(id);
        containers.add(container);
      }
      JsonObject oldest = agent.send("GET", "/v1/runs/" + runIds.get(0), null, true).json();
      assertThat(oldest.getBoolean("itemsInMemory")).as(oldest.encodePrettily()).isFalse();
      assertThat(oldest.getJsonArray("items")).as("a compacted run holds no items (openapi: empty)").isEmpty();

      JsonObject oldestItems = agent.send("GET", "/v1/runs/" + runIds.get(0) + "/items", null, true).json();
      assertThat(oldestItems.getString("source")).isEqualTo("audit");
      assertThat(oldestItems.getJsonArray("items").stream().map(JsonObject.class::cast)
          .filter(i -> "removed".equals(i.getString("outcome"))).map(i -> i.getString("id")))
          .containsExactly(containers.get(0));

      JsonObject newest = agent.send("GET", "/v1/runs/" + runIds.get(runs - 1), null, true).json();
      assertThat(newest.getBoolean("itemsInMemory", true)).isTrue();
      assertThat(removed(newest)).containsExactly(containers.get(runs - 1));
      assertThat(agent.sigterm()).as("exit code after SIGTERM; output in %s", agent.logFile()).isZero();
    }
  }

  private static List<String> removed(JsonObject record) {
    return record.getJsonArray("items").stream().map(JsonObject.class::cast)
        .filter(i -> "removed".equals(i.getString("outcome"))).map(i -> i.getString("id")).toList();
  }

  /** ids the audit trail (STATE_DIR/audit.jsonl) records as removed by run {@code runId}. */
  private List<String> auditedRemovals(String runId) throws Exception {
    return Files.readAllLines(stateDir.resolve("audit.jsonl")).stream().map(JsonObject::new)
        .filter(o -> o.getString("runId").equals(runId) && o.getString("outcome").equals("removed"))
        .map(o -> o.getString("id")).collect(Collectors.toList());
  }
}
