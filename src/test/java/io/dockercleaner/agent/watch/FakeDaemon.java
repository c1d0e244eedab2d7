package io.dockercleaner.agent.watch;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Path;

/**
 * A tiny Engine API on a unix socket for faults a real daemon never produces: it answers
 * {@code /_ping} and {@code /version} like Docker 20.10, and hands {@code /events} requests to the
 * test.
 */
final class FakeDaemon {
  private final Vertx vertx;
  private final Path socket;
  private final Handler<HttpServerRequest> events;
  private HttpServer server;

  FakeDaemon(Vertx vertx, Path socket, Handler<HttpServerRequest> events) {
    this.vertx = vertx;
    this.socket = socket;
    this.events = events;
  }

  String address() {
    return "unix://" + socket;
  }

  Future<Void> start() {
    server = vertx.createHttpServer().requestHandler(req -> {
      String path = req.path();
      if (path.equals("/_ping")) {
        req.response().putHeader("Api-Version", "1.41").putHeader("OSType", "linux").end("OK");
      } else if (path.endsWith("/version")) {
        req.response().putHeader("Content-Type", "application/json")
            .end("{\"Version\":\"20.10.24\",\"ApiVersion\":\"1.41\",\"MinAPIVersion\":\"1.12\",\"Os\":\"linux\"}");
      } else if (path.endsWith("/events")) {
        events.handle(req);
      } else {
        req.response().setStatusCode(404).end("{\"message\":\"page not found\"}");
      }
    });
    return server.listen(SocketAddress.domainSocketAddress(socket.toString())).mapEmpty();
  }
}
