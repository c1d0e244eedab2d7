package io.dockercleaner.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dockercleaner.testsupport.AgentProcess;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the fault tests of this package share: many stopped containers made quickly, the private
 * daemon's pid and signals to it, and the audit trail read line by line.
 */
final class FaultRig {
  private FaultRig() {}

  /**
   * Creates {@code count} containers in state {@code created} (the planner treats them as
   * stopped) named {@code prefix-N}, through the Engine API with 8 calls at a time (the CLI costs a
   * process start per container); labelled keep=false (they would inherit the test image's
   * keep=true); returns their full ids.
   */
  static Set<String> createdContainers(String host, String prefix, int count) {
    Path socket = TestDaemons.socketOf(host);
    String body = "{\"Image\":\"" + TestDaemons.TEST_IMAGE + "\",\"Cmd\":[\"true\"],\"Labels\":{\"keep\":\"false\"},\"HostConfig\":{\"NetworkMode\":\"none\"}}";
    String script = "seq 1 " + count + " | xargs -P 8 -I{} curl -sf -o /dev/null --unix-socket '" + socket
        + "' -H 'Content-Type: application/json' -d '" + body + "' 'http://localhost/containers/create?name=" + prefix
        + "-{}'";
    TestDaemons.Result r = TestDaemons.run(List.of("bash", "-c", script), null, Map.of());
    assertThat(r.exitCode()).as("creating %d containers: %s", count, r.stderr()).isZero();
    Set<String> ids = new TreeSet<>(List.of(TestDaemons.docker(host, "ps", "-aq", "--no-trunc", "--filter",
        "name=^" + prefix + "-").split("\\s+")));
    assertThat(ids).hasSize(count);
    return ids;
  }

  /** Full ids of every container on the daemon. */
  static Set<String> containerIds(String host) {
    String out = TestDaemons.docker(host, "ps", "-aq", "--no-trunc");
    return out.isEmpty() ? new TreeSet<>() : new TreeSet<>(List.of(out.split("\\s+")));
  }

  /** The pid of the private dockerd (bin/test-daemon writes its pid file next to the socket). */
  static long dockerdPid(String host) {
    try {
      return Long.parseLong(Files.readString(TestDaemons.socketOf(host).resolveSibling("dockerd.pid")).trim());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code kill -NAME pid}; asserts it worked. */
  static void signal(String name, long pid) {
    try {
      Process p = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
      assertThat(p.waitFor()).as("kill -%s %d", name, pid).isZero();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Runs a command (as root: mount, mkfs); asserts exit 0; returns stdout. */
  static String sh(String... cmd) {
    TestDaemons.Result r = TestDaemons.run(List.of(cmd), null, Map.of());
    assertThat(r.exitCode()).as("%s: %s", String.join(" ", cmd), r.stderr()).isZero();
    return r.out();
  }

  /**
   * Every line of STATE_DIR/audit.jsonl as JSON; fails when one does not parse (a torn line would
   * make the trail unreadable). Empty when there is no file yet.
   */
  static List<JsonObject> auditLines(Path stateDir) {
    Path file = stateDir.resolve("audit.jsonl");
    if (!Files.exists(file)) {
      return List.of();
    }
    List<JsonObject> out = new ArrayList<>();
    try {
      int n = 0;
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        n++;
        try {
          out.add(new JsonObject(line));
        } catch (RuntimeException e) {
          throw new AssertionError("audit.jsonl line " + n + " does not parse: " + line, e);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Audit lines of run {@code runId} in phase {@code phase} ({@code intent} or {@code outcome}). */
  static List<JsonObject> audit(Path stateDir, String runId, String phase) {
    return auditLines(stateDir).stream().filter(l -> runId.equals(l.getString("runId")))
        .filter(l -> phase.equals(l.getString("phase"))).toList();
  }

  /** Waits (polling often: the test acts right after) until run {@code runId} has an outcome line. */
  static void awaitFirstOutcome(AgentProcess agent, Path stateDir, String runId) {
    await().atMost(AgentProcess.WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5)).until(() -> {
      if (!agent.isAlive()) {
        throw new AssertionError("the agent exited; output:\n" + agent.output());
      }
      return !audit(stateDir, runId, "outcome").isEmpty();
    });
  }

  /** The items of a run record. */
  static List<JsonObject> items(JsonObject record) {
    return record.getJsonArray("items").stream().map(JsonObject.class::cast).toList();
  }

  /** Ids of the items of a run record with outcome {@code outcome}. */
  static Set<String> itemIds(JsonObject record, String outcome) {
    Set<String> out = new TreeSet<>();
    items(record).stream().filter(i -> outcome.equals(i.getString("outcome"))).forEach(i -> out.add(i.getString("id")));
    return out;
  }
}
