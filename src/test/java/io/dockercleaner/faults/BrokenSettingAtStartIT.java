package io.dockercleaner.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Fault: the agent (and the one-shot) started with one broken setting while RUN_ON_START=true,
 * low watermarks and stopped containers make a real start delete at once. Each start must exit 2
 * with a message naming the variable, and delete nothing: every object of the daemon is still
 * there. The control case (the same start, nothing broken) shows the set-up does delete.
 */
@Tag("daemon")
class BrokenSettingAtStartIT {
  private static final int STOPPED_CONTAINERS = 5;

  @TempDir Path work;

  // made once; a case that deleted something (the control) has them made again
  private static DaemonFixture fixture;
  private static Snapshot before;

  /** Every object of the daemon, by type. */
  private record Snapshot(Set<String> containers, Set<String> images, Set<String> volumes, Set<String> networks) {}

  private static Snapshot snapshot() {
    return new Snapshot(fixture.containerIds(), fixture.imageIds(), fixture.volumeNames(), fixture.networkNames());
  }

  @BeforeEach
  void createWhatAStartWouldDelete() {
    if (fixture == null) {
      fixture = new DaemonFixture(TestDaemons.main());
    } else if (snapshot().equals(before)) {
      return;
    }
    fixture.reset();
    for (int i = 0; i < STOPPED_CONTAINERS; i++) {
      fixture.stopped("dc-fault-start-" + i, TestDaemons.TEST_IMAGE);
    }
    fixture.network("dc-fault-start-net");
    before = snapshot();
    assertThat(before.containers()).hasSize(STOPPED_CONTAINERS);
  }

  /** A start that deletes at once: the start run with no age filter, and thresholds crossed by any disk. */
  private Map<String, String> deletingStart() throws IOException {
    Map<String, String> env = new HashMap<>();
    env.put("DOCKER_HOST", fixture.host());
    env.put("RUN_ON_START", "true");
    env.put("PRUNE_FILTER_UNTIL", "0");
    env.put("MIN_AGE", "0s");
    env.put("QUIET_PERIOD", "0s");
    env.put("MIN_RUN_INTERVAL", "0s");
    env.put("DISK_HIGH_WATERMARK", "1%");
    env.put("DISK_LOW_WATERMARK", "0%");
    env.put("DISK_CRITICAL_WATERMARK", "100%");
    env.put("DISK_CHECK_INTERVAL", "200ms");
    env.put("CLEANUP_IMAGES", "false");
    env.put("CLEANUP_BUILD_CACHE", "false");
    env.put("HTTP_LISTEN", "127.0.0.1:" + AgentProcess.freePort());
    env.put("STATE_DIR", work.resolve("state").toString());
    return env;
  }

  @Test
  void controlTheSameStartWithNothingBrokenDeletesTheStoppedContainers() throws Exception {
    try (AgentProcess agent = AgentProcess.start(work, deletingStart(), "agent")) {
      await().atMost(AgentProcess.HANG_GUARD).until(() -> fixture.containerIds().isEmpty() || !agent.alive());
      assertThat(fixture.containerIds()).as(agent.output()).isEmpty();
      agent.terminate();
      assertThat(agent.awaitExit()).as(agent.output()).isZero();
      assertThat(agent.output()).contains("Run r-", "started (trigger start", "Stopped; state saved");
    }
  }

  /** The broken settings. */
  enum Broken {
    TOKEN_FILE_MISSING(List.of("API_TOKEN_FILE", "/nonexistent/tok")),
    PORT_TAKEN(List.of("HTTP_LISTEN")),
    WEBHOOK_PORT_ZERO(List.of("WEBHOOK_URL")),
    WEBHOOK_PORT_TOO_HIGH(List.of("WEBHOOK_URL")),
    NOTIFY_TARGET_WITHOUT_RECIPIENT(List.of("NOTIFY_TARGETS entry 2", "'to' is missing")),
    SMTP_PASSWORD_FILE_MISSING(List.of("SMTP_PASSWORD_FILE", "/nonexistent/smtp-password")),
    TLS_VERIFY_WITHOUT_CERT_PATH_FILES(List.of("DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY", "ca.pem")),
    TLS_VERIFY_WITHOUT_HOME_DOCKER(List.of("DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY", "/.docker")),
    TEXTFILE_DIRECTORY_MISSING(List.of("METRICS_TEXTFILE")),
    DISK_PATH_MISSING(List.of("DISK_PATH", "/nonexistent/docker-root")),
    LISTEN_BEYOND_LOOPBACK_WITHOUT_TOKEN(List.of("HTTP_LISTEN", "API_TOKEN", "API_OPEN_READ"));

