package io.dockercleaner.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dockercleaner.config.ConfigException;
import io.dockercleaner.config.HostSpec;
import io.dockercleaner.config.Settings;
import io.dockercleaner.config.StartupChecks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's resolution of DOCKER_HOSTS: each host keeps its state in its own folder of STATE_DIR
 * (or its own STATE_DIR), two hosts may not share one, and the start-up checks name the host.
 */
class AgentHostsTest {
  @TempDir
  Path dir;

  private static Map<String, Settings> byName(Map<HostSpec, Settings> hosts) {
    Map<String, Settings> out = new java.util.LinkedHashMap<>();
    hosts.forEach((h, s) -> out.put(h.name(), s));
    return out;
  }

  @Test
  void eachHostKeepsItsStateInItsOwnFolderOfStateDir() {
    Settings settings = Settings.of(Map.of("DOCKER_HOSTS", "build1=unix:///tmp/b1.sock,build2=tcp://10.0.0.5:2375",
        "STATE_DIR", dir.toString()));
    Map<String, Settings> hosts = byName(MultiHostRun.resolve(settings, Map.of(), true));
    assertThat(hosts.get("build1").stateDir()).contains(dir.resolve("hosts/build1"));
    assertThat(hosts.get("build2").stateDir()).contains(dir.resolve("hosts/build2"));
    assertThat(hosts.get("build2").dockerHost()).isEqualTo("tcp://10.0.0.5:2375");
    // the one-shot keeps no state: its hosts' STATE_DIR is the configuration's
    assertThat(byName(MultiHostRun.resolve(settings, Map.of())).get("build1").stateDir()).contains(dir);
  }

  @Test
  void withoutStateDirNoHostPersists() {
    Settings settings = Settings.of(Map.of("DOCKER_HOSTS", "a=unix:///tmp/a.sock,b=unix:///tmp/b.sock"));
    assertThat(byName(MultiHostRun.resolve(settings, Map.of(), true)).values())
        .allSatisfy(s -> assertThat(s.stateDir()).isEmpty());
  }

  @Test
  void aHostWithItsOwnStateDirKeepsItAndTwoHostsMayNotShareOne() {
    Path own = dir.resolve("own");
    Settings mine = Settings.of(Map.of("STATE_DIR", dir.toString(), "DOCKER_HOSTS",
        "[{\"name\":\"a\",\"docker_host\":\"unix:///tmp/a.sock\",\"state_dir\":\"" + own + "\"},"
            + "{\"name\":\"b\",\"docker_host\":\"unix:///tmp/b.sock\"}]"));
    Map<String, Settings> hosts = byName(MultiHostRun.resolve(mine, Map.of(), true));
    assertThat(hosts.get("a").stateDir()).contains(own);
    assertThat(hosts.get("b").stateDir()).contains(dir.resolve("hosts/b"));

    Settings shared = Settings.of(Map.of("DOCKER_HOSTS",
        "[{\"name\":\"a\",\"docker_host\":\"unix:///tmp/a.sock\",\"state_dir\":\"" + own + "\"},"
            + "{\"name\":\"b\",\"docker_host\":\"unix:///tmp/b.sock\",\"state_dir\":\"" + own + "/\"}]"));
    assertThatThrownBy(() -> MultiHostRun.resolve(shared, Map.of(), true))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("host 'b'").hasMessageContaining("host 'a''s");
  }

  @Test
  void theStartUpChecksOfAHostNameTheHost() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    Settings settings = Settings.of(Map.of("STATE_DIR", file.resolve("state").toString(),
        "DISK_PATH", dir.resolve("missing").toString()));
    assertThat(StartupChecks.checkAgentHost("build2", settings))
        .hasSize(2)
        .allSatisfy(p -> assertThat(p).startsWith("DOCKER_HOSTS host 'build2': "))
        .anySatisfy(p -> assertThat(p).contains("STATE_DIR"))
        .anySatisfy(p -> assertThat(p).contains("DISK_PATH"));
  }
}
