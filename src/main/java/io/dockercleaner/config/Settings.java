package io.dockercleaner.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The validated, typed configuration of one docker-cleaner process: immutable, built once at
 * start by {@link SettingsLoader}. Each accessor names the variable it comes from. {@link
 * #toString()} prints {@link #effective()}, so secrets never reach a log.
 */
public final class Settings {
  /** KEEP_TAGS_PER_REPO range. */
  public static final int MAX_KEEP_TAGS_PER_REPO = 10_000;
  /** MAX_DELETIONS_PER_RUN range is 1 to this. */
  public static final int MAX_DELETIONS_PER_RUN_LIMIT = 1_000_000;
  /** DELETE_CONCURRENCY range is 1 to this. */
  public static final int MAX_DELETE_CONCURRENCY = 32;

  private final Map<String, String> raw;
  private final Map<String, ValueSource> sources;

  private final String dockerHost;
  private final boolean dockerTlsVerify;
  private final Optional<Path> dockerCertPath;
  private final boolean pruneAll;
  private final boolean pruneVolumes;
  private final boolean pruneVolumesAll;
  private final boolean pruneForce;
  private final boolean cleanupContainers;
  private final boolean cleanupImages;
  private final boolean cleanupVolumes;
  private final boolean cleanupNetworks;
  private final boolean cleanupBuildCache;
  private final UntilFilter until;
  private final List<LabelFilter> labelFilters;
  private final LogLevel logLevel;
  private final LogFormat logFormat;
  private final boolean quiet;
  private final boolean dryRun;
  private final Optional<Path> stateDir;
  private final Optional<Path> diskPath;
  private final Duration diskCheckInterval;
  private final Duration dfInterval;
  private final Double diskHighWatermarkRatio;
  private final Double diskLowWatermarkRatio;
  private final Double diskCriticalWatermarkRatio;
  private final Double inodeHighWatermarkRatio;
  private final Double inodeLowWatermarkRatio;
  private final OptionalLong dockerUsageLimitBytes;
  private final OptionalLong buildCacheLimitBytes;
  private final Optional<String> schedule;
  private final java.time.ZoneId scheduleZone;
  private final Optional<io.dockercleaner.schedule.MaintenanceWindow> maintenanceWindow;
  private final Duration forecastAlert;
  private final boolean runOnStart;
  private final Duration minRunInterval;
  private final List<String> keepImages;
  private final int keepTagsPerRepo;
  private final boolean skipKubeletManaged;
  private final Duration swarmTaskImageRetention;
  private final Duration minAge;
  private final io.dockercleaner.plan.CleanupPolicy cleanupPolicy;
  private final Duration quietPeriod;
  private final Duration maxRunDuration;
  private final int maxDeletionsPerRun;
  private final int deleteConcurrency;
  private final HostPort httpListen;
  private final Optional<String> apiToken;
  private final Optional<Path> apiTokenFile;
  private final boolean apiTokenForRead;
  private final boolean apiOpenRead;
  private final RateLimit apiRateLimit;
  private final Optional<Path> metricsTextfile;
  private final List<URI> webhookUrls;
  private final WebhookFormat webhookFormat;
  private final Set<WebhookEvent> webhookEvents;
  private final Duration webhookTimeout;
  private final Optional<String> webhookSecret;
  private final Optional<String> smtpPassword;
  private final Optional<Path> smtpPasswordFile;
  private final List<NotifyTarget> notifyTargets;
  private final List<HostSpec> hosts;
  private final int hostConcurrency;
  private final Map<String, String> labels;

  /**
   * Parses every value; errors are appended to {@code errors} (then the object is incomplete and
   * must be discarded).
   *
   * @param raw trimmed effective value of every known variable
   * @param labels how each variable's value was given, for messages ({@code PRUNE_ALL}, {@code
   *     --prune-all}, {@code config file F: prune_all})
   */
  Settings(
      Map<String, String> raw,
      Map<String, String> labels,
      Map<String, ValueSource> sources,
      List<String> errors) {
    this.raw = Collections.unmodifiableMap(new LinkedHashMap<>(raw));
    this.sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
    Reader r = new Reader(raw, labels, errors);

    dockerHost = r.get("DOCKER_HOST", ValueParsers::parseDockerHost);
    dockerTlsVerify = r.bool("DOCKER_TLS_VERIFY", ValueParsers::parseOptionalBoolean);
    dockerCertPath = r.get("DOCKER_CERT_PATH", ValueParsers::parseOptionalPath);
    pruneAll = r.bool("PRUNE_ALL", ValueParsers::parseBoolean);
    pruneVolumes = r.bool("PRUNE_VOLUMES", ValueParsers::parseBoolean);
    pruneVolumesAll = r.bool("PRUNE_VOLUMES_ALL", ValueParsers::parseBoolean);
    pruneForce = r.bool("PRUNE_FORCE", ValueParsers::parseBoolean);
    cleanupContainers = r.bool("CLEANUP_CONTAINERS", ValueParsers::parseBoolean);
    cleanupImages = r.bool("CLEANUP_IMAGES", ValueParsers::parseBoolean);
    cleanupVolumes = r.bool("CLEANUP_VOLUMES", ValueParsers::parseBoolean);
    cleanupNetworks = r.bool("CLEANUP_NETWORKS", ValueParsers::parseBoolean);
    cleanupBuildCache = r.bool("CLEANUP_BUILD_CACHE", ValueParsers::parseBoolean);
    until = r.get("PRUNE_FILTER_UNTIL", ValueParsers::parseUntil);
    labelFilters = r.get("PRUNE_FILTER_LABEL", ValueParsers::parseLabelFilters);
    logLevel = r.get("LOG_LEVEL", ValueParsers::parseLogLevel);
    logFormat = r.get("LOG_FORMAT", ValueParsers::parseLogFormat);
    quiet = r.bool("QUIET", ValueParsers::parseBoolean);
    dryRun = r.bool("DRY_RUN", ValueParsers::parseBoolean);
    stateDir = r.get("STATE_DIR", ValueParsers::parseOptionalPath);
    diskPath = r.get("DISK_PATH", ValueParsers::parseOptionalPath);
    diskCheckInterval = r.get("DISK_CHECK_INTERVAL", ValueParsers::parsePositiveDuration);
    dfInterval = r.get("DF_INTERVAL", ValueParsers::parsePositiveDuration);
    diskHighWatermarkRatio = r.get("DISK_HIGH_WATERMARK", ValueParsers::parsePercentage);
    diskLowWatermarkRatio = r.get("DISK_LOW_WATERMARK", ValueParsers::parsePercentage);
    diskCriticalWatermarkRatio = r.get("DISK_CRITICAL_WATERMARK", ValueParsers::parsePercentage);
    inodeHighWatermarkRatio = r.get("INODE_HIGH_WATERMARK", ValueParsers::parsePercentage);
    inodeLowWatermarkRatio = r.get("INODE_LOW_WATERMARK", ValueParsers::parsePercentage);
    dockerUsageLimitBytes = r.get("DOCKER_USAGE_LIMIT", ValueParsers::parseByteSize);
    buildCacheLimitBytes = r.get("BUILD_CACHE_LIMIT", ValueParsers::parseByteSize);
    schedule = r.get("SCHEDULE", Settings::parseSchedule);
    scheduleZone = r.get("TZ", (n, v) -> scheduleZone(n, v, schedule));
    runOnStart = r.bool("RUN_ON_START", ValueParsers::parseBoolean);
    maintenanceWindow = r.get("MAINTENANCE_WINDOW", (n, v) -> v.isEmpty() ? Optional.empty()
        : Optional.of(io.dockercleaner.schedule.MaintenanceWindow.parse(n, v,
            windowZone(r.label("TZ"), raw.getOrDefault("TZ", "")))));
    forecastAlert = r.get("FORECAST_ALERT", ValueParsers::parseDuration);
    minRunInterval = r.get("MIN_RUN_INTERVAL", ValueParsers::parseDuration);
    keepImages = r.get("KEEP_IMAGES", ValueParsers::parseGlobList);
    keepTagsPerRepo =
        r.integer("KEEP_TAGS_PER_REPO", (n, v) -> ValueParsers.parseInt(n, v, 0, MAX_KEEP_TAGS_PER_REPO));
    skipKubeletManaged = r.bool("KUBELET_MANAGED", ValueParsers::parseKubeletManaged);
    swarmTaskImageRetention = r.get("SWARM_TASK_IMAGE_RETENTION", ValueParsers::parseDuration);
    minAge = r.get("MIN_AGE", ValueParsers::parseDuration);
    cleanupPolicy = r.get("CLEANUP_POLICY", ValueParsers::parseCleanupPolicy);
    quietPeriod = r.get("QUIET_PERIOD", ValueParsers::parseDuration);
    maxRunDuration = r.get("MAX_RUN_DURATION", ValueParsers::parsePositiveDuration);
    maxDeletionsPerRun =
        r.integer(
            "MAX_DELETIONS_PER_RUN", (n, v) -> ValueParsers.parseInt(n, v, 1, MAX_DELETIONS_PER_RUN_LIMIT));
    deleteConcurrency =
        r.integer("DELETE_CONCURRENCY", (n, v) -> ValueParsers.parseInt(n, v, 1, MAX_DELETE_CONCURRENCY));
    httpListen = r.get("HTTP_LISTEN", ValueParsers::parseHostPort);
    apiToken = r.get("API_TOKEN", (n, v) -> v.isEmpty() ? Optional.empty() : Optional.of(v));
    apiTokenFile = r.get("API_TOKEN_FILE", ValueParsers::parseOptionalPath);
    apiTokenForRead = r.bool("API_TOKEN_FOR_READ", ValueParsers::parseBoolean);
    apiOpenRead = r.bool("API_OPEN_READ", ValueParsers::parseBoolean);
    apiRateLimit = r.get("API_RATE_LIMIT", ValueParsers::parseRateLimit);
    metricsTextfile = r.get("METRICS_TEXTFILE", ValueParsers::parseOptionalPath);
    webhookUrls = r.get("WEBHOOK_URL", ValueParsers::parseUrls);
    webhookFormat = r.get("WEBHOOK_FORMAT", ValueParsers::parseWebhookFormat);
    webhookEvents = r.get("WEBHOOK_EVENTS", (n, v) -> Collections.unmodifiableSet(ValueParsers.parseWebhookEvents(n, v)));
    webhookTimeout = r.get("WEBHOOK_TIMEOUT", ValueParsers::parsePositiveDuration);
    webhookSecret = r.get("WEBHOOK_SECRET", (n, v) -> v.isEmpty() ? Optional.empty() : Optional.of(v));
    smtpPassword = r.get("SMTP_PASSWORD", (n, v) -> v.isEmpty() ? Optional.empty() : Optional.of(v));
    smtpPasswordFile = r.get("SMTP_PASSWORD_FILE", ValueParsers::parseOptionalPath);
    if (smtpPassword != null && smtpPasswordFile != null && smtpPassword.isPresent() && smtpPasswordFile.isPresent()) {
      errors.add(r.label("SMTP_PASSWORD") + " and " + r.label("SMTP_PASSWORD_FILE")
          + " are both set; set only one of them");
    }
    notifyTargets = notifyTargets(r);
    hosts = r.get("DOCKER_HOSTS", HostSpec::parse);
    hostConcurrency = r.integer("HOST_CONCURRENCY", (n, v) -> ValueParsers.parseInt(n, v, 1, MAX_HOST_CONCURRENCY));
    this.labels = Map.copyOf(labels);
    if (hosts != null) {
      // each host's own values are validated now, with everything else: a bad one is exit 2 at start
      for (HostSpec h : hosts) {
        try {
          forHost(h, Map.of());
        } catch (ConfigException e) {
          errors.addAll(e.errors());
        }
      }
    }
    // DOCKER_SOCKET and CLEANUP_USER are read by entrypoint.sh only: accepted, not used here.

    r.below("DISK_LOW_WATERMARK", diskLowWatermarkRatio, "DISK_HIGH_WATERMARK", diskHighWatermarkRatio, true);
    r.below("DISK_HIGH_WATERMARK", diskHighWatermarkRatio, "DISK_CRITICAL_WATERMARK", diskCriticalWatermarkRatio, false);
    r.below("INODE_LOW_WATERMARK", inodeLowWatermarkRatio, "INODE_HIGH_WATERMARK", inodeHighWatermarkRatio, true);
    if (apiToken != null && apiTokenFile != null && apiToken.isPresent() && apiTokenFile.isPresent()) {
      errors.add(
          r.label("API_TOKEN") + " and " + r.label("API_TOKEN_FILE") + " are both set; set only one of them");
    }
    if (apiTokenForRead && apiToken != null && apiTokenFile != null && apiToken.isEmpty() && apiTokenFile.isEmpty()) {
      errors.add(r.label("API_TOKEN_FOR_READ") + "=true needs API_TOKEN or API_TOKEN_FILE to be set");
    }
    if (apiOpenRead && apiTokenForRead) {
      errors.add(r.label("API_OPEN_READ") + "=true and " + r.label("API_TOKEN_FOR_READ")
          + "=true contradict each other: the read API is either open or needs the token; set one");
    }
    if (pruneVolumesAll && !(pruneVolumes || cleanupVolumes)) {
      errors.add(
          r.label("PRUNE_VOLUMES_ALL")
              + "=true has no effect unless PRUNE_VOLUMES=true or CLEANUP_VOLUMES=true");
    }
  }

  /** WEBHOOK_URL's targets, then NOTIFY_TARGETS'; null when a part they need is invalid. */
  private List<NotifyTarget> notifyTargets(Reader r) {
    if (webhookUrls == null || webhookFormat == null || webhookEvents == null || webhookSecret == null
        || smtpPassword == null || smtpPasswordFile == null) {
      return null; // already reported
    }
    List<NotifyTarget> targets = new java.util.ArrayList<>();
    for (URI url : webhookUrls) {
      targets.add(new NotifyTarget("", webhookFormat, url, webhookEvents,
          webhookFormat == WebhookFormat.JSON ? webhookSecret : Optional.empty(), Optional.empty(), Optional.empty()));
    }
    List<NotifyTarget> more = r.get("NOTIFY_TARGETS", (n, v) -> NotifyTargets.parse(n, v,
        new NotifyTargets.Defaults(webhookEvents, webhookSecret, smtpPassword, smtpPasswordFile)));
    if (more == null) {
      return null;
    }
    targets.addAll(more);
    return List.copyOf(targets);
  }

  /** The most hosts cleaned at once. */
  public static final int MAX_HOST_CONCURRENCY = 32;

  /**
   * The settings of one host of DOCKER_HOSTS: these settings with the host's own values (and
   * {@code more}, e.g. what its docker context says) on top, without DOCKER_HOSTS.
   *
   * @throws ConfigException naming the host and the setting when a value is invalid
   */
  public Settings forHost(HostSpec host, Map<String, String> more) {
    Map<String, String> r = new LinkedHashMap<>(raw);
    Map<String, String> l = new LinkedHashMap<>(labels);
    Map<String, ValueSource> s = new LinkedHashMap<>(sources);
    Map<String, String> values = new LinkedHashMap<>(host.overrides());
    values.putAll(more);
    String prefix = labels.getOrDefault("DOCKER_HOSTS", "DOCKER_HOSTS") + " ('" + host.name() + "'): ";
    values.forEach((name, value) -> {
      r.put(name, value.trim());
      l.put(name, prefix + SettingsLoader.fileKeyOf(name));
      s.put(name, sources.getOrDefault("DOCKER_HOSTS", ValueSource.DEFAULT));
    });
    r.put("DOCKER_HOSTS", "");
    List<String> errors = new java.util.ArrayList<>();
    Settings settings = new Settings(r, l, s, errors);
    if (!errors.isEmpty()) {
      throw new ConfigException(errors, null);
    }
    return settings;
  }

  /** DOCKER_HOSTS: the hosts to clean; empty = DOCKER_HOST alone. */
  public List<HostSpec> hosts() {
    return hosts;
  }

  /** HOST_CONCURRENCY: hosts cleaned at once (1 = one after another). */
  public int hostConcurrency() {
    return hostConcurrency;
  }

  /** Reads one variable with a parser, collecting errors instead of throwing. */
  private static final class Reader {
    private final Map<String, String> raw;
    private final Map<String, String> labels;
    private final List<String> errors;

    Reader(Map<String, String> raw, Map<String, String> labels, List<String> errors) {
      this.raw = raw;
      this.labels = labels;
      this.errors = errors;
    }

    String label(String name) {
      return labels.getOrDefault(name, name);
    }

    <T> T get(String name, BiFunction<String, String, T> parser) {
      try {
        return parser.apply(label(name), raw.getOrDefault(name, ""));
      } catch (ConfigException e) {
        errors.addAll(e.errors());
        return null;
      }
    }

    boolean bool(String name, BiFunction<String, String, Boolean> parser) {
      Boolean b = get(name, parser);
      return b != null && b;
    }

    int integer(String name, BiFunction<String, String, Integer> parser) {
      Integer i = get(name, parser);
      return i == null ? 0 : i;
    }

    /** Adds an error unless {@code lower < upper} (or {@code <=} when not strict). */
    void below(String lowerName, Double lower, String upperName, Double upper, boolean strict) {
      if (lower == null || upper == null) {
        return;
      }
      boolean ok = strict ? lower < upper : lower <= upper;
      if (!ok) {
        errors.add(
            label(lowerName) + " (" + raw.get(lowerName) + ") must be "
                + (strict ? "below " : "at most ") + label(upperName) + " (" + raw.get(upperName) + ")");
      }
    }
  }

  /** The settings with every variable at its default. */
  public static Settings defaults() {
    return of(Map.of());
  }

  /**
   * Settings from variable values (keyed by variable name, e.g. {@code PRUNE_ALL}) over the
   * defaults; handy for tests and embedding.
   *
   * @throws ConfigException for unknown names or invalid values
   */
  public static Settings of(Map<String, String> values) {
    return SettingsLoader.fromValues(values);
  }

  /** DOCKER_HOST, as written (e.g. {@code unix:///var/run/docker.sock}). */
  public String dockerHost() {
    return dockerHost;
  }

  /** DOCKER_TLS_VERIFY (empty = false). */
  public boolean dockerTlsVerify() {
    return dockerTlsVerify;
  }

  /** DOCKER_CERT_PATH. */
  public Optional<Path> dockerCertPath() {
    return dockerCertPath;
  }

  /** PRUNE_ALL: images too, not only dangling ones. */
  public boolean pruneAll() {
    return pruneAll;
  }

  /** PRUNE_VOLUMES as given; see {@link #volumesEnabled()}. */
  public boolean pruneVolumes() {
    return pruneVolumes;
  }

  /** PRUNE_VOLUMES_ALL: named volumes too, not only anonymous ones (requires volumes enabled). */
  public boolean pruneVolumesAll() {
    return pruneVolumesAll;
  }

  /** PRUNE_FORCE. */
  public boolean pruneForce() {
    return pruneForce;
  }

  /** CLEANUP_CONTAINERS. */
  public boolean containersEnabled() {
    return cleanupContainers;
  }

  /** CLEANUP_IMAGES. */
  public boolean imagesEnabled() {
    return cleanupImages;
  }

  /** Volumes are cleaned: CLEANUP_VOLUMES=true or PRUNE_VOLUMES=true. */
  public boolean volumesEnabled() {
    return cleanupVolumes || pruneVolumes;
  }

  /** CLEANUP_NETWORKS. */
  public boolean networksEnabled() {
    return cleanupNetworks;
  }

  /** CLEANUP_BUILD_CACHE. */
  public boolean buildCacheEnabled() {
    return cleanupBuildCache;
  }

  /** PRUNE_FILTER_UNTIL. */
  public UntilFilter until() {
    return until;
  }

  /** PRUNE_FILTER_LABEL; all must match for a resource to be pruned; empty = no label filter. */
  public List<LabelFilter> labelFilters() {
    return labelFilters;
  }

  /** LOG_LEVEL. */
  public LogLevel logLevel() {
    return logLevel;
  }

  /** LOG_FORMAT. */
  public LogFormat logFormat() {
    return logFormat;
  }

  /** QUIET. */
  public boolean quiet() {
    return quiet;
  }

  /** DRY_RUN. */
  public boolean dryRun() {
    return dryRun;
  }

  /** STATE_DIR (empty = no persisted state). */
  public Optional<Path> stateDir() {
    return stateDir;
  }

  /** DISK_PATH (empty = let the agent find Docker's data root). */
  public Optional<Path> diskPath() {
    return diskPath;
  }

  /** DISK_CHECK_INTERVAL, positive. */
  public Duration diskCheckInterval() {
    return diskCheckInterval;
  }

  /** DF_INTERVAL, positive. */
  public Duration dfInterval() {
    return dfInterval;
  }

  /** DISK_HIGH_WATERMARK as a ratio 0–1. */
  public double diskHighWatermarkRatio() {
    return diskHighWatermarkRatio;
  }

  /** DISK_LOW_WATERMARK as a ratio 0–1, below the high watermark. */
  public double diskLowWatermarkRatio() {
    return diskLowWatermarkRatio;
  }

  /** DISK_CRITICAL_WATERMARK as a ratio 0–1, at least the high watermark. */
  public double diskCriticalWatermarkRatio() {
    return diskCriticalWatermarkRatio;
  }

  /** INODE_HIGH_WATERMARK as a ratio 0–1. */
  public double inodeHighWatermarkRatio() {
    return inodeHighWatermarkRatio;
  }

  /** INODE_LOW_WATERMARK as a ratio 0–1, below the inode high watermark. */
  public double inodeLowWatermarkRatio() {
    return inodeLowWatermarkRatio;
  }

  /** DOCKER_USAGE_LIMIT in bytes; empty = no limit. */
  public OptionalLong dockerUsageLimitBytes() {
    return dockerUsageLimitBytes;
  }

  /** BUILD_CACHE_LIMIT in bytes; empty = no limit. */
  public OptionalLong buildCacheLimitBytes() {
    return buildCacheLimitBytes;
  }

  private static Optional<String> parseSchedule(String inputName, String value) {
    if (value.isEmpty()) {
      return Optional.empty();
    }
    try {
      io.dockercleaner.schedule.CronExpression.parse(inputName, value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
    return Optional.of(value);
  }

  /**
   * SCHEDULE's zone: its {@code CRON_TZ=} prefix, else TZ (a zone ID such as Europe/Berlin; a
   * leading {@code :} as glibc allows is ignored), else UTC. TZ is checked only when a schedule
   * needs it: a one-shot run ignores it.
   */
  /** The zone of MAINTENANCE_WINDOW: TZ, else UTC. */
  private static java.time.ZoneId windowZone(String tzLabel, String tz) {
    return tzZone(tzLabel, tz, "MAINTENANCE_WINDOW is in local time of TZ");
  }

  /** TZ as a zone (empty = UTC; a leading ':' as glibc allows); {@code why} ends the error message. */
  private static java.time.ZoneId tzZone(String tzLabel, String tz, String why) {
    if (tz.isEmpty()) {
      return UTC;
    }
    try {
      return java.time.ZoneId.of(tz.startsWith(":") ? tz.substring(1) : tz);
    } catch (java.time.DateTimeException e) {
      throw new ConfigException(tzLabel + ": '" + tz + "' is not a time zone ID such as Europe/Berlin or UTC (" + why
          + ")");
    }
  }

  private static java.time.ZoneId scheduleZone(String tzLabel, String tz, Optional<String> schedule) {
    if (schedule == null || schedule.isEmpty()) {
      return UTC;
    }
    Optional<java.time.ZoneId> own = io.dockercleaner.schedule.CronExpression.parse(schedule.get()).zone();
    if (own.isPresent()) {
      return own.get();
    }
    return tzZone(tzLabel, tz, "SCHEDULE fires in local time of TZ; or give SCHEDULE a CRON_TZ=Zone prefix");
  }

  private static final java.time.ZoneId UTC = java.time.ZoneId.of("UTC");

  /**
   * SCHEDULE as a cron expression with its zone: as given when it starts with {@code CRON_TZ=},
   * else prefixed with {@code CRON_TZ=}{@link #scheduleZone()}, so whoever parses it fires in that
   * zone; empty = no schedule.
   */
  public Optional<String> schedule() {
    if (schedule == null || schedule.isEmpty() || schedule.get().startsWith("CRON_TZ=")) {
      return schedule;
    }
    return Optional.of("CRON_TZ=" + scheduleZone.getId() + " " + schedule.get());
  }

  /** The zone SCHEDULE fires in: its CRON_TZ= prefix, else TZ, else UTC. */
  public java.time.ZoneId scheduleZone() {
    return scheduleZone;
  }

  /** RUN_ON_START. */
  public boolean runOnStart() {
    return runOnStart;
  }

  /** MIN_RUN_INTERVAL. */
  public Duration minRunInterval() {
    return minRunInterval;
  }

  /** KEEP_IMAGES glob patterns. */
  public List<String> keepImages() {
    return keepImages;
  }

  /** KUBELET_MANAGED: true for {@code skip} (the default), false for {@code include}. */
  public boolean skipKubeletManaged() {
    return skipKubeletManaged;
  }

  /**
   * SWARM_TASK_IMAGE_RETENTION: on a daemon that cannot list swarm service specs (a worker), how
   * long the agent keeps the image of a task after it last saw the task on this node (zero: only
   * while a task container is there).
   */
  public Duration swarmTaskImageRetention() {
    return swarmTaskImageRetention;
  }

  /** KEEP_TAGS_PER_REPO, 0 to {@value #MAX_KEEP_TAGS_PER_REPO}. */
  public int keepTagsPerRepo() {
    return keepTagsPerRepo;
  }

  /** MIN_AGE. */
  public Duration minAge() {
    return minAge;
  }

  /** CLEANUP_POLICY: lru (default) or cost. */
  public io.dockercleaner.plan.CleanupPolicy cleanupPolicy() {
    return cleanupPolicy;
  }

  /** QUIET_PERIOD. */
  public Duration quietPeriod() {
    return quietPeriod;
  }

  /** MAX_RUN_DURATION, positive. */
  public Duration maxRunDuration() {
    return maxRunDuration;
  }

  /** MAX_DELETIONS_PER_RUN, 1 to {@value #MAX_DELETIONS_PER_RUN_LIMIT}. */
  public int maxDeletionsPerRun() {
    return maxDeletionsPerRun;
  }

  /**
   * DELETE_CONCURRENCY, 1 to {@value #MAX_DELETE_CONCURRENCY}: the most deletions the agent keeps
   * in flight (default 2). The executor adapts below it (starts at 2, grows while the daemon keeps
   * up, halves when it slows down); 1 means strictly one at a time.
   */
  public int deleteConcurrency() {
    return deleteConcurrency;
  }

  /** HTTP_LISTEN. */
  public HostPort httpListen() {
    return httpListen;
  }

  /** API_TOKEN (secret: never log it). */
  public Optional<String> apiToken() {
    return apiToken;
  }

  /** API_TOKEN_FILE; never set together with API_TOKEN. */
  public Optional<Path> apiTokenFile() {
    return apiTokenFile;
  }

  /** API_TOKEN_FOR_READ; when true a token is configured. */
  public boolean apiTokenForRead() {
    return apiTokenForRead;
  }

  /**
   * API_OPEN_READ: the operator accepts that the read endpoints (status, runs, metrics) answer
   * anyone who can reach HTTP_LISTEN; required for a non-loopback HTTP_LISTEN without a token.
   */
  public boolean apiOpenRead() {
    return apiOpenRead;
  }

  /** API_RATE_LIMIT. */
  public RateLimit apiRateLimit() {
    return apiRateLimit;
  }

  /** METRICS_TEXTFILE. */
  public Optional<Path> metricsTextfile() {
    return metricsTextfile;
  }

  /** WEBHOOK_URL, each http or https (may carry credentials: never log them). */
  public List<URI> webhookUrls() {
    return webhookUrls;
  }

  /** WEBHOOK_FORMAT. */
  public WebhookFormat webhookFormat() {
    return webhookFormat;
  }

  /** WEBHOOK_EVENTS. */
  public Set<WebhookEvent> webhookEvents() {
    return webhookEvents;
  }

  /** WEBHOOK_TIMEOUT, positive. */
  public Duration webhookTimeout() {
    return webhookTimeout;
  }

  /**
   * Every notification target: one per WEBHOOK_URL (in WEBHOOK_FORMAT, for WEBHOOK_EVENTS, signed
   * with WEBHOOK_SECRET), then those of NOTIFY_TARGETS, each with its own format and events.
   */
  public List<NotifyTarget> notifyTargets() {
    return notifyTargets;
  }

  /**
   * MAINTENANCE_WINDOW in TZ: outside it threshold runs wait, unless usage is above the critical
   * watermark or the disk is forecast to fill before it opens. Empty = always open.
   */
  public Optional<io.dockercleaner.schedule.MaintenanceWindow> maintenanceWindow() {
    return maintenanceWindow;
  }

  /** FORECAST_ALERT: notify when the disk is forecast to fill within this; zero = off. */
  public Duration forecastAlert() {
    return forecastAlert;
  }

  /** SMTP_PASSWORD (secret: never log it). */
  public Optional<String> smtpPassword() {
    return smtpPassword;
  }

  /** SMTP_PASSWORD_FILE. */
  public Optional<Path> smtpPasswordFile() {
    return smtpPasswordFile;
  }

  /** WEBHOOK_SECRET (secret: never log it). */
  public Optional<String> webhookSecret() {
    return webhookSecret;
  }

  /**
   * The effective raw value of every variable of {@link EnvironmentVariables}, in documentation
   * order, with API_TOKEN and WEBHOOK_SECRET masked as {@code ***} and WEBHOOK_URL reduced to
   * scheme and host (user info and path masked: webhook services keep credentials there).
   */
  public Map<String, String> effective() {
    Map<String, String> masked = new LinkedHashMap<>();
    raw.forEach((name, value) -> masked.put(name, Secrets.mask(name, value)));
    return Collections.unmodifiableMap(masked);
  }

  /** Where each variable's effective value came from. */
  public Map<String, ValueSource> sources() {
    return sources;
  }

  private List<Object> typedValues() {
    return Arrays.asList(
        dockerHost, dockerTlsVerify, dockerCertPath, pruneAll, pruneVolumes, pruneVolumesAll,
        pruneForce, cleanupContainers, cleanupImages, cleanupVolumes, cleanupNetworks,
        cleanupBuildCache, until, labelFilters, logLevel, logFormat, quiet, dryRun, stateDir,
        diskPath, diskCheckInterval, dfInterval, diskHighWatermarkRatio, diskLowWatermarkRatio,
        diskCriticalWatermarkRatio, inodeHighWatermarkRatio, inodeLowWatermarkRatio,
        dockerUsageLimitBytes, buildCacheLimitBytes, schedule, runOnStart, minRunInterval,
        keepImages, keepTagsPerRepo, skipKubeletManaged, swarmTaskImageRetention, minAge, cleanupPolicy, quietPeriod, maxRunDuration,
        maxDeletionsPerRun,
        deleteConcurrency, httpListen, apiToken, apiTokenFile, apiTokenForRead, apiOpenRead, apiRateLimit,
        metricsTextfile, webhookUrls, webhookFormat, webhookEvents, webhookTimeout, webhookSecret, smtpPassword,
        smtpPasswordFile, notifyTargets, maintenanceWindow == null ? null : maintenanceWindow.map(Object::toString),
        forecastAlert, hosts, hostConcurrency);
  }

  /** Equal when every typed value is equal (so {@code 85} and {@code 85%} give equal settings). */
  @Override
  public boolean equals(Object o) {
    return o instanceof Settings s && typedValues().equals(s.typedValues());
  }

  @Override
  public int hashCode() {
    return typedValues().hashCode();
  }

  /** {@link #effective()}, secrets masked. */
  @Override
  public String toString() {
    return "Settings" + effective();
  }
}
