package io.dockercleaner.exec;

import io.dockercleaner.core.ResourceType;
import io.dockercleaner.docker.DockerClient;
import io.dockercleaner.docker.DockerException;
import io.dockercleaner.docker.Filters;
import io.dockercleaner.docker.model.BuildCacheRecord;
import io.dockercleaner.docker.model.ContainerSummary;
import io.dockercleaner.docker.model.DiskUsage;
import io.dockercleaner.docker.model.ImageSummary;
import io.dockercleaner.docker.model.NetworkSummary;
import io.dockercleaner.docker.model.ServiceSummary;
import io.dockercleaner.docker.model.VolumeSummary;
import io.dockercleaner.plan.BuildCacheInfo;
import io.dockercleaner.plan.ContainerInfo;
import io.dockercleaner.plan.ImageInfo;
import io.dockercleaner.plan.Inventory;
import io.dockercleaner.plan.NetworkInfo;
import io.dockercleaner.plan.VolumeInfo;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the daemon's state into the planner's {@link Inventory}: from one {@code /system/df}
 * answer (the agent: every size in one call) plus the network list, or from the list calls (the
 * one-shot: only what the enabled types need).
 */
public final class InventoryLoader {
  private static final Logger LOG = LoggerFactory.getLogger(InventoryLoader.class);

  private InventoryLoader() {}

  /**
   * The agent's inventory: one {@code /system/df} answer (every size in one call), plus the
   * untagged parents of other images that it does not list (so the planner can plan or protect
   * them; see {@link #images}) and, when networks are planned, {@code /networks}.
   */
  public static Future<Inventory> load(DockerClient docker, DiskUsage df, boolean withNetworks, Instant now) {
    return load(docker, df, withNetworks, now, SwarmTaskRecall.NONE);
  }

  /**
   * The agent's inventory (as {@link #load(DockerClient, DiskUsage, boolean, Instant)}), with what
   * the agent remembers of the swarm tasks that ran on this node: on a daemon that cannot list
   * service specs, their images stay protected (see {@link SwarmTaskRecall}).
   */
  public static Future<Inventory> load(DockerClient docker, DiskUsage df, boolean withNetworks, Instant now,
      SwarmTaskRecall recall) {
    Future<List<NetworkSummary>> networks = withNetworks ? docker.listNetworks(Filters.NONE) : Future.succeededFuture(List.of());
    Future<List<ImageSummary>> all = docker.listImages(Filters.NONE, true);
    Future<ServiceRefs> services = serviceImageRefs(docker, df.containers(), recall, now);
    return Future.all(networks, all, services).map(v -> {
      Map<String, ImageSummary> images = new java.util.LinkedHashMap<>();
      df.images().forEach(i -> images.put(i.id(), i));
      all.result().forEach(i -> images.putIfAbsent(i.id(), i));
      return new Inventory(containers(df.containers(), now), images(List.copyOf(images.values())),
          volumes(df.volumes()), cache(df.buildCache()), networks(networks.result()), services.result().refs(),
          services.result().evidence());
    });
  }

  /** The one-shot's inventory: the list calls the enabled types need. */
  public static Future<Inventory> load(DockerClient docker, Set<ResourceType> types, Instant now) {
    // containers are always listed: they decide what is in use
    Future<List<ContainerSummary>> containers = docker.listContainers(true, types.contains(ResourceType.CONTAINER), Filters.NONE);
    // all images: the untagged parents of others too, which the daemon would delete with their last
    // child; the planner plans them (or keeps them) explicitly and the executor deletes with noprune
    Future<List<ImageSummary>> images = types.contains(ResourceType.IMAGE)
        ? docker.listImages(Filters.NONE, true) : Future.succeededFuture(List.of());
    Future<List<VolumeInfo>> volumes = types.contains(ResourceType.VOLUME) ? volumes(docker) : Future.succeededFuture(List.of());
    Future<List<NetworkSummary>> networks = types.contains(ResourceType.NETWORK)
        ? docker.listNetworks(Filters.NONE) : Future.succeededFuture(List.of());
    Future<List<BuildCacheRecord>> cache = types.contains(ResourceType.BUILD_CACHE)
        ? docker.listBuildCache() : Future.succeededFuture(List.of());
    // service specs matter only when images may go
    Future<ServiceRefs> services = types.contains(ResourceType.IMAGE)
        ? containers.compose(list -> serviceImageRefs(docker, list, SwarmTaskRecall.NONE, now))
        : Future.succeededFuture(ServiceRefs.NONE);
    return Future.all(containers, images, volumes, networks, cache, services).map(v -> new Inventory(
        containers(containers.result(), now), images(images.result()), volumes.result(), cache(cache.result()),
        networks(networks.result()), services.result().refs(), services.result().evidence()));
  }

