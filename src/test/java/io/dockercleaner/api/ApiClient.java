package io.dockercleaner.api;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A small HTTP client for the API under test, on 127.0.0.1. */
final class ApiClient {
  record Response(int status, MultiMap headers, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }

    String error() {
      return json().getString("error");
    }
  }

  private final HttpClient client;
  private final int port;

  ApiClient(Vertx vertx, int port) {
    this.client = vertx.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(32));
    this.port = port;
  }

  Future<Response> send(HttpMethod method, String path, Map<String, String> headers, String body) {
    RequestOptions options = new RequestOptions().setHost("127.0.0.1").setPort(port).setMethod(method).setURI(path);
    headers.forEach(options::putHeader);
    return client
        .request(options)
        .compose(req -> body == null ? req.send() : req.send(Buffer.buffer(body)))
        .compose(resp -> resp.body().map(b -> new Response(resp.statusCode(), resp.headers(), b.toString())));
  }

  /** Waits for a response; the bound only turns a hang into a failure, it asserts no timing. */
  static <T> T await(Future<T> future) {
    try {
      return future.await(60, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no response within 60 s", e);
    }
  }

  Response get(String path, Map<String, String> headers) {
    return await(send(HttpMethod.GET, path, headers, null));
  }

  Response get(String path) {
    return get(path, Map.of());
  }

  Response postJson(String path, String token, String body) {
    return await(
        send(HttpMethod.POST, path, Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json"), body));
  }

  void close() {
    client.close().await();
  }
}
