package io.dockercleaner.notify;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/** A webhook receiver on 127.0.0.1 that records every request and answers as told. */
final class Receiver {
  /** Status meaning "never answer". */
  static final int STALL = -1;

  /** One received request. */
  record Received(String uri, MultiMap headers, Buffer body) {
    JsonObject json() {
      return body.toJsonObject();
    }
  }

  private final List<Received> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger count = new AtomicInteger();
  private final HttpServer server;

  /**
   * @param statusByRequest status for the n-th request (0-based), or {@link #STALL}
   */
  private Receiver(Vertx vertx, IntUnaryOperator statusByRequest) {
    server =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    req.body()
                        .onSuccess(
                            body -> {
                              int status = statusByRequest.applyAsInt(count.getAndIncrement());
                              requests.add(new Received(req.uri(), req.headers(), body));
                              if (status != STALL) {
                                req.response().setStatusCode(status).end("status " + status);
                              }
                            }));
  }

  static Receiver start(Vertx vertx, IntUnaryOperator statusByRequest) {
    Receiver r = new Receiver(vertx, statusByRequest);
    r.server.listen(0, "127.0.0.1").await();
    return r;
  }

  static Receiver answering(Vertx vertx, int status) {
    return start(vertx, n -> status);
  }

  List<Received> requests() {
    return requests;
  }

  /** {@code http://127.0.0.1:<port>} followed by {@code pathAndQuery}. */
  URI url(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + server.actualPort() + pathAndQuery);
  }
}
