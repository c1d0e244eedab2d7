package io.dockercleaner.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/test is safe on anyone's machine: it stops nothing it did not start, package installs start
 * no services, and an installed Docker engine is kept. The install helpers (bin/lib/packages.sh)
 * run here against a fake apt-get on PATH and a policy-rc.d path inside a temporary folder.
 */
@Tag("process")
class TestCommandSafetyTest {
  private static final Path LIB = Path.of("bin/lib/packages.sh").toAbsolutePath();

  @TempDir Path tmp;
  private Path policy;
  private Path aptLog;

  @BeforeEach
  void fakeApt() throws IOException {
    policy = tmp.resolve("policy-rc.d");
    aptLog = tmp.resolve("apt.log");
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    // records its arguments and what the policy answers while it runs; FAKE_APT_EXIT fails it;
    // FAKE_APT_CREATES makes a file (the dockerd an install would bring)
    script(bin.resolve("apt-get"), "#!/bin/sh\n"
        + "answer=none\n"
        + "if [ -x \"$DC_POLICY_RC\" ]; then \"$DC_POLICY_RC\" some-service start; answer=$?; fi\n"
        + "echo \"$* policy=$answer\" >> \"$FAKE_APT_LOG\"\n"
        + "if [ -n \"$FAKE_APT_CREATES\" ] && [ \"$1\" = install ]; then : > \"$FAKE_APT_CREATES\"; "
        + "chmod 755 \"$FAKE_APT_CREATES\"; fi\n"
        + "exit ${FAKE_APT_EXIT:-0}\n");
  }

  @Test
  void scriptsNeverStopOrKillWhatTheyDidNotStart() throws IOException {
    for (String file : List.of("bin/test", "bin/test-daemon", "bin/test-swarm", "bin/lib/packages.sh")) {
      String text = Files.readString(Path.of(file));
      assertThat(text).as(file).doesNotContain("pkill").doesNotContain("killall")
          .doesNotContainPattern("systemctl\\s+(stop|kill|restart|disable)")
          .doesNotContainPattern("service\\s+\\S+\\s+stop");
    }
  }

  @Test
  void anInstallRunsWithAPolicyThatDeniesServiceStartsAndRemovesItAfterwards() throws Exception {
    Result r = lib("dc_apt_install some-package", Map.of());

    assertThat(r.exit).as(r.stderr).isZero();
    assertThat(aptCalls()).containsExactly("install -y -qq --no-install-recommends some-package policy=101");
    assertThat(policy).doesNotExist();
  }

  @Test
  void aFailedInstallStillRemovesOurPolicyAndExitsTwo() throws Exception {
    Result r = lib("dc_apt_install broken-package", Map.of("FAKE_APT_EXIT", "100"));

    assertThat(r.exit).isEqualTo(2);
    assertThat(r.stderr).contains("apt-get install broken-package failed");
    assertThat(aptCalls()).isNotEmpty().allSatisfy(call -> assertThat(call).endsWith("policy=101"));
    assertThat(policy).doesNotExist();
  }

  @Test
  void anExistingPolicyThatDeniesStartsIsUsedAndLeftInPlace() throws Exception {
    String own = "#!/bin/sh\n# the administrator's own\nexit 101\n";
    script(policy, own);

    Result r = lib("dc_apt_install some-package", Map.of());

    assertThat(r.exit).as(r.stderr).isZero();
    assertThat(aptCalls()).containsExactly("install -y -qq --no-install-recommends some-package policy=101");
    assertThat(Files.readString(policy)).isEqualTo(own);
  }

  @Test
  void anExistingPolicyThatAllowsStartsStopsTheInstallWithAClearMessage() throws Exception {
    String own = "#!/bin/sh\nexit 0\n";
    script(policy, own);

    Result r = lib("dc_apt_install some-package", Map.of());

    assertThat(r.exit).isEqualTo(2);
    assertThat(r.stderr).contains(policy.toString()).contains("allows services to start")
        .contains("some-package");
    assertThat(aptLog).doesNotExist();
    assertThat(Files.readString(policy)).isEqualTo(own);
  }

  @Test
  void anInstalledDockerEngineIsKept() throws Exception {
    Path engine = tmp.resolve("dockerd");
    script(engine, "#!/bin/sh\n");

    Result r = lib("dc_ensure_dockerd", Map.of("DC_DOCKERD_PATHS", engine.toString()));

    assertThat(r.exit).as(r.stderr).isZero();
    assertThat(r.stdout.strip()).isEqualTo(engine.toString());
    assertThat(aptLog).doesNotExist();
  }

  @Test
  void withoutAnEngineDockerIoIsInstalledWithoutStartingItsService() throws Exception {
    Path engine = tmp.resolve("dockerd");

    Result r = lib("dc_ensure_dockerd", Map.of("DC_DOCKERD_PATHS", engine.toString(),
        "FAKE_APT_CREATES", engine.toString()));

    assertThat(r.exit).as(r.stderr).isZero();
    assertThat(r.stdout.strip()).isEqualTo(engine.toString());
    assertThat(aptCalls()).containsExactly("install -y -qq --no-install-recommends docker.io policy=101");
    assertThat(policy).doesNotExist();
  }

  private List<String> aptCalls() throws IOException {
    return Files.readAllLines(aptLog);
  }

  private static void script(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private Result lib(String call, Map<String, String> extraEnv) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", "set -euo pipefail; . \"$0\"; " + call, LIB.toString());
    Map<String, String> env = pb.environment();
    env.clear();
    // /usr/sbin and /sbin left out: no real dockerd is found by name, only where a test says
    env.put("PATH", tmp.resolve("bin") + ":/usr/bin:/bin");
    env.put("DC_POLICY_RC", policy.toString());
    env.put("FAKE_APT_LOG", aptLog.toString());
    env.putAll(new HashMap<>(extraEnv));
    Path out = tmp.resolve("out");
    Path err = tmp.resolve("err");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("bash finished").isTrue();
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private record Result(int exit, String stdout, String stderr) {}
}
