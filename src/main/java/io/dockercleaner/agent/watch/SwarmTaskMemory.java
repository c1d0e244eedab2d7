package io.dockercleaner.agent.watch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dockercleaner.docker.model.ContainerSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Swarm task containers this node has run: for each service and image reference, when a task
 * of that service was last seen here. A worker cannot list service specs ({@code GET /services}
 * answers 503), so once a task leaves the node (service scaled to 0, rescheduled elsewhere, task
 * history trimmed) nothing else tells it that the service still names the image; this memory keeps
 * such images protected for {@code SWARM_TASK_IMAGE_RETENTION} after the task was last seen.
 *
 * <p>Bounded: at most {@link #MAX_ENTRIES} entries (the least recently seen go first); entries
 * older than the retention are dropped when read ({@link #seenSince}). Not thread-safe: {@link
 * UsageState} owns it and guards it with its lock, and persists it in {@code state.json}.
 */
public final class SwarmTaskMemory {
  /** Entries kept at most (one per service and image reference: far more than a node runs). */
  public static final int MAX_ENTRIES = 1024;
  /** Label dockerd's swarm executor puts on every task container: the service's id. */
  public static final String SERVICE_ID_LABEL = "com.docker.swarm.service.id";
  /** Label with the service's name. */
  public static final String SERVICE_NAME_LABEL = "com.docker.swarm.service.name";

  /**
   * One service's image as a task of it was last seen on this node.
   *
   * @param serviceId the service's id (label {@value #SERVICE_ID_LABEL})
   * @param serviceName its name ("" when unknown)
   * @param imageRef the task's image as the spec names it ({@code repo:tag@sha256:...}); may be ""
   * @param imageId the image id it resolved to ({@code sha256:...}), or "" when not known
   * @param lastSeen when a task container of the service was last seen with this image
   */
  public record Entry(String serviceId, String serviceName, String imageRef, String imageId, Instant lastSeen) {
    /** The references that name the image: the spec's reference and the id (non-empty ones). */
    public List<String> references() {
      List<String> refs = new ArrayList<>(2);
      if (!imageRef.isEmpty()) {
        refs.add(imageRef);
      }
      if (!imageId.isEmpty()) {
        refs.add(imageId);
      }
      return refs;
    }

    /** Why the image is kept, for the plan and the log. */
    public String evidence() {
      String service = serviceName.isEmpty() ? serviceId : serviceName + " (" + shortId(serviceId) + ")";
      return "task of service " + service + " seen on this node at " + lastSeen;
    }
  }

  private record Key(String serviceId, String imageRef, String imageId) {}

  private final Map<Key, Entry> entries = new HashMap<>();

  /** How many entries are kept. */
  public int size() {
    return entries.size();
  }

  /**
   * Records that a task of {@code serviceId} with this image was on this node at {@code at}
   * (times only move forward). An entry recorded without an image id (from an event) merges into
   * the entries of the same service and reference that know their id.
   *
   * @return true when something changed
   */
  public boolean record(String serviceId, String serviceName, String imageRef, String imageId, Instant at) {
    String service = blankToEmpty(serviceId);
    String ref = blankToEmpty(imageRef);
    String id = ImageReference.isFullId(blankToEmpty(imageId)) ? ImageReference.canonicalId(imageId) : "";
    String name = blankToEmpty(serviceName);
    if (service.isEmpty() || (ref.isEmpty() && id.isEmpty())) {
      return false;
    }
    if (id.isEmpty()) {
      boolean known = false;
      boolean changed = false;
      for (Map.Entry<Key, Entry> e : entries.entrySet()) {
        Key k = e.getKey();
        if (k.serviceId().equals(service) && k.imageRef().equals(ref)) {
          known = true;
          Entry merged = merge(e.getValue(), name, at);
          changed |= !merged.equals(e.getValue());
          e.setValue(merged);
        }
      }
      if (known) {
        return changed;
      }
    } else {
      // the id is known now: the entry that lacked it folds into this one
      Entry withoutId = entries.remove(new Key(service, ref, ""));
      if (withoutId != null && withoutId.lastSeen().isAfter(at)) {
        at = withoutId.lastSeen();
      }
    }
    Key key = new Key(service, ref, id);
    Entry old = entries.get(key);
    Entry entry = old == null ? new Entry(service, name, ref, id, at) : merge(old, name, at);
    if (entry.equals(old)) {
      return false;
    }
    entries.put(key, entry);
    while (entries.size() > MAX_ENTRIES) {
      entries.values().stream().min(Comparator.comparing(Entry::lastSeen))
          .ifPresent(oldest -> entries.remove(new Key(oldest.serviceId(), oldest.imageRef(), oldest.imageId())));
    }
    return true;
  }

  /**
   * Records every swarm task container of a listing (those with {@value #SERVICE_ID_LABEL}) as seen
   * at {@code at}: a listing shows what is on the node now.
   *
   * @return true when something changed
   */
  public boolean recordContainers(Collection<ContainerSummary> containers, Instant at) {
    boolean changed = false;
    for (ContainerSummary c : containers) {
      String service = c.labels().get(SERVICE_ID_LABEL);
      if (service != null) {
        changed |= record(service, c.labels().get(SERVICE_NAME_LABEL), c.image(), c.imageId(), at);
      }
    }
    return changed;
  }

  /** The entries seen at or after {@code since}, most recently seen first. */
  public List<Entry> seenSince(Instant since) {
    return entries.values().stream().filter(e -> !e.lastSeen().isBefore(since))
        .sorted(Comparator.comparing(Entry::lastSeen).reversed()).toList();
  }

  /** Forgets the entries last seen before {@code before}; returns how many went. */
  public int forgetSeenBefore(Instant before) {
    return removeIf(e -> e.lastSeen().isBefore(before));
  }

  /**
   * Forgets the entries of services not in {@code serviceIds} (a manager's full list: those
   * services no longer exist); returns how many went.
   */
  public int retainServices(Set<String> serviceIds) {
    return removeIf(e -> !serviceIds.contains(e.serviceId()));
  }

  private int removeIf(java.util.function.Predicate<Entry> drop) {
    int removed = 0;
    for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
      if (drop.test(it.next())) {
        it.remove();
        removed++;
      }
    }
    return removed;
  }

  // ---- persistence (inside UsageState's state.json) -------------------------------------------

  /** As a JSON array, least recently seen first (stable for readers of the file). */
  ArrayNode toJson() {
    ArrayNode list = JsonNodeFactory.instance.arrayNode();
    entries.values().stream().sorted(Comparator.comparing(Entry::lastSeen).thenComparing(Entry::serviceId)
        .thenComparing(Entry::imageRef).thenComparing(Entry::imageId)).forEach(e -> {
          ObjectNode o = list.addObject();
          o.put("serviceId", e.serviceId());
          o.put("serviceName", e.serviceName());
          o.put("imageRef", e.imageRef());
          o.put("imageId", e.imageId());
          o.put("lastSeen", e.lastSeen().toString());
        });
    return list;
  }

  /**
   * Reads what {@link #toJson} wrote into this (empty) memory.
   *
   * @throws IllegalArgumentException when the array or an entry is malformed (the state file is
   *     then treated as corrupt, as every other part of it)
   */
  void readJson(JsonNode list) {
    if (!list.isArray()) {
      throw new IllegalArgumentException("swarmTasks is not an array");
    }
    int i = 0;
    for (JsonNode o : list) {
      JsonNode service = o.get("serviceId");
      JsonNode seen = o.get("lastSeen");
      if (!o.isObject() || service == null || !service.isTextual() || seen == null || !seen.isTextual()) {
        throw new IllegalArgumentException("swarmTasks[" + i + "] needs a serviceId and a lastSeen");
      }
      record(service.asText(), o.path("serviceName").asText(""), o.path("imageRef").asText(""),
          o.path("imageId").asText(""), Instant.parse(seen.asText()));
      i++;
    }
  }

  private static Entry merge(Entry old, String name, Instant at) {
    return new Entry(old.serviceId(), name.isEmpty() ? old.serviceName() : name, old.imageRef(), old.imageId(),
        at.isAfter(old.lastSeen()) ? at : old.lastSeen());
  }

  private static String blankToEmpty(String s) {
    return s == null || s.isBlank() ? "" : s.trim();
  }

  private static String shortId(String id) {
    return id.length() > 12 ? id.substring(0, 12) : id;
  }
}
