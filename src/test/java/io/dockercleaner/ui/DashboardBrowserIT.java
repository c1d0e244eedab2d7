package io.dockercleaner.ui;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.testsupport.AgentProcess;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.EngineApi;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web dashboard in a real browser: {@code src/test/ui/dashboard-e2e.mjs} drives Debian's
 * Chromium with playwright-core against {@code bin/docker-cleaner agent} (a child process) on the
 * private daemon. The script checks the pages (token refused and accepted, every page loads with
 * no console error and no request off 127.0.0.1, axe-core finds nothing serious, keyboard
 * navigation, a run watched mid-way on the overview and in the live log and listed on its page, a
 * plan previewed and applied after a confirmation, a watermark changed on the Settings page and an
 * invalid one refused, a SCHEDULE set there firing a run and then replaced) and prints a JSON
 * report; this test then checks the daemon: the run's and the plan's containers are gone, and only
 * those; and the changed watermark and SCHEDULE and the runs list survive a restart.
 *
 * <p>Needs {@code /usr/bin/chromium}, node and the npm packages that {@code bin/test} installs
 * ({@code DC_UI_E2E_MODULES}, default {@code /var/cache/docker-cleaner-test/ui-e2e/node_modules}).
 * Screenshots of each page go to {@code target/ui-screenshots/}.
 */
@Tag("daemon")
@Tag("process")
class DashboardBrowserIT {
  private static final String DEFAULT_MODULES = "/var/cache/docker-cleaner-test/ui-e2e/node_modules";
  private static final long SCRIPT_TIMEOUT_MINUTES = 10;
  /**
   * Created containers the browser's run removes besides the named ones: with one deletion at a
   * time (DELETE_CONCURRENCY=1) the run lasts long enough for the overview (refreshed once a second
   * during a run) to show it mid-way. 300 lasted about 2 s once the agent's JIT warmed up sooner
   * (2026-11-30) and a CI run saw no mid-way state; 600 are created through the Engine API (and
   * MAX_DELETIONS_PER_RUN raised above its default 500 so that one run takes them all).
   */
  private static final int BULK_CONTAINERS = 600;
  private static final int CREATE_THREADS = 8;

  @TempDir
  Path stateDir;

  private String host;
  private DaemonFixture fixture;
  private Path scriptOutput;

  @BeforeEach
  void cleanDaemon() {
    host = TestDaemons.main();
    fixture = new DaemonFixture(host);
    fixture.reset();
  }

  @AfterEach
  void removeOutput() throws Exception {
    if (scriptOutput != null) {
      Files.deleteIfExists(scriptOutput);
    }
  }

