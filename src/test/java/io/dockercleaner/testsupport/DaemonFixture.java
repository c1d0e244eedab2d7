package io.dockercleaner.testsupport;

import static io.dockercleaner.testsupport.TestDaemons.docker;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Builds Docker objects on a private test daemon with Debian's CLI and reads back what exists.
 * Containers run with {@code --network none}: test daemons have no default bridge.
 */
public final class DaemonFixture {
  private final String host;

  public DaemonFixture(String host) {
    this.host = TestDaemons.requireHost(host);
  }

  public String host() {
    return host;
  }

  /**
   * Removes every container, image (but the test image), volume, user network and build cache,
   * through the Engine API (the requests of {@code rm -f -v}, {@code rmi -f}, {@code volume rm -f},
   * {@code network rm} and {@code builder prune -af}): most daemon tests call this before each
   * test, and a CLI process per call cost about a second per reset.
   */
  public void reset() {
    List<String> containers = new java.util.ArrayList<>();
    EngineApi.get(host, "/containers/json?all=1").forEach(c -> containers.add(c.get("Id").asText()));
    EngineApi.each(containers, id -> {
      int status = EngineApi.delete(host, "/containers/" + id + "?force=1&v=1");
      if (status != 204 && status != 404) {
        throw new AssertionError("DELETE container " + id + " on " + host + " answered " + status);
      }
    });
    // an image carrying the test image's name stays
    EngineApi.removeImagesButTheTestImage(host);
    List<String> volumes = new java.util.ArrayList<>();
    EngineApi.get(host, "/volumes").path("Volumes").forEach(v -> volumes.add(v.get("Name").asText()));
    EngineApi.each(volumes, v -> {
      int status = EngineApi.delete(host, "/volumes/" + v + "?force=1");
      if (status != 204 && status != 404) {
        throw new AssertionError("DELETE volume " + v + " on " + host + " answered " + status);
      }
    });
    for (com.fasterxml.jackson.databind.JsonNode n : EngineApi.get(host, "/networks")) {
      if (!Set.of("bridge", "host", "none", "podman").contains(n.get("Name").asText())) {
        EngineApi.delete(host, "/networks/" + n.get("Id").asText());
      }
    }
    // Podman has no /build/prune (404): nothing to prune there
    EngineApi.call(host, "POST", "/build/prune?all=1", null, null);
  }

  /** A running container (sleeps), optionally with labels, volumes (-v specs) and a network. */
  public String running(String name, String image, String... extra) {
    return docker(host, concat(concat(new String[] {"run", "-d", "--name", name}, networkArgs(extra)),
        concat(stripNetwork(extra), new String[] {image, "sleep", "100000"})));
  }

  /** A stopped (exited) container. */
  public String stopped(String name, String image, String... extra) {
    String id = docker(host, concat(concat(new String[] {"create", "--name", name}, networkArgs(extra)),
        concat(stripNetwork(extra), new String[] {image, "true"})));
    docker(host, "start", "-a", id);
    return id;
  }

  private static String[] networkArgs(String[] extra) {
    return Arrays.asList(extra).contains("--network") ? new String[0] : new String[] {"--network", "none"};
  }

  /**
   * The test image is labelled keep=true (so PRUNE_ALL never removes it) and containers inherit
   * image labels: unless a test sets its own keep label, containers get keep=false.
   */
  private static String[] stripNetwork(String[] extra) {
    if (String.join(" ", extra).contains("keep=")) {
      return extra;
    }
    return concat(extra, new String[] {"--label", "keep=false"});
  }

  /** Builds an image FROM the test image with a unique file; labels as given (keep=false unless set). */
  public String image(String tag, String label, String content) {
    String dockerfile = "FROM " + TestDaemons.TEST_IMAGE + "\nLABEL " + (label == null ? "keep=false" : label)
        + "\nRUN echo '" + content + "' > /content.txt\n";
    return TestDaemons.build(host, tag, dockerfile);
  }

