package io.dockercleaner.sbom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dockercleaner.sbom.ImageSbom.DebPackage;
import io.dockercleaner.sbom.ImageSbom.MavenLibrary;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.cyclonedx.Version;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageSbomTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static final String STATUS = """
      Package: bash
      Status: install ok installed
      Priority: required
      Architecture: amd64
      Maintainer: Matthias Klose <doko@debian.org>
      Version: 5.2.15-2+b7
      Description: GNU Bourne Again SHell
       Bash is an sh-compatible command language interpreter.
       .
       It also includes features from the Korn shell.

      Package: passwd
      Status: install ok installed
      Architecture: amd64
      Source: shadow
      Version: 1:4.13+dfsg1-1+b1

      Package: removed-one
      Status: deinstall ok config-files
      Architecture: amd64
      Version: 1.0-1

      Package: half-one
      Status: install reinstreq half-installed
      Architecture: amd64
      Version: 2.0-1
      """;

  private static final String JAR_BOM = """
      {"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
       "metadata":{"component":{"type":"application","bom-ref":"pkg:maven/io.dockercleaner/docker-cleaner@1.0?type=jar",
         "group":"io.dockercleaner","name":"docker-cleaner","version":"1.0","purl":"pkg:maven/io.dockercleaner/docker-cleaner@1.0?type=jar"}},
       "components":[{"type":"library","bom-ref":"pkg:maven/io.vertx/vertx-core@5.0.7?type=jar","group":"io.vertx",
         "name":"vertx-core","version":"5.0.7","purl":"pkg:maven/io.vertx/vertx-core@5.0.7?type=jar"}],
       "dependencies":[{"ref":"pkg:maven/io.dockercleaner/docker-cleaner@1.0?type=jar",
         "dependsOn":["pkg:maven/io.vertx/vertx-core@5.0.7?type=jar","pkg:maven/not/listed@1?type=jar"]},
         {"ref":"pkg:maven/not/listed@1?type=jar","dependsOn":[]}]}
      """;

  @Test
  void dpkgStatusGivesOnlyFullyInstalledPackagesWithTheirFields() {
    List<DebPackage> packages = ImageSbom.parseDpkgStatus(STATUS);

    assertThat(packages).containsExactly(
        new DebPackage("bash", "5.2.15-2+b7", "amd64", null, "Matthias Klose <doko@debian.org>"),
        new DebPackage("passwd", "1:4.13+dfsg1-1+b1", "amd64", "shadow", null));
  }

  @Test
  void debianPurlsPercentEncodeTheEpochAndPlusAndCarryArchAndDistro() throws Exception {
    DebPackage passwd = new DebPackage("passwd", "1:4.13+dfsg1-1+b1", "amd64", "shadow", null);

    assertThat(ImageSbom.purl(passwd, "debian-12"))
        .isEqualTo("pkg:deb/debian/passwd@1%3A4.13%2Bdfsg1-1%2Bb1?arch=amd64&distro=debian-12");
    assertThat(ImageSbom.purl(new DebPackage("tzdata", "2024a-0+deb12u1", "all", null, null), null))
        .isEqualTo("pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all");
    // and a purl library reads them back as dpkg wrote them
    com.github.packageurl.PackageURL parsed = new com.github.packageurl.PackageURL(ImageSbom.purl(passwd, "debian-12"));
    assertThat(parsed.getType()).isEqualTo("deb");
    assertThat(parsed.getNamespace()).isEqualTo("debian");
    assertThat(parsed.getName()).isEqualTo("passwd");
    assertThat(parsed.getVersion()).isEqualTo("1:4.13+dfsg1-1+b1");
    assertThat(parsed.getQualifiers()).containsEntry("arch", "amd64").containsEntry("distro", "debian-12");
  }

  @Test
  void distroComesFromOsReleaseIdAndVersionId() {
    assertThat(ImageSbom.distro("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_ID=\"12\"\nID=debian\n"))
        .isEqualTo("debian-12");
    assertThat(ImageSbom.distro("ID=debian\n")).isNull();
  }

  @Test
  void mergedSbomHasTheImageAsSubjectAndTheJarsAndDebianComponentsWithResolvableRefs() throws Exception {
    UUID serial = UUID.fromString("00000000-0000-0000-0000-000000000001");
    List<MavenLibrary> inJar = List.of(new MavenLibrary("io.vertx", "vertx-core", "5.0.7"),
        new MavenLibrary("org.jctools", "jctools-core", "4.0.5"), new MavenLibrary("org.jctools", "jctools-core", "4.0.5"));
    JsonNode bom = ImageSbom.merge(MAPPER.readTree(JAR_BOM), inJar, ImageSbom.parseDpkgStatus(STATUS),
        List.of(new DebPackage("openjdk-17-jre-headless", "17.0.13+11-2~deb12u1", "amd64", "openjdk-17", null)),
        "debian-12", "docker-cleaner", "1.0", Instant.parse("2026-11-30T07:00:00.123Z"), serial);

    assertThat(new JsonParser().validate(bom, Version.VERSION_16)).as("CycloneDX 1.6 schema").isEmpty();
    ObjectNode broken = bom.deepCopy();
    broken.withArray("components").addObject().put("type", "no-such-type").put("name", "x");
    assertThat(new JsonParser().validate(broken, Version.VERSION_16)).as("the schema check can fail").isNotEmpty();
    assertThat(bom.get("bomFormat").asText()).isEqualTo("CycloneDX");
    assertThat(bom.get("specVersion").asText()).isEqualTo("1.6");
    assertThat(bom.get("serialNumber").asText()).isEqualTo("urn:uuid:" + serial);
    assertThat(bom.at("/metadata/timestamp").asText()).isEqualTo("2026-11-30T07:00:00Z");
    assertThat(bom.at("/metadata/component/type").asText()).isEqualTo("container");
    assertThat(bom.at("/metadata/component/name").asText()).isEqualTo("docker-cleaner");
    List<String> purls = new ArrayList<>();
    bom.get("components").forEach(c -> purls.add(c.get("purl").asText()));
    assertThat(purls).containsExactly(
        "pkg:maven/io.dockercleaner/docker-cleaner@1.0?type=jar",
        "pkg:maven/io.vertx/vertx-core@5.0.7?type=jar",
        "pkg:maven/org.jctools/jctools-core@4.0.5?type=jar",
        "pkg:deb/debian/openjdk-17-jre-headless@17.0.13%2B11-2~deb12u1?arch=amd64&distro=debian-12",
        "pkg:deb/debian/bash@5.2.15-2%2Bb7?arch=amd64&distro=debian-12",
        "pkg:deb/debian/passwd@1%3A4.13%2Bdfsg1-1%2Bb1?arch=amd64&distro=debian-12");
    bom.get("components").forEach(c -> assertThat(c.get("bom-ref").asText()).isEqualTo(c.get("purl").asText()));
    assertThat(bom.at("/components/2/properties/0/value").asText()).isEqualTo("/app/docker-cleaner.jar");
    assertThat(bom.at("/components/3/properties/0/value").asText()).isEqualTo("/opt/java");

    List<String> refs = new ArrayList<>(purls);
    refs.add(bom.at("/metadata/component/bom-ref").asText());
    bom.get("dependencies").forEach(d -> {
      assertThat(refs).contains(d.get("ref").asText());
      d.get("dependsOn").forEach(r -> assertThat(refs).contains(r.asText()));
    });
    assertThat(bom.at("/dependencies/0/ref").asText()).isEqualTo(bom.at("/metadata/component/bom-ref").asText());
    assertThat(bom.at("/dependencies/0/dependsOn")).hasSize(4);
    List<String> dependencyRefs = new ArrayList<>();
    bom.get("dependencies").forEach(d -> dependencyRefs.add(d.get("ref").asText()));
    assertThat(dependencyRefs).doesNotHaveDuplicates();
    assertThat(bom.at("/dependencies/1/ref").asText()).isEqualTo("pkg:maven/io.dockercleaner/docker-cleaner@1.0?type=jar");
    assertThat(texts(bom.at("/dependencies/1/dependsOn")))
        .containsExactly("pkg:maven/io.vertx/vertx-core@5.0.7?type=jar", "pkg:maven/org.jctools/jctools-core@4.0.5?type=jar");
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void aJarSbomThatIsNotCycloneDxIsRefused() throws Exception {
    assertThatThrownBy(() -> ImageSbom.merge(MAPPER.readTree("{\"spdxVersion\":\"SPDX-2.3\"}"), List.of(), List.of(), List.of(),
        null, "x", "1", Instant.EPOCH, UUID.randomUUID()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a CycloneDX document");
  }

  @Test
  void commandLineReadsItsFilesAndWritesTheSbomOrExitsTwoNamingTheProblem(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("jar.json"), JAR_BOM);
    Files.writeString(dir.resolve("status"), STATUS);
    Files.writeString(dir.resolve("jre"), "Package: openjdk-17-jre-headless\nStatus: install ok installed\n"
        + "Architecture: amd64\nVersion: 17.0.13+11-2~deb12u1\n");
    Files.writeString(dir.resolve("os-release"), "ID=debian\nVERSION_ID=\"12\"\n");
    try (java.util.zip.ZipOutputStream jar = new java.util.zip.ZipOutputStream(Files.newOutputStream(dir.resolve("app.jar")))) {
      jar.putNextEntry(new java.util.zip.ZipEntry("META-INF/maven/org.jctools/jctools-core/pom.properties"));
      jar.write("groupId=org.jctools\nartifactId=jctools-core\nversion=4.0.5\n".getBytes(StandardCharsets.UTF_8));
      jar.closeEntry();
      jar.putNextEntry(new java.util.zip.ZipEntry("META-INF/maven/org.jctools/jctools-core/pom.xml"));
      jar.closeEntry();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int exit = ImageSbom.run(new String[] {"--jar", dir.resolve("app.jar").toString(), "--jar-bom", dir.resolve("jar.json").toString(),
        "--dpkg-status", dir.resolve("status").toString(), "--java-runtime", dir.resolve("jre").toString(),
        "--os-release", dir.resolve("os-release").toString(), "--name", "docker-cleaner", "--version", "1.0"},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    int missing = ImageSbom.run(new String[] {"--jar-bom", dir.resolve("absent.json").toString()},
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    int unknown = ImageSbom.run(new String[] {"--colour"},
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(exit).isZero();
    JsonNode bom = MAPPER.readTree(out.toString(StandardCharsets.UTF_8));
    assertThat(bom.get("components")).hasSize(6);
    assertThat(bom.at("/components/2/purl").asText()).isEqualTo("pkg:maven/org.jctools/jctools-core@4.0.5?type=jar");
    assertThat(bom.at("/metadata/component/version").asText()).isEqualTo("1.0");
    assertThat(missing).isEqualTo(2);
    assertThat(unknown).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("absent.json").contains("--colour");
  }
}
