package io.dockercleaner.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dockercleaner.config.ConfigException;
import io.dockercleaner.config.LogFormat;
import io.dockercleaner.config.LogLevel;
import io.dockercleaner.config.Settings;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.exec.AuditLog;
import io.dockercleaner.log.RunLog;
import io.dockercleaner.testsupport.FakeDockerClient;
import io.dockercleaner.testsupport.MutableClock;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Runtime settings changes on an agent over {@link FakeDockerClient}: effect, pause, audit, persistence. */
@ExtendWith(VertxExtension.class)
class AgentRuntimeSettingsTest {
  private static final String WHO = "HTTP client 127.0.0.1 with the API token";

  @TempDir
  Path disk;
  @TempDir
  Path stateDir;

  private Settings settings() {
    Map<String, String> env = new HashMap<>();
    env.put("DOCKER_HOST", "unix:///nonexistent/fake-docker.sock");
    env.put("DISK_PATH", disk.toString());
    env.put("STATE_DIR", stateDir.toString());
    env.put("MIN_AGE", "0s");
    env.put("QUIET_PERIOD", "0s");
    env.put("MIN_RUN_INTERVAL", "0s");
    // never crossed by the machine's disk: the test decides when a threshold fires
    env.put("DISK_CRITICAL_WATERMARK", "100%");
    env.put("DISK_HIGH_WATERMARK", "99.9%");
    env.put("DISK_LOW_WATERMARK", "99.8%");
    return Settings.of(env);
  }