  /**
   * What an agent remembers of the swarm tasks that ran on this node (see {@code
   * agent.watch.SwarmTaskMemory}). A worker cannot list service specs: an image whose task left the
   * node would otherwise lose its protection while the service still names it. The one-shot
   * remembers nothing ({@link #NONE}): it keeps the images of the task containers that exist.
   */
  public interface SwarmTaskRecall {
    /** Remembers nothing (the one-shot, {@code recommend}). */
    SwarmTaskRecall NONE = new SwarmTaskRecall() {
      @Override
      public void seen(List<ContainerSummary> containers, Instant now) {}

      @Override
      public void servicesListed(Set<String> serviceIds, Instant now) {}

      @Override
      public Map<String, String> remembered(Instant now) {
        return Map.of();
      }
    };

    /** The containers of a fresh listing taken at {@code now}: its task containers are on this node now. */
    void seen(List<ContainerSummary> containers, Instant now);

    /**
     * The daemon listed every service (a manager, whose specs are the truth): these exist, the
     * others may be forgotten (as may what is older than the retention).
     */
    void servicesListed(Set<String> serviceIds, Instant now);

    /**
     * The image references (spec reference, image id) of tasks seen on this node within the
     * retention, each with its evidence ("task of service X seen on this node at T"), the most
     * recently seen first.
     */
    Map<String, String> remembered(Instant now);
  }

  /** Image references Swarm services need on this node, each with why (see {@link Inventory}). */
  record ServiceRefs(Set<String> refs, Map<String, String> evidence) {
    static final ServiceRefs NONE = new ServiceRefs(Set.of(), Map.of());
  }

  /** Label dockerd's swarm executor puts on every task container. */
  static final String SWARM_SERVICE_LABEL = "com.docker.swarm.service.id";
  static final String SWARM_SERVICE_NAME_LABEL = "com.docker.swarm.service.name";

  /** Daemons already told that service specs are unknown (logged once per daemon address). */
  private static final Set<String> WARNED_NOT_MANAGER = ConcurrentHashMap.newKeySet();

  /** Per daemon, the remembered task images last logged (logged again only when they change). */
  private static final Map<String, String> LOGGED_REMEMBERED = new ConcurrentHashMap<>();

