package io.dockercleaner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.testsupport.AgentProcess;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/docker-cleaner run} across three hosts at once: the main daemon named by a docker
 * CLI context, the small daemon by address with its own settings (containers off), and a daemon
 * that does not exist. Each host is cleaned as configured, the missing one is reported without
 * stopping the others, log lines carry their host, the SUMMARY has one entry per host, and the
 * exit code is the worst host's.
 */
@Tag("daemon")
class MultiHostIT {
  @TempDir
  Path dir;

  private static Set<String> containers(String host) {
    String ids = TestDaemons.docker(host, "ps", "-aq", "--no-trunc");
    return ids.isBlank() ? Set.of() : new TreeSet<>(List.of(ids.split("\\s+")));
  }

  @Test
  void eachHostIsCleanedWithItsOwnSettingsAndAMissingOneDoesNotStopTheOthers() throws Exception {
    String main = TestDaemons.main();
    String small = TestDaemons.small();
    DaemonFixture a = new DaemonFixture(main);
    DaemonFixture b = new DaemonFixture(small);
    a.reset();
    b.reset();
    for (int i = 1; i <= 2; i++) {
      a.stopped("mh-a" + i, TestDaemons.TEST_IMAGE);
      b.stopped("mh-b" + i, TestDaemons.TEST_IMAGE);
    }
    Set<String> smallBefore = containers(small);
    assertThat(smallBefore).hasSize(2);

    // a docker CLI context for the main daemon, in a context store of the test's own
    Path dockerConfig = dir.resolve("docker-config");
    String id = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest("mh-main".getBytes(StandardCharsets.UTF_8)));
    Path meta = Files.createDirectories(dockerConfig.resolve("contexts/meta").resolve(id));
    Files.writeString(meta.resolve("meta.json"), new JsonObject().put("Name", "mh-main").put("Metadata", new JsonObject())
        .put("Endpoints", new JsonObject().put("docker", new JsonObject().put("Host", main)
            .put("SkipTLSVerify", false))).encode());
    Path config = Files.writeString(dir.resolve("hosts.yaml"), String.join("\n",
        "min_age: 0s",
        "prune_filter_until: 0",
        "cleanup_build_cache: false",
        "host_concurrency: 3",
        "hosts:",
        "  - name: alpha",
        "    context: mh-main",
        "  - name: beta",
        "    docker_host: " + small,
        "    cleanup_containers: false",
        "  - name: gone",
        "    docker_host: unix://" + dir.resolve("no-such-daemon.sock"),
        ""));

    Path out = dir.resolve("run.out");
    ProcessBuilder pb = new ProcessBuilder(AgentProcess.projectRoot().resolve("bin/docker-cleaner").toString(),
        "run", "--config", config.toString()).redirectErrorStream(true).redirectOutput(out.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().clear();
    pb.environment().putAll(Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
        "HOME", System.getProperty("user.home"), "DOCKER_CONFIG", dockerConfig.toString(), "LOG_FORMAT", "json",
        "HOSTNAME", "mh-runner"));
    Process p = pb.start();
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("run finished").isTrue();
    String output = Files.readString(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("the worst host's exit code (gone: cannot connect)\n%s", output).isEqualTo(2);

    assertThat(containers(main)).as("alpha: its stopped containers are removed").isEmpty();
    assertThat(containers(small)).as("beta: cleanup_containers false for this host").isEqualTo(smallBefore);

    List<JsonObject> lines = output.lines().filter(l -> l.startsWith("{")).map(JsonObject::new).toList();
    assertThat(lines.stream().filter(l -> "CONTAINER".equals(l.getString("operation"))))
        .as("operation lines carry their host").isNotEmpty()
        .allSatisfy(l -> assertThat(l.getString("host")).isEqualTo("alpha"));
    assertThat(lines.stream().filter(l -> "gone".equals(l.getString("host"))).map(l -> l.getString("message")))
        .anySatisfy(m -> assertThat(m).contains("Cannot connect"));
    JsonObject summary = lines.get(lines.size() - 1);
    assertThat(summary.getString("operation")).isEqualTo("SUMMARY");
    assertThat(summary.containsKey("host")).as("the aggregate is about every host").isFalse();
    JsonArray hosts = summary.getJsonArray("hosts");
    assertThat(hosts.stream().map(h -> ((JsonObject) h).getString("host"))).containsExactly("alpha", "beta", "gone");
    assertThat(hosts.getJsonObject(0).getInteger("exit_code")).isZero();
    assertThat(hosts.getJsonObject(0).getLong("count")).isEqualTo(2L);
    assertThat(hosts.getJsonObject(1).getInteger("exit_code")).isZero();
    assertThat(hosts.getJsonObject(1).getLong("count")).isZero();
    assertThat(hosts.getJsonObject(2).getInteger("exit_code")).isEqualTo(2);
    assertThat(summary.getInteger("exit_code")).isEqualTo(2);
    assertThat(summary.getLong("hosts_failed")).isEqualTo(1L);
  }
}
