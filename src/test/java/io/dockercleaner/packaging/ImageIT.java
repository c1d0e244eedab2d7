package io.dockercleaner.packaging;

import io.dockercleaner.docker.DockerHost;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dockercleaner.testsupport.TestDaemons;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The image end to end on a private daemon: builds the base images offline (bin/build-base-images),
 * builds the image from target/docker-cleaner.jar, and runs it the ways users do.
 *
 * <p>Drives Debian's docker CLI (/usr/bin/docker) by path: the build must run with {@code
 * --network=none} on a daemon without a bridge, and the tests assert exit codes and stderr of
 * one-shot containers, which is what users see from {@code docker run}. One test drives the image
 * through Testcontainers instead, as a Java project's integration test would.
 *
 * <p>A probe script mounted at /probe wraps the program (DOCKER_CLEANER_CMD="/probe
 * /usr/local/bin/docker-cleaner") and prints the uid and groups the program really runs with.
 */
@Tag("daemon")
class ImageIT {
  private static final String DOCKER = "/usr/bin/docker";
  private static final String IMAGE = "docker-cleaner:it";
  private static final Path BASEDIR = Path.of("").toAbsolutePath();
  private static final Pattern INIT_LINE =
      Pattern.compile("^\\[\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z] \\[(INFO|WARN|ERROR)] \\[INIT] .+");
  private static final Pattern ERROR_LINE =
      Pattern.compile("(?m)^\\[\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z] \\[ERROR] \\[INIT] .+");
  private static final String MOUNT_HINT = DockerHost.SOCKET_MOUNT_HINT;

  private static String dockerHost;
  private static Path socket;
  private static int socketGid;
  private static Path probeDir;

  @BeforeAll
  static void buildImage() throws Exception {
    dockerHost = TestDaemonGuard.dockerHost();
    socket = TestDaemonGuard.socket(dockerHost);
    Assumptions.assumeTrue(Files.isExecutable(Path.of(DOCKER)), DOCKER + " missing");
    Assumptions.assumeTrue("0".equals(exec(List.of("id", "-u"), 1).stdout.trim()),
        "needs root (debootstrap in bin/build-base-images)");
    Path jar = Path.of(System.getProperty("docker-cleaner.jar", "target/docker-cleaner.jar")).toAbsolutePath();
    assertThat(jar).as("the jar `mvn package` made; the Dockerfile copies target/docker-cleaner.jar")
        .isRegularFile().isEqualTo(BASEDIR.resolve("target/docker-cleaner.jar"));
    assertThat(BASEDIR.resolve("target/docker-cleaner.cdx.json"))
        .as("the jar's SBOM, which the Dockerfile copies: `mvn package` writes it, `mvn -o` cannot"
            + " (cyclonedx-maven-plugin requires online mode; see pom.xml)").isRegularFile();
    socketGid = (Integer) Files.getAttribute(socket, "unix:gid");

    Result bases = exec(List.of(BASEDIR.resolve("bin/build-base-images").toString()), 15);
    assertThat(bases.exit).as(bases.stderr).isZero();
    Result build = exec(List.of(DOCKER, "build", "--network=none", "-t", IMAGE, "."), 10);
    Files.writeString(BASEDIR.resolve("target/image-build.log"), build.stdout + build.stderr);
    assertThat(build.exit).as(build.stderr).isZero();
    String bytes = exec(List.of(DOCKER, "image", "inspect", "--format", "{{.Size}}", IMAGE), 1).stdout.trim();
    String size = String.format("%s: %d bytes (%.1f MB)", IMAGE, Long.parseLong(bytes), Long.parseLong(bytes) / 1e6);
    Files.writeString(BASEDIR.resolve("target/image-size.txt"), size + "\n");
    System.out.println("[ImageIT] " + size);

    probeDir = Files.createTempDirectory("dc-probe");
    Files.setPosixFilePermissions(probeDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path probe = probeDir.resolve("probe");
    Files.writeString(probe, "#!/bin/sh\necho \"PROBE uid=$(id -u) gid=$(id -g) groups=$(id -G) args=$*\" >&2\nexec \"$@\"\n");
    Files.setPosixFilePermissions(probe, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @AfterAll
  static void removeImage() throws Exception {
    if (dockerHost != null) {
      exec(List.of(DOCKER, "image", "rm", "-f", IMAGE), 2);
    }
    if (probeDir != null) {
      TestDaemons.deleteTree(probeDir);
    }
    if (signing != null) {
      signing.close();
    }
  }

  @Test
  void runsTheProgramAsUid1000WithTheSocketGidAndExitsZero() throws Exception {
    Result result = dockerRun(List.of(socketMount(), probeMount()), List.of());

    assertThat(result.exit).as(result.stderr).isZero();
    assertRanAsCleanupUserWithSocketGid(result, "run");
    assertThat(initLines(result)).isNotEmpty().allMatch(l -> INIT_LINE.matcher(l).matches())
        .anyMatch(l -> l.contains("running as cleanup-user (UID 1000"));
  }

  @Test
  void aRealRunRemovesWhatTheOneShotContractSaysAndLogsInTheContractFormat() throws Exception {
    String stopped = createdContainer("keep=false");
    String kept = createdContainer("keep=true");
    List<String> command = new ArrayList<>(List.of(DOCKER, "run", "--rm", "--network=none", "--read-only",
        "--tmpfs", "/tmp", "-e", "PRUNE_FILTER_UNTIL=0", "-e", "MIN_AGE=0", "-e", "CLEANUP_IMAGES=false", "-e", "CLEANUP_BUILD_CACHE=false",
        socketMount(), IMAGE));
    Result result = exec(command, 3);
    try {
      assertThat(result.exit).as(result.stdout + result.stderr).isZero();
      assertThat(result.stdout.lines().toList()).isNotEmpty().allMatch(l -> l.matches(
          "\\[\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z] \\[(DEBUG|INFO|WARN|ERROR)] "
              + "\\[(INIT|CONTAINER|IMAGE|VOLUME|NETWORK|BUILD_CACHE|SUMMARY)] .+"));
      assertThat(result.stdout).containsPattern("\\[CONTAINER] Removed [1-9][0-9]* stopped containers");
      String remaining = exec(List.of(DOCKER, "ps", "-aq", "--no-trunc"), 1).stdout;
      assertThat(remaining).doesNotContain(stopped).contains(kept);
    } finally {
      exec(List.of(DOCKER, "rm", "-f", kept), 1);
    }
  }

  /**
   * The image as a Java project's integration test would run it, through Testcontainers: a
   * one-shot container (its start succeeds only when it exits 0) on the private daemon, with the
   * daemon's socket mounted, removing the unprotected stopped container and keeping the other.
   */
  @Test
  void throughTestcontainersTheOneShotImageExitsZeroAndRemovesOnlyTheUnprotected() throws Exception {
    String stopped = createdContainer("keep=false");
    String kept = createdContainer("keep=true");
    // Testcontainers takes DOCKER_HOST from the environment (pom.xml sets the private main daemon's)
    // checked before anything runs: the container removes what is unprotected on that daemon
    assertThat(org.testcontainers.DockerClientFactory.instance().client().infoCmd().exec().getDockerRootDir())
        .as("Testcontainers talks to the private daemon").startsWith(socket.getParent().toString());
    try (org.testcontainers.containers.GenericContainer<?> cleaner =
        new org.testcontainers.containers.GenericContainer<>(org.testcontainers.utility.DockerImageName.parse(IMAGE))) {
      cleaner.withNetworkMode("none")
          .withFileSystemBind(socket.toString(), DockerHost.DEFAULT_SOCKET, org.testcontainers.containers.BindMode.READ_WRITE)
          .withEnv(Map.of("PRUNE_FILTER_UNTIL", "0", "MIN_AGE", "0", "CLEANUP_IMAGES", "false",
              "CLEANUP_BUILD_CACHE", "false", "LOG_FORMAT", "json"))
          .withStartupCheckStrategy(new org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy()
              .withTimeout(java.time.Duration.ofMinutes(2)));
      cleaner.start(); // throws unless the container ran to exit code 0
      ObjectMapper mapper = new ObjectMapper();
      JsonNode summary = null;
      for (String line : cleaner.getLogs(org.testcontainers.containers.output.OutputFrame.OutputType.STDOUT)
          .lines().filter(l -> !l.isBlank()).toList()) {
        JsonNode n = mapper.readTree(line);
        if ("SUMMARY".equals(n.path("operation").asText()) && n.has("by_type")) {
          summary = n;
        }
      }
      assertThat(summary).as("the JSON summary line").isNotNull();
      assertThat(summary.get("by_type").get("container").get("count").asInt()).isEqualTo(1);
      assertThat(summary.get("exit_code").asInt()).isZero();
      String remaining = exec(List.of(DOCKER, "ps", "-aq", "--no-trunc"), 1).stdout;
      assertThat(remaining).doesNotContain(stopped).contains(kept);
    } finally {
      exec(List.of(DOCKER, "rm", "-f", kept), 1);
    }
  }

  @Test
  void theAgentStartsInTheImageAndStopsWithExitZeroOnDockerStop() throws Exception {
    String name = "dc-agent-it-" + ProcessHandle.current().pid();
    Result started = exec(List.of(DOCKER, "run", "-d", "--name", name, "--network=none", "--read-only",
        "--tmpfs", "/tmp", "--tmpfs", "/var/lib/docker-cleaner:uid=1000", socketMount(),
        // the image listens on 0.0.0.0:8080, which needs a token (or API_OPEN_READ=true)
        "-e", "API_TOKEN=image-it-token", IMAGE, "agent"), 2);
    assertThat(started.exit).as(started.stderr).isZero();
    try {
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofMinutes(2)).until(() ->
          exec(List.of(DOCKER, "logs", name), 1).stdout.contains("HTTP API on 0.0.0.0:8080"));
      Result stop = exec(List.of(DOCKER, "stop", "-t", "15", name), 2);
      assertThat(stop.exit).as(stop.stderr).isZero();
      String exitCode = exec(List.of(DOCKER, "inspect", "-f", "{{.State.ExitCode}}", name), 1).stdout.trim();
      String logs = exec(List.of(DOCKER, "logs", name), 1).stdout;
      assertThat(exitCode).as(logs).isEqualTo("0");
      assertThat(logs).contains("Agent started").contains("Stopped; state saved");
      String user = exec(List.of(DOCKER, "logs", name), 1).stderr;
      assertThat(user).contains("running as cleanup-user (UID 1000");
    } finally {
      exec(List.of(DOCKER, "rm", "-f", name), 1);
    }
  }

  @Test
  void runsWithAReadOnlyRootFilesystem() throws Exception {
    Result result = dockerRun(List.of("--read-only", "--tmpfs", "/tmp", socketMount(), probeMount()), List.of());

    assertThat(result.exit).as(result.stderr).isZero();
    assertRanAsCleanupUserWithSocketGid(result, "run");
    assertThat(initLines(result)).allMatch(l -> INIT_LINE.matcher(l).matches())
        .anyMatch(l -> l.contains("[WARN]") && l.contains("joining GID " + socketGid + " by number"));
  }

  @Test
  void withJsonLogsEveryLineTheContainerWritesIsAJsonObject() throws Exception {
    // the entrypoint fails (no socket); then a run whose webhook fails (no network: refused)
    Result failed = dockerRun(List.of("-e", "LOG_FORMAT=json"), List.of());
    Result ran = dockerRun(List.of("-e", "LOG_FORMAT=json", "-e", "WEBHOOK_URL=http://127.0.0.1:9/hook",
        "-e", "WEBHOOK_EVENTS=run_succeeded", "-e", "WEBHOOK_TIMEOUT=1s", "--read-only", "--tmpfs", "/tmp",
        socketMount()), List.of());

    assertThat(failed.exit).as(failed.stderr).isEqualTo(2);
    assertThat(ran.exit).as(ran.stderr).isZero();
    ObjectMapper mapper = new ObjectMapper();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : (failed.stdout + failed.stderr + ran.stdout + ran.stderr).lines()
        .filter(l -> !l.isBlank()).toList()) {
      try {
        lines.add(mapper.readTree(line));
      } catch (IOException e) {
        throw new AssertionError("not a JSON line: " + line);
      }
    }
    assertThat(lines).allSatisfy(n -> {
      assertThat(n.fieldNames()).toIterable().startsWith("timestamp", "level", "operation", "message", "hostname");
      assertThat(n.get("timestamp").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
    });
    assertThat(lines).anySatisfy(n -> assertThat(n.get("message").asText()).contains(MOUNT_HINT))
        .anySatisfy(n -> assertThat(n.get("operation").asText()).isEqualTo("SUMMARY"))
        .anySatisfy(n -> assertThat(n.path("logger").asText()).isEqualTo("io.dockercleaner.notify.WebhookNotifier"));
  }

  @Test
  void withoutTheSocketMountExitsTwoWithTheMountHint() throws Exception {
    Result result = dockerRun(List.of(probeMount()), List.of());

    assertThat(result.exit).isEqualTo(2);
    assertThat(result.stderr).containsPattern(ERROR_LINE).contains(MOUNT_HINT).doesNotContain("PROBE");
  }

  @Test
  void startedAsNonRootWithoutTheSocketGroupExitsTwoWithTheGroupAddHint() throws Exception {
    Result result = dockerRun(List.of("--user", "1000", socketMount(), probeMount()), List.of());

    assertThat(result.exit).isEqualTo(2);
    assertThat(result.stderr).containsPattern(ERROR_LINE).contains("--group-add " + socketGid).doesNotContain("PROBE");
  }

  @Test
  void startedAsNonRootWithTheSocketGroupRuns() throws Exception {
    Result result = dockerRun(
        List.of("--user", "1000", "--group-add", String.valueOf(socketGid), socketMount(), probeMount()), List.of());

    assertThat(result.exit).as(result.stderr).isZero();
    assertRanAsCleanupUserWithSocketGid(result, "run");
  }

  @Test
  void theJarStartsOnTheJlinkedRuntimeAndChecksTheDaemon() throws Exception {
    Result result = dockerRun(List.of("--read-only", "--tmpfs", "/tmp", socketMount()), List.of("check"));

    assertThat(result.exit).as(result.stdout + result.stderr).isZero();
    assertThat(result.stdout + result.stderr).isNotBlank();
  }

  @Test
  void nettyEpollLoadsWithAReadOnlyRootAndANoexecTmp() throws Exception {
    // a --tmpfs /tmp is noexec: Netty's own extraction there fails; the image ships the library
    Path probeClasses = Files.createTempDirectory("dc-epoll");
    try {
      Files.setPosixFilePermissions(probeClasses, PosixFilePermissions.fromString("rwxr-xr-x"));
      Path source = probeClasses.resolve("EpollProbe.java");
      Files.writeString(source, "public class EpollProbe { public static void main(String[] a) {"
          + " System.out.println(\"epoll=\" + io.netty.channel.epoll.Epoll.isAvailable()); } }");
      int compiled = ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "17",
          "-cp", BASEDIR.resolve("target/docker-cleaner.jar").toString(), "-d", probeClasses.toString(), source.toString());
      assertThat(compiled).isZero();
      Files.setPosixFilePermissions(probeClasses.resolve("EpollProbe.class"), PosixFilePermissions.fromString("rw-r--r--"));

      Result result = exec(List.of(DOCKER, "run", "--rm", "--network=none", "--read-only", "--tmpfs", "/tmp",
          "--user", "1000", "--volume=" + probeClasses + ":/probe-classes:ro", "--entrypoint", "/opt/java/bin/java",
          IMAGE, "-Djava.library.path=/app/native", "-cp", "/app/docker-cleaner.jar:/probe-classes", "EpollProbe"), 2);
      Result launcher = exec(List.of(DOCKER, "run", "--rm", "--network=none", "--entrypoint", "/bin/cat", IMAGE,
          "/usr/local/bin/docker-cleaner"), 2);

      assertThat(result.stdout).as(result.stderr).contains("epoll=true");
      assertThat(launcher.stdout).contains("-Djava.library.path=/app/native");
    } finally {
      TestDaemons.deleteTree(probeClasses);
    }
  }

  @Test
  void imageMetadataFollowsTheContract() throws Exception {
    Result inspect = exec(List.of(DOCKER, "image", "inspect", IMAGE), 1);
    JsonNode config = new ObjectMapper().readTree(inspect.stdout).get(0).get("Config");

    assertThat(texts(config.get("Entrypoint"))).containsExactly("/entrypoint.sh");
    assertThat(texts(config.get("Cmd"))).containsExactly("run");
    assertThat(config.get("ExposedPorts").has("8080/tcp")).isTrue();
    assertThat(texts(config.get("Env")))
        .contains("HTTP_LISTEN=0.0.0.0:8080", "STATE_DIR=/var/lib/docker-cleaner");
    assertThat(config.get("Labels").path("org.opencontainers.image.title").asText()).isEqualTo("docker-cleaner");
    assertThat(config.get("Labels").has("org.opencontainers.image.version")).isTrue();
  }

  @Test
  void imageHasTheUserAndStateDirButNoBuildTools() throws Exception {
    String script = "for t in javac jlink jdeps jar gcc cc make objcopy apt-get; do command -v $t; done;"
        + " id -u cleanup-user; stat -c %u /var/lib/docker-cleaner; /opt/java/bin/java -version 2>&1 | head -1";
    Result result = exec(List.of(DOCKER, "run", "--rm", "--network=none", "--entrypoint", "/bin/bash", IMAGE,
        "-c", script), 2);

    assertThat(result.exit).as(result.stderr).isZero();
    List<String> lines = result.stdout.lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).isEqualTo("1000");
    assertThat(lines.get(1)).isEqualTo("1000");
    assertThat(lines.get(2)).contains("\"17.");
  }


  // ---- supply chain: labels, SBOMs, signature ----

  @Test
  void ociLabelsNameTheSourceTheLicensesAndTheDocumentationShippedInTheImage() throws Exception {
    JsonNode labels = new ObjectMapper().readTree(exec(List.of(DOCKER, "image", "inspect", IMAGE), 1).stdout)
        .get(0).get("Config").get("Labels");
    String licenses = labels.path("org.opencontainers.image.licenses").asText();
    String source = labels.path("org.opencontainers.image.source").asText();
    String documentation = labels.path("org.opencontainers.image.documentation").asText();

    // an SPDX expression; NOASSERTION (SPDX's "not stated") until a license is chosen (Dockerfile)
    assertThat(licenses).matches("NOASSERTION|[A-Za-z0-9.+-]+( (AND|OR|WITH) [A-Za-z0-9.+-]+)*");
    assertThat(source).isNotBlank();
    assertThat(documentation).startsWith("file:///");
    Result doc = exec(List.of(DOCKER, "run", "--rm", "--network=none", "--entrypoint", "/bin/cat", IMAGE,
        documentation.substring("file://".length())), 2);
    assertThat(doc.exit).as(doc.stderr).isZero();
    assertThat(doc.stdout).isEqualTo(Files.readString(BASEDIR.resolve("README.md")));
  }

  @Test
  void theImageSbomListsExactlyDpkgsPackagesTheJreAndEveryLibraryShadedIntoTheJar() throws Exception {
    Path dir = Files.createTempDirectory("dc-sbom");
    try {
      Result imageSbom = exec(List.of(BASEDIR.resolve("bin/image-sbom").toString(), IMAGE,
          dir.resolve("image.cdx.json").toString()), 2);
      Result jarSbom = exec(List.of(BASEDIR.resolve("bin/image-sbom").toString(), "--jar", IMAGE,
          dir.resolve("jar.cdx.json").toString()), 2);
      Result dpkg = exec(List.of(DOCKER, "run", "--rm", "--network=none", "--entrypoint", "dpkg-query", IMAGE,
          "-W", "-f", "${db:Status-Abbrev} ${Package} ${Version}\\n"), 2);
      assertThat(imageSbom.exit).as(imageSbom.stderr).isZero();
      assertThat(jarSbom.exit).as(jarSbom.stderr).isZero();
      assertThat(dpkg.exit).as(dpkg.stderr).isZero();

      // the jar's SBOM in the image is the one `mvn package` wrote next to the jar
      assertThat(Files.readString(dir.resolve("jar.cdx.json")))
          .isEqualTo(Files.readString(BASEDIR.resolve("target/docker-cleaner.cdx.json")));
      JsonNode bom = new ObjectMapper().readTree(dir.resolve("image.cdx.json").toFile());
      assertWellFormedCycloneDx(bom);
      assertThat(new org.cyclonedx.parsers.JsonParser().validate(dir.resolve("jar.cdx.json").toFile(),
          org.cyclonedx.Version.VERSION_16)).as("the jar SBOM against the CycloneDX 1.6 schema").isEmpty();
      assertThat(bom.at("/metadata/component/type").asText()).isEqualTo("container");

      Set<String> debs = new TreeSet<>();
      List<JsonNode> jre = new ArrayList<>();
      Set<String> mavenPurls = new TreeSet<>();
      for (JsonNode c : bom.get("components")) {
        String purl = c.get("purl").asText();
        if (purl.startsWith("pkg:deb/debian/") && c.toString().contains("\"/opt/java\"")) {
          jre.add(c);
        } else if (purl.startsWith("pkg:deb/debian/")) {
          assertThat(purl).contains("?arch=").endsWith("&distro=debian-12");
          debs.add(c.get("name").asText() + " " + c.get("version").asText());
        } else if (purl.startsWith("pkg:maven/")) {
          mavenPurls.add(purl.replaceAll("\\?.*", ""));
        }
      }
      // "ii  bash 5.2.15-2+b13": installed packages (the status abbreviation is three characters)
      Set<String> installed = new TreeSet<>();
      dpkg.stdout.lines().map(l -> l.trim().split("\\s+")).filter(f -> f.length == 3 && f[0].equals("ii"))
          .forEach(f -> installed.add(f[1] + " " + f[2]));
      assertThat(installed).anyMatch(p -> p.startsWith("bash ")).anyMatch(p -> p.startsWith("gosu "))
          .anyMatch(p -> p.startsWith("passwd "));
      assertThat(debs).isEqualTo(installed);
      assertThat(jre).singleElement().satisfies(c -> assertThat(c.get("name").asText()).startsWith("openjdk-17-"));

      // every library in the jar (by its pom.properties) is listed, and the program itself: also
      // jctools-core, which netty-common embeds and no Maven dependency names
      Set<String> shaded = new TreeSet<>();
      try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(BASEDIR.resolve("target/docker-cleaner.jar").toFile())) {
        for (java.util.zip.ZipEntry e : java.util.Collections.list(zip.entries())) {
          if (e.getName().matches("META-INF/maven/[^/]+/[^/]+/pom\\.properties")) {
            java.util.Properties p = new java.util.Properties();
            try (var in = zip.getInputStream(e)) {
              p.load(in);
            }
            if (!"io.dockercleaner".equals(p.getProperty("groupId"))) {
              shaded.add("pkg:maven/" + p.getProperty("groupId") + "/" + p.getProperty("artifactId") + "@" + p.getProperty("version"));
            }
          }
        }
      }
      assertThat(shaded).hasSizeGreaterThan(20);
      assertThat(mavenPurls).containsAll(shaded).anyMatch(p -> p.startsWith("pkg:maven/io.dockercleaner/docker-cleaner@"));
    } finally {
      TestDaemons.deleteTree(dir);
    }
  }

  @Test
  void aSignedImageVerifiesWithTheShippedPolicyAndLoadsAsTheSameImage() throws Exception {
    Signing s = signing();
    String verified = "docker-cleaner:it-verified";
    try {
      Result load = s.verifyIntoDaemon(s.signed, verified);

      assertThat(s.signed.resolve("signature-1")).isRegularFile();
      assertThat(load.exit).as(load.stderr).isZero();
      assertThat(imageId(verified)).isEqualTo(imageId(IMAGE));
    } finally {
      exec(List.of(DOCKER, "image", "rm", "-f", verified), 1);
    }
  }

  @Test
  void anUnsignedCopyOfTheImageIsRejected() throws Exception {
    Signing s = signing();
    Path unsigned = s.dir.resolve("unsigned");
    try {
      Result copy = exec(List.of("skopeo", "copy", "--quiet", "--src-daemon-host", dockerHost,
          "docker-daemon:" + IMAGE, "dir:" + unsigned), 3);
      assertThat(copy.exit).as(copy.stderr).isZero();

      s.assertRejected(unsigned, "no signature exists");
    } finally {
      TestDaemons.deleteTree(unsigned);
    }
  }

  @Test
  void aSignedCopyWhoseManifestWasChangedIsRejected() throws Exception {
    Signing s = signing();
    Path tampered = s.dir.resolve("tampered");
    try {
      copyTree(s.signed, tampered);
      ObjectMapper mapper = new ObjectMapper();
      com.fasterxml.jackson.databind.node.ObjectNode manifest =
          (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(tampered.resolve("manifest.json").toFile());
      // a layer less: another image under the same signature
      ((com.fasterxml.jackson.databind.node.ArrayNode) manifest.get("layers")).remove(manifest.get("layers").size() - 1);
      Files.writeString(tampered.resolve("manifest.json"), mapper.writeValueAsString(manifest));

      s.assertRejected(tampered, "does not match");
    } finally {
      TestDaemons.deleteTree(tampered);
    }
  }

  @Test
  void aCopySignedByAnotherKeyOrForAnotherNameIsRejected() throws Exception {
    Signing s = signing();
    Path foreign = s.dir.resolve("foreign");
    Path renamed = s.dir.resolve("renamed");
    try {
      Result byOther = s.sign(s.otherHome, s.otherFingerprint, foreign);
      Result forOtherName = s.sign(s.trustedHome, s.trustedFingerprint, renamed, "--identity", "docker.io/someone/else:1");
      assertThat(byOther.exit).as(byOther.stderr).isZero();
      assertThat(forOtherName.exit).as(forOtherName.stderr).isZero();

      s.assertRejected(foreign, "Invalid GPG signature");
      s.assertRejected(renamed, "Signature for identity docker.io/someone/else:1 is not accepted");
    } finally {
      TestDaemons.deleteTree(foreign);
      TestDaemons.deleteTree(renamed);
    }
  }

  // ---- helpers ----

  private static void assertRanAsCleanupUserWithSocketGid(Result result, String args) {
    String probe = result.stderr.lines().filter(l -> l.startsWith("PROBE ")).reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError("the program did not run:\n" + result.stderr));
    assertThat(probe).startsWith("PROBE uid=1000 ").endsWith("args=/usr/local/bin/docker-cleaner " + args);
    String groups = probe.replaceAll(".* groups=(.*) args=.*", "$1");
    assertThat(Arrays.asList(groups.split(" "))).contains(String.valueOf(socketGid));
  }

  private static List<String> initLines(Result result) {
    return result.stderr.lines().filter(l -> l.contains("[INIT]")).toList();
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** A created (never started) container of the test image with this label; its full id. */
  private static String createdContainer(String label) throws Exception {
    return exec(List.of(DOCKER, "create", "--network", "none", "--label", label, "dc-test/busybox:latest", "true"), 1)
        .stdout.trim();
  }

  /** CycloneDX's required shape, and every component named by a purl and a unique bom-ref that dependencies resolve. */
  private static void assertWellFormedCycloneDx(JsonNode bom) throws IOException {
    assertThat(new org.cyclonedx.parsers.JsonParser().validate(bom, org.cyclonedx.Version.VERSION_16))
        .as("CycloneDX 1.6 schema").isEmpty();
    assertThat(bom.path("bomFormat").asText()).isEqualTo("CycloneDX");
    assertThat(bom.path("specVersion").asText()).isEqualTo("1.6");
    assertThat(bom.path("serialNumber").asText()).matches("urn:uuid:[0-9a-f-]{36}");
    assertThat(bom.path("version").asInt()).isEqualTo(1);
    assertThat(bom.at("/metadata/timestamp").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z");
    Set<String> refs = new java.util.HashSet<>();
    refs.add(bom.at("/metadata/component/bom-ref").asText());
    assertThat(bom.get("components")).isNotEmpty().allSatisfy(c -> {
      assertThat(c.path("type").asText()).isIn("application", "library", "framework");
      assertThat(c.path("name").asText()).isNotBlank();
      assertThat(c.path("version").asText()).isNotBlank();
      assertThat(c.path("purl").asText()).matches("pkg:[a-z]+/.+@.+");
      assertThat(refs.add(c.path("bom-ref").asText())).as("unique bom-ref " + c.path("bom-ref")).isTrue();
    });
    Set<String> dependencyRefs = new java.util.HashSet<>();
    assertThat(bom.get("dependencies")).isNotEmpty().allSatisfy(d -> {
      assertThat(refs).contains(d.get("ref").asText());
      assertThat(dependencyRefs.add(d.get("ref").asText())).as("one entry for " + d.get("ref")).isTrue();
      d.path("dependsOn").forEach(r -> assertThat(refs).contains(r.asText()));
    });
  }

  private static String imageId(String image) throws Exception {
    return exec(List.of(DOCKER, "image", "inspect", "-f", "{{.Id}}", image), 1).stdout.trim();
  }

  private static void copyTree(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
  }

  private static Signing signing;

  /** Throwaway GPG keys (in GNUPGHOMEs of a temporary folder) and the test image signed with one of them. */
  private static synchronized Signing signing() throws Exception {
    if (signing == null) {
      signing = new Signing();
    }
    return signing;
  }

  private static final class Signing {
    final Path dir = Files.createTempDirectory("dc-sign");
    final Path trustedHome = dir.resolve("trusted-gnupg");
    final Path otherHome = dir.resolve("other-gnupg");
    final Path policy = dir.resolve("policy.json");
    final Path signed = dir.resolve("signed");
    final String trustedFingerprint;
    final String otherFingerprint;

    Signing() throws Exception {
      try {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        assertThat(exec(List.of("sh", "-c", "command -v skopeo && command -v gpg && command -v gpgconf"), 1).exit)
            .as("skopeo and gpg are needed (bin/test installs them: apt-get install skopeo gnupg)").isZero();
        trustedFingerprint = generateKey(trustedHome, "docker-cleaner ImageIT <image-it@docker-cleaner.invalid>");
        otherFingerprint = generateKey(otherHome, "someone else <someone@docker-cleaner.invalid>");
        Path publicKey = dir.resolve("signing-key.gpg");
        Result export = exec(List.of("gpg", "--homedir", trustedHome.toString(), "--batch", "--output",
            publicKey.toString(), "--export", trustedFingerprint), 1);
        assertThat(export.exit).as(export.stderr).isZero();
        // the shipped example policy, with the key where this test keeps it
        String shipped = Files.readString(BASEDIR.resolve("conf/signing/policy.json"));
        assertThat(shipped).contains("\"/etc/docker-cleaner/signing-key.gpg\"");
        Files.writeString(policy, shipped.replace("/etc/docker-cleaner/signing-key.gpg", publicKey.toString()));
        Result sign = sign(trustedHome, trustedFingerprint, signed);
        assertThat(sign.exit).as(sign.stderr).isZero();
      } catch (Exception | AssertionError e) {
        close();
        throw e;
      }
    }

    private String generateKey(Path home, String userId) throws Exception {
      Files.createDirectory(home, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Result gen = exec(List.of("gpg", "--homedir", home.toString(), "--batch", "--passphrase", "",
          "--quick-generate-key", userId, "rsa3072", "sign", "never"), 2);
      assertThat(gen.exit).as(gen.stderr).isZero();
      Result list = exec(List.of("gpg", "--homedir", home.toString(), "--batch", "--with-colons",
          "--list-secret-keys"), 1);
      return list.stdout.lines().filter(l -> l.startsWith("fpr:")).map(l -> l.split(":")[9]).findFirst()
          .orElseThrow(() -> new AssertionError("no key in " + home + ": " + list.stdout + list.stderr));
    }

    Result sign(Path home, String fingerprint, Path dest, String... options) throws Exception {
      List<String> command = new ArrayList<>(List.of(BASEDIR.resolve("bin/sign-image").toString(), "--key", fingerprint));
      command.addAll(List.of(options));
      command.addAll(List.of(IMAGE, dest.toString()));
      return exec(command, 3, Map.of("GNUPGHOME", home.toString()));
    }

    /** What README tells users to run: verify with the policy and load into the daemon in one step. */
    Result verifyIntoDaemon(Path image, String name) throws Exception {
      return exec(List.of("skopeo", "copy", "--quiet", "--policy", policy.toString(), "--remove-signatures",
          "--dest-daemon-host", dockerHost, "dir:" + image, "docker-daemon:" + name), 3);
    }

    void assertRejected(Path image, String reason) throws Exception {
      String name = "docker-cleaner:it-rejected";
      try {
        Result load = verifyIntoDaemon(image, name);
        assertThat(load.exit).as(load.stderr).isNotZero();
        assertThat(load.stderr).contains("Source image rejected").contains(reason);
        assertThat(exec(List.of(DOCKER, "image", "inspect", name), 1).exit).as(name + " was not loaded").isNotZero();
      } finally {
        // loaded only when the check wrongly passed
        exec(List.of(DOCKER, "image", "rm", "-f", name), 1);
      }
    }

    void close() throws Exception {
      // gpg started an agent for each GNUPGHOME: stop those two, then remove the folder
      for (Path home : List.of(trustedHome, otherHome)) {
        if (Files.isDirectory(home)) {
          exec(List.of("gpgconf", "--homedir", home.toString(), "--kill", "gpg-agent"), 1);
        }
      }
      TestDaemons.deleteTree(dir);
    }
  }

  private static String socketMount() {
    return "--volume=" + socket + ":" + DockerHost.DEFAULT_SOCKET;
  }

  private static String probeMount() {
    return "--volume=" + probeDir.resolve("probe") + ":/probe:ro";
  }

  /** docker run --rm on no network, with DRY_RUN so the program deletes nothing on the test daemon. */
  private static Result dockerRun(List<String> options, List<String> args) throws Exception {
    List<String> command = new ArrayList<>(List.of(DOCKER, "run", "--rm", "--network=none", "-e", "DRY_RUN=true"));
    command.addAll(options);
    if (options.stream().anyMatch(o -> o.contains(":/probe"))) {
      command.addAll(List.of("-e", "DOCKER_CLEANER_CMD=/probe /usr/local/bin/docker-cleaner"));
    }
    command.add(IMAGE);
    command.addAll(args);
    return exec(command, 3);
  }

  private static Result exec(List<String> command, long timeoutMinutes) throws Exception {
    return exec(command, timeoutMinutes, Map.of());
  }

  private static Result exec(List<String> command, long timeoutMinutes, Map<String, String> extraEnv) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).directory(BASEDIR.toFile());
    Map<String, String> env = builder.environment();
    if (dockerHost != null) {
      env.put("DOCKER_HOST", dockerHost);
      env.put("DOCKER_BUILDKIT", "1");
      // bin/image-sbom's client: Debian's, as everywhere in this test
      env.put("DOCKER", DOCKER);
    }
    env.putAll(extraEnv);
    File out = File.createTempFile("imageit", ".out");
    File err = File.createTempFile("imageit", ".err");
    try {
      builder.redirectOutput(out).redirectError(err).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      Process process = builder.start();
      if (!process.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new AssertionError("did not finish within " + timeoutMinutes + " min: " + command);
      }
      return new Result(process.exitValue(), read(out), read(err));
    } finally {
      Files.deleteIfExists(out.toPath());
      Files.deleteIfExists(err.toPath());
    }
  }

  private static String read(File file) throws IOException {
    return Files.readString(file.toPath(), StandardCharsets.UTF_8);
  }

  private record Result(int exit, String stdout, String stderr) {}
}
