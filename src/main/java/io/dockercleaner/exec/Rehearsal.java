package io.dockercleaner.exec;

import io.dockercleaner.config.LogFormat;
import io.dockercleaner.config.LogLevel;
import io.dockercleaner.core.ItemOutcome;
import io.dockercleaner.core.Reason;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.docker.DockerClient;
import io.dockercleaner.docker.DockerClientOptions;
import io.dockercleaner.docker.DockerHost;
import io.dockercleaner.log.RunLog;
import io.dockercleaner.plan.PlanStep;
import io.dockercleaner.plan.Planner;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A rehearsal of the delete path when the agent starts, so that its first real run does not pay
 * for the JIT compiler. The real {@link Executor}, Docker client, HTTP stack, JSON parser, audit
 * writer and log formatting delete made-up images on a stand-in for the daemon that lives in this
 * process: an HTTP server on a unix socket in a new temp folder, which answers like dockerd and
 * is closed and removed afterwards.
 *
 * <p>Why: measured on this project's benchmark, a fresh agent's first run of 100 deletions spent
 * 590–710 ms of CPU (C1 compiling, the interpreter) against 150 ms once warm, and that CPU
 * competed with the daemon the deletions were waiting for.
 *
 * <p>Nothing reaches the real daemon and nothing real is written: the rehearsal builds its own
 * client, which only knows the stand-in's socket; its audit file and log output go to the temp
 * folder and to nowhere. A rehearsal that fails or takes too long is reported and otherwise
 * ignored: it only costs the first run its head start.
 */
public final class Rehearsal {
  /** Enough deletions for C1 at the agent's thresholds ({@code CompileThresholdScaling=0.1}). */
  public static final int DEFAULT_DELETIONS = 300;
  /** A rehearsal still going after this long is abandoned (its client and server closed). */
  public static final Duration MAX_DURATION = Duration.ofSeconds(30);

  private static final String API_VERSION = "1.41";

  /**
   * What one rehearsal did.
   *
   * @param removed deletions the executor saw succeed on the stand-in
   * @param requests requests the stand-in answered (pings and version included)
   * @param took wall time from start to cleanup
   */
  public record Result(int removed, int requests, Duration took) {}

  private Rehearsal() {}

  /**
   * Rehearses {@code deletions} image deletions at most {@code concurrency} in flight, logged as
   * the agent logs ({@code format}, {@code level}) into nothing.
   *
   * @return the result; fails when the stand-in could not be set up or the rehearsal did not end
   *     within {@link #MAX_DURATION} (the temp folder is removed either way)
   */
  public static Future<Result> run(Vertx vertx, int deletions, int concurrency, LogFormat format, LogLevel level,
      Clock clock) {
    return run(vertx, Path.of(System.getProperty("java.io.tmpdir")), deletions, concurrency, format, level, clock);
  }