  /**
   * The image references Swarm services need on this node (see {@link Inventory#serviceImageRefs()}).
   * A manager lists every service's spec (and previous spec): an image stays even while none of its
   * tasks runs here. A worker cannot see specs ({@code GET /services} answers 503 "This node is not a
   * swarm manager"; a daemon in no swarm says the same, Podman 404): then the references are those of
   * this node's task containers, running or stopped, plus those of the tasks the agent saw here
   * within SWARM_TASK_IMAGE_RETENTION ({@code recall}), which is all a worker can know (logged once
   * per daemon when it has any). Any other failure fails the listing, so nothing is deleted blind.
   */
  static Future<ServiceRefs> serviceImageRefs(DockerClient docker, List<ContainerSummary> containers,
      SwarmTaskRecall recall, Instant now) {
    Map<String, String> fromTasks = new LinkedHashMap<>();
    for (ContainerSummary c : containers) {
      String service = c.labels().get(SWARM_SERVICE_LABEL);
      if (service != null) {
        // Image is the spec's reference (repo:tag@sha256:...); ImageID the image it resolved to
        String why = "task container " + c.name() + " of service "
            + c.labels().getOrDefault(SWARM_SERVICE_NAME_LABEL, service) + " is on this node";
        fromTasks.putIfAbsent(c.image(), why);
        fromTasks.putIfAbsent(c.imageId(), why);
      }
    }
    fromTasks.remove("");
    fromTasks.remove(null);
    if (docker.capabilities() != null && docker.capabilities().podman()) {
      return Future.succeededFuture(ServiceRefs.NONE); // Podman has no Swarm API
    }
    recall.seen(containers, now);
    return docker.listServices().map(list -> {
      Map<String, String> refs = new LinkedHashMap<>();
      Set<String> ids = new HashSet<>();
      for (ServiceSummary s : list) {
        ids.add(s.id());
        refs.putIfAbsent(s.image(), "named by the spec of service " + s.name());
        refs.putIfAbsent(s.previousImage(), "named by the previous spec of service " + s.name()
            + " (its rollback target)");
      }
      fromTasks.forEach(refs::putIfAbsent);
      refs.remove("");
      recall.servicesListed(ids, now); // the specs are the truth: forget services that are gone
      return new ServiceRefs(refs.keySet(), refs);
    }).recover(err -> {
      if (err instanceof DockerException e && (e.status() == 503 || e.status() == 404)) {
        Map<String, String> remembered = new LinkedHashMap<>(recall.remembered(now));
        remembered.keySet().removeAll(fromTasks.keySet());
        remembered.remove("");
        String daemon = docker.host().describe();
        if ((!fromTasks.isEmpty() || !remembered.isEmpty()) && WARNED_NOT_MANAGER.add(daemon)) {
          LOG.warn("This daemon is not a swarm manager: service specs are visible to managers only, so images of"
              + " services without a task on this node are not protected"
              + (recall == SwarmTaskRecall.NONE ? "" : " unless a task of theirs ran here within"
                  + " SWARM_TASK_IMAGE_RETENTION")
              + "; keeping the images of this node's swarm tasks ({} references). Run the agent with a manager's"
              + " socket too, or protect images with KEEP_IMAGES", fromTasks.size() + remembered.size());
        }
        logRemembered(daemon, remembered);
        Map<String, String> refs = new LinkedHashMap<>(fromTasks);
        remembered.forEach(refs::putIfAbsent);
        return Future.succeededFuture(new ServiceRefs(refs.keySet(), refs));
      }
      return Future.failedFuture(err);
    });
  }

  /** Says which images are kept only because a task of theirs ran here before (once per change). */
  private static void logRemembered(String daemon, Map<String, String> remembered) {
    Map<String, List<String>> byEvidence = new LinkedHashMap<>();
    remembered.forEach((ref, why) -> byEvidence.computeIfAbsent(why, k -> new ArrayList<>()).add(ref));
    StringBuilder text = new StringBuilder();
    byEvidence.forEach((why, refs) -> text.append(text.length() == 0 ? "" : "; ").append(String.join(", ", refs))
        .append(" (").append(why).append(')'));
    String previous = remembered.isEmpty() ? LOGGED_REMEMBERED.remove(daemon) : LOGGED_REMEMBERED.put(daemon,
        text.toString());
    if (!remembered.isEmpty() && !text.toString().equals(previous)) {
      LOG.info("Keeping the images of {} swarm task(s) no longer on this node, whose services this worker cannot"
          + " list (SWARM_TASK_IMAGE_RETENTION): {}", byEvidence.size(), text);
    }
  }

  private static Future<List<VolumeInfo>> volumes(DockerClient docker) {
    // sizes and reference counts come from /system/df only; without them, sizes are unknown
    Future<Map<String, VolumeSummary>> usage = docker.systemDf().map(df -> {
      Map<String, VolumeSummary> m = new HashMap<>();
      df.volumes().forEach(v -> m.put(v.name(), v));
      return m;
    }).otherwise(Map.of());
    return usage.compose(u -> docker.listVolumes(Filters.NONE).map(list -> {
      List<VolumeInfo> out = new ArrayList<>();
      for (VolumeSummary v : list) {
        VolumeSummary d = u.get(v.name());
        long size = d != null && d.sizeBytes() >= 0 ? d.sizeBytes() : v.sizeBytes();
        long refs = d != null ? d.refCount() : v.refCount();
        out.add(new VolumeInfo(v.name(), v.isAnonymous(), v.labels(), v.createdAt(), size, refs));
      }
      return out;
    }));
  }

