package io.dockercleaner.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DOCKER_HOSTS in its compact and list forms, per-host settings, and their errors. */
class HostSpecTest {
  @TempDir
  Path dir;

  @Test
  void compactFormNamesAddressesAndContexts() {
    Settings s = Settings.of(Map.of("DOCKER_HOSTS",
        "build1=tcp://127.0.0.1:2376, build2=unix:///run/b2.sock,ci=context:ci-runner,context:laptop",
        "HOST_CONCURRENCY", "3"));
    assertThat(s.hosts()).extracting(HostSpec::name).containsExactly("build1", "build2", "ci", "laptop");
    assertThat(s.hosts().get(0).dockerHost()).contains("tcp://127.0.0.1:2376");
    assertThat(s.hosts().get(2).context()).contains("ci-runner");
    assertThat(s.hosts().get(3).context()).contains("laptop");
    assertThat(s.hostConcurrency()).isEqualTo(3);
    Settings b2 = s.forHost(s.hosts().get(1), Map.of());
    assertThat(b2.dockerHost()).isEqualTo("unix:///run/b2.sock");
    assertThat(b2.hosts()).as("a host's settings have no hosts").isEmpty();
  }

  @Test
  void theConfigFileGivesEachHostItsOwnSettings() throws IOException {
    Path file = Files.writeString(dir.resolve("c.yaml"), """
        prune_all: false
        hosts:
          - name: build1
            docker_host: unix:///run/b1.sock
            prune_all: true
            keep_images: [app:*, base:*]
          - name: build2
            context: build2-ctx
        """);
    Settings s = SettingsLoader.load(List.of("--config", file.toString()), Map.of()).settings();
    Settings b1 = s.forHost(s.hosts().get(0), Map.of());
    assertThat(b1.pruneAll()).isTrue();
    assertThat(b1.keepImages()).containsExactly("app:*", "base:*");
    assertThat(b1.dockerHost()).isEqualTo("unix:///run/b1.sock");
    Settings b2 = s.forHost(s.hosts().get(1), Map.of("DOCKER_HOST", "tcp://10.0.0.2:2375"));
    assertThat(b2.pruneAll()).as("the top level's value").isFalse();
    assertThat(b2.dockerHost()).isEqualTo("tcp://10.0.0.2:2375");
  }

  @Test
  void badEntriesExitTwoNamingTheHost() throws IOException {
    assertThatThrownBy(() -> Settings.of(Map.of("DOCKER_HOSTS",
        "build1=tcp://127.0.0.1:2376,build1=unix:///x.sock,bad name=unix:///y.sock,b3=ftp://x,tcp://z:1")))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactly(
            "DOCKER_HOSTS entry 3 ('bad name'): invalid host name 'bad name' (letters, digits, '.', '_', '-'; up to 63)",
            "DOCKER_HOSTS entry 4 ('b3'): docker_host: invalid value 'ftp://x' (" + ValueParsers.DOCKER_HOST_EXPECTED + ")",
            "DOCKER_HOSTS entry 5 'tcp://z:1': no host name; " + HostSpec.COMPACT_EXPECTED,
            "DOCKER_HOSTS: host name 'build1' given twice (names must be unique: logs and the summary tell hosts apart"
                + " by them)"));

    Path file = Files.writeString(dir.resolve("bad.yaml"), """
        hosts:
          - name: a
            docker_host: unix:///a.sock
            prune_alll: true
          - name: b
            docker_host: unix:///b.sock
            log_format: json
          - name: c
            docker_host: unix:///c.sock
            context: c
        """);
    assertThatThrownBy(() -> SettingsLoader.load(List.of("--config", file.toString()), Map.of()))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactly(
            "config file " + file + ": hosts entry 1 ('a'): unknown setting 'prune_alll' (did you mean 'prune_all'?)",
            "config file " + file + ": hosts entry 2 ('b'): 'log_format' applies to the whole process, not to one"
                + " host; set it at the top level",
            "config file " + file + ": hosts entry 3 ('c'): give exactly one of docker_host and context"));

    // once every entry parses, each host's own values are validated too
    Path values = Files.writeString(dir.resolve("values.yaml"), """
        hosts:
          - name: d
            docker_host: unix:///d.sock
            prune_all: maybe
        """);
    assertThatThrownBy(() -> SettingsLoader.load(List.of("--config", values.toString()), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("config file " + values + ": hosts ('d'): prune_all: invalid value 'maybe' (");
  }

  @Test
  void theAgentAcceptsHosts() {
    Settings s = Settings.of(Map.of("DOCKER_HOSTS", "a=unix:///a.sock"));
    assertThat(StartupChecks.check("agent", s)).isEmpty();
    assertThat(StartupChecks.check("run", s)).isEmpty();
    assertThat(s.forHost(s.hosts().get(0), Map.of()).hosts()).isEmpty();
    assertThat(s.hosts().get(0).context()).isEqualTo(Optional.empty());
  }
}
