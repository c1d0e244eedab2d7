package io.dockercleaner.agent.watch;

import io.dockercleaner.docker.DockerClient;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the space and inodes of the filesystem holding a path (DISK_PATH, or the daemon's
 * DockerRootDir, which must then be visible at the same path to the agent).
 *
 * <p>How: {@code stat -f --format='%S %b %f %a %c %d' PATH} (GNU coreutils or busybox), i.e. the
 * statvfs(2) figures {@code df} uses: fragment size, total/free/available blocks, total/free
 * inodes. Java's {@link FileStore} gives bytes but no inodes, and the JDK has no statvfs binding,
 * so a short-lived process (a few milliseconds) is the cheapest portable way. If {@code stat}
 * cannot run, the sample falls back to {@link FileStore} for bytes and reports 0 inodes (unknown),
 * with one WARN. Blocking work runs in executeBlocking, never on the event loop.
 */
public final class DiskMonitor {
  /** The command used; exposed for the report of which tools the image needs. */
  /** How old inode counts may be in an ordinary sample. */
  public static final Duration INODE_REFRESH = Duration.ofSeconds(60);

  private volatile DiskSample lastInodes;
  private volatile FileStore cachedStore;

  public static final List<String> STAT_COMMAND = List.of("stat", "-f", "--format=%S %b %f %a %c %d");
  private static final Logger LOG = LoggerFactory.getLogger(DiskMonitor.class);
  private static final long STAT_TIMEOUT_SECONDS = 10;

  private final Vertx vertx;
  private final Path path;
  private final Clock clock;
  private final AtomicBoolean warnedFallback = new AtomicBoolean();
  private final AtomicBoolean sampling = new AtomicBoolean();
  private volatile long timerId = -1;
  private volatile DiskSample lastSample;

  /** A monitor of the filesystem holding {@code path}, timestamped with the system clock. */
  public DiskMonitor(Vertx vertx, Path path) {
    this(vertx, path, Clock.systemUTC());
  }

  /** A monitor with the given clock for {@link DiskSample#at()}. */
  public DiskMonitor(Vertx vertx, Path path, Clock clock) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.path = Objects.requireNonNull(path, "path");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * The path to watch: {@code diskPath} (DISK_PATH) when set, else the daemon's DockerRootDir.
   */
  public static Future<Path> resolvePath(Optional<Path> diskPath, DockerClient client) {
    if (diskPath.isPresent()) {
      return Future.succeededFuture(diskPath.get());
    }
    return client.info().compose(info -> {
      String root = info.dockerRootDir();
      if (root == null || root.isBlank()) {
        return Future.failedFuture(new IllegalStateException(
            "the daemon did not report DockerRootDir; set DISK_PATH to the filesystem to watch"));
      }
      return Future.succeededFuture(Path.of(root));
    });
  }

  /** The path watched. */
  public Path path() {
    return path;
  }

  /** The last sample taken, or null. */
  public DiskSample lastSample() {
    return lastSample;
  }

  /**
   * Reads the filesystem now (on a worker thread). Fails if the path cannot be read at all. Bytes
   * are always fresh (one statfs call); inode counts are refreshed at most every
   * {@link #INODE_REFRESH} because they need a {@code stat -f} process.
   */
  public Future<DiskSample> sample() {
    return sample(false);
  }

  /** Like {@link #sample()}, with fresh inode counts when {@code freshInodes} (inode-threshold runs). */
  public Future<DiskSample> sample(boolean freshInodes) {
    return vertx.<DiskSample>executeBlocking(() -> sampleBlocking(freshInodes), false).onSuccess(s -> lastSample = s);
  }

  /**
   * Samples every {@code interval} (DISK_CHECK_INTERVAL) and hands each sample to {@code
   * listener}, or the failure to {@code failureListener}; a sample still running when the next is
   * due is not doubled. The listeners run on a Vert.x context. Replaces an earlier schedule.
   */
  public void startPeriodic(Duration interval, Handler<DiskSample> listener, Handler<Throwable> failureListener) {
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(failureListener, "failureListener");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive, got " + interval);
    }
    stop();
    timerId = vertx.setPeriodic(1, Math.max(1, interval.toMillis()), id -> {
      if (!sampling.compareAndSet(false, true)) {
        return;
      }
      sample().onComplete(ar -> {
        sampling.set(false);
        if (ar.succeeded()) {
          listener.handle(ar.result());
        } else {
          failureListener.handle(ar.cause());
        }
      });
    });
  }

  /** Stops periodic sampling. */
  public void stop() {
    long id = timerId;
    if (id >= 0) {
      vertx.cancelTimer(id);
      timerId = -1;
    }
  }

  private DiskSample sampleBlocking(boolean freshInodes) throws IOException {
    Instant at = clock.instant();
    DiskSample inodes = lastInodes;
    boolean stale = inodes == null || !inodes.at().plus(INODE_REFRESH).isAfter(at);
    if (!freshInodes && !stale && !warnedFallback.get()) {
      // an idle agent samples every 10 s: a statfs syscall, not a process, keeps that near-free
      FileStore store = fileStore();
      return new DiskSample(at, store.getTotalSpace(), store.getUnallocatedSpace(), store.getUsableSpace(),
          inodes.totalInodes(), inodes.freeInodes());
    }
    try {
      DiskSample full = parseStatOutput(runStat(), at);
      lastInodes = full;
      return full;
    } catch (IOException | RuntimeException e) {
      if (!Files.exists(path)) {
        throw new IOException("cannot sample disk usage: " + path + " does not exist", e);
      }
      if (warnedFallback.compareAndSet(false, true)) {
        LOG.warn("cannot read inodes of {} with `stat -f` ({}); reading bytes only, inode "
            + "watermarks are not checked", path, e.getMessage());
      }
      FileStore store = Files.getFileStore(path);
      return new DiskSample(at, store.getTotalSpace(), store.getUnallocatedSpace(), store.getUsableSpace(), 0, 0);
    }
  }

  private FileStore fileStore() throws IOException {
    FileStore store = cachedStore;
    if (store == null) {
      store = Files.getFileStore(path);
      cachedStore = store;
    }
    return store;
  }

  private String runStat() throws IOException {
    List<String> command = new java.util.ArrayList<>(STAT_COMMAND);
    command.add(path.toString());
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    String output;
    try (InputStream in = process.getInputStream()) {
      output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    try {
      if (!process.waitFor(STAT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("stat -f " + path + " did not finish");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IOException("interrupted", e);
    }
    if (process.exitValue() != 0) {
      throw new IOException("stat -f " + path + " exited " + process.exitValue() + ": " + output.strip());
    }
    return output;
  }

  /**
   * Parses the output of {@link #STAT_COMMAND}: six numbers (fragment size, total, free and
   * available blocks, total and free inodes).
   *
   * @throws IllegalArgumentException when the output is not six non-negative integers
   */
  public static DiskSample parseStatOutput(String output, Instant at) {
    String[] parts = output.strip().split("\\s+");
    if (parts.length != 6) {
      throw new IllegalArgumentException("expected 6 numbers from stat -f, got '" + output.strip() + "'");
    }
    long[] n = new long[6];
    for (int i = 0; i < 6; i++) {
      try {
        n[i] = Long.parseLong(parts[i]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a number in stat -f output: '" + parts[i] + "'");
      }
    }
    long blockBytes = n[0];
    return new DiskSample(at, Math.multiplyExact(blockBytes, n[1]), Math.multiplyExact(blockBytes, n[2]),
        Math.multiplyExact(blockBytes, n[3]), n[4], n[5]);
  }
}
