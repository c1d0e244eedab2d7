package io.dockercleaner.cli;

import io.dockercleaner.config.ConfigException;
import io.dockercleaner.config.LogFormat;
import io.dockercleaner.config.Settings;
import io.dockercleaner.config.ValueParsers;
import io.dockercleaner.docker.DockerClient;
import io.dockercleaner.docker.DockerException;
import io.dockercleaner.docker.Filters;
import io.dockercleaner.docker.codec.EventDecoder;
import io.dockercleaner.docker.model.DockerEvent;
import io.dockercleaner.docker.model.ImageLayers;
import io.dockercleaner.docker.model.ImageSummary;
import io.dockercleaner.oneshot.OneShotReport;
import io.dockercleaner.replay.TraceRecorder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code docker-cleaner record --out FILE [--duration D]}: follows the daemon's {@code /events}
 * and writes what the workload did as a trace ({@code docs/trace-format.md}) that {@code replay}
 * reads. Reads the daemon only (events, image inspect and history, the image list): it builds no
 * planner or executor and deletes nothing. Stops on SIGTERM/SIGINT or after {@code --duration};
 * the file holds whole lines in time order at every moment. Exit 0, 2 for bad options or no daemon.
 */
final class RecordCommand {
  private RecordCommand() {}

  static int run(Vertx vertx, Settings settings, Map<String, String> env, Map<String, String> options,
      PrintStream out, PrintStream err) {
    boolean json = settings.logFormat() == LogFormat.JSON;
    List<String> problems = new ArrayList<>();
    String file = options.get("out");
    Path outPath = null;
    if (file == null || file.isBlank()) {
      problems.add("--out: missing (expected --out FILE, where the trace is written)");
    } else {
      outPath = Path.of(file).toAbsolutePath();
      Path dir = outPath.getParent();
      if (dir == null || !Files.isDirectory(dir)) {
        problems.add("--out: directory " + dir + " does not exist (expected --out FILE in an existing directory)");
      } else if (Files.isDirectory(outPath)) {
        problems.add("--out: " + outPath + " is a directory (expected a file name)");
      }
    }
    Duration duration = null;
    String d = options.get("duration");
    if (d != null) {
      try {
        duration = ValueParsers.parsePositiveDuration("--duration", d);
      } catch (ConfigException e) {
        problems.addAll(e.errors());
      }
    }
    if (!problems.isEmpty()) {
      for (String p : problems) {
        Main.initLine(err, json, env, "ERROR", "record: " + p);
      }
      return OneShotReport.EXIT_FATAL;
    }
    DockerClient docker = Main.connectOrReport(vertx, settings, env, err, json);
    if (docker == null) {
      return OneShotReport.EXIT_FATAL;
    }
    try (Writer writer = Files.newBufferedWriter(outPath, StandardCharsets.UTF_8)) {
      Recording rec = new Recording(vertx, docker, writer);
      CompletableFuture<String> stop = new CompletableFuture<>();
      Signals.onTerminate(() -> stop.complete("signal"));
      Main.await(rec.start());
      Main.initLine(err, json, env, "INFO", "record: following the events of " + docker.host().describe()
          + " into " + outPath + (duration == null ? " until SIGTERM/SIGINT" : " for " + duration));
      if (duration != null) {
        vertx.setTimer(duration.toMillis(), t -> stop.complete("duration"));
      }
      rec.ended().onFailure(e -> stop.complete("the event stream ended: " + e.getMessage()));
      String why = stop.join();
      int written = Main.await(rec.stop());
      boolean lost = why.startsWith("the event stream ended");
      Main.initLine(err, json, env, lost ? "ERROR" : "INFO", "record: stopped (" + why + "): " + written
          + " trace lines in " + outPath);
      return lost ? OneShotReport.EXIT_SOME_FAILED : 0;
    } catch (IllegalStateException e) {
      Main.initLine(err, json, env, "ERROR", "record: --out: cannot write " + outPath + ": " + e.getMessage());
      return OneShotReport.EXIT_FATAL;
    } catch (IOException e) {
      Main.initLine(err, json, env, "ERROR", "record: --out: cannot write " + outPath + ": " + e.getMessage());
      return OneShotReport.EXIT_FATAL;
    } catch (DockerException e) {
      Main.initLine(err, json, env, "ERROR", "record: the daemon failed: " + e.getMessage());
      return OneShotReport.EXIT_FATAL;
    } finally {
      Main.await(docker.close());
    }
  }

