import io.dockercleaner.docker.DockerClient;
import io.dockercleaner.docker.DockerClientOptions;
import io.dockercleaner.docker.DockerHost;
import io.dockercleaner.docker.Filters;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Latency of docker-cleaner's client: N sequential calls of each endpoint (after a warm-up),
 * printed as "name total_ms mean_ms p50_ms p99_ms". Run by bench/client/run.sh.
 *
 * <p>Arguments: DOCKER_HOST value, N.
 */
public final class ClientLatency {
  public static void main(String[] args) throws Exception {
    String host = args[0];
    int calls = Integer.parseInt(args[1]);
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    DockerClient client = DockerClient.connect(vertx, DockerClientOptions.of(DockerHost.parse(host, false, null)))
        .await(60, TimeUnit.SECONDS);
    System.out.println("# transport " + client.transport() + ", API " + client.apiVersion());
    List<Object[]> endpoints = List.of(
        new Object[] {"GET /system/df", (Supplier<Future<?>>) client::systemDf},
        new Object[] {"GET /containers/json?all=1", (Supplier<Future<?>>) () -> client.listContainers(true, false, Filters.NONE)},
        new Object[] {"GET /images/json", (Supplier<Future<?>>) () -> client.listImages(Filters.NONE)});
    long grandTotalNanos = 0;
    for (Object[] e : endpoints) {
      @SuppressWarnings("unchecked")
      Supplier<Future<?>> call = (Supplier<Future<?>>) e[1];
      for (int i = 0; i < Math.max(50, calls / 2); i++) { // warm-up: JIT, pooled connection
        call.get().await(60, TimeUnit.SECONDS);
      }
      long[] nanos = new long[calls];
      long start = System.nanoTime();
      for (int i = 0; i < calls; i++) {
        long t0 = System.nanoTime();
        call.get().await(60, TimeUnit.SECONDS);
        nanos[i] = System.nanoTime() - t0;
      }
      long total = System.nanoTime() - start;
      grandTotalNanos += total;
      Arrays.sort(nanos);
      System.out.printf("%-28s total %8.1f ms  mean %6.3f ms  p50 %6.3f ms  p99 %6.3f ms%n", e[0],
          total / 1e6, total / 1e6 / calls, nanos[calls / 2] / 1e6, nanos[(int) (calls * 0.99)] / 1e6);
    }
    System.out.printf("client-total-ms %.1f%n", grandTotalNanos / 1e6);
    client.close().await(60, TimeUnit.SECONDS);
    vertx.close().await(60, TimeUnit.SECONDS);
  }
}