  /**
   * An image of exactly one new layer ({@code mib} MiB of zeros plus a unique file) over the test
   * image, labelled keep=false (the base is keep=true). Made with run + commit rather than a build:
   * a build leaves intermediate images behind (extra candidates of ~0 bytes), this adds exactly one
   * image. Returns its id ({@code sha256:...}).
   */
  public String layerImage(String tag, int mib) {
    String c = docker(host, "create", "--network", "none", TestDaemons.TEST_IMAGE, "sh", "-c", "echo "
        + java.util.UUID.randomUUID() + " > /nonce && dd if=/dev/zero of=/blob bs=1M count=" + mib + " 2>/dev/null");
    docker(host, "start", "-a", c);
    String id = docker(host, "commit", "--change", "LABEL keep=false", "--change", "CMD [\"sh\"]", c, tag);
    docker(host, "rm", c);
    return id;
  }

  /** Builds the same tag twice: the first build's image becomes dangling. Returns the dangling id. */
  public String dangling(String tag, String label) {
    String first = image(tag, label, "first " + System.nanoTime());
    image(tag, label, "second " + System.nanoTime());
    return first;
  }

  /** BuildKit build (creates build cache); returns the image id. */
  public String buildkitImage(String tag, String content) {
    try {
      java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("dc-bk");
      TestDaemons.Result r;
      try {
        java.nio.file.Files.writeString(dir.resolve("Dockerfile"), "FROM " + TestDaemons.TEST_IMAGE
            + "\nLABEL keep=false\nRUN echo '" + content + "' > /bk.txt && dd if=/dev/zero of=/blob bs=1k count=64\n");
        r = TestDaemons.run(List.of(TestDaemons.DOCKER_CLI, "build", "-q", "--network", "none", "-t", tag,
            dir.toString()), null, java.util.Map.of("DOCKER_HOST", host, "DOCKER_BUILDKIT", "1"));
      } finally {
        TestDaemons.deleteTree(dir);
      }
      if (r.exitCode() != 0) {
        throw new AssertionError("buildkit build failed: " + r.stderr());
      }
      return r.out();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  public String volume(String name, String... labels) {
    String[] args = {"volume", "create"};
    for (String l : labels) {
      args = concat(args, new String[] {"--label", l});
    }
    if (name != null) {
      args = concat(args, new String[] {name});
    }
    return docker(host, args);
  }

  public String network(String name, String... labels) {
    String[] args = {"network", "create"};
    for (String l : labels) {
      args = concat(args, new String[] {"--label", l});
    }
    docker(host, concat(args, new String[] {name}));
    return name;
  }

  public Set<String> containerIds() {
    return set(docker(host, "ps", "-aq", "--no-trunc"));
  }

  public Set<String> imageIds() {
    return set(docker(host, "images", "-q", "--no-trunc"));
  }

  public Set<String> volumeNames() {
    return set(docker(host, "volume", "ls", "-q"));
  }

  public Set<String> networkNames() {
    return set(docker(host, "network", "ls", "--format", "{{.Name}}"));
  }

  public Set<String> buildCacheIds() {
    String out = TestDaemons.dockerResult(host, null, "system", "df", "-v", "--format", "{{range .BuildCache}}{{.ID}} {{end}}").out();
    return set(out);
  }

  /** Counts of every type, to prove "nothing deleted". */
  public String counts() {
    return "containers=" + containerIds().size() + " images=" + set(docker(host, "images", "-aq", "--no-trunc")).size()
        + " volumes=" + volumeNames().size() + " networks=" + networkNames().size();
  }

  private static Set<String> set(String out) {
    return Arrays.stream(out.split("\\s+")).filter(s -> !s.isBlank()).collect(Collectors.toCollection(TreeSet::new));
  }

  private static List<String> lines(String out) {
    return out.lines().filter(s -> !s.isBlank()).toList();
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
