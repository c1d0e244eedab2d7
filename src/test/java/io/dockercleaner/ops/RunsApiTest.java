package io.dockercleaner.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Runs started through the HTTP API of the real agent remove exactly what they should on the private daemon. */
@Tag("daemon")
class RunsApiTest {
  private static DaemonFixture d;
  private OpsAgent agent;

  // the scenario
  private String stopped;
  private String stoppedKeep;
  private String running;
  private String usedImage;
  private String unusedImage;
  private String keepImage;
  private String danglingImage;
  private String retaggedImage;

  @BeforeAll
  static void daemon() {
    d = new DaemonFixture(TestDaemons.main());
  }

  @BeforeEach
  void scenario() {
    d.reset();
    usedImage = d.image("ops/used:1", null, "used");
    unusedImage = d.image("ops/unused:1", null, "unused");
    keepImage = d.image("ops/keep:1", "keep=true", "keep");
    danglingImage = d.dangling("ops/dangling:1", null);
    // the build that took the tag from the dangling image: tagged, unused, keep=false
    retaggedImage = TestDaemons.docker(d.host(), "image", "inspect", "--format", "{{.Id}}", "ops/dangling:1");
    running = d.running("running", "ops/used:1");
    stopped = d.stopped("stopped", TestDaemons.TEST_IMAGE);
    stoppedKeep = d.stopped("stopped-keep", TestDaemons.TEST_IMAGE, "--label", "keep=true");
  }

  @AfterEach
  void stop() {
    if (agent != null) {
      agent.close();
    }
  }

  /** Top-level images: intermediate layers of fixture builds are not what a test names. */
  private static Set<String> images() {
    return d.imageIds();
  }

  @Test
  void triggeredRunRemovesTheUnusedObjectsAndKeepsProtectedAndUsedOnes() {
    agent = OpsAgent.start(d.host());
    String id = agent.startRun("{}");
    JsonObject run = agent.awaitRun(id);

    assertThat(run.getString("outcome")).as(run.encodePrettily()).isEqualTo("succeeded");
    assertThat(run.getString("trigger")).isEqualTo("http");
    List<String> removed = OpsAgent.removed(run);
    assertThat(removed).containsExactlyInAnyOrder("container/" + stopped, "image/" + unusedImage,
        "image/" + danglingImage, "image/" + retaggedImage);
    // what the record says is what happened on the daemon
    assertThat(d.containerIds()).containsExactlyInAnyOrder(running, stoppedKeep);
    assertThat(images()).doesNotContain(unusedImage, danglingImage, retaggedImage).contains(usedImage, keepImage);
    assertThat(TestDaemons.docker(d.host(), "images", "--format", "{{.Repository}}:{{.Tag}}"))
        .contains(TestDaemons.TEST_IMAGE);
    Set<String> allImages = new HashSet<>(List.of(TestDaemons.docker(d.host(), "images", "-aq", "--no-trunc").split("\\s+")));
    assertThat(removed.stream().filter(s -> s.startsWith("image/")).map(s -> s.substring("image/".length())))
        .noneMatch(allImages::contains);
    assertThat(run.getJsonObject("removedByType").getInteger("container")).isEqualTo(1);
    assertThat(run.getJsonObject("removedByType").getInteger("image")).isEqualTo(3);
  }

  @Test
  void applyingAPlanRemovesExactlyItsItemsAndNothingCreatedAfterIt() {
    agent = OpsAgent.start(d.host());
    OpsAgent.Response planResponse = agent.getAuthorized("/v1/plan");
    assertThat(planResponse.status()).as(planResponse.body()).isEqualTo(200);
    JsonObject plan = planResponse.json();
    String planId = plan.getString("id");
    List<String> planned = plan.getJsonArray("items").stream().map(JsonObject.class::cast)
        .map(i -> i.getString("type") + "/" + i.getString("id")).sorted().toList();
    assertThat(planned).containsExactlyInAnyOrder("container/" + stopped, "image/" + unusedImage,
        "image/" + danglingImage, "image/" + retaggedImage);
    // eligible objects that did not exist when the plan was made
    String laterStopped = d.stopped("later-stopped", TestDaemons.TEST_IMAGE);
    String laterImage = d.image("ops/later:1", null, "later");

    String id = agent.startRun(new JsonObject().put("planId", planId).encode());
    JsonObject run = agent.awaitRun(id);

    assertThat(run.getString("outcome")).as(run.encodePrettily()).isEqualTo("succeeded");
    assertThat(run.getString("planId")).isEqualTo(planId);
    assertThat(OpsAgent.removed(run)).isEqualTo(planned);
    assertThat(d.containerIds()).containsExactlyInAnyOrder(running, stoppedKeep, laterStopped);
    assertThat(images()).doesNotContain(unusedImage, danglingImage).contains(usedImage, keepImage, laterImage);
  }

  @Test
  void twoHundredConcurrentTriggersMakeOneRunAndOneFollowUp() throws Exception {
    agent = OpsAgent.start(d.host());
    long runsBefore = agent.get("/v1/runs").json().getJsonArray("runs").size();
    List<OpsAgent.Response> answers = new ArrayList<>();
    // Freeze the daemon so the first run is still waiting for it when the other 199 requests
    // arrive: what is tested is the coalescing, not a race against the run's speed.
    long dockerd = Long.parseLong(Files.readString(TestDaemons.socketOf(d.host()).resolveSibling("dockerd.pid")).trim());
    signal("STOP", dockerd);
    try {
      List<CompletableFuture<OpsAgent.Response>> calls = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        calls.add(agent.sendAsync("POST", "/v1/runs", OpsAgent.jsonWithToken(), "{}"));
      }
      for (CompletableFuture<OpsAgent.Response> c : calls) {
        answers.add(c.get(OpsAgent.HANG_GUARD.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
      }
    } finally {
      signal("CONT", dockerd);
    }

    assertThat(answers).allSatisfy(a -> assertThat(a.status()).as(a.body()).isEqualTo(202));
    Set<String> answeredIds = new HashSet<>();
    answers.forEach(a -> answeredIds.add(a.json().getString("runId")));
    JsonArray runs = agent.awaitIdle();
    assertThat(runs.size() - runsBefore).as(runs.encodePrettily()).isEqualTo(2);
    JsonObject followUp = runs.getJsonObject(0);
    JsonObject original = runs.getJsonObject(1);
    // each caller is told the run that really serves it: one caller the first run, the other 199
    // its queued follow-up (the first of them queued it, the rest joined it)
    assertThat(answeredIds).containsExactlyInAnyOrder(original.getString("id"), followUp.getString("id"));
    assertThat(answers.stream().filter(a -> a.json().getString("runId").equals(original.getString("id")))).hasSize(1);
    assertThat(answers.stream().filter(a -> a.json().getBoolean("joined"))).hasSize(198);
    assertThat(followUp.getString("trigger")).isEqualTo("http");
    // the first run cleaned up; its follow-up found nothing left
    assertThat(original.getString("outcome")).isEqualTo("succeeded");
    assertThat(followUp.getString("outcome")).isEqualTo("nothing_reclaimable");
  }

  private static void signal(String name, long pid) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
    assertThat(p.waitFor()).as("kill -%s %d", name, pid).isZero();
  }

}