  /**
   * The event stream, the inspects it needs, and the file: events are handled one at a time in
   * the stream's order (each waits for the previous one's inspect), on the event loop.
   */
  private static final class Recording implements EventDecoder.Listener {
    private final Vertx vertx;
    private final DockerClient docker;
    private final Writer writer;
    private final TraceRecorder recorder = new TraceRecorder();
    private Future<Void> chain = Future.succeededFuture();
    private DockerClient.EventStream stream;
    private IOException writeFailure;
    private int written;

    Recording(Vertx vertx, DockerClient docker, Writer writer) {
      this.vertx = vertx;
      this.docker = docker;
      this.writer = writer;
    }

    /** Fails when the daemon ends the stream (it never does on its own); succeeds after {@link #stop}. */
    Future<Void> ended() {
      return stream == null ? Future.succeededFuture() : stream.ended();
    }

    /** Opens the stream first, then snapshots the images: nothing between the two is missed. */
    Future<Void> start() {
      Promise<Void> started = Promise.promise();
      vertx.runOnContext(v -> {
        Instant at = Instant.now();
        Promise<Void> snapshotDone = Promise.promise();
        chain = snapshotDone.future(); // events wait for the snapshot
        Filters filters = Filters.NONE.with("type", "image").with("type", "container");
        docker.events(filters, null, this).compose(s -> {
          stream = s;
          write("# recorded by docker-cleaner record from " + docker.host().describe() + " at " + at + "\n");
          return docker.listImages(Filters.NONE);
        }).compose(images -> {
          List<ImageSummary> sorted = new ArrayList<>(images);
          sorted.sort(Comparator.comparingLong(ImageSummary::createdEpochSeconds).thenComparing(ImageSummary::id));
          Future<List<ImageLayers>> all = Future.succeededFuture(new ArrayList<>());
          for (ImageSummary image : sorted) {
            all = all.compose(list -> inspect(image.id()).map(l -> {
              if (l != null) {
                list.add(l);
              }
              return list;
            }));
          }
          return all;
        }).onSuccess(list -> {
          recorder.snapshot(at, list);
          flush();
          snapshotDone.complete();
          started.complete();
        }).onFailure(e -> {
          snapshotDone.fail(e);
          started.fail(e);
        });
      });
      return started.future();
    }

    @Override
    public void onEvent(DockerEvent event) {
      String ref = TraceRecorder.imageToInspect(event);
      chain = chain.compose(v -> (ref == null ? Future.<ImageLayers>succeededFuture(null) : inspect(ref))
          .map(image -> {
            recorder.onEvent(event, image);
            flush();
            return null;
          }));
    }

    @Override
    public void onMalformed(String reason, int lineLengthBytes) {
      // a line the decoder could not read: nothing to record (the agent logs these; the trace cannot)
    }

    /** The image's layers, or null when it is gone already (deleted since the event). */
    private Future<ImageLayers> inspect(String ref) {
      return docker.inspectImageLayers(ref).recover(e -> e instanceof DockerException de && de.status() == 404
          ? Future.succeededFuture(null) : Future.failedFuture(e));
    }

    /** Stops following, lets the queued events through, closes running uses and flushes. */
    Future<Integer> stop() {
      Promise<Integer> done = Promise.promise();
      vertx.runOnContext(v -> {
        if (stream != null) {
          stream.close();
        }
        chain.eventually(() -> {
          writeAll(recorder.finish(Instant.now()));
          return Future.succeededFuture();
        }).onComplete(r -> {
          if (writeFailure != null) {
            done.fail(writeFailure);
          } else {
            done.complete(written);
          }
        });
      });
      return done.future();
    }

    private void flush() {
      writeAll(recorder.ready());
    }

    private void writeAll(List<String> lines) {
      for (String line : lines) {
        write(line + "\n");
        written++;
      }
      try {
        writer.flush(); // whole lines reach the file as they are known: a valid trace at any moment
      } catch (IOException e) {
        writeFailure = writeFailure == null ? e : writeFailure;
      }
    }

    private void write(String text) {
      try {
        writer.write(text);
      } catch (IOException e) {
        writeFailure = writeFailure == null ? e : writeFailure;
      }
    }
  }
}