  private static RunLog quietLog(MutableClock clock) {
    return new RunLog(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), LogFormat.TEXT,
        LogLevel.DEBUG, false, "test-host", clock);
  }

  private static <T> T on(Context context, Supplier<Future<T>> action) throws Exception {
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> {
      try {
        action.get().onComplete(p);
      } catch (RuntimeException e) {
        p.fail(e);
      }
    });
    return p.future().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private record Started(Agent agent, FakeDockerClient docker, FakeDockerClient.Container exited, Context context) {}

  private Started start(Vertx vertx) throws Exception {
    MutableClock clock = new MutableClock();
    FakeDockerClient docker = new FakeDockerClient(vertx, clock);
    FakeDockerClient.Container exited = docker.container("batch", docker.image("app:0"));
    clock.advance(Duration.ofDays(1));
    Context context = vertx.getOrCreateContext();
    Agent agent = new Agent(vertx, settings(), quietLog(clock), clock, docker);
    on(context, agent::start);
    on(context, () -> {
      agent.acceptRuns();
      return Future.succeededFuture();
    });
    return new Started(agent, docker, exited, context);
  }

  private List<JsonObject> settingAuditLines() throws Exception {
    Path file = stateDir.resolve(AuditLog.FILE_NAME);
    if (!Files.exists(file)) {
      return List.of();
    }
    return Files.readAllLines(file).stream().map(JsonObject::new).filter(o -> "setting".equals(o.getString("phase")))
        .toList();
  }

  @Test
  void aLoweredWatermarkStartsAThresholdRunAndIsShownAuditedAndSaved(Vertx vertx) throws Exception {
    Started s = start(vertx);
    var changed = on(s.context(), () -> s.agent().changeSettings(
        Map.of("DISK_HIGH_WATERMARK", "0.1%", "DISK_LOW_WATERMARK", "0%"), WHO));
    assertThat(changed).extracting(RuntimeSettings.Change::name)
        .containsExactlyInAnyOrder("DISK_HIGH_WATERMARK", "DISK_LOW_WATERMARK");

    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
        .until(() -> !s.agent().recentRuns().isEmpty()); // the run finished
    assertThat(s.docker().removedIds(ResourceType.CONTAINER)).contains(s.exited().id());
    assertThat(s.agent().recentRuns().get(0).trigger()).isEqualTo("threshold");

    JsonObject status = new AgentControlImpl(s.agent()).status();
    assertThat(status.getJsonObject("watermarks").getDouble("diskHigh")).isEqualTo(0.001);
    assertThat(settingAuditLines()).extracting(o -> o.getString("setting") + " " + o.getString("old") + " "
        + o.getString("new") + " " + o.getString("by"))
        .containsExactlyInAnyOrder("DISK_HIGH_WATERMARK 99.9% 0.1% " + WHO, "DISK_LOW_WATERMARK 99.8% 0% " + WHO);
    assertThat(stateDir.resolve(RuntimeSettings.FILE_NAME)).exists();
    on(s.context(), () -> s.agent().stop(Duration.ofSeconds(5)));
    List<String> runs = s.agent().recentRuns().stream().map(r -> r.id() + " " + r.trigger()).toList();
    String runId = s.agent().recentRuns().get(0).id();
    String outcome = s.agent().recentRuns().get(0).outcome().label();

    // a new agent on the same STATE_DIR keeps the change, and the run history (STATE_DIR/runs.json)
    Agent restarted = new Agent(vertx, settings(), quietLog(new MutableClock()), java.time.Clock.systemUTC(),
        new FakeDockerClient(vertx, new MutableClock()));
    on(s.context(), restarted::start);
    assertThat(restarted.runtimeSettings().values().diskHigh()).isEqualTo(0.001);
    AgentControlImpl control = new AgentControlImpl(restarted);
    assertThat(control.recentRuns()).extracting(o -> o.getString("id") + " " + o.getString("trigger"))
        .as("the runs before the restart, newest first").isEqualTo(runs);
    assertThat(control.run(runId)).hasValueSatisfying(o -> assertThat(o.getString("outcome")).isEqualTo(outcome));
    assertThat(control.status().getJsonObject("lastRun").getString("id")).isEqualTo(runId);
    on(s.context(), () -> restarted.stop(Duration.ofSeconds(5)));
  }

  @Test
  void pausedAutomaticCleanupStartsNoThresholdRun(Vertx vertx) throws Exception {
    Started s = start(vertx);
    on(s.context(), () -> s.agent().changeSettings(Map.of("AUTOMATIC_CLEANUP_PAUSED", "true"), WHO));
    on(s.context(), () -> s.agent().changeSettings(Map.of("DISK_HIGH_WATERMARK", "0.1%", "DISK_LOW_WATERMARK", "0%"), WHO));
    // the threshold check ran inside changeSettings, on this context: had it asked for a run, one would be there now
    boolean idle = on(s.context(), () -> Future.succeededFuture(s.agent().currentRun() == null
        && s.agent().recentRuns().isEmpty()));
    assertThat(idle).isTrue();
    assertThat(new AgentControlImpl(s.agent()).status().getJsonObject("automaticCleanup").getBoolean("paused")).isTrue();
    assertThat(s.docker().exists(ResourceType.CONTAINER, s.exited().id())).isTrue();
    on(s.context(), () -> s.agent().stop(Duration.ofSeconds(5)));
  }

  @Test
  void anInvalidChangeChangesNothingAndWritesNothing(Vertx vertx) throws Exception {
    Started s = start(vertx);
    var before = s.agent().runtimeSettings().values();
    assertThatThrownBy(() -> on(s.context(), () -> s.agent().changeSettings(
        Map.of("DISK_HIGH_WATERMARK", "50%", "DISK_LOW_WATERMARK", "60%"), WHO)))
        .hasCauseInstanceOf(ConfigException.class).hasMessageContaining("DISK_LOW_WATERMARK");
    assertThat(s.agent().runtimeSettings().values()).isEqualTo(before);
    assertThat(settingAuditLines()).isEmpty();
    assertThat(stateDir.resolve(RuntimeSettings.FILE_NAME)).doesNotExist();
    on(s.context(), () -> s.agent().stop(Duration.ofSeconds(5)));
  }
  @Test
  void aScheduleSetAtRuntimeIsArmedFiresARunIsAuditedAndCanBeTurnedOff(Vertx vertx) throws Exception {
    Started s = start(vertx);
    assertThat(s.agent().nextScheduledRun()).as("no SCHEDULE in the configuration").isEmpty();
    on(s.context(), () -> s.agent().changeSettings(Map.of("SCHEDULE", "* * * * * *"), WHO));
    assertThat(s.agent().schedule()).contains("CRON_TZ=UTC * * * * * *");
    assertThat(s.agent().nextScheduledRun()).as("armed at once").isPresent();
    JsonObject status = new AgentControlImpl(s.agent()).status();
    assertThat(status.getString("schedule")).isEqualTo("CRON_TZ=UTC * * * * * *");
    assertThat(status.getString("nextScheduledRun")).isNotNull();

    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
        .until(() -> s.agent().recentRuns().stream().anyMatch(r -> r.trigger().equals("schedule")));
    assertThat(settingAuditLines()).extracting(o -> o.getString("setting") + " '" + o.getString("old") + "' '"
        + o.getString("new") + "' " + o.getString("by")).containsExactly("SCHEDULE '' '* * * * * *' " + WHO);

    on(s.context(), () -> s.agent().changeSettings(Map.of("SCHEDULE", ""), WHO));
    assertThat(s.agent().nextScheduledRun()).as("an empty SCHEDULE turns it off").isEmpty();
    assertThat(new AgentControlImpl(s.agent()).status().getValue("schedule")).isNull();
    int runsThen = on(s.context(), () -> Future.succeededFuture(s.agent().recentRuns().size()
        + (s.agent().currentRun() == null ? 0 : 1)));
    on(s.context(), () -> s.agent().stop(Duration.ofSeconds(5)));

    // the change is kept: a new agent with the same configuration has no schedule either
    Agent restarted = new Agent(vertx, settings(), quietLog(new MutableClock()), java.time.Clock.systemUTC(),
        new FakeDockerClient(vertx, new MutableClock()));
    on(s.context(), restarted::start);
    assertThat(restarted.schedule()).isEmpty();
    assertThat(restarted.runtimeSettings().changedAtRuntime("SCHEDULE")).isTrue();
    on(s.context(), () -> restarted.stop(Duration.ofSeconds(5)));
    assertThat(runsThen).isPositive();
  }

  @Test
  void aBadScheduleIsRefusedAndTheArmedOneStays(Vertx vertx) throws Exception {
    Started s = start(vertx);
    on(s.context(), () -> s.agent().changeSettings(Map.of("SCHEDULE", "0 3 * * *"), WHO));
    var next = s.agent().nextScheduledRun();
    assertThatThrownBy(() -> on(s.context(), () -> s.agent().changeSettings(Map.of("SCHEDULE", "0 25 * * *"), WHO)))
        .hasCauseInstanceOf(ConfigException.class).hasMessageContaining("SCHEDULE");
    assertThat(s.agent().schedule()).contains("CRON_TZ=UTC 0 3 * * *");
    assertThat(s.agent().nextScheduledRun()).isEqualTo(next);
    assertThat(settingAuditLines()).hasSize(1);
    on(s.context(), () -> s.agent().stop(Duration.ofSeconds(5)));
  }
}
