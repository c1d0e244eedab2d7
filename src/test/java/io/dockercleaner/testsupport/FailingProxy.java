package io.dockercleaner.testsupport;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A local proxy on a unix socket in front of a real private daemon that answers 500 for requests
 * matching a predicate and forwards everything else: fault injection with real behaviour around it.
 */
public final class FailingProxy implements AutoCloseable {
  private final Vertx vertx;
  private final HttpServer server;
  private final HttpClient client;
  private final Path socket;

  private FailingProxy(Vertx vertx, HttpServer server, HttpClient client, Path socket) {
    this.vertx = vertx;
    this.server = server;
    this.client = client;
    this.socket = socket;
  }

  /** Starts a proxy to {@code daemonHost} failing requests whose "METHOD path" matches {@code fail}. */
  public static FailingProxy start(String daemonHost, Predicate<String> fail) throws Exception {
    Vertx vertx = Vertx.vertx();
    Path dir = Files.createTempDirectory(Path.of("/tmp"), "dcp");
    Path socket = dir.resolve("p.sock");
    // the proxy only forwards to a daemon that bin/test-daemon started: mark it the same way
    Files.writeString(dir.resolve(TestDaemons.MARKER), "proxy");
    SocketAddress upstream = SocketAddress.domainSocketAddress(TestDaemons.socketOf(daemonHost).toString());
    HttpClient client = vertx.createHttpClient();
    HttpServer server = vertx.createHttpServer().requestHandler(req -> handle(req, client, upstream, fail));
    server.listen(SocketAddress.domainSocketAddress(socket.toString())).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    return new FailingProxy(vertx, server, client, socket);
  }

  private static void handle(HttpServerRequest req, HttpClient client, SocketAddress upstream, Predicate<String> fail) {
    String key = req.method().name() + " " + req.path().replaceFirst("^/v[0-9.]+", "");
    if (fail.test(key)) {
      req.response().setStatusCode(500).putHeader("Content-Type", "application/json")
          .end("{\"message\":\"injected failure for " + key + "\"}");
      return;
    }
    req.body().compose(body -> client.request(new RequestOptions().setServer(upstream).setHost("localhost")
        .setMethod(req.method()).setURI(req.uri()).setHeaders(req.headers()))
        .compose(up -> up.send(body)).compose(resp -> resp.body().map(b -> {
          req.response().setStatusCode(resp.statusCode());
          resp.headers().forEach((k, v) -> {
            if (!k.equalsIgnoreCase("Transfer-Encoding") && !k.equalsIgnoreCase("Content-Length")) {
              req.response().putHeader(k, v);
            }
          });
          req.response().end(b);
          return b;
        }))).onFailure(e -> req.response().setStatusCode(502).end(Buffer.buffer("{\"message\":\"proxy: " + e + "\"}")));
  }

  /** The proxy's address, e.g. unix:///tmp/dcp123/p.sock. */
  public String host() {
    return "unix://" + socket;
  }

  @Override
  public void close() throws Exception {
    server.close().compose(v -> client.close()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    TestDaemons.deleteTree(socket.getParent());
  }
}
