package io.dockercleaner.metrics;

import io.dockercleaner.core.Reason;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.core.RunOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Prometheus metrics of one docker-cleaner process. Every series carries the tag {@code
 * host}: the process's own (JVM, build_info) and, for one Docker host, its series; an agent
 * watching several hosts adds each host's series to the same registry with {@link #forHost}. Label values come from the io.dockercleaner.core vocabulary ({@link
 * ResourceType#label()}, {@link Reason#label()}, {@link RunOutcome#label()}).
 *
 * <p>All recording methods are thread-safe and non-blocking; call them from any thread. Gauges
 * that describe something measured (disk, Docker usage) appear only after the first measurement,
 * so a scrape never shows a made-up zero.
 */
public final class CleanerMetrics implements AutoCloseable {
  /** Content type of {@link #scrape()} (Prometheus text exposition format 0.0.4). */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private static final String PREFIX = "docker.cleaner.";

  private final PrometheusMeterRegistry registry;
  private final String host;
  // true for the process's object (JVM metrics, build_info, closes the registry); false for forHost views
  private final boolean process;
  private final JvmGcMetrics gcMetrics;
  private final Timer runDuration;
  private final Counter measuredFreed;
  private final Counter reconnects;
  // Gauges hold only weak references to their state: these fields keep the state alive.
  private final AtomicLong buildInfo = new AtomicLong(1);
  private final Map<String, double[]> watermarkRatios = new java.util.HashMap<>();
  // registered by the agent's first call only: a one-shot run has no automatic cleanup
  private final AtomicLong cleanupPaused = new AtomicLong();
  private final java.util.concurrent.atomic.AtomicBoolean cleanupPausedRegistered = new java.util.concurrent.atomic.AtomicBoolean();
  // registered on the first report: a one-shot has no event stream, so its textfile has no such series
  private final DoubleGauge eventStreamConnected;
  private final DoubleGauge diskUsedRatio;
  private final DoubleGauge diskFreeBytes;
  private final DoubleGauge diskFreeInodes;
  private final DoubleGauge diskFullEtaSeconds;
  private final DoubleGauge thresholdDeferred;
  private final DoubleGauge lastSuccessSeconds;
  private final Map<ResourceType, DoubleGauge> usageBytes = new EnumMap<>(ResourceType.class);
  private final Map<ResourceType, DoubleGauge> reclaimableBytes = new EnumMap<>(ResourceType.class);

