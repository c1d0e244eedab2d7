package io.dockercleaner.oneshot;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dockercleaner.testsupport.CliRun;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The protections of the one decision core hold in the one-shot too (MIN_AGE, KEEP_IMAGES), and
 * the executor's choice between one prune call and per-object deletes keeps the exact planned set.
 */
@Tag("daemon")
class OneShotProtectionDaemonTest {
  private static DaemonFixture d;

  @BeforeAll
  static void daemon() {
    d = new DaemonFixture(TestDaemons.main());
  }

  @BeforeEach
  void reset() {
    d.reset();
  }

  private static Map<String, String> env(String... kv) {
    Map<String, String> env = new HashMap<>();
    env.put("DOCKER_HOST", d.host());
    env.put("LOG_FORMAT", "json");
    env.put("LOG_LEVEL", "DEBUG");
    env.put("CLEANUP_BUILD_CACHE", "false");
    for (int i = 0; i < kv.length; i += 2) {
      env.put(kv[i], kv[i + 1]);
    }
    return env;
  }

  private static JsonNode typeLine(CliRun r, String operation) {
    return r.jsonLines().stream().filter(n -> operation.equals(n.path("operation").asText()) && n.has("method"))
        .findFirst().orElseThrow(() -> new AssertionError("no " + operation + " summary line in\n" + r.stdout()));
  }

  @Test
  void minAgeKeepsFreshObjectsEvenWithoutAnAgeFilter() {
    String fresh = d.stopped("fresh", TestDaemons.TEST_IMAGE);
    // PRUNE_FILTER_UNTIL=0 turns the prune filter off; MIN_AGE (default 1h) still protects
    CliRun r = CliRun.run(env("PRUNE_FILTER_UNTIL", "0"));
    assertThat(r.exitCode()).as(r.stdout()).isZero();
    assertThat(d.containerIds()).contains(fresh);
    assertThat(r.stdout()).contains("\"reason\":\"too_young\"");

    CliRun zero = CliRun.run(env("PRUNE_FILTER_UNTIL", "0", "MIN_AGE", "0"));
    assertThat(zero.exitCode()).as(zero.stdout()).isZero();
    assertThat(d.containerIds()).doesNotContain(fresh);
  }

  @Test
  void keepImagesProtectsInTheOneShotAndThePruneCallGivesWayToPerObjectDeletes() {
    String kept = d.image("dc-test/keepme:v12", null, "kept");
    String gone = d.image("dc-test/goner:v1", null, "gone");
    String other = d.image("dc-test/keepme:latest", null, "other tag, not matched");
    Map<String, String> env = env("PRUNE_FILTER_UNTIL", "0", "MIN_AGE", "0", "PRUNE_ALL", "true",
        "KEEP_IMAGES", "dc-test/keep*:v[0-9]*");
    CliRun dry = CliRun.run(withDry(env));
    assertThat(dry.exitCode()).as(dry.stdout()).isZero();
    CliRun r = CliRun.run(env);
    assertThat(r.exitCode()).as(r.stdout()).isZero();
    assertThat(d.imageIds()).contains(kept).doesNotContain(gone, other);
    assertThat(typeLine(r, "IMAGE").get("method").asText())
        .as("the image prune cannot express KEEP_IMAGES: per object").isEqualTo("per-object");
    assertThat(dry.itemIds("image")).as("the dry run listed exactly what went").containsExactlyInAnyOrder(gone, other);
    assertThat(r.stdout()).contains("\"reason\":\"keep_images_pattern\"");
  }

  @Test
  void theImagePruneCallCarriesTheExactUntilCutOff() {
    // committed images: their parent is the tagged test image, so the image prune may be used
    // (an image whose parent is an untagged intermediate never goes through a prune call)
    String older = d.layerImage("dc-test/older:1", 1);
    d.layerImage("dc-test/older:1", 1);
    long olderSecond = Instant.parse(TestDaemons.docker(d.host(), "image", "inspect", "-f", "{{.Created}}", older))
        .getEpochSecond();
    Awaitility.await().until(() -> Instant.now().getEpochSecond() > olderSecond + 1);
    String newer = d.layerImage("dc-test/newer:1", 1);
    d.layerImage("dc-test/newer:1", 1);
    long newerSecond = Instant.parse(TestDaemons.docker(d.host(), "image", "inspect", "-f", "{{.Created}}", newer))
        .getEpochSecond();
    // the cut-off is the newer image's own second: created within it is not "before" it
    Map<String, String> env = env("PRUNE_FILTER_UNTIL", Instant.ofEpochSecond(newerSecond).toString(), "MIN_AGE", "0",
        "CLEANUP_CONTAINERS", "false", "CLEANUP_NETWORKS", "false");
    CliRun dry = CliRun.run(withDry(env));
    CliRun r = CliRun.run(env);
    assertThat(r.exitCode()).as(r.stdout()).isZero();
    assertThat(typeLine(r, "IMAGE").get("method").asText()).isEqualTo("prune");
    assertThat(d.imageIds()).doesNotContain(older).contains(newer);
    assertThat(dry.itemIds("image")).containsExactly(older);
  }

  @Test
  void aNetworkUsedOnlyByAStoppedContainerIsListedByTheDryRunAndRemoved() {
    d.network("net-stopped-only");
    d.stopped("on-net", TestDaemons.TEST_IMAGE, "--network", "net-stopped-only");
    Map<String, String> env = env("PRUNE_FILTER_UNTIL", "0", "MIN_AGE", "0", "CLEANUP_CONTAINERS", "false",
        "CLEANUP_IMAGES", "false");
    CliRun dry = CliRun.run(withDry(env));
    assertThat(dry.jsonLines().stream().filter(n -> "network".equals(n.path("type").asText()))
        .map(n -> n.path("name").asText())).contains("net-stopped-only");
    CliRun r = CliRun.run(env);
    assertThat(r.exitCode()).as(r.stdout()).isZero();
    assertThat(d.networkNames()).doesNotContain("net-stopped-only");
  }

  private static Map<String, String> withDry(Map<String, String> env) {
    Map<String, String> dry = new HashMap<>(env);
    dry.put("DRY_RUN", "true");
    return dry;
  }
}