  /** {@link #run(Vertx, int, int, LogFormat, LogLevel, Clock)} with the temp folder made in {@code tempParent}. */
  public static Future<Result> run(Vertx vertx, Path tempParent, int deletions, int concurrency, LogFormat format,
      LogLevel level, Clock clock) {
    long startNanos = System.nanoTime();
    Path dir;
    try {
      // short prefix: a unix socket path must stay under 108 bytes
      dir = Files.createTempDirectory(tempParent, "dcr");
    } catch (IOException | RuntimeException e) {
      return Future.failedFuture(new IOException("cannot make a temp folder for the stand-in in " + tempParent + ": " + e, e));
    }
    Path socket = dir.resolve("d.sock");
    // a SIGTERM during the rehearsal (before the agent's own handler exists) runs the JVM's
    // shutdown hooks: these remove the folder then too (files first: deleteOnExit runs in reverse)
    dir.toFile().deleteOnExit();
    socket.toFile().deleteOnExit();
    dir.resolve(AuditLog.FILE_NAME).toFile().deleteOnExit();
    AtomicInteger requests = new AtomicInteger();
    HttpServer server = vertx.createHttpServer().requestHandler(req -> {
      requests.incrementAndGet();
      answer(req);
    });
    int inFlight = Math.max(1, concurrency);
    DockerClient[] client = new DockerClient[1];
    Promise<Result> done = Promise.promise();
    long timer = vertx.setTimer(MAX_DURATION.toMillis(), t -> done.tryFail(
        new IllegalStateException("the rehearsal did not end within " + MAX_DURATION.toSeconds() + " s")));
    server.listen(SocketAddress.domainSocketAddress(socket.toString()))
        .compose(s -> DockerClient.connect(vertx, DockerClientOptions.of(
            DockerHost.parse("unix://" + socket, false, null)).withMaxConnections(inFlight)))
        .compose(c -> {
          client[0] = c;
          RunLog silent = new RunLog(new PrintStream(OutputStream.nullOutputStream()), format, level, false,
              "rehearsal", clock);
          Executor executor = new Executor(c, clock, new AuditLog(dir, clock), silent);
          RunRecord record = new RunRecord("rehearsal", "rehearsal", false, clock.instant(), Planner.UNLIMITED);
          List<PlanStep> steps = steps(deletions);
          record.planned(steps, steps.stream().mapToLong(PlanStep::estimatedBytes).sum(), null);
          return executor.execute(record, steps, new Executor.Budget(MAX_DURATION, deletions, inFlight),
              false, null, done.future()::isComplete);
        })
        .onComplete(r -> {
          if (r.succeeded()) {
            done.tryComplete(new Result((int) r.result().count(ItemOutcome.REMOVED), requests.get(),
                Duration.ofNanos(System.nanoTime() - startNanos)));
          } else {
            done.tryFail(r.cause());
          }
        });
    return done.future().eventually(() -> {
      vertx.cancelTimer(timer);
      Future<Void> closed = client[0] == null ? Future.succeededFuture() : client[0].close();
      return closed.eventually(server::close).eventually(() -> vertx.executeBlocking(() -> {
        deleteTree(dir);
        return null;
      }, false));
    });
  }

  /** Made-up images with the shapes of real ones: a 64-hex id and a tag. */
  static List<PlanStep> steps(int count) {
    List<PlanStep> steps = new ArrayList<>(count);
    HexFormat hex = HexFormat.of();
    for (int i = 0; i < count; i++) {
      byte[] id = new byte[32];
      for (int b = 4; b < id.length; b++) {
        id[b] = (byte) (i * 31 + b * 7);
      }
      // the first four bytes number the image: ids stay distinct for any count
      id[0] = (byte) (i >>> 24);
      id[1] = (byte) (i >>> 16);
      id[2] = (byte) (i >>> 8);
      id[3] = (byte) i;
      steps.add(new PlanStep(ResourceType.IMAGE, "sha256:" + hex.formatHex(id), "rehearsal/image:" + i,
          Reason.UNUSED_IMAGE, "rehearsal", 4096L * (i + 1)));
    }
    return steps;
  }

  /** The stand-in: what dockerd answers to the calls the rehearsal makes, and 404 to anything else. */
  private static void answer(HttpServerRequest req) {
    String path = req.path();
    if (req.method() == HttpMethod.GET && path.equals("/_ping")) {
      req.response().putHeader("Api-Version", API_VERSION).putHeader("OSType", "linux")
          .putHeader("Content-Type", "text/plain; charset=utf-8").end("OK");
    } else if (req.method() == HttpMethod.GET && path.equals("/version")) {
      req.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("Version", "rehearsal")
          .put("ApiVersion", API_VERSION).put("MinAPIVersion", "1.12").put("Os", "linux").encode());
    } else if (req.method() == HttpMethod.DELETE && path.startsWith("/v" + API_VERSION + "/images/")) {
      String id = path.substring(path.lastIndexOf('/') + 1);
      req.response().putHeader("Content-Type", "application/json").end(new JsonArray()
          .add(new JsonObject().put("Untagged", "rehearsal/image:latest"))
          .add(new JsonObject().put("Deleted", id)).encode());
    } else {
      req.response().setStatusCode(404).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("message", "the rehearsal stand-in does not serve " + path).encode());
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a leftover temp folder of a few bytes is not worth failing the start for
    }
  }
}
