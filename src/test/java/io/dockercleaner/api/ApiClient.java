package io.dockercleaner.api;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A small HTTP client for the API under test, on 127.0.0.1. It is the JDK's client: the Vert.x
 * 5.0.7 client used as a test driver lost about 1 in 1,000 responses under these tests while the
 * JDK client lost none against the same server, so the server is driven by an independent client.
 */
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
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
        .build();
    this.port = port;
  }

  Future<Response> send(HttpMethod method, String path, Map<String, String> headers, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .method(method.name(), body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    return Future.fromCompletionStage(client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
      MultiMap h = MultiMap.caseInsensitiveMultiMap();
      r.headers().map().forEach(h::add);
      return new Response(r.statusCode(), h, r.body());
    }));
  }

  /** Waits for a response; the bound only turns a hang into a failure, it asserts no timing. */
  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no response within 60 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new AssertionError(e.getCause());
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
    // the JDK client closes its connections when it is garbage-collected (JDK 17 has no close())
  }
}
