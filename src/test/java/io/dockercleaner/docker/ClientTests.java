package io.dockercleaner.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Helpers shared by the client tests: blocking waits for futures from the JUnit thread. */
final class ClientTests {
  /** Bound on any single wait, so a hung call fails the test instead of hanging the build. */
  static final long MAX_WAIT_SECONDS = 120;

  private ClientTests() {}

  static Vertx newVertx() {
    return Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
  }

  static DockerClient connect(Vertx vertx, String host) {
    return await(DockerClient.connect(vertx, DockerClientOptions.of(DockerHost.parse(host, false, null))));
  }

  /** The future's result; fails the test when it failed or did not complete. */
  static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(MAX_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException | CompletionException e) {
      throw new AssertionError("expected success, got " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("no result within " + MAX_WAIT_SECONDS + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The DockerException the future failed with; fails the test on success. */
  static DockerException failure(Future<?> f) {
    try {
      Object value = f.toCompletionStage().toCompletableFuture().get(MAX_WAIT_SECONDS, TimeUnit.SECONDS);
      throw new AssertionError("expected a DockerException, got success: " + value);
    } catch (ExecutionException | CompletionException e) {
      assertThat(e.getCause()).isInstanceOf(DockerException.class);
      return (DockerException) e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("no result within " + MAX_WAIT_SECONDS + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