  @Test
  void dashboardPagesRunAndPlanApplyInChromium() throws Exception {
    String modules = System.getenv().getOrDefault("DC_UI_E2E_MODULES", DEFAULT_MODULES);
    assertThat(Path.of("/usr/bin/chromium")).as("Debian's chromium (bin/test installs it)").isExecutable();
    assertThat(Path.of(modules, "playwright-core")).as("playwright-core (bin/test installs it into %s)", modules)
        .isDirectory();

    List<String> runNames = List.of("e2e-ui-s1", "e2e-ui-s2", "e2e-ui-s3");
    List<String> runIds = runNames.stream().map(n -> fixture.stopped(n, TestDaemons.TEST_IMAGE)).toList();
    String kept = fixture.stopped("e2e-ui-keep", TestDaemons.TEST_IMAGE, "--label", "keep=true");
    String running = fixture.running("e2e-ui-user", TestDaemons.TEST_IMAGE);
    List<String> bulkIds = createdContainers("e2e-ui-bulk-", BULK_CONTAINERS);

    Map<String, String> env = AgentProcess.baseEnv(host);
    env.putAll(Map.of("STATE_DIR", stateDir.toString(), "MIN_AGE", "0s", "QUIET_PERIOD", "0s",
        "API_TOKEN_FOR_READ", "true", "LOG_FORMAT", "text", "DELETE_CONCURRENCY", "1",
        "MAX_DELETIONS_PER_RUN", String.valueOf(2 * BULK_CONTAINERS)));
    String browserRunId;
    String planRunId;
    try (AgentProcess agent = AgentProcess.start(env)) {
      Path root = AgentProcess.projectRoot();
      Path shots = root.resolve("target/ui-screenshots");
      Files.createDirectories(shots);
      scriptOutput = Files.createTempFile("dc-ui-e2e-", ".out");
      ProcessBuilder pb = new ProcessBuilder("node", root.resolve("src/test/ui/dashboard-e2e.mjs").toString())
          .directory(root.toFile()).redirectErrorStream(true).redirectOutput(scriptOutput.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      Map<String, String> childEnv = pb.environment();
      childEnv.clear();
      childEnv.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
      childEnv.put("HOME", System.getProperty("user.home"));
      childEnv.put("AGENT_URL", "http://127.0.0.1:" + agent.port());
      childEnv.put("API_TOKEN", AgentProcess.TOKEN);
      childEnv.put("DOCKER_HOST", host);
      childEnv.put("DOCKER_CLI", TestDaemons.DOCKER_CLI);
      childEnv.put("RUN_NAMES", String.join(",", runNames));
      childEnv.put("DC_UI_E2E_MODULES", modules);
      childEnv.put("SCREENSHOT_DIR", shots.toString());
      Process node = pb.start();
      boolean ended = node.waitFor(SCRIPT_TIMEOUT_MINUTES, TimeUnit.MINUTES);
      if (!ended) {
        node.descendants().forEach(ProcessHandle::destroyForcibly);
        node.destroyForcibly();
      }
      String output = Files.readString(scriptOutput, StandardCharsets.UTF_8);
      assertThat(ended).as("the browser script ended; output:\n%s", output).isTrue();
      JsonObject report = lastJsonLine(output);
      assertThat(node.exitValue()).as("browser script exit; report:\n%s", report.encodePrettily()).isZero();
      for (Object c : report.getJsonArray("checks")) {
        JsonObject check = (JsonObject) c;
        assertThat(check.getBoolean("ok")).as("%s: %s", check.getString("name"), check.getString("detail")).isTrue();
      }
      assertThat(report.getJsonArray("consoleErrors")).as("console errors").isEmpty();
      assertThat(report.getJsonArray("offHostRequests")).as("requests that left 127.0.0.1").isEmpty();

      browserRunId = report.getJsonObject("run").getString("id");
      JsonObject plan = report.getJsonObject("plan");
      planRunId = plan.getString("runId");
      JsonArray created = plan.getJsonArray("created");
      assertThat(plan.getJsonArray("ids").getList()).as("the plan lists the two stopped containers")
          .containsExactlyInAnyOrderElementsOf(created.getList());
      String later = report.getString("later");
      assertThat(fixture.containerIds()).as("the run's and the plan's containers are gone, and only those")
          .doesNotContainAnyElementsOf(runIds).doesNotContainAnyElementsOf(bulkIds)
          .doesNotContainAnyElementsOf(created.getList().stream().map(String::valueOf).toList())
          .contains(kept, running, later);
      assertThat(agent.sigterm()).as("exit code after SIGTERM; output in %s", agent.logFile()).isZero();
    }
    // the watermark and SCHEDULE the browser changed survive a restart (STATE_DIR/runtime-settings.json),
    // and so does the runs list (STATE_DIR/runs.json)
    try (AgentProcess again = AgentProcess.start(env)) {
      AgentProcess.Response status = again.send("GET", "/v1/status", null, true);
      assertThat(status.status()).as(status.body()).isEqualTo(200);
      assertThat(status.json().getJsonObject("watermarks").getDouble("diskHigh")).isEqualTo(0.995);
      assertThat(status.json().getString("schedule")).isEqualTo("CRON_TZ=UTC 0 3 * * *");
      assertThat(status.json().getString("nextScheduledRun")).endsWith("T03:00:00Z");
      AgentProcess.Response runs = again.send("GET", "/v1/runs", null, true);
      assertThat(runs.status()).as(runs.body()).isEqualTo(200);
      List<JsonObject> listed = runs.json().getJsonArray("runs").stream().map(JsonObject.class::cast).toList();
      assertThat(listed).extracting(r -> r.getString("id")).as("the runs before the restart are listed")
          .contains(browserRunId, planRunId);
      assertThat(listed).extracting(r -> r.getString("trigger")).as("with the runs the runtime SCHEDULE fired")
          .contains("http", "schedule");
      JsonObject browserRun = listed.stream().filter(r -> r.getString("id").equals(browserRunId)).findFirst().orElseThrow();
      assertThat(browserRun.getInteger("removed")).as("the browser's run, as it was")
          .isEqualTo(BULK_CONTAINERS + runNames.size());
      assertThat(again.sigterm()).as("exit code after SIGTERM; output in %s", again.logFile()).isZero();
    }
  }

  /** {@code count} created (never started) containers, made {@link #CREATE_THREADS} at a time. */
  private List<String> createdContainers(String prefix, int count) throws Exception {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(CREATE_THREADS);
    try {
      List<java.util.concurrent.Future<String>> ids = new java.util.ArrayList<>();
      for (int i = 0; i < count; i++) {
        String name = prefix + i;
        // the test image is labelled keep=true and containers inherit it
        ids.add(pool.submit(() -> {
          // what `docker create --name NAME --network none --label keep=false IMAGE true` sends
          var body = EngineApi.object().put("Image", TestDaemons.TEST_IMAGE);
          body.putArray("Cmd").add("true");
          body.putObject("Labels").put("keep", "false");
          body.putObject("HostConfig").put("NetworkMode", "none");
          return EngineApi.post(host, "/containers/create?name=" + EngineApi.q(name), body, java.util.Set.of(201))
              .json().get("Id").asText();
        }));
      }
      List<String> out = new java.util.ArrayList<>();
      for (java.util.concurrent.Future<String> f : ids) {
        out.add(f.get(SCRIPT_TIMEOUT_MINUTES, TimeUnit.MINUTES).strip());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private static JsonObject lastJsonLine(String output) {
    String[] lines = output.strip().split("\n");
    String last = lines.length == 0 ? "" : lines[lines.length - 1];
    assertThat(last).as("the script's report (last line); output:\n%s", output).startsWith("{");
    return new JsonObject(last);
  }
}
