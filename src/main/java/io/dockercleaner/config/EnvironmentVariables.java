package io.dockercleaner.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Every environment variable docker-cleaner (program and {@code entrypoint.sh}) reads, with its
 * default ("" = unset). The single list that config validation, {@code --help} and the deployment
 * example test check against.
 */
public final class EnvironmentVariables {
  private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

  static {
    // connection (as the docker CLI)
    put("DOCKER_HOST", "unix:///var/run/docker.sock");
    put("DOCKER_TLS_VERIFY", "");
    put("DOCKER_CERT_PATH", "");
    // several hosts from one process (empty = DOCKER_HOST alone)
    put("DOCKER_HOSTS", "");
    put("HOST_CONCURRENCY", "1");
    // one-shot contract
    put("PRUNE_ALL", "false");
    put("PRUNE_VOLUMES", "false");
    put("PRUNE_VOLUMES_ALL", "false");
    put("PRUNE_FORCE", "true");
    put("CLEANUP_CONTAINERS", "true");
    put("CLEANUP_IMAGES", "true");
    put("CLEANUP_VOLUMES", "false");
    put("CLEANUP_NETWORKS", "true");
    put("CLEANUP_BUILD_CACHE", "true");
    put("PRUNE_FILTER_UNTIL", "24h");
    put("PRUNE_FILTER_LABEL", "keep!=true");
    put("LOG_LEVEL", "INFO");
    put("LOG_FORMAT", "text");
    put("QUIET", "false");
    put("DRY_RUN", "false");
    // agent
    put("STATE_DIR", "");
    put("DISK_PATH", "");
    put("DISK_CHECK_INTERVAL", "10s");
    put("DF_INTERVAL", "5m");
    put("DISK_HIGH_WATERMARK", "85%");
    put("DISK_LOW_WATERMARK", "75%");
    put("DISK_CRITICAL_WATERMARK", "95%");
    put("INODE_HIGH_WATERMARK", "85%");
    put("INODE_LOW_WATERMARK", "75%");
    put("DOCKER_USAGE_LIMIT", "");
    put("BUILD_CACHE_LIMIT", "");
    put("SCHEDULE", "");
    put("TZ", ""); // the zone of SCHEDULE (empty = UTC); also read by the JVM
    put("RUN_ON_START", "false");
    put("MIN_RUN_INTERVAL", "60s");
    put("KEEP_IMAGES", "");
    put("KEEP_TAGS_PER_REPO", "0");
    put("KUBELET_MANAGED", "skip");
    put("SWARM_TASK_IMAGE_RETENTION", "30d");
    put("MIN_AGE", "1h");
    put("CLEANUP_POLICY", "lru");
    put("QUIET_PERIOD", "2m");
    put("MAX_RUN_DURATION", "5m");
    put("MAX_DELETIONS_PER_RUN", "500");
    // 2: as fast as 8 within 10 % on a 2-core host, with other clients' p99 ~3x idle instead of ~4x
    // (bench/README.md, "Start-up rehearsal and the probe's tail")
    put("DELETE_CONCURRENCY", "2");
    put("MAINTENANCE_WINDOW", "");
    put("FORECAST_ALERT", "6h");
    // operations surface
    put("HTTP_LISTEN", "127.0.0.1:8080");
    put("API_TOKEN", "");
    put("API_TOKEN_FILE", "");
    put("API_TOKEN_FOR_READ", "false");
    put("API_OPEN_READ", "false");
    put("API_RATE_LIMIT", "10/min");
    put("METRICS_TEXTFILE", "");
    put("WEBHOOK_URL", "");
    put("WEBHOOK_FORMAT", "json");
    put("WEBHOOK_EVENTS", "run_failed,run_partial,target_not_reached,threshold_crossed,disk_forecast");
    put("WEBHOOK_TIMEOUT", "5s");
    put("WEBHOOK_SECRET", "");
    put("NOTIFY_TARGETS", "");
    put("SMTP_PASSWORD", "");
    put("SMTP_PASSWORD_FILE", "");
    // read by entrypoint.sh only
    put("DOCKER_SOCKET", "/var/run/docker.sock");
    put("CLEANUP_USER", "cleanup-user");
  }

  private EnvironmentVariables() {}

  private static void put(String name, String defaultValue) {
    DEFAULTS.put(name, defaultValue);
  }

  /** All known variable names, in documentation order. */
  public static Set<String> names() {
    return Collections.unmodifiableSet(DEFAULTS.keySet());
  }

  /** Name → default value ("" when unset by default), in documentation order. */
  public static Map<String, String> defaults() {
    return Collections.unmodifiableMap(DEFAULTS);
  }
}