    final List<String> named;

    Broken(List<String> named) {
      this.named = named;
    }
  }

  /** Breaks {@code env} as {@code broken} says; returns a socket to hold while the process runs, or null. */
  private ServerSocket breakIt(Broken broken, Map<String, String> env) throws IOException {
    switch (broken) {
      case TOKEN_FILE_MISSING -> env.put("API_TOKEN_FILE", "/nonexistent/tok");
      case PORT_TAKEN -> {
        ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        env.put("HTTP_LISTEN", "127.0.0.1:" + taken.getLocalPort());
        return taken;
      }
      case WEBHOOK_PORT_ZERO -> env.put("WEBHOOK_URL", "http://127.0.0.1:0/hook");
      case WEBHOOK_PORT_TOO_HIGH -> env.put("WEBHOOK_URL", "http://127.0.0.1:99999/hook");
      case NOTIFY_TARGET_WITHOUT_RECIPIENT -> env.put("NOTIFY_TARGETS",
          "slack+http://127.0.0.1:9/hook smtp://127.0.0.1:9?from=cleaner@example.test");
      case SMTP_PASSWORD_FILE_MISSING -> {
        env.put("SMTP_PASSWORD_FILE", "/nonexistent/smtp-password");
        env.put("NOTIFY_TARGETS", "smtp://cleaner@127.0.0.1:9?from=cleaner@example.test&to=ops@example.test");
      }
      case TLS_VERIFY_WITHOUT_CERT_PATH_FILES, TLS_VERIFY_WITHOUT_HOME_DOCKER -> {
        // the daemon's real TLS port: were the check missing, the start would reach the daemon and delete
        Path portFile = TestDaemons.socketOf(fixture.host()).getParent().resolve("tls-port");
        assertThat(portFile).as("the test daemon must be started with --tls-port (bin/test does)").exists();
        env.put("DOCKER_HOST", "tcp://127.0.0.1:" + Files.readString(portFile).trim());
        env.put("DOCKER_TLS_VERIFY", "1");
        if (broken == Broken.TLS_VERIFY_WITHOUT_CERT_PATH_FILES) {
          Path onlyCa = Files.createDirectories(work.resolve("certs-without-client-pair"));
          env.put("DOCKER_CERT_PATH", onlyCa.toString());
        } // else: HOME is the work directory, which has no .docker
      }
      case TEXTFILE_DIRECTORY_MISSING -> env.put("METRICS_TEXTFILE", work.resolve("no-such-dir/docker_cleaner.prom").toString());
      case DISK_PATH_MISSING -> env.put("DISK_PATH", "/nonexistent/docker-root");
      // TEST-NET-1, assigned to no machine: never bound even if the check were missing
      case LISTEN_BEYOND_LOOPBACK_WITHOUT_TOKEN -> env.put("HTTP_LISTEN", "192.0.2.1:" + AgentProcess.freePort());
      default -> throw new IllegalArgumentException(broken.name());
    }
    return null;
  }

  @ParameterizedTest
  @EnumSource(Broken.class)
  void theAgentExitsTwoNamingTheVariableAndDeletesNothing(Broken broken) throws Exception {
    Map<String, String> env = deletingStart();
    try (ServerSocket held = breakIt(broken, env); AgentProcess agent = AgentProcess.start(work, env, "agent")) {
      int exit = agent.awaitExit();
      String output = agent.output();
      assertThat(exit).as(output).isEqualTo(2);
      assertThat(output).contains(broken.named).doesNotContain("started (trigger");
      assertThat(output).containsAnyOf("Nothing was done", "Agent failed to start");
    }
    assertThat(snapshot()).isEqualTo(before);
  }

