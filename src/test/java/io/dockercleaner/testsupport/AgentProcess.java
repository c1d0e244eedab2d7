package io.dockercleaner.testsupport;

import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code bin/docker-cleaner agent} started as a user starts it: a child process with only the
 * given environment (plus PATH, HOME and JAVA = this JVM's java), its HTTP API on a free 127.0.0.1
 * port, driven over HTTP.
 * End-to-end tests (*IT, run by failsafe after {@code package}) use it instead of internal classes.
 *
 * <p>Stdout and stderr go to {@link #logFile()}, so that a failure can show what the agent said.
 * {@link #close()} kills what is still running.
 */
public final class AgentProcess implements AutoCloseable {
  /** The API token {@link #baseEnv} sets; the HTTP helpers send it. */
  public static final String TOKEN = "e2e-test-token";
  /** Bounds that turn a hang into a failure; no test asserts how long anything takes. */
  public static final Duration WAIT = Duration.ofMinutes(3);

  /** One HTTP answer. */
  public record Response(int status, String body) {
    public JsonObject json() {
      try {
        return new JsonObject(body);
      } catch (RuntimeException e) {
        throw new AssertionError("not a JSON object (" + status + "): " + body, e);
      }
    }
  }

  private static final Pattern LAST_USED = Pattern.compile("last used ([^\\s,)]+)");

  private final Process process;
  private final int port;
  private final Path logFile;
  private final Path vertxCache;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();

  private AgentProcess(Process process, int port, Path logFile, Path vertxCache) {
    this.process = process;
    this.port = port;
    this.logFile = logFile;
    this.vertxCache = vertxCache;
  }

  /**
   * Settings every end-to-end agent starts from: the daemon, JSON logs, a token, a high rate
   * limit, and watermarks that never fire (a test that wants thresholds sets its own), so that
   * the test decides every run whatever the machine's disk holds.
   */
  public static Map<String, String> baseEnv(String dockerHost) {
    Map<String, String> env = new HashMap<>();
    env.put("DOCKER_HOST", TestDaemons.requireHost(dockerHost));
    env.put("HOSTNAME", "e2e-host");
    env.put("LOG_FORMAT", "json");
    env.put("API_TOKEN", TOKEN);
    env.put("API_RATE_LIMIT", "1000/min");
    env.put("DISK_HIGH_WATERMARK", "99%");
    env.put("DISK_LOW_WATERMARK", "98%");
    env.put("DISK_CRITICAL_WATERMARK", "100%");
    env.put("INODE_HIGH_WATERMARK", "99%");
    env.put("INODE_LOW_WATERMARK", "98%");
    return env;
  }

  /**
   * Starts {@code bin/docker-cleaner agent} with exactly {@code env} (HTTP_LISTEN is set to a free
   * loopback port) and waits until {@code /healthz} answers 200.
   *
   * @throws AssertionError if the jar is missing or older than the sources (build it first: the
   *     launcher would otherwise run Maven inside the test), or the agent exits before it is up
   */
  public static AgentProcess start(Map<String, String> env) {
    Path root = projectRoot();
    int port = freePort();
    List<String> cmd = List.of(root.resolve("bin/docker-cleaner").toString(), "agent");
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    // the log and Vert.x's file cache live under target/, not in the machine's /tmp: a killed agent
    // cannot remove its cache folder, and the log is kept for reading after a failure
    Path logFile;
    Path vertxCache;
    try {
      Path dir = Files.createDirectories(root.resolve("target/agent-processes"));
      logFile = Files.createTempFile(dir, "agent-", ".log");
      vertxCache = dir.resolve(logFile.getFileName().toString().replace(".log", ".vertx-cache"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // a file, not a pipe: the JDK closes a process's pipe under a thread still reading it at exit,
    // losing the last lines (those a test wants after SIGTERM)
    pb.redirectOutput(logFile.toFile());
    Map<String, String> childEnv = pb.environment();
    childEnv.clear();
    childEnv.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    childEnv.put("HOME", System.getProperty("user.home"));
    childEnv.put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    childEnv.putAll(env);
    childEnv.put("HTTP_LISTEN", "127.0.0.1:" + port);
    childEnv.put("DOCKER_CLEANER_JAVA_OPTS", (env.getOrDefault("DOCKER_CLEANER_JAVA_OPTS", "")
        + " -Dvertx.cacheDirBase=" + vertxCache).trim());
    try {
      AgentProcess agent = new AgentProcess(pb.start(), port, logFile, vertxCache);
      try {
        agent.awaitHealthy();
      } catch (RuntimeException | AssertionError e) {
        agent.close();
        throw e;
      }
      return agent;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + cmd, e);
    }
  }

  /** The project folder (holds bin/ and target/), from failsafe's docker-cleaner.jar property. */
  public static Path projectRoot() {
    Path jar = Path.of(System.getProperty("docker-cleaner.jar", "target/docker-cleaner.jar")).toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new AssertionError(jar + " is missing: build it first (mvn -B package -DskipTests, or mvn verify)");
    }
    Path root = jar.getParent().getParent();
    FileTime built = lastModified(jar);
    try (Stream<Path> sources = Stream.concat(Files.walk(root.resolve("src/main")), Stream.of(root.resolve("pom.xml")))) {
      Optional<Path> newer = sources.filter(Files::isRegularFile).filter(p -> lastModified(p).compareTo(built) > 0)
          .findFirst();
      if (newer.isPresent()) {
        throw new AssertionError(jar + " is older than " + newer.get() + ": rebuild it (mvn -B package -DskipTests)");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return root;
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  /** Everything the agent printed so far (stdout and stderr). */
  public String output() {
    return String.join("\n", lines());
  }

  private List<String> lines() {
    try {
      return Files.readAllLines(logFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where the output goes (kept after the test, for post-mortems). */
  public Path logFile() {
    return logFile;
  }

  /** The output lines that are JSON objects (the run log with LOG_FORMAT=json). */
  public List<JsonObject> jsonLines() {
    List<JsonObject> out = new ArrayList<>();
    for (String line : lines()) {
      if (line.startsWith("{")) {
        out.add(new JsonObject(line));
      }
    }
    return out;
  }

  // ---- HTTP ----

  public Response send(String method, String path, String body, boolean withToken) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofMinutes(1))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (withToken) {
      b.header("Authorization", "Bearer " + TOKEN);
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.body());
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + " failed: " + e + "\nagent output:\n" + output(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** GET without a token (status, runs, health). */
  public Response get(String path) {
    return send("GET", path, null, false);
  }

  /** {@code GET /v1/plan?query} with the token; asserts 200. */
  public JsonObject plan(String query) {
    Response r = send("GET", "/v1/plan" + (query.isEmpty() ? "" : "?" + query), null, true);
    if (r.status() != 200) {
      throw new AssertionError("GET /v1/plan?" + query + " -> " + r.status() + " " + r.body());
    }
    return r.json();
  }

  /**
   * The last use of an image as {@code GET /v1/plan?types=image} reports it in the item's rule
   * ({@code "unused, last used TIME (LRU)"}); empty when the image is not planned or never used.
   */
  public Optional<Instant> lastUsedInPlan(String imageId) {
    return plan("types=image").getJsonArray("items").stream().map(JsonObject.class::cast)
        .filter(i -> i.getString("id").equals(imageId)).findFirst().flatMap(i -> {
          Matcher m = LAST_USED.matcher(i.getString("rule"));
          return m.find() ? Optional.of(Instant.parse(m.group(1))) : Optional.empty();
        });
  }

  /**
   * A sample from {@code GET /metrics}: the first line of metric {@code name} that has every
   * {@code labels} pair ({@code "action", "start", ...}); empty when there is none.
   */
  public OptionalDouble metric(String name, String... labels) {
    for (String line : get("/metrics").body().split("\n")) {
      if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
        continue;
      }
      boolean all = true;
      for (int i = 0; i < labels.length; i += 2) {
        all &= line.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
      }
      if (all) {
        return OptionalDouble.of(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
      }
    }
    return OptionalDouble.empty();
  }

  /** {@code POST /v1/runs} with the token; asserts 202 and returns the run id. */
  public String startRun(String body) {
    Response r = send("POST", "/v1/runs", body, true);
    if (r.status() != 202) {
      throw new AssertionError("POST /v1/runs " + body + " -> " + r.status() + " " + r.body());
    }
    return r.json().getString("runId");
  }

  /** {@code GET /v1/runs/{id}} until the run has an outcome; the full record with its items. */
  public JsonObject awaitRun(String id) {
    JsonObject[] last = new JsonObject[1];
    await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
      Response r = get("/v1/runs/" + id);
      last[0] = r.status() == 200 ? r.json() : null;
      return last[0] != null && hasFinished(last[0]);
    });
    return last[0];
  }

  /** A run record (or a ticket) whose run has ended: neither running nor queued (a follow-up not started yet). */
  public static boolean hasFinished(JsonObject run) {
    String outcome = run.getString("outcome");
    return !"running".equals(outcome) && !"queued".equals(outcome);
  }

  /** {@code GET /v1/runs}: summaries, newest first. */
  public List<JsonObject> runs() {
    JsonArray runs = get("/v1/runs").json().getJsonArray("runs");
    return runs.stream().map(JsonObject.class::cast).toList();
  }

  /** The full record of a run ({@code GET /v1/runs/{id}}). */
  public JsonObject run(String id) {
    Response r = get("/v1/runs/" + id);
    if (r.status() != 200) {
      throw new AssertionError("GET /v1/runs/" + id + " -> " + r.status() + " " + r.body());
    }
    return r.json();
  }

  /** Waits until {@code /readyz} answers 200: the daemon is reachable and the event stream is open. */
  public void awaitReady() {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
      requireAlive();
      return get("/readyz").status() == 200;
    });
  }

  // ---- process ----

  /** Sends SIGTERM and waits for the exit; returns the exit code. */
  public int sigterm() {
    process.destroy(); // SIGTERM (the launcher execs java, so this is the JVM)
    try {
      if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("no exit within " + WAIT + " of SIGTERM; output:\n" + output());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Kills the agent (and a launcher child, should it still be in its training run). */
  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    TestDaemons.deleteTree(vertxCache);
  }

  private void awaitHealthy() {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
      requireAlive();
      try {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
        return r.statusCode() == 200;
      } catch (IOException e) {
        return false; // not listening yet
      }
    });
  }

  private void requireAlive() {
    if (!process.isAlive()) {
      throw new AssertionError("the agent exited with " + process.exitValue() + "; output:\n" + output());
    }
  }

  private static FileTime lastModified(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
