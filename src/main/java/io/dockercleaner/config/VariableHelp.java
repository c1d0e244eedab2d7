package io.dockercleaner.config;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The one-line description of every variable of {@link EnvironmentVariables} and the mode that
 * uses it, for {@code --help}. Kept apart from the list of names so that adding a variable there
 * stays a one-line change; {@code VariableHelpTest} fails while a variable has no description.
 */
public final class VariableHelp {
  /** Which command reads a variable. */
  public enum Mode {
    /** {@code run} (and {@code check} for the connection). */
    ONE_SHOT("one-shot"),
    /** {@code agent}. */
    AGENT("agent"),
    /** Both; in the agent the prune settings apply to scheduled and start runs. */
    BOTH("both"),
    /** Read by the image's entrypoint.sh only. */
    ENTRYPOINT("image");

    private final String label;

    Mode(String label) {
      this.label = label;
    }

    /** As shown in {@code --help}. */
    public String label() {
      return label;
    }
  }

  /** A variable's mode and description. */
  public record Doc(Mode mode, String description) {}

  private static final Map<String, Doc> DOCS = new HashMap<>();

  static {
    both("DOCKER_HOST", "Docker daemon address: unix:///path/docker.sock or tcp://host:port");
    both("DOCKER_TLS_VERIFY", "use TLS and verify the daemon's certificate (tcp://), as the docker CLI");
    both("DOCKER_CERT_PATH", "folder with ca.pem, cert.pem and key.pem for TLS");
    both("DOCKER_HOSTS", "several hosts: NAME=ADDRESS or NAME=context:CONTEXT, comma-separated, or a hosts: list"
        + " with per-host settings in the config file (empty = DOCKER_HOST alone); the agent watches them all"
        + " (/v1/hosts/NAME/..., state in STATE_DIR/hosts/NAME)");
    put("HOST_CONCURRENCY", Mode.ONE_SHOT, "hosts cleaned at once with DOCKER_HOSTS (1 = one after another)");
    both("PRUNE_ALL", "images: all unused images, not only dangling ones (build cache: all of it)");
    both("PRUNE_VOLUMES", "include volumes (same as CLEANUP_VOLUMES=true)");
    both("PRUNE_VOLUMES_ALL", "volumes: named ones too, not only anonymous ones");
    put("PRUNE_FORCE", Mode.ONE_SHOT, "false: show the plan and ask on the terminal before deleting");
    both("CLEANUP_CONTAINERS", "remove stopped containers");
    both("CLEANUP_IMAGES", "remove unused images (dangling ones unless PRUNE_ALL)");
    both("CLEANUP_VOLUMES", "remove unused volumes");
    both("CLEANUP_NETWORKS", "remove unused networks");
    both("CLEANUP_BUILD_CACHE", "remove build cache");
    both("PRUNE_FILTER_UNTIL", "only objects older than this: 24h, RFC 3339 time, date, unix seconds; 0 = any age");
    both("PRUNE_FILTER_LABEL", "label filters, comma-separated: key, key=value, key!=value, !key");
    both("LOG_LEVEL", "DEBUG, INFO, WARN or ERROR");
    both("LOG_FORMAT", "text, or json (one JSON object per line)");
    both("QUIET", "print only errors and the summary");
    both("DRY_RUN", "delete nothing; log what would be removed");
    agent("STATE_DIR", "folder for the last-use state and audit.jsonl (unset = in memory)");
    agent("DISK_PATH", "file system to watch (unset = the daemon's DockerRootDir)");
    agent("DISK_CHECK_INTERVAL", "how often to measure the disk");
    agent("DF_INTERVAL", "how often to ask Docker for its usage (/system/df)");
    agent("DISK_HIGH_WATERMARK", "used disk share that starts a cleanup");
    agent("DISK_LOW_WATERMARK", "used disk share a cleanup brings the disk down to");
    agent("DISK_CRITICAL_WATERMARK", "used disk share that starts a cleanup at once, without waiting");
    agent("INODE_HIGH_WATERMARK", "used inode share that starts a cleanup");
    agent("INODE_LOW_WATERMARK", "used inode share a cleanup brings the inodes down to");
    agent("DOCKER_USAGE_LIMIT", "clean when Docker's own usage exceeds this size (unset = no limit)");
    agent("BUILD_CACHE_LIMIT", "clean build cache above this size (unset = no limit)");
    agent("SCHEDULE", "cron expression for full runs, optionally CRON_TZ=Zone first (unset = none)");
    agent("TZ", "time zone of SCHEDULE, e.g. Europe/Berlin (unset = UTC)");
    agent("RUN_ON_START", "run the full sequence once when the agent starts");
    agent("MIN_RUN_INTERVAL", "least time between two threshold runs");
    both("KEEP_IMAGES", "image patterns never deleted, comma-separated (myrepo/*:release-*, app:v[0-9]*)");
    both("KEEP_TAGS_PER_REPO", "keep the newest N tags of each repository (0 = off)");
    both("KUBELET_MANAGED", "skip: never touch containers with io.kubernetes.* labels nor their images (the kubelet"
        + " garbage-collects them); include: treat them like any other");
    agent("SWARM_TASK_IMAGE_RETENTION", "on a swarm worker (which cannot list service specs), keep the image of a"
        + " task that ran on this node this long after the task was last seen here (0 = only tasks still here)");
    both("MIN_AGE", "never delete objects younger than this (in every mode; 0 = prune semantics)");
    agent("CLEANUP_POLICY", "order of unused images in targeted runs: lru (least recently used first) or cost (least expected re-pull cost first, with its evidence)");
    agent("QUIET_PERIOD", "never delete objects an event touched within this time");
    agent("MAX_RUN_DURATION", "stop deleting after this long");
    agent("MAX_DELETIONS_PER_RUN", "stop after this many deletions");
    agent("DELETE_CONCURRENCY", "deletions in parallel");
    agent("HTTP_LISTEN", "address of the HTTP API and /metrics (host:port)");
    agent("API_TOKEN", "bearer token for the API's write calls (secret: environment or file only)");
    agent("API_TOKEN_FILE", "file holding API_TOKEN (e.g. a Docker/Kubernetes secret)");
    agent("API_TOKEN_FOR_READ", "require the token for read calls too");
    agent("API_OPEN_READ", "allow the read API without a token on a non-loopback HTTP_LISTEN");
    agent("API_RATE_LIMIT", "requests per client and period to the write calls, e.g. 10/min");
    put("METRICS_TEXTFILE", Mode.ONE_SHOT, "write the run's metrics to this file for node_exporter's textfile collector");
    both("WEBHOOK_URL", "URLs to notify, comma-separated (unset = no notifications)");
    both("WEBHOOK_FORMAT", "json, slack, discord or teams");
    both("WEBHOOK_EVENTS", "events to notify, comma-separated");
    both("WEBHOOK_TIMEOUT", "timeout of one delivery attempt");
    both("WEBHOOK_SECRET", "HMAC key that signs webhook bodies (secret: environment or file only)");
    agent("MAINTENANCE_WINDOW", "when threshold runs may start, in TZ, e.g. 'Mon-Fri 22:00-06:00, Sat-Sun'"
        + " (empty = any time); outside it they wait unless usage is above the critical watermark or the disk"
        + " is forecast to fill first");
    agent("FORECAST_ALERT", "notify disk_forecast when the disk is forecast to fill within this (0 = off)");
    both("NOTIFY_TARGETS", "more targets, each with its own format and events: [json|slack|discord|teams+]URL"
        + "[#events=...] or smtp(s)://host?from=..&to=.. separated by spaces, or a list in the config file"
        + " (environment or file only: URLs hold credentials)");
    both("SMTP_PASSWORD", "password of e-mail targets that give a user but no password (secret)");
    both("SMTP_PASSWORD_FILE", "file holding SMTP_PASSWORD");
    put("DOCKER_SOCKET", Mode.ENTRYPOINT, "socket whose group the image's user joins");
    put("CLEANUP_USER", Mode.ENTRYPOINT, "user the image runs docker-cleaner as");
  }

  private VariableHelp() {}

  private static void put(String name, Mode mode, String description) {
    DOCS.put(name, new Doc(mode, description));
  }

  private static void both(String name, String description) {
    put(name, Mode.BOTH, description);
  }

  private static void agent(String name, String description) {
    put(name, Mode.AGENT, description);
  }

  /** The description of {@code name}, empty for a variable nobody described yet. */
  public static Optional<Doc> of(String name) {
    return Optional.ofNullable(DOCS.get(name));
  }
}