  /** A second host of DOCKER_HOSTS broken as named; the first host is the daemon a start would clean. */
  enum BrokenSecondHost {
    INVALID_VALUE("{\"name\":\"second\",\"docker_host\":\"unix:///nonexistent/second.sock\",\"disk_high_watermark\":\"150%\"}",
        List.of("'second'", "disk_high_watermark")),
    DISK_PATH_MISSING("{\"name\":\"second\",\"docker_host\":\"unix:///nonexistent/second.sock\",\"disk_path\":\"/nonexistent/root\"}",
        List.of("host 'second'", "DISK_PATH", "/nonexistent/root")),
    UNKNOWN_CONTEXT("{\"name\":\"second\",\"context\":\"no-such-context\"}",
        List.of("'second'", "no-such-context"));

    final String entry;
    final List<String> named;

    BrokenSecondHost(String entry, List<String> named) {
      this.entry = entry;
      this.named = named;
    }
  }

  /**
   * The agent across hosts validates every host before it contacts any: a second host's broken
   * setting stops the start (exit 2, naming the host) before the first host's RUN_ON_START run.
   */
  @ParameterizedTest
  @EnumSource(BrokenSecondHost.class)
  void theAgentAcrossHostsExitsTwoNamingTheHostAndDeletesNothingOnTheFirst(BrokenSecondHost broken) throws Exception {
    Map<String, String> env = deletingStart();
    env.remove("DOCKER_HOST");
    env.put("DOCKER_CONFIG", work.resolve("docker-config").toString());
    env.put("DOCKER_HOSTS", "[{\"name\":\"first\",\"docker_host\":\"" + fixture.host() + "\"}," + broken.entry + "]");
    try (AgentProcess agent = AgentProcess.start(work, env, "agent")) {
      int exit = agent.awaitExit();
      String output = agent.output();
      assertThat(exit).as(output).isEqualTo(2);
      assertThat(output).contains(broken.named).doesNotContain("started (trigger").doesNotContain("Connected to");
    }
    assertThat(snapshot()).isEqualTo(before);
  }

  /**
   * Across hosts the API is bound while the hosts connect: a port that is taken stops every host
   * again before any of them may run (RUN_ON_START waits for the bound API).
   */
  @Test
  void theAgentAcrossHostsWithItsPortTakenExitsTwoAndDeletesNothing() throws Exception {
    Map<String, String> env = deletingStart();
    env.remove("DOCKER_HOST");
    env.put("DOCKER_HOSTS", "first=" + fixture.host() + ",second=unix:///nonexistent/second.sock");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      env.put("HTTP_LISTEN", "127.0.0.1:" + taken.getLocalPort());
      try (AgentProcess agent = AgentProcess.start(work, env, "agent")) {
        int exit = agent.awaitExit();
        String output = agent.output();
        assertThat(exit).as(output).isEqualTo(2);
        assertThat(output).contains("HTTP_LISTEN", "Agent failed to start").doesNotContain("started (trigger");
      }
    }
    assertThat(snapshot()).isEqualTo(before);
  }

  /** The one-shot deletes first and writes its outputs last: those must be checked first too. */
  @ParameterizedTest
  @EnumSource(value = Broken.class, names = {"WEBHOOK_PORT_ZERO", "WEBHOOK_PORT_TOO_HIGH",
      "NOTIFY_TARGET_WITHOUT_RECIPIENT", "SMTP_PASSWORD_FILE_MISSING",
      "TLS_VERIFY_WITHOUT_CERT_PATH_FILES", "TEXTFILE_DIRECTORY_MISSING"})
  void theOneShotExitsTwoNamingTheVariableAndDeletesNothing(Broken broken) throws Exception {
    Map<String, String> env = deletingStart();
    try (ServerSocket held = breakIt(broken, env); AgentProcess oneShot = AgentProcess.start(work, env, "run")) {
      int exit = oneShot.awaitExit();
      assertThat(exit).as(oneShot.output()).isEqualTo(2);
      assertThat(oneShot.output()).contains(broken.named).contains("Nothing was done");
    }
    assertThat(snapshot()).isEqualTo(before);
  }
}
