package io.dockercleaner.agent.watch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.docker.model.ContainerSummary;
import io.dockercleaner.docker.model.DockerEvent;
import io.dockercleaner.docker.model.ImageSummary;
import io.dockercleaner.plan.UseTimes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BinaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's memory of use, fed by events and inventories, read by the planner: when each image
 * was last used and first seen, when each container exited, and when any event last touched an
 * object (for quiet periods). Persisted as JSON in {@code STATE_DIR/state.json}.
 *
 * <p><b>Image names.</b> Container events name their image as the user typed it ({@code busybox},
 * a tag, a short or full ID). A name is resolved to an ID through the name→ID map kept from the
 * last inventory and from {@code tag} events; a name that cannot be resolved yet is stored under
 * its normalised name ({@link ImageReference#normalise}) and lookups by ID also consult the names
 * that map to that ID. {@link #reconcile} folds such entries into IDs and drops the rest.
 *
 * <p><b>Inventory.</b> Call {@link #reconcile} with every fresh, unfiltered inventory (at start,
 * after each event stream loss, before planning): it records first sight of new images, marks the
 * images of running containers as used now, and forgets objects that no longer exist.
 *
 * <p><b>Threading.</b> Every method is synchronized, so it is safe from any thread; in the agent it
 * is only touched from the event loop (each call is short: map updates only). {@link #save(Vertx)}
 * snapshots under the lock and writes on a worker thread.
 */
public final class UsageState {
  /** The file name inside STATE_DIR. */
  public static final String FILE_NAME = "state.json";
  /** Format version written to the file; other versions are moved aside like corrupt files. */
  public static final int FORMAT_VERSION = 1;

  /** Images whose use history is kept at most (the least recently used ones go first). */
  public static final int MAX_USE_HISTORY_IMAGES = 4096;
  /** Use histories whose newest use is older than this are dropped at reconcile. */
  public static final Duration USE_HISTORY_RETENTION = Duration.ofDays(30);

  private static final Logger LOG = LoggerFactory.getLogger(UsageState.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final DateTimeFormatter CORRUPT_SUFFIX =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final BinaryOperator<Instant> EARLIEST = (a, b) -> a.isBefore(b) ? a : b;
  private static final BinaryOperator<Instant> LATEST = (a, b) -> a.isAfter(b) ? a : b;

  private final Path dir;
  private final boolean hadHistory;

  // Image times keyed by ID, plus the ones only known by name so far.
  private final ImageTimes imageFirstSeen = new ImageTimes(EARLIEST);
  private final ImageTimes imageLastUsed = new ImageTimes(LATEST);
  private final ImageTimes imageTouched = new ImageTimes(LATEST);
  // Normalised name (tag or digest reference) -> image ID.
  private final Map<String, String> imageIdByName = new HashMap<>();
  // Recent uses per image (ID, or normalised name until resolved): kept after the image is
  // deleted, so an image needed again comes back with its history (CLEANUP_POLICY=cost). Bounded:
  // UseTimes per image, MAX_USE_HISTORY_IMAGES images, USE_HISTORY_RETENTION since the last use.
  private final Map<String, Deque<Instant>> imageUses = new HashMap<>();
  // Repositories each image was listed tagged in: kept as long as its use history is.
  private final Map<String, Set<String>> imageRepositories = new HashMap<>();
  private final Map<String, Instant> containerExitedAt = new HashMap<>();
  // swarm task containers seen on this node (a worker's only hint of what its services need)
  private final SwarmTaskMemory swarmTasks = new SwarmTaskMemory();
  private final Map<ResourceType, Map<String, Instant>> touched = new EnumMap<>(ResourceType.class);
  private long lastEventTimeNano;
  private long revision;
  private long savedRevision;
  // Serialises writers (a periodic save and the shutdown save) so an older snapshot never
  // replaces a newer file; guards writtenRevision.
  private final Object writeLock = new Object();
  private long writtenRevision = -1;
  // why the latest save failed, or null after a successful one (shutdown reports it)
  private volatile String lastSaveFailure;

  private UsageState(Path dir, boolean hadHistory) {
    this.dir = dir;
    this.hadHistory = hadHistory;
    for (ResourceType type : ResourceType.values()) {
      if (type != ResourceType.IMAGE) {
        touched.put(type, new HashMap<>());
      }
    }
  }

  /** An empty state that is never saved (no STATE_DIR): the agent then starts without history. */
  public static UsageState inMemory() {
    return new UsageState(null, false);
  }

  /**
   * Loads {@code dir/state.json}. A missing file gives an empty state; an unreadable or corrupt
   * one (or one of another format version) is moved aside to {@code state.json.corrupt-<UTC
   * time>} with a WARN, and the state starts empty. Either way {@link #hadHistory()} is then
   * false, so the planner stays conservative. Blocking file I/O: call it at start-up or in
   * executeBlocking.
   *
   * @param now names the moved-aside file
   */
  public static UsageState load(Path dir, Instant now) {
    Objects.requireNonNull(dir, "dir");
    removeOrphanTempFiles(dir);
    Path file = dir.resolve(FILE_NAME);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      LOG.info("no usage state at {}: starting without history", file);
      return new UsageState(dir, false);
    } catch (IOException e) {
      LOG.warn("cannot read usage state {}: {}; starting without history", file, e.toString());
      return new UsageState(dir, false);
    }
    UsageState state = new UsageState(dir, true);
    try {
      state.readJson(MAPPER.readTree(bytes));
      LOG.info("loaded usage state from {} ({} images, {} containers, {} swarm task images known)", file,
          state.imageFirstSeen.byId.size(), state.containerExitedAt.size(), state.swarmTasks.size());
      return state;
    } catch (IOException | RuntimeException e) {
      Path aside = dir.resolve(FILE_NAME + ".corrupt-" + CORRUPT_SUFFIX.format(now));
      try {
        Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
        LOG.warn("usage state {} is corrupt ({}); moved it to {} and starting without history", file,
            e.getMessage(), aside);
      } catch (IOException moveError) {
        LOG.warn("usage state {} is corrupt ({}) and cannot be moved aside ({}); starting without "
            + "history", file, e.getMessage(), moveError.toString());
      }
      return new UsageState(dir, false);
    }
  }

  /**
   * Removes {@code state.json.*.tmp} left by a save that a kill or a crash interrupted (the rename
   * never happened, so they are never read): without this every such kill leaves a file behind.
   * Only one agent uses a STATE_DIR, and this runs before it saves, so no save is in progress.
   */
  static void removeOrphanTempFiles(Path dir) {
    try (java.nio.file.DirectoryStream<Path> orphans = Files.newDirectoryStream(dir, FILE_NAME + ".*.tmp")) {
      for (Path orphan : orphans) {
        try {
          Files.deleteIfExists(orphan);
          LOG.warn("removed {}, left by a save that was interrupted (killed or crashed)", orphan);
        } catch (IOException e) {
          LOG.warn("cannot remove {}, left by an interrupted save: {}", orphan, e.toString());
        }
      }
    } catch (NoSuchFileException e) {
      // no STATE_DIR yet: nothing left over
    } catch (IOException e) {
      LOG.warn("cannot list {} for files left by interrupted saves: {}", dir, e.toString());
    }
  }

  /** True when the state was loaded from an intact file: the agent has watched before. */
  public boolean hadHistory() {
    return hadHistory;
  }

  /** STATE_DIR, or null for {@link #inMemory()}. */
  public Path dir() {
    return dir;
  }

  // ---- updates -----------------------------------------------------------------------------

  /** Updates the state from one event (duplicates are harmless: times only move min/max). */
  public synchronized void observe(DockerEvent event) {
    Instant at = event.instant();
    String id = event.actorId();
    lastEventTimeNano = Math.max(lastEventTimeNano, event.timeNano());
    revision++;
    switch (event.type()) {
      case "container" -> observeContainer(event, id, at);
      case "image" -> observeImage(event, id, at);
      case "volume" -> observeOther(ResourceType.VOLUME, event, id, at);
      case "network" -> observeOther(ResourceType.NETWORK, event, id, at);
      case "builder" -> {
        if (!id.isEmpty()) {
          touch(ResourceType.BUILD_CACHE, id, at);
        }
      }
      default -> {
        // daemon, plugin, swarm objects: nothing the planner removes.
      }
    }
  }

  private void observeContainer(DockerEvent event, String id, Instant at) {
    String service = event.attribute(SwarmTaskMemory.SERVICE_ID_LABEL);
    if (service != null) {
      // any event of a task container (its destroy too) shows the task on this node at that time;
      // events carry the spec's reference, the id when a listing or tag event resolved it
      String image = event.attribute("image");
      String resolved = image == null ? "" : resolve(image);
      swarmTasks.record(service, event.attribute(SwarmTaskMemory.SERVICE_NAME_LABEL), image,
          ImageReference.isFullId(resolved) ? resolved : "", at);
    }
    switch (event.baseAction()) {
      case "create", "start" -> {
        String image = event.attribute("image");
        if (image != null && !image.isBlank()) {
          String key = resolve(image);
          imageLastUsed.record(key, at);
          recordUse(key, at);
        }
        touch(ResourceType.CONTAINER, id, at);
      }
      case "die" -> {
        containerExitedAt.merge(id, at, LATEST);
        touch(ResourceType.CONTAINER, id, at);
      }
      case "destroy" -> {
        containerExitedAt.remove(id);
        touched.get(ResourceType.CONTAINER).remove(id);
      }
      default -> touch(ResourceType.CONTAINER, id, at);
    }
  }

  private void observeImage(DockerEvent event, String actor, Instant at) {
    String action = event.baseAction();
    if ("delete".equals(action)) {
      String id = ImageReference.canonicalId(actor);
      imageFirstSeen.forget(id);
      imageLastUsed.forget(id);
      imageTouched.forget(id);
      imageIdByName.values().removeIf(id::equals);
      return;
    }
    if ("tag".equals(action) && ImageReference.isFullId(actor)) {
      String name = event.attribute("name");
      if (name != null && !name.isBlank()) {
        imageIdByName.put(ImageReference.normalise(name), ImageReference.canonicalId(actor));
      }
    }
    String key = resolve(actor);
    switch (action) {
      case "pull", "tag", "build", "import", "load", "create", "commit" -> imageFirstSeen.record(key, at);
      default -> {
        // untag, push, save, inspect...: only a touch.
      }
    }
    imageTouched.record(key, at);
  }

  private void observeOther(ResourceType type, DockerEvent event, String id, Instant at) {
    if ("destroy".equals(event.baseAction())) {
      touched.get(type).remove(id);
    } else if (!id.isEmpty()) {
      touch(type, id, at);
    }
  }

  private void recordUse(String key, Instant at) {
    UseTimes.record(imageUses.computeIfAbsent(key, k -> UseTimes.empty()), at);
    if (imageUses.size() > MAX_USE_HISTORY_IMAGES) {
      // drop the history whose newest use is the oldest (rare: only past 4096 distinct images)
      String oldest = null;
      Instant oldestAt = null;
      for (Map.Entry<String, Deque<Instant>> e : imageUses.entrySet()) {
        Instant newest = e.getValue().peekLast();
        if (oldestAt == null || newest.isBefore(oldestAt)) {
          oldest = e.getKey();
          oldestAt = newest;
        }
      }
      imageUses.remove(oldest);
    }
  }

  private void touch(ResourceType type, String id, Instant at) {
    touched.get(type).merge(id, at, LATEST);
  }

  /**
   * Reconciles with a full inventory taken at {@code now}: new images are first seen {@code now};
   * images of running containers are used {@code now}; names are resolved to IDs again; state of
   * images and containers absent from the inventory is dropped, unless it was recorded at or
   * after {@code now} (an event newer than the inventory). Pass the unfiltered lists (all
   * containers, not only running ones) and, as {@code now}, the time the listing began.
   */
  public synchronized void reconcile(List<ImageSummary> images, List<ContainerSummary> containers, Instant now) {
    revision++;
    Set<String> imageIds = new HashSet<>();
    imageIdByName.clear();
    for (ImageSummary image : images) {
      String id = ImageReference.canonicalId(image.id());
      imageIds.add(id);
      for (String name : image.repoTags()) {
        imageIdByName.put(ImageReference.normalise(name), id);
        if (!"<none>:<none>".equals(name)) {
          // the planner's spelling of a repository (the daemon's list), not the normalised one
          imageRepositories.computeIfAbsent(id, k -> new java.util.TreeSet<>())
              .add(io.dockercleaner.plan.ImagePattern.repository(name));
        }
      }
      for (String name : image.repoDigests()) {
        imageIdByName.put(ImageReference.normalise(name), id);
      }
    }
    for (ImageTimes times : List.of(imageFirstSeen, imageLastUsed, imageTouched)) {
      times.reconcile(this, imageIds, now);
    }
    for (String id : imageIds) {
      imageFirstSeen.byId.putIfAbsent(id, now);
    }
    foldUseNames(now);
    imageRepositories.keySet().removeIf(id -> !imageIds.contains(id) && !imageUses.containsKey(id));
    Set<String> containerIds = new HashSet<>();
    for (ContainerSummary container : containers) {
      containerIds.add(container.id());
      if (container.isActive() && !container.imageId().isEmpty()) {
        // Docuum's lesson: an image a container runs right now is in use now.
        imageLastUsed.byId.merge(ImageReference.canonicalId(container.imageId()), now, LATEST);
      }
    }
    retain(containerExitedAt, containerIds, now);
    retain(touched.get(ResourceType.CONTAINER), containerIds, now);
    swarmTasks.recordContainers(containers, now);
  }

  // ---- swarm tasks seen on this node ---------------------------------------------------------

  /** Records the swarm task containers of a fresh listing taken at {@code now} (a run's, say). */
  public synchronized void recordSwarmTasks(List<ContainerSummary> containers, Instant now) {
    if (swarmTasks.recordContainers(containers, now)) {
      revision++;
    }
  }

  /**
   * The swarm task images seen on this node within {@code retention} before {@code now}, most
   * recently seen first; older ones are forgotten. {@code retention} zero: none (all forgotten).
   */
  public synchronized List<SwarmTaskMemory.Entry> swarmTasksWithin(Duration retention, Instant now) {
    Instant since = now.minus(retention);
    if (swarmTasks.forgetSeenBefore(since) > 0) {
      revision++;
    }
    return retention.isZero() ? List.of() : swarmTasks.seenSince(since);
  }

  /** A manager listed every service: forgets the tasks of services that no longer exist. */
  public synchronized void retainSwarmServices(Set<String> serviceIds) {
    if (swarmTasks.retainServices(serviceIds) > 0) {
      revision++;
    }
  }

  /** Use histories kept by name move to their image ID once known; old or unresolved ones go. */
  private void foldUseNames(Instant now) {
    Instant retainedAfter = now.minus(USE_HISTORY_RETENTION);
    Map<String, Deque<Instant>> resolved = new HashMap<>();
    for (Iterator<Map.Entry<String, Deque<Instant>>> it = imageUses.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Deque<Instant>> e = it.next();
      if (e.getValue().isEmpty() || e.getValue().peekLast().isBefore(retainedAfter)) {
        it.remove();
      } else if (!ImageReference.isFullId(e.getKey())) {
        String id = imageIdByName.get(e.getKey());
        if (id != null || e.getValue().peekLast().isBefore(now)) {
          it.remove();
          if (id != null) {
            resolved.put(id, e.getValue());
          }
        }
      }
    }
    resolved.forEach((id, uses) -> {
      Deque<Instant> into = imageUses.computeIfAbsent(id, k -> UseTimes.empty());
      List<Instant> all = new java.util.ArrayList<>(into);
      all.addAll(uses);
      all.sort(null);
      into.clear();
      for (Instant at : all) {
        UseTimes.record(into, at);
      }
    });
  }

  /**
   * Forgets the {@link #lastTouched} times of objects of {@code type} (volumes by name, networks by
   * ID, build cache by ID) that are not in {@code existingIds}, unless recorded at or after {@code
   * now}. For images and containers use {@link #reconcile}.
   */
  public synchronized void retainTouched(ResourceType type, Collection<String> existingIds, Instant now) {
    if (type == ResourceType.IMAGE) {
      throw new IllegalArgumentException("use reconcile for images");
    }
    revision++;
    retain(touched.get(type), new HashSet<>(existingIds), now);
  }

  private static void retain(Map<String, Instant> times, Set<String> ids, Instant now) {
    times.entrySet().removeIf(e -> !ids.contains(e.getKey()) && e.getValue().isBefore(now));
  }

  // ---- lookups (the planner's UsageHistory) -------------------------------------------------

  /** When a container was last created or started from the image, if known. */
  public synchronized Optional<Instant> imageLastUsed(String imageId) {
    return imageLastUsed.lookup(this, ImageReference.canonicalId(imageId));
  }

  /** When the agent first saw the image (event or inventory), if known. */
  public synchronized Optional<Instant> imageFirstSeen(String imageId) {
    return imageFirstSeen.lookup(this, ImageReference.canonicalId(imageId));
  }

  /**
   * The image's recent uses (container create/start, one per {@link UseTimes#MIN_SPACING}), oldest
   * first, at most {@link io.dockercleaner.plan.UsageHistory#MAX_IMAGE_USES}; kept after the image
   * is deleted.
   */
  public synchronized List<Instant> imageUses(String imageId) {
    String id = ImageReference.canonicalId(imageId);
    List<Instant> out = new java.util.ArrayList<>(imageUses.getOrDefault(id, UseTimes.empty()));
    for (Map.Entry<String, Deque<Instant>> e : imageUses.entrySet()) {
      if (!ImageReference.isFullId(e.getKey()) && id.equals(imageIdByName.get(e.getKey()))) {
        out.addAll(e.getValue());
      }
    }
    out.sort(null);
    return out;
  }

  /** The repositories the image was listed tagged in (kept with its use history), if any. */
  public synchronized Set<String> imageRepositories(String imageId) {
    return Set.copyOf(imageRepositories.getOrDefault(ImageReference.canonicalId(imageId), Set.of()));
  }

  /** Every use history kept under an image ID (deleted images included), oldest use first. */
  public synchronized Map<String, List<Instant>> allImageUses() {
    Map<String, List<Instant>> out = new HashMap<>();
    imageUses.forEach((key, times) -> {
      if (ImageReference.isFullId(key)) {
        out.put(key, List.copyOf(times));
      }
    });
    return out;
  }

  /** When the container last died, if seen. */
  public synchronized Optional<Instant> containerExitedAt(String containerId) {
    return Optional.ofNullable(containerExitedAt.get(containerId));
  }

  /** When any event last touched the object (volumes by name, others by ID), if seen. */
  public synchronized Optional<Instant> lastTouched(ResourceType type, String id) {
    if (type == ResourceType.IMAGE) {
      return imageTouched.lookup(this, ImageReference.canonicalId(id));
    }
    return Optional.ofNullable(touched.get(type).get(id));
  }

  /** The newest event time observed, in nanoseconds since the epoch (0 = none); see {@link EventSupervisor#start(long)}. */
  public synchronized long lastEventTimeNano() {
    return lastEventTimeNano;
  }

  /** True when something changed since the last successful save (or load). */
  public synchronized boolean changedSinceSave() {
    return revision != savedRevision;
  }

  // ---- name resolution ---------------------------------------------------------------------

  /** The image ID for a reference when known, else its normalised name. Caller holds the lock. */
  private String resolve(String ref) {
    String normal = ImageReference.normalise(ref);
    if (ImageReference.isFullId(normal)) {
      return normal;
    }
    String id = imageIdByName.get(normal);
    if (id != null) {
      return id;
    }
    if (ImageReference.isIdPrefix(ref)) {
      String prefix = ImageReference.canonicalId(ref.startsWith("sha256:") ? ref : "sha256:" + ref);
      String match = null;
      for (String known : knownImageIds()) {
        if (known.startsWith(prefix)) {
          if (match != null && !match.equals(known)) {
            return normal; // ambiguous
          }
          match = known;
        }
      }
      if (match != null) {
        return match;
      }
    }
    return normal;
  }

  private Set<String> knownImageIds() {
    Set<String> ids = new HashSet<>(imageIdByName.values());
    ids.addAll(imageFirstSeen.byId.keySet());
    ids.addAll(imageLastUsed.byId.keySet());
    return ids;
  }

  /** Times per image: by ID, and by name while the name is not resolved. */
  private static final class ImageTimes {
    final Map<String, Instant> byId = new HashMap<>();
    final Map<String, Instant> byName = new HashMap<>();
    final BinaryOperator<Instant> combine;

    ImageTimes(BinaryOperator<Instant> combine) {
      this.combine = combine;
    }

    void record(String key, Instant at) {
      (ImageReference.isFullId(key) ? byId : byName).merge(key, at, combine);
    }

    void forget(String id) {
      byId.remove(id);
    }

    Optional<Instant> lookup(UsageState state, String id) {
      Instant result = byId.get(id);
      for (Map.Entry<String, Instant> e : byName.entrySet()) {
        if (id.equals(state.imageIdByName.get(e.getKey()))) {
          result = result == null ? e.getValue() : combine.apply(result, e.getValue());
        }
      }
      return Optional.ofNullable(result);
    }

    void reconcile(UsageState state, Set<String> imageIds, Instant now) {
      for (Iterator<Map.Entry<String, Instant>> it = byName.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<String, Instant> e = it.next();
        String id = state.imageIdByName.get(e.getKey());
        if (id != null) {
          byId.merge(id, e.getValue(), combine);
          it.remove();
        } else if (e.getValue().isBefore(now)) {
          it.remove();
        }
      }
      retain(byId, imageIds, now);
    }
  }

  // ---- persistence -------------------------------------------------------------------------

  /**
   * Saves on a worker thread (ordered: saves from one context never overtake each other).
   * Completes with the failure if the file cannot be written; the state in memory is unaffected.
   * A no-op for {@link #inMemory()} states.
   */
  public Future<Void> save(Vertx vertx) {
    if (dir == null) {
      return Future.succeededFuture();
    }
    Snapshot snapshot = snapshot();
    return vertx.executeBlocking(() -> {
      write(snapshot);
      return null;
    }, true);
  }

  /**
   * Why the latest save failed (the exception as text), or empty when it succeeded or none was
   * made. The agent's shutdown says so instead of claiming the state was saved.
   */
  public Optional<String> lastSaveFailure() {
    return Optional.ofNullable(lastSaveFailure);
  }

  /** Saves now, blocking (for shutdown). A no-op for {@link #inMemory()} states. */
  public void saveNow() throws IOException {
    if (dir == null) {
      return;
    }
    try {
      write(snapshot());
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private record Snapshot(byte[] json, long revision) {}

  private synchronized Snapshot snapshot() {
    try {
      return new Snapshot(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(toJson()), revision);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void write(Snapshot snapshot) throws IOException {
    synchronized (writeLock) {
      if (snapshot.revision() < writtenRevision) {
        return;
      }
      try {
        writeFile(snapshot);
      } catch (IOException | RuntimeException e) {
        lastSaveFailure = e.toString();
        throw e;
      }
      writtenRevision = snapshot.revision();
      lastSaveFailure = null;
    }
    synchronized (this) {
      savedRevision = Math.max(savedRevision, snapshot.revision());
    }
  }

  private void writeFile(Snapshot snapshot) throws IOException {
    Files.createDirectories(dir);
    Path target = dir.resolve(FILE_NAME);
    // Same directory, so the rename is atomic: readers see the old file or the new one, never half.
    Path temp = Files.createTempFile(dir, FILE_NAME + ".", ".tmp");
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buffer = ByteBuffer.wrap(snapshot.json());
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
    // Make the rename itself durable (Linux allows fsync on a directory opened for reading).
    try (FileChannel dirChannel = FileChannel.open(dir, StandardOpenOption.READ)) {
      dirChannel.force(true);
    } catch (IOException e) {
      LOG.debug("cannot fsync {}: {}", dir, e.toString());
    }
  }

  private ObjectNode toJson() {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("version", FORMAT_VERSION);
    root.put("lastEventTimeNano", lastEventTimeNano);
    ObjectNode names = root.putObject("imageIdByName");
    imageIdByName.forEach(names::put);
    putTimes(root, "imageFirstSeen", imageFirstSeen);
    putTimes(root, "imageLastUsed", imageLastUsed);
    putTimes(root, "imageTouched", imageTouched);
    putInstants(root.putObject("containerExitedAt"), containerExitedAt);
    ObjectNode repos = root.putObject("imageRepositories");
    imageRepositories.forEach((id, repositories) -> {
      var list = repos.putArray(id);
      repositories.forEach(list::add);
    });
    ObjectNode uses = root.putObject("imageUses");
    imageUses.forEach((key, times) -> {
      var list = uses.putArray(key);
      times.forEach(at -> list.add(at.toString()));
    });
    ObjectNode touchedNode = root.putObject("touched");
    touched.forEach((type, times) -> putInstants(touchedNode.putObject(type.label()), times));
    root.set("swarmTasks", swarmTasks.toJson());
    return root;
  }

  private static void putTimes(ObjectNode root, String field, ImageTimes times) {
    ObjectNode node = root.putObject(field);
    putInstants(node.putObject("byId"), times.byId);
    putInstants(node.putObject("byName"), times.byName);
  }

  private static void putInstants(ObjectNode node, Map<String, Instant> times) {
    times.forEach((k, v) -> node.put(k, v.toString()));
  }

  private void readJson(JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    int version = required(root, "version").asInt(-1);
    if (version != FORMAT_VERSION) {
      throw new IllegalArgumentException("format version " + required(root, "version") + ", expected "
          + FORMAT_VERSION);
    }
    lastEventTimeNano = required(root, "lastEventTimeNano").asLong();
    requiredObject(root, "imageIdByName").fields().forEachRemaining(e -> {
      if (!e.getValue().isTextual()) {
        throw new IllegalArgumentException("imageIdByName." + e.getKey() + " is not a string");
      }
      imageIdByName.put(e.getKey(), e.getValue().asText());
    });
    readTimes(root, "imageFirstSeen", imageFirstSeen);
    readTimes(root, "imageLastUsed", imageLastUsed);
    readTimes(root, "imageTouched", imageTouched);
    readInstants(requiredObject(root, "containerExitedAt"), containerExitedAt, "containerExitedAt");
    JsonNode repos = root.get("imageRepositories"); // optional, as imageUses
    if (repos != null) {
      if (!repos.isObject()) {
        throw new IllegalArgumentException("imageRepositories is not an object");
      }
      repos.fields().forEachRemaining(e -> {
        Set<String> names = new java.util.TreeSet<>();
        e.getValue().forEach(n -> names.add(n.asText()));
        imageRepositories.put(e.getKey(), names);
      });
    }
    JsonNode uses = root.get("imageUses"); // optional: files of earlier versions have none
    if (uses != null) {
      if (!uses.isObject()) {
        throw new IllegalArgumentException("imageUses is not an object");
      }
      uses.fields().forEachRemaining(e -> {
        if (!e.getValue().isArray()) {
          throw new IllegalArgumentException("imageUses." + e.getKey() + " is not an array");
        }
        Deque<Instant> times = UseTimes.empty();
        e.getValue().forEach(at -> UseTimes.record(times, Instant.parse(at.asText())));
        imageUses.put(e.getKey(), times);
      });
    }
    JsonNode tasks = root.get("swarmTasks"); // optional: files of earlier versions have none
    if (tasks != null) {
      swarmTasks.readJson(tasks);
    }
    JsonNode touchedNode = requiredObject(root, "touched");
    for (Map.Entry<ResourceType, Map<String, Instant>> e : touched.entrySet()) {
      JsonNode node = touchedNode.get(e.getKey().label());
      if (node != null) {
        readInstants(node, e.getValue(), "touched." + e.getKey().label());
      }
    }
  }

  private static void readTimes(JsonNode root, String field, ImageTimes times) {
    JsonNode node = requiredObject(root, field);
    readInstants(requiredObject(node, "byId"), times.byId, field + ".byId");
    readInstants(requiredObject(node, "byName"), times.byName, field + ".byName");
  }

  private static void readInstants(JsonNode node, Map<String, Instant> into, String where) {
    if (!node.isObject()) {
      throw new IllegalArgumentException(where + " is not an object");
    }
    node.fields().forEachRemaining(e -> into.put(e.getKey(), Instant.parse(e.getValue().asText())));
  }

  private static JsonNode required(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("missing " + field);
    }
    return value;
  }

  private static JsonNode requiredObject(JsonNode node, String field) {
    JsonNode value = required(node, field);
    if (!value.isObject()) {
      throw new IllegalArgumentException(field + " is not an object");
    }
    return value;
  }
}
