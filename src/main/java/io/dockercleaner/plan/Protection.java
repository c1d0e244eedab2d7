package io.dockercleaner.plan;

import java.util.List;

/**
 * Which protection applies in which mode, and why: the table the README shows (checked against
 * this enum, and each row checked against the planner's behaviour by {@code ProtectionTableTest}).
 * Modes: the one-shot (a sweep without usage history), the agent's schedule and start runs (a
 * sweep with history) and its targeted runs (thresholds, HTTP, plan apply).
 */
public enum Protection {
  LABEL_FILTER("`PRUNE_FILTER_LABEL` (default `keep!=true`)", true, true, true,
      "the user's own mark; build cache has no labels, so it cannot be protected this way"),
  KEEP_IMAGES("`KEEP_IMAGES` patterns", true, true, true, "matched and validated by the same code"),
  KEEP_TAGS_PER_REPO("`KEEP_TAGS_PER_REPO` newest tags", true, true, true, "by image creation time"),
  MIN_AGE("`MIN_AGE` (default 1h)", true, true, true,
      "one-shot: from creation, or the exit time `docker ps` shows; the agent also counts last use"),
  IN_USE("in use", true, true, true,
      "running containers, images of containers that stay, volumes they mount, networks with a running"
          + " container, build cache in use"),
  SWARM_SERVICES("images a Swarm service spec names", true, true, true,
      "even with no task on this node; a worker cannot see specs: the images of its task containers and, in the"
          + " agent, of every task seen on it within `SWARM_TASK_IMAGE_RETENTION` (30d)"),
  KUBELET_MANAGED("the kubelet's containers and their images (unless `KUBELET_MANAGED=include`)", true, true, true,
      "`io.kubernetes.*` labels: the kubelet garbage-collects them itself"),
  NAMED_VOLUMES("named volumes (unless `PRUNE_VOLUMES_ALL`)", true, true, true, "only anonymous volumes by default"),
  PRUNE_FILTER_UNTIL("`PRUNE_FILTER_UNTIL` (default 24h)", true, true, false,
      "the v1 prune filter; targeted runs free space by `MIN_AGE` and last use instead"),
  TAGGED_IMAGES("tagged images (unless `PRUNE_ALL`)", true, true, false,
      "targeted runs remove unused tagged images, least recently used first"),
  LAST_USE("image used within `MIN_AGE`", false, true, true, "the one-shot has no usage history"),
  QUIET_PERIOD("`QUIET_PERIOD` since an object's last event", false, true, true, "needs the event stream");

  private final String what;
  private final boolean oneShot;
  private final boolean sweep;
  private final boolean targeted;
  private final String why;

  Protection(String what, boolean oneShot, boolean sweep, boolean targeted, String why) {
    this.what = what;
    this.oneShot = oneShot;
    this.sweep = sweep;
    this.targeted = targeted;
    this.why = why;
  }

  /** Applies in the one-shot. */
  public boolean oneShot() {
    return oneShot;
  }

  /** Applies in the agent's schedule and start runs. */
  public boolean sweep() {
    return sweep;
  }

  /** Applies in the agent's thresholds, HTTP runs and plan applies. */
  public boolean targeted() {
    return targeted;
  }

  /** The table as Markdown, as the README shows it. */
  public static List<String> markdownTable() {
    List<String> lines = new java.util.ArrayList<>();
    lines.add("| protection | one-shot | schedule / start | threshold / HTTP / plan apply | why |");
    lines.add("|---|---|---|---|---|");
    for (Protection p : values()) {
      lines.add("| " + p.what + " | " + mark(p.oneShot) + " | " + mark(p.sweep) + " | " + mark(p.targeted) + " | "
          + p.why + " |");
    }
    return lines;
  }

  private static String mark(boolean applies) {
    return applies ? "yes" : "no";
  }
}
