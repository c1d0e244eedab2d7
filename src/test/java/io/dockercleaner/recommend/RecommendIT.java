package io.dockercleaner.recommend;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.testsupport.AgentProcess;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/docker-cleaner recommend} and the agent's {@code GET /v1/recommendations} on a
 * private daemon holding images made in 2020 (loaded from an image archive the test writes, so
 * their ages are real): the unused and old-tag suggestions name them, leave the protected one out,
 * and nothing is deleted.
 */
@Tag("daemon")
class RecommendIT {
  @TempDir
  Path dir;

  /** Loads a one-layer image created on 2020-01-01 with a random 2 MB file; returns its tag. */
  private void loadOldImage(String host, String tag, String keepLabel) {
    Path work = dir.resolve(tag.replaceAll("[^a-z0-9]", "-"));
    String script = String.join("\n",
        "set -euo pipefail",
        "mkdir -p \"$1/l\" && cd \"$1\"",
        "head -c 2000000 /dev/urandom > l/blob",
        "tar -C l -cf layer.tar blob",
        "diff=$(sha256sum layer.tar | cut -d' ' -f1)",
        "printf '{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2020-01-01T00:00:00Z\","
            + "\"config\":{\"Labels\":{\"keep\":\"%s\"}},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:%s\"]}}'"
            + " \"$3\" \"$diff\" > config.json",
        "printf '[{\"Config\":\"config.json\",\"RepoTags\":[\"%s\"],\"Layers\":[\"layer.tar\"]}]' \"$2\" > manifest.json",
        "tar -cf image.tar config.json manifest.json layer.tar");
    TestDaemons.Result made = TestDaemons.run(List.of("bash", "-c", script, "make-image", work.toString(), tag,
        keepLabel), null, Map.of());
    assertThat(made.exitCode()).as("making %s: %s", tag, made.stderr()).isZero();
    TestDaemons.docker(host, "load", "-i", work.resolve("image.tar").toString());
  }

  private static Set<String> imageTags(String host) {
    return new TreeSet<>(List.of(TestDaemons.docker(host, "images", "--format", "{{.Repository}}:{{.Tag}}")
        .split("\\s+")));
  }

  @Test
  void recommendNamesOldUnprotectedImagesAndDeletesNothing() throws Exception {
    String host = TestDaemons.main();
    new DaemonFixture(host).reset();
    for (int i = 1; i <= 4; i++) {
      loadOldImage(host, "dc-rec/app:" + i, "false");
    }
    loadOldImage(host, "dc-rec/kept:1", "true");
    Set<String> before = imageTags(host);

    Path out = dir.resolve("recommend.out");
    ProcessBuilder pb = new ProcessBuilder(AgentProcess.projectRoot().resolve("bin/docker-cleaner").toString(),
        "recommend").redirectErrorStream(true).redirectOutput(out.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().clear();
    pb.environment().putAll(Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
        "HOME", System.getProperty("user.home"), "DOCKER_HOST", TestDaemons.requireHost(host), "LOG_FORMAT", "json",
        "HOSTNAME", "rec-host"));
    Process p = pb.start();
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("recommend finished").isTrue();
    String output = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(output).isZero();

    JsonObject doc = new JsonObject(output.lines().filter(l -> l.startsWith("{\"generatedAt\"")).findFirst()
        .orElseThrow(() -> new AssertionError("no JSON document in: " + output)));
    assertThat(doc.getBoolean("usageHistory")).isFalse();
    assertThat(doc.getString("host")).isEqualTo("rec-host");
    JsonObject unused = byId(doc.getJsonArray("recommendations"), "unused_images");
    assertThat(unused.getInteger("count")).as(unused.encodePrettily()).isEqualTo(4);
    assertThat(unused.getLong("bytes")).isGreaterThanOrEqualTo(4 * 2_000_000L);
    assertThat(unused.getString("evidence")).contains("dc-rec/app:").doesNotContain("dc-rec/kept");
    JsonObject oldTags = byId(doc.getJsonArray("recommendations"), "old_tags");
    assertThat(oldTags.getInteger("count")).as("4 tags, the 2 newest stay").isEqualTo(2);
    assertThat(oldTags.getJsonObject("settings").getString("KEEP_TAGS_PER_REPO")).isEqualTo("2");
    assertThat(imageTags(host)).as("recommend deletes nothing").isEqualTo(before);

    // the agent: the same suggestion, behind the token like /v1/plan
    Map<String, String> env = AgentProcess.baseEnv(host);
    env.put("STATE_DIR", dir.resolve("state").toString());
    try (AgentProcess agent = AgentProcess.start(env)) {
      agent.awaitReady();
      assertThat(agent.send("GET", "/v1/recommendations", null, false).status()).isEqualTo(401);
      AgentProcess.Response r = agent.send("GET", "/v1/recommendations", null, true);
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      JsonObject fromAgent = r.json();
      assertThat(fromAgent.getBoolean("usageHistory")).isTrue();
      JsonObject agentUnused = byId(fromAgent.getJsonArray("recommendations"), "unused_images");
      assertThat(agentUnused.getInteger("count")).as("never used since the agent started: creation ages").isEqualTo(4);
      assertThat(agentUnused.getString("evidence")).contains("last use from the event stream");
      assertThat(agent.sigterm()).isZero();
    }
    assertThat(imageTags(host)).isEqualTo(before);
  }

  private static JsonObject byId(JsonArray recommendations, String id) {
    return recommendations.stream().map(JsonObject.class::cast).filter(o -> id.equals(o.getString("id"))).findFirst()
        .orElseThrow(() -> new AssertionError(id + " not in " + recommendations.encodePrettily()));
  }
}
