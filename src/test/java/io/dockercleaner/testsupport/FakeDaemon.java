package io.dockercleaner.testsupport;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A programmable stand-in for the Docker daemon: a Vert.x HTTP server on a unix socket in a fresh
 * temp folder, for tests of what a real daemon will not do on demand (faults, other API versions).
 *
 * <p>It answers {@code /_ping} and {@code /version} like dockerd (versions set by {@link
 * #apiVersions}); any other route comes from {@link #on}. Routes match the path without the
 * {@code /vX.Y} prefix and without the query, so one handler serves every negotiated version;
 * {@link #requests()} records what was actually asked (method and full URI). Unknown routes answer
 * 404 with Docker's JSON error shape.
 */
public final class FakeDaemon implements AutoCloseable {
  private static final Pattern VERSION_PREFIX = Pattern.compile("^/v\\d+\\.\\d+(?=/)");

  private final Vertx vertx;
  private final Path dir;
  private final Path socket;
  private final Map<String, Handler<HttpServerRequest>> routes = new ConcurrentHashMap<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private volatile String apiVersion = "1.41";
  private volatile String minApiVersion = "1.12";
  private volatile String libpodApiVersion;
  private HttpServer server;

  private FakeDaemon(Vertx vertx, Path dir) {
    this.vertx = vertx;
    this.dir = dir;
    this.socket = dir.resolve("docker.sock");
  }

  /** Starts a fake daemon listening on {@code <new temp dir>/docker.sock}; blocks until it listens. */
  public static FakeDaemon start(Vertx vertx) {
    try {
      // short prefix: a unix socket path must stay under 108 bytes
      FakeDaemon d = new FakeDaemon(vertx, Files.createTempDirectory(Path.of("/tmp"), "fd"));
      d.server = vertx.createHttpServer().requestHandler(d::dispatch);
      await(d.server.listen(SocketAddress.domainSocketAddress(d.socket.toString())));
      return d;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The DOCKER_HOST value for this fake, e.g. {@code unix:///tmp/fd123/docker.sock}. */
  public String host() {
    return "unix://" + socket;
  }

  public Path socket() {
    return socket;
  }

  /**
   * What {@code /_ping} (header Api-Version) and {@code /version} (ApiVersion, MinAPIVersion)
   * report. {@code min} null leaves MinAPIVersion out, as very old daemons do.
   */
  public FakeDaemon apiVersions(String max, String min) {
    this.apiVersion = max;
    this.minApiVersion = min;
    return this;
  }

  /** Makes {@code /_ping} send Libpod-API-Version like Podman's service. */
  public FakeDaemon podman(String libpodVersion) {
    this.libpodApiVersion = libpodVersion;
    return this;
  }

  /** Routes {@code METHOD /path} (path without version prefix and query) to {@code handler}. */
  public FakeDaemon on(String method, String path, Handler<HttpServerRequest> handler) {
    routes.put(method + " " + path, handler);
    return this;
  }

  /** Routes {@code METHOD /path} to a fixed JSON answer. */
  public FakeDaemon json(String method, String path, int status, String body) {
    return on(method, path, req -> req.response().setStatusCode(status)
        .putHeader("Content-Type", "application/json").end(body));
  }

  /** Every request received so far, as {@code METHOD URI} (URI with version prefix and query). */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  private void dispatch(HttpServerRequest req) {
    requests.add(req.method().name() + " " + req.uri());
    String path = VERSION_PREFIX.matcher(req.path()).replaceFirst("");
    Handler<HttpServerRequest> h = routes.get(req.method().name() + " " + path);
    if (h != null) {
      h.handle(req);
      return;
    }
    switch (path) {
      case "/_ping" -> {
        var resp = req.response().putHeader("Api-Version", apiVersion).putHeader("OSType", "linux")
            .putHeader("Content-Type", "text/plain; charset=utf-8");
        if (libpodApiVersion != null) {
          resp.putHeader("Libpod-API-Version", libpodApiVersion);
        }
        resp.end("OK");
      }
      case "/version" -> {
        JsonObject v = new JsonObject().put("Version", "fake").put("ApiVersion", apiVersion)
            .put("Os", "linux").put("Arch", "amd64").put("KernelVersion", "fake");
        if (minApiVersion != null) {
          v.put("MinAPIVersion", minApiVersion);
        }
        req.response().putHeader("Content-Type", "application/json").end(v.encode());
      }
      default -> req.response().setStatusCode(404).putHeader("Content-Type", "application/json")
          .end("{\"message\":\"page not found\"}");
    }
  }

  /** Stops listening and removes the socket folder. */
  @Override
  public void close() {
    try {
      await(server.close());
    } finally {
      try {
        Files.deleteIfExists(socket);
        Files.deleteIfExists(dir);
      } catch (IOException ignored) {
        // a leftover temp folder does no harm
      }
    }
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.await(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("fake daemon did not start/stop", e);
    }
  }
}
