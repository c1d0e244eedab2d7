package io.dockercleaner.sbom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The image's SBOM (CycloneDX 1.6 JSON): the jar's SBOM (made by cyclonedx-maven-plugin at
 * {@code mvn package}) merged with the Debian packages installed in the runtime image
 * ({@code /var/lib/dpkg/status}) and the Debian package the jlinked Java runtime in /opt/java was
 * made from, plus the libraries that other libraries embed in the jar (netty-common carries a
 * relocated jctools-core, which no Maven dependency names: found by its META-INF/maven
 * pom.properties). No SBOM tool can be fetched where the image is built offline, and the runtime image
 * has no shell tools for JSON, so the image makes its own SBOM with the JRE and Jackson it ships:
 *
 * <pre>java -cp /app/docker-cleaner.jar io.dockercleaner.sbom.ImageSbom [--name N] [--version V]</pre>
 *
 * <p>The Dockerfile runs it as the last step of the build and ships the result at {@link
 * #DEFAULT_OUTPUT}; {@code bin/image-sbom IMAGE} copies it out. The merge itself ({@link #merge})
 * is a pure function of its inputs, tested without an image.
 */
public final class ImageSbom {
  /** The program's jar in the image. */
  public static final Path DEFAULT_JAR = Path.of("/app/docker-cleaner.jar");
  /** Where the Dockerfile puts the jar's SBOM. */
  public static final Path DEFAULT_JAR_BOM = Path.of("/app/sbom/docker-cleaner.cdx.json");
  /** Where the Dockerfile records the Debian package(s) /opt/java was jlinked from (dpkg status format). */
  public static final Path DEFAULT_JAVA_RUNTIME = Path.of("/app/sbom/java-runtime.dpkg");
  /** Where the image's SBOM is shipped. */
  public static final Path DEFAULT_OUTPUT = Path.of("/app/sbom/docker-cleaner-image.cdx.json");
  public static final Path DEFAULT_DPKG_STATUS = Path.of("/var/lib/dpkg/status");
  public static final Path DEFAULT_OS_RELEASE = Path.of("/etc/os-release");
  /** Property of a component that says where in the image it lives when dpkg does not know it. */
  static final String PROPERTY_LOCATION = "docker-cleaner:image:location";

  private ImageSbom() {}

  /** One installed Debian package, as dpkg's status file describes it. */
  public record DebPackage(String name, String version, String architecture, String source, String maintainer) {}

  /** A Maven artifact whose pom.properties the jar holds. */
  public record MavenLibrary(String groupId, String artifactId, String version) {
    String purl() {
      return "pkg:maven/" + groupId + "/" + artifactId + "@" + version + "?type=jar";
    }
  }

  /** The Maven artifacts whose {@code META-INF/maven/G/A/pom.properties} the (shaded) jar holds. */
  public static List<MavenLibrary> mavenLibrariesIn(Path jar) throws IOException {
    List<MavenLibrary> libraries = new ArrayList<>();
    try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
      for (java.util.zip.ZipEntry e : java.util.Collections.list(zip.entries())) {
        if (e.getName().matches("META-INF/maven/[^/]+/[^/]+/pom\\.properties")) {
          java.util.Properties p = new java.util.Properties();
          try (var in = zip.getInputStream(e)) {
            p.load(in);
          }
          if (p.getProperty("groupId") != null && p.getProperty("artifactId") != null && p.getProperty("version") != null) {
            libraries.add(new MavenLibrary(p.getProperty("groupId"), p.getProperty("artifactId"), p.getProperty("version")));
          }
        }
      }
    }
    return libraries;
  }

  /**
   * The packages dpkg has fully installed ({@code Status: install ok installed}); half-installed,
   * removed and config-files-only stanzas are left out, as dpkg -l's "ii" would.
   */
  public static List<DebPackage> parseDpkgStatus(String status) {
    List<DebPackage> packages = new ArrayList<>();
    for (Map<String, String> stanza : stanzas(status)) {
      String name = stanza.get("Package");
      String version = stanza.get("Version");
      String state = stanza.getOrDefault("Status", "");
      if (name == null || version == null || !state.endsWith(" installed")
          || !state.startsWith("install ")) {
        continue;
      }
      packages.add(new DebPackage(name, version, stanza.getOrDefault("Architecture", ""),
          stanza.get("Source"), stanza.get("Maintainer")));
    }
    return packages;
  }

  /** RFC-822-like stanzas: "Field: value", continuation lines start with a space or tab. */
  private static List<Map<String, String>> stanzas(String text) {
    List<Map<String, String>> result = new ArrayList<>();
    Map<String, String> current = new LinkedHashMap<>();
    String lastField = null;
    for (String line : text.split("\n", -1)) {
      if (line.isBlank()) {
        if (!current.isEmpty()) {
          result.add(current);
          current = new LinkedHashMap<>();
        }
        lastField = null;
      } else if (line.startsWith(" ") || line.startsWith("\t")) {
        if (lastField != null) {
          current.merge(lastField, "\n" + line.strip(), String::concat);
        }
      } else {
        int colon = line.indexOf(':');
        if (colon > 0) {
          lastField = line.substring(0, colon);
          current.put(lastField, line.substring(colon + 1).strip());
        }
      }
    }
    if (!current.isEmpty()) {
      result.add(current);
    }
    return result;
  }

  /** {@code debian-12} from os-release's ID and VERSION_ID; {@code null} when either is missing. */
  public static String distro(String osRelease) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String line : osRelease.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        fields.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip().replaceAll("^\"|\"$", ""));
      }
    }
    String id = fields.get("ID");
    String versionId = fields.get("VERSION_ID");
    return id == null || versionId == null ? null : id + "-" + versionId;
  }

  /**
   * The package URL of a Debian package: {@code pkg:deb/debian/NAME@VERSION?arch=ARCH&distro=D}
   * (purl-spec's deb type; the version percent-encoded, so an epoch's ':' is %3A and '+' is %2B).
   */
  public static String purl(DebPackage p, String distro) {
    StringBuilder s = new StringBuilder("pkg:deb/debian/").append(encode(p.name())).append('@').append(encode(p.version()));
    List<String> qualifiers = new ArrayList<>();
    if (!p.architecture().isEmpty()) {
      qualifiers.add("arch=" + encode(p.architecture()));
    }
    if (distro != null) {
      qualifiers.add("distro=" + encode(distro));
    }
    if (!qualifiers.isEmpty()) {
      s.append('?').append(String.join("&", qualifiers));
    }
    return s.toString();
  }

  private static String encode(String value) {
    StringBuilder s = new StringBuilder();
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' || c == '~') {
        s.append(c);
      } else {
        s.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return s.toString();
  }

  /**
   * Merges the jar's SBOM with the image's Debian packages into one CycloneDX 1.6 document whose
   * subject ({@code metadata.component}) is the container image.
   *
   * @param jarBom the SBOM cyclonedx-maven-plugin wrote (its subject becomes a component of the image)
   * @param jarLibraries the Maven artifacts found in the jar; those the jar SBOM lacks (embedded
   *     by another library) are added
   * @param debs the packages dpkg installed in the runtime image
   * @param javaRuntime the Debian package(s) the jlinked /opt/java was made from (not known to the
   *     image's dpkg: jlink ran in the builder stage)
   * @param distro purl qualifier, e.g. {@code debian-12}; {@code null} to leave it out
   * @param imageName the image's name (e.g. {@code docker-cleaner})
   * @param imageVersion the image's version label
   * @param now the document's timestamp
   * @param serial the document's serial number
   */
  public static ObjectNode merge(JsonNode jarBom, List<MavenLibrary> jarLibraries, List<DebPackage> debs,
      List<DebPackage> javaRuntime, String distro, String imageName, String imageVersion, Instant now, UUID serial) {
    ObjectMapper mapper = new ObjectMapper();
    if (!"CycloneDX".equals(jarBom.path("bomFormat").asText())) {
      throw new IllegalArgumentException("the jar SBOM is not a CycloneDX document (bomFormat "
          + jarBom.path("bomFormat") + ")");
    }
    JsonNode app = jarBom.path("metadata").path("component");
    if (!app.hasNonNull("bom-ref")) {
      throw new IllegalArgumentException("the jar SBOM has no metadata.component with a bom-ref");
    }
    ObjectNode bom = mapper.createObjectNode();
    bom.put("bomFormat", "CycloneDX");
    bom.put("specVersion", "1.6");
    bom.put("serialNumber", "urn:uuid:" + serial);
    bom.put("version", 1);

    ObjectNode metadata = bom.putObject("metadata");
    metadata.put("timestamp", DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS)));
    ObjectNode tool = metadata.putObject("tools").putArray("components").addObject();
    tool.put("type", "application");
    tool.put("name", "docker-cleaner image-sbom");
    tool.put("version", app.path("version").asText());
    ObjectNode image = metadata.putObject("component");
    String imageRef = "image:" + imageName + ":" + imageVersion;
    image.put("type", "container");
    image.put("bom-ref", imageRef);
    image.put("name", imageName);
    image.put("version", imageVersion);

    ArrayNode components = bom.putArray("components");
    Set<String> refs = new LinkedHashSet<>();
    ObjectNode appComponent = app.deepCopy();
    appComponent.putArray("properties").addObject().put("name", PROPERTY_LOCATION).put("value", "/app/docker-cleaner.jar");
    components.add(appComponent);
    refs.add(app.get("bom-ref").asText());
    Set<String> listedMaven = new LinkedHashSet<>();
    listedMaven.add(withoutQualifiers(app.path("purl").asText()));
    for (JsonNode c : jarBom.path("components")) {
      if (refs.add(c.path("bom-ref").asText())) {
        components.add(c.deepCopy());
        listedMaven.add(withoutQualifiers(c.path("purl").asText()));
      }
    }
    List<String> embeddedRefs = new ArrayList<>();
    for (MavenLibrary lib : jarLibraries) {
      String purl = lib.purl();
      if (listedMaven.add(withoutQualifiers(purl)) && refs.add(purl)) {
        ObjectNode c = mapper.createObjectNode();
        c.put("type", "library");
        c.put("bom-ref", purl);
        c.put("group", lib.groupId());
        c.put("name", lib.artifactId());
        c.put("version", lib.version());
        c.put("description", "embedded in another library of the jar (found by its pom.properties)");
        c.put("purl", purl);
        c.putArray("properties").addObject().put("name", PROPERTY_LOCATION).put("value", "/app/docker-cleaner.jar");
        components.add(c);
        embeddedRefs.add(purl);
      }
    }
    List<String> osRefs = new ArrayList<>();
    for (DebPackage p : javaRuntime) {
      ObjectNode c = debComponent(mapper, p, distro);
      c.put("description", "the Java runtime in /opt/java, made with jlink from this package");
      c.putArray("properties").addObject().put("name", PROPERTY_LOCATION).put("value", "/opt/java");
      if (refs.add(c.get("bom-ref").asText())) {
        components.add(c);
        osRefs.add(c.get("bom-ref").asText());
      }
    }
    for (DebPackage p : debs) {
      ObjectNode c = debComponent(mapper, p, distro);
      if (refs.add(c.get("bom-ref").asText())) {
        components.add(c);
        osRefs.add(c.get("bom-ref").asText());
      }
    }

    ArrayNode dependencies = bom.putArray("dependencies");
    ObjectNode root = dependencies.addObject();
    root.put("ref", imageRef);
    ArrayNode dependsOn = root.putArray("dependsOn");
    dependsOn.add(app.get("bom-ref").asText());
    osRefs.forEach(dependsOn::add);
    String appRef = app.get("bom-ref").asText();
    boolean appListed = false;
    for (JsonNode d : jarBom.path("dependencies")) {
      // keep only edges between components listed here, so every ref resolves
      String ref = d.path("ref").asText();
      if (refs.contains(ref)) {
        ObjectNode copy = mapper.createObjectNode();
        copy.put("ref", ref);
        ArrayNode on = copy.putArray("dependsOn");
        for (JsonNode r : d.path("dependsOn")) {
          if (refs.contains(r.asText())) {
            on.add(r.asText());
          }
        }
        if (ref.equals(appRef)) {
          // the program depends on what its libraries embed: one entry per ref
          embeddedRefs.forEach(on::add);
          appListed = true;
        }
        dependencies.add(copy);
      }
    }
    if (!appListed && !embeddedRefs.isEmpty()) {
      ArrayNode on = dependencies.addObject().put("ref", appRef).putArray("dependsOn");
      embeddedRefs.forEach(on::add);
    }
    return bom;
  }

  private static String withoutQualifiers(String purl) {
    int q = purl.indexOf('?');
    return q < 0 ? purl : purl.substring(0, q);
  }

  private static ObjectNode debComponent(ObjectMapper mapper, DebPackage p, String distro) {
    String purl = purl(p, distro);
    ObjectNode c = mapper.createObjectNode();
    c.put("type", "library");
    c.put("bom-ref", purl);
    if (p.maintainer() != null) {
      c.put("publisher", p.maintainer());
    }
    c.put("name", p.name());
    c.put("version", p.version());
    c.put("purl", purl);
    return c;
  }

  /** Writes the image SBOM to stdout (or {@code --output FILE}); exit 2 with a message on bad input. */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("--jar", DEFAULT_JAR.toString());
    options.put("--jar-bom", DEFAULT_JAR_BOM.toString());
    options.put("--dpkg-status", DEFAULT_DPKG_STATUS.toString());
    options.put("--java-runtime", DEFAULT_JAVA_RUNTIME.toString());
    options.put("--os-release", DEFAULT_OS_RELEASE.toString());
    options.put("--name", "docker-cleaner");
    options.put("--version", "unknown");
    options.put("--output", "-");
    for (int i = 0; i < args.length; i++) {
      if (!options.containsKey(args[i]) || i + 1 >= args.length) {
        err.println("image-sbom: unknown option or missing value: " + args[i]
            + " (options: " + String.join(" ", options.keySet()) + ", each with a value)");
        return 2;
      }
      options.put(args[i], args[++i]);
    }
    try {
      ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      JsonNode jarBom = mapper.readTree(Files.readString(Path.of(options.get("--jar-bom"))));
      List<DebPackage> debs = parseDpkgStatus(Files.readString(Path.of(options.get("--dpkg-status"))));
      List<DebPackage> jre = parseDpkgStatus(Files.readString(Path.of(options.get("--java-runtime"))));
      Path osRelease = Path.of(options.get("--os-release"));
      String distro = Files.exists(osRelease) ? distro(Files.readString(osRelease)) : null;
      List<MavenLibrary> jarLibraries = mavenLibrariesIn(Path.of(options.get("--jar")));
      ObjectNode bom = merge(jarBom, jarLibraries, debs, jre, distro, options.get("--name"), options.get("--version"),
          Instant.now(), UUID.randomUUID());
      String json = mapper.writeValueAsString(bom) + "\n";
      if ("-".equals(options.get("--output"))) {
        out.print(json);
        out.flush();
      } else {
        Files.writeString(Path.of(options.get("--output")), json);
      }
      return 0;
    } catch (IOException | IllegalArgumentException e) {
      err.println("image-sbom: " + e);
      return 2;
    }
  }
}