  private static List<VolumeInfo> volumes(List<VolumeSummary> list) {
    List<VolumeInfo> out = new ArrayList<>(list.size());
    for (VolumeSummary v : list) {
      out.add(new VolumeInfo(v.name(), v.isAnonymous(), v.labels(), v.createdAt(), v.sizeBytes(), v.refCount()));
    }
    return out;
  }

  private static List<ContainerInfo> containers(List<ContainerSummary> list, Instant now) {
    List<ContainerInfo> out = new ArrayList<>(list.size());
    for (ContainerSummary c : list) {
      out.add(new ContainerInfo(c.id(), c.name(), c.imageId(), c.state(), c.created(), exitedAt(c.status(), now),
          Math.max(0, c.sizeRwBytes()), c.labels(), c.volumeNames(), c.networkNames()));
    }
    return out;
  }

  private static List<ImageInfo> images(List<ImageSummary> list) {
    List<ImageInfo> out = new ArrayList<>(list.size());
    for (ImageSummary i : list) {
      out.add(new ImageInfo(i.id(), i.parentId().isEmpty() ? null : i.parentId(), i.repoTags(), i.created(),
          i.sizeBytes(), i.sharedSizeBytes(), i.labels(), i.repoDigests()));
    }
    return out;
  }

  private static List<BuildCacheInfo> cache(List<BuildCacheRecord> list) {
    List<BuildCacheInfo> out = new ArrayList<>(list.size());
    for (BuildCacheRecord b : list) {
      out.add(new BuildCacheInfo(b.id(), b.type(), b.description(), b.inUse(), b.shared(), b.sizeBytes(),
          b.createdAt() == null ? Instant.EPOCH : b.createdAt(), b.lastUsedAt()));
    }
    return out;
  }

  private static List<NetworkInfo> networks(List<NetworkSummary> list) {
    List<NetworkInfo> out = new ArrayList<>();
    for (NetworkSummary n : list) {
      if (!n.isPredefined()) {
        out.add(new NetworkInfo(n.id(), n.name(), n.created(), n.labels()));
      }
    }
    return out;
  }

  private static final Pattern EXITED = Pattern.compile(
      "(?:Exited \\(-?\\d+\\)|Dead|Stopped) (Less than a second|About a minute|About an hour|(\\d+) (second|minute|hour|day|week|month|year)s?) ago.*");

  /**
   * When a stopped container exited, at the latest, from the list's {@code Status} text ("Exited
   * (0) 5 minutes ago": Docker rounds, so this is the latest instant consistent with it); null
   * when the container never ran; "now" when it exited but the text is in an unknown format.
   */
  static Instant exitedAt(String status, Instant now) {
    if (status == null) {
      return null;
    }
    Matcher m = EXITED.matcher(status);
    if (!m.matches()) {
      // an exit time the status does not tell counts as now, so MIN_AGE keeps the container
      return status.startsWith("Exited") || status.startsWith("Dead") ? now : null;
    }
    Duration atLeast;
    String whole = m.group(1);
    if (whole.equals("Less than a second")) {
      atLeast = Duration.ZERO;
    } else if (whole.equals("About a minute")) {
      atLeast = Duration.ofMinutes(1);
    } else if (whole.equals("About an hour")) {
      atLeast = Duration.ofMinutes(60);
    } else {
      long n = Long.parseLong(m.group(2));
      atLeast = switch (m.group(3)) {
        case "second" -> Duration.ofSeconds(n);
        case "minute" -> Duration.ofMinutes(n);
        case "hour" -> Duration.ofMinutes(n * 60 - 30); // rounded to the nearest hour
        case "day" -> Duration.ofDays(n);
        case "week" -> Duration.ofDays(7 * n);
        case "month" -> Duration.ofDays(30 * n);
        default -> Duration.ofDays(365 * n);
      };
    }
    return now.minus(atLeast);
  }

}
