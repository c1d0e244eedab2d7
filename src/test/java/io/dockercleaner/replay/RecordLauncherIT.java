package io.dockercleaner.replay;

import static io.dockercleaner.testsupport.TestDaemons.docker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dockercleaner.testsupport.AgentProcess;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped launcher, {@code bin/docker-cleaner record}, as a process against a private daemon:
 * a few image operations become a trace, SIGTERM stops it with exit 0 and a valid file, {@code
 * bin/docker-cleaner replay} reads that file, and the recorder deleted nothing.
 */
@Tag("daemon")
class RecordLauncherIT {
  @TempDir
  Path dir;

  private ProcessBuilder launcher(String host, Path output, String... args) {
    List<String> command = new java.util.ArrayList<>();
    command.add(AgentProcess.projectRoot().resolve("bin/docker-cleaner").toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().clear(); // nothing from the calling shell (MIN_AGE, CLEANUP_POLICY…) may change the run
    pb.environment().putAll(Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
        "HOME", System.getProperty("user.home"), "DOCKER_HOST", host, "HOSTNAME", "rec-host"));
    return pb;
  }

  @Test
  void recordsBuildsRunsLoadsAndRemovesUntilSigtermThenReplayReadsTheFile() throws Exception {
    String host = TestDaemons.main();
    DaemonFixture fixture = new DaemonFixture(host);
    fixture.reset();
    Path trace = dir.resolve("trace.jsonl");
    Path log = dir.resolve("record.log");
    Process recorder = launcher(host, log, "record", "--out", trace.toString()).start();
    try {
      await().atMost(Duration.ofMinutes(2)).until(() -> Files.readString(log).contains("record: following"));

      String built = fixture.layerImage("dc-rec/app:1", 2); // run + commit with a tag: a build
      docker(host, "run", "--rm", "--network", "none", "dc-rec/app:1", "true"); // a use
      docker(host, "tag", "dc-rec/app:1", "dc-rec/app:2"); // a retag
      String other = fixture.image("dc-rec/other:1", null, "other " + System.nanoTime()); // a classic build
      Path archive = dir.resolve("other.tar");
      docker(host, "save", "-o", archive.toString(), "dc-rec/other:1");
      docker(host, "rmi", "dc-rec/other:1"); // a remove
      docker(host, "load", "-i", archive.toString()); // a load: the stand-in for a pull
      String gone = fixture.layerImage("dc-rec/gone:1", 1);
      docker(host, "rmi", "dc-rec/gone:1");
      Set<String> imagesBefore = fixture.imageIds();

      // the last operation's line is in the file: everything before it was handled (in order)
      await().atMost(Duration.ofMinutes(1)).until(() -> Files.readString(trace)
          .contains("\"event\":\"remove\",\"image\":\"" + gone + "\""));
      recorder.destroy(); // SIGTERM (the launcher execs java)
      assertThat(recorder.waitFor(2, TimeUnit.MINUTES)).as("recorder stopped").isTrue();
      assertThat(recorder.exitValue()).as(Files.readString(log)).isZero();
      assertThat(Files.readString(log)).contains("record: stopped (signal)");

      List<TraceEvent> events = TraceParser.parse(trace.toString(),
          new StringReader(Files.readString(trace, StandardCharsets.UTF_8)));
      assertThat(events).filteredOn(e -> e.kind() == TraceEvent.Kind.PULL && e.imageId().equals(
          docker(host, "image", "inspect", "-f", "{{.Id}}", TestDaemons.TEST_IMAGE))).as("the snapshot").isNotEmpty();
      TraceEvent build = events.stream().filter(e -> e.kind() == TraceEvent.Kind.BUILD && e.imageId().equals(built))
          .findFirst().orElseThrow(() -> new AssertionError("no build of " + built + " in " + events));
      assertThat(build.tag()).isEqualTo("dc-rec/app:1");
      assertThat(build.layers()).hasSize(2);
      assertThat(build.layers().get(1).sizeBytes()).as("2 MiB of zeros and a nonce")
          .isBetween(2L * 1024 * 1024, 2L * 1024 * 1024 + 4096);
      assertThat(events).anySatisfy(e -> {
        assertThat(e.kind()).isEqualTo(TraceEvent.Kind.USE);
        assertThat(e.imageId()).isEqualTo(built);
      });
      assertThat(events).anySatisfy(e -> {
        assertThat(e.kind()).isEqualTo(TraceEvent.Kind.PULL);
        assertThat(e.tag()).isEqualTo("dc-rec/app:2");
      });
      assertThat(events).filteredOn(e -> e.imageId().equals(other)).extracting(TraceEvent::kind)
          .containsExactly(TraceEvent.Kind.BUILD, TraceEvent.Kind.REMOVE, TraceEvent.Kind.PULL);
      assertThat(fixture.imageIds()).as("the recorder deleted nothing").isEqualTo(imagesBefore);
    } finally {
      if (recorder.isAlive()) {
        recorder.destroyForcibly();
      }
    }

    Path replayOut = dir.resolve("replay.out");
    Process replay = launcher(host, replayOut, "replay", "--trace", trace.toString(), "--disk-bytes", "1GB").start();
    assertThat(replay.waitFor(5, TimeUnit.MINUTES)).as("replay finished").isTrue();
    assertThat(replay.exitValue()).as(Files.readString(replayOut)).isZero();
    assertThat(Files.readString(replayOut)).contains("replayed ").contains(" events of " + trace);
  }
}