  /**
   * A registry with JVM metrics bound.
   *
   * @param host value of the {@code host} tag on every series (e.g. the Docker host's name)
   */
  public CleanerMetrics(String host) {
    this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), host, true);
  }

  /**
   * The series of one more Docker host in this registry (an agent watching DOCKER_HOSTS): the same
   * names, its own {@code host} tag. The JVM metrics and {@code build_info} stay this object's
   * (the process's); {@link #scrape()} on either returns everything.
   */
  public CleanerMetrics forHost(String host) {
    return new CleanerMetrics(registry, host, false);
  }

  private CleanerMetrics(PrometheusMeterRegistry registry, String host, boolean process) {
    Objects.requireNonNull(host, "host");
    this.registry = registry;
    this.host = host;
    this.process = process;
    Tags hostTag = Tags.of("host", host);
    if (process) {
      new JvmMemoryMetrics(hostTag).bindTo(registry);
      gcMetrics = new JvmGcMetrics(hostTag);
      gcMetrics.bindTo(registry);
      new ProcessorMetrics(hostTag).bindTo(registry);
      new JvmThreadMetrics(hostTag).bindTo(registry);
      // the usual Prometheus idiom: a constant 1 whose labels describe the build
      Gauge.builder(PREFIX + "build.info", buildInfo, AtomicLong::get)
          .description("Always 1; the version label names the running docker-cleaner")
          .tags("version", version())
          .tags(hostTag)
          .register(registry);
    } else {
      gcMetrics = null;
    }

    runDuration =
        Timer.builder(PREFIX + "run.duration")
            .description("Duration of cleanup runs")
            .tags(hostTag)
            .register(registry);
    measuredFreed =
        Counter.builder(PREFIX + "measured.freed")
            .baseUnit("bytes")
            .description("Disk space freed as measured on the file system before and after runs")
            .tags(hostTag)
            .register(registry);
    reconnects =
        Counter.builder(PREFIX + "event.stream.reconnects")
            .description("Reconnections of the Docker event stream")
            .tags(hostTag)
            .register(registry);
    eventStreamConnected =
        new DoubleGauge(PREFIX + "event.stream.connected", "1 while the Docker event stream is connected, else 0");
    diskUsedRatio = new DoubleGauge(PREFIX + "disk.used.ratio", "Used fraction of the Docker data disk");
    diskFreeBytes = new DoubleGauge(PREFIX + "disk.free.bytes", "Free bytes on the Docker data disk");
    diskFreeInodes = new DoubleGauge(PREFIX + "disk.free.inodes", "Free inodes on the Docker data disk");
    diskFullEtaSeconds = new DoubleGauge(PREFIX + "disk.full.eta.seconds",
        "Seconds until the Docker data disk is full at its recent gross growth; +Inf when not growing, NaN when"
            + " not known yet");
    thresholdDeferred = new DoubleGauge(PREFIX + "threshold.deferred",
        "1 while a threshold run waits for MAINTENANCE_WINDOW, else 0");
    lastSuccessSeconds =
        new DoubleGauge(PREFIX + "last.success.timestamp.seconds", "Unix time of the last successful run");
    for (ResourceType type : ResourceType.values()) {
      usageBytes.put(
          type,
          new DoubleGauge(PREFIX + "docker.usage.bytes", "Bytes used by Docker objects of a type", "type", type.label()));
      reclaimableBytes.put(
          type,
          new DoubleGauge(
              PREFIX + "docker.reclaimable.bytes",
              "Bytes Docker reports as reclaimable for a type",
              "type",
              type.label()));
    }
  }

  /** The {@code host} tag of this object's series. */
  public String host() {
    return host;
  }

  /** A host tag value: $HOSTNAME, else /etc/hostname, else {@code localhost}; never does DNS. */
  public static String defaultHost() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env.trim();
    }
    try {
      String name = Files.readString(Path.of("/etc/hostname")).trim();
      if (!name.isEmpty()) {
        return name;
      }
    } catch (IOException | RuntimeException e) {
      // fall through: a missing /etc/hostname is normal outside Linux
    }
    return "localhost";
  }

  /** The running version: the jar manifest's Implementation-Version, {@code dev} outside a jar. */
  public static String version() {
    String v = CleanerMetrics.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /**
   * The disk watermarks in force (DISK_LOW/HIGH/CRITICAL_WATERMARK as ratios 0–1), so alert rules
   * compare {@code docker_cleaner_disk_used_ratio} with the host's own settings.
   */
  public synchronized void diskWatermarks(double lowRatio, double highRatio, double criticalRatio) {
    // registered once; later calls (runtime changes) update the values the gauges read
    Map<String, Double> now = Map.of("low", lowRatio, "high", highRatio, "critical", criticalRatio);
    for (Map.Entry<String, Double> level : now.entrySet()) {
      double[] holder = watermarkRatios.get(level.getKey());
      if (holder == null) {
        holder = new double[] {level.getValue()};
        watermarkRatios.put(level.getKey(), holder);
        Gauge.builder(PREFIX + "disk.watermark.ratio", holder, h -> h[0])
            .description("Disk watermarks in force (used fraction), by level")
            .tags("level", level.getKey())
            .strongReference(true)
            .tag("host", host)
            .register(registry);
      }
      holder[0] = level.getValue();
    }
  }

  /** Whether automatic cleanup (thresholds, SCHEDULE) is paused at runtime: 1 paused, 0 active. */
  public void automaticCleanupPaused(boolean paused) {
    cleanupPaused.set(paused ? 1 : 0);
    if (cleanupPausedRegistered.compareAndSet(false, true)) {
      Gauge.builder(PREFIX + "automatic.cleanup.paused", cleanupPaused, AtomicLong::get)
          .description("1 while automatic cleanup (thresholds, SCHEDULE) is paused at runtime, else 0")
          .tag("host", host)
          .register(registry);
    }
  }

  /**
   * When SCHEDULE fires next (unix seconds; NaN when there is no schedule), read from {@code
   * nextRunEpochSeconds} at each scrape: SCHEDULE may change at runtime.
   */
  public void scheduleNextRun(java.util.function.DoubleSupplier nextRunEpochSeconds) {
    Gauge.builder(PREFIX + "schedule.next.run.timestamp.seconds", nextRunEpochSeconds, java.util.function.DoubleSupplier::getAsDouble)
        .description("When SCHEDULE fires next (unix time), NaN without a schedule; SCHEDULE may change at runtime")
        .strongReference(true)
        .tag("host", host)
        .register(registry);
  }

  /** The underlying registry, e.g. to add Vert.x metrics. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * A run ended.
   *
   * @param trigger what started it, lower-case (e.g. {@code schedule}, {@code api}, {@code watermark})
   */
  public void runFinished(String trigger, RunOutcome outcome, Duration duration) {
    Counter.builder(PREFIX + "runs")
        .description("Cleanup runs by trigger and outcome")
        .tags("trigger", trigger, "outcome", outcome.label(), "host", host)
        .register(registry)
        .increment();
    runDuration.record(duration);
  }

  /** Bytes Docker reported as reclaimed by removing objects of {@code type}. */
  public void reclaimed(ResourceType type, long bytes) {
    Counter.builder(PREFIX + "reclaimed")
        .baseUnit("bytes")
        .description("Bytes reclaimed as reported by Docker, by object type")
        .tags("type", type.label(), "host", host)
        .register(registry)
        .increment(nonNegative(bytes));
  }

  /** Bytes freed as measured on the file system (free after minus free before, when positive). */
  public void measuredFreed(long bytes) {
    measuredFreed.increment(nonNegative(bytes));
  }

  /** One object removed. */
  public void removed(ResourceType type, Reason reason) {
    Counter.builder(PREFIX + "removed.objects")
        .description("Objects removed, by type and reason")
        .tags("type", type.label(), "reason", reason.label(), "host", host)
        .register(registry)
        .increment();
  }

  /** Audit lines that could not be written (the run's outcome says so too). */
  public void auditWriteFailures(int lines) {
    Counter.builder(PREFIX + "audit.write.failures")
        .description("Audit trail lines that could not be written")
        .tag("host", host)
        .register(registry)
        .increment(Math.max(0, lines));
  }

  /** One object skipped. */
  public void skipped(ResourceType type, Reason reason) {
    Counter.builder(PREFIX + "skipped.objects")
        .description("Objects skipped, by type and reason")
        .tags("type", type.label(), "reason", reason.label(), "host", host)
        .register(registry)
        .increment();
  }

  /** A disk measurement of the Docker data root. */
  public void disk(double usedRatio, long freeBytes, long freeInodes) {
    diskUsedRatio.set(usedRatio);
    diskFreeBytes.set(freeBytes);
    diskFreeInodes.set(freeInodes);
  }

  /** The disk forecast: seconds to full (NaN unknown, +Inf not growing). */
  public void diskFullEta(double seconds) {
    diskFullEtaSeconds.set(seconds);
  }

  /** Whether a threshold run is waiting for MAINTENANCE_WINDOW. */
  public void thresholdDeferred(boolean deferred) {
    thresholdDeferred.set(deferred ? 1 : 0);
  }

  /** Docker's own usage report ({@code /system/df}) for one type. */
  public void dockerUsage(ResourceType type, long bytes, long reclaimableBytes) {
    usageBytes.get(type).set(bytes);
    this.reclaimableBytes.get(type).set(reclaimableBytes);
  }

  /** One Docker event received. */
  public void event(String type, String action) {
    Counter.builder(PREFIX + "events")
        .description("Docker events received, by type and action")
        .tags("type", type, "action", action, "host", host)
        .register(registry)
        .increment();
  }

  /** The event stream connected ({@code true}) or dropped ({@code false}). */
  public void eventStream(boolean connected) {
    eventStreamConnected.set(connected ? 1 : 0);
  }

  /** The event stream was re-established after a drop. */
  public void reconnect() {
    reconnects.increment();
  }

  /**
   * One Docker Engine API request finished.
   *
   * @param operation a short fixed name such as {@code container_list}, never an id
   * @param status the HTTP status, or 0 when no response arrived
   */
  public void apiRequest(String operation, int status, Duration duration) {
    Counter.builder(PREFIX + "docker.api.requests")
        .description("Docker Engine API requests by operation and HTTP status (0 = no response)")
        .tags("operation", operation, "status", Integer.toString(status), "host", host)
        .register(registry)
        .increment();
    Timer.builder(PREFIX + "docker.api.request.duration")
        .description("Duration of Docker Engine API requests")
        .tags("operation", operation, "host", host)
        .register(registry)
        .record(duration);
  }

  /** One webhook delivery finished, e.g. {@code delivered}, {@code failed}, {@code dropped}. */
  public void webhook(String outcome) {
    Counter.builder(PREFIX + "webhook.deliveries")
        .description("Webhook deliveries by outcome")
        .tags("outcome", outcome, "host", host)
        .register(registry)
        .increment();
  }

  /** A run succeeded at {@code when}. */
  public void lastSuccess(Instant when) {
    lastSuccessSeconds.set(when.toEpochMilli() / 1000.0);
  }

  /** All metrics in Prometheus text format ({@link #CONTENT_TYPE}). */
  public String scrape() {
    return registry.scrape();
  }

  /**
   * Writes {@code text} to {@code file} for node_exporter's textfile collector without a reader
   * ever seeing a partial file: writes a temporary file in the same folder (named so that the
   * collector, which reads only {@code *.prom}, ignores it), forces it to disk, then renames it
   * over {@code file} atomically. Blocking: call it off the event loop.
   *
   * @throws UncheckedIOException when the file cannot be written; no temporary file is left behind
   */
  public static void writeTextfile(Path file, String text) {
    Path absolute = file.toAbsolutePath();
    Path dir = absolute.getParent();
    Path temp = null;
    try {
      temp = Files.createTempFile(dir, "." + absolute.getFileName(), ".tmp");
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(true);
      }
      try {
        // createTempFile makes the file 0600; the collector often runs as another user
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: keep the default permissions
      }
      try {
        Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot replace " + absolute + " atomically", e);
      }
      temp = null;
    } catch (IOException e) {
      throw new UncheckedIOException("METRICS_TEXTFILE " + absolute + ": " + e.getMessage(), e);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // best effort: the write already failed and is reported
        }
      }
    }
  }

  /** Unbinds the GC listener. */
  @Override
  public void close() {
    if (process) {
      gcMetrics.close();
      registry.close();
    }
  }

  private static double nonNegative(long bytes) {
    return Math.max(0, bytes);
  }

  /** A gauge registered on its first {@link #set}, holding a double. */
  private final class DoubleGauge {
    private final String name;
    private final String description;
    private final String[] tags;
    private final AtomicLong bits = new AtomicLong();
    private volatile boolean registered;

    DoubleGauge(String name, String description, String... tags) {
      this.name = name;
      this.description = description;
      this.tags = tags;
    }

    void set(double value) {
      bits.set(Double.doubleToLongBits(value));
      if (!registered) {
        synchronized (this) {
          if (!registered) {
            Gauge.builder(name, this, g -> Double.longBitsToDouble(g.bits.get()))
                .description(description)
                .tags(tags)
                .tag("host", host)
                .register(registry);
            registered = true;
          }
        }
      }
    }
  }
}
