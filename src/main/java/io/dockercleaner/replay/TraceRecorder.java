package io.dockercleaner.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dockercleaner.docker.model.DockerEvent;
import io.dockercleaner.docker.model.ImageLayers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a daemon's event stream plus image metadata into trace lines ({@code
 * docs/trace-format.md}, "Recording"). Pure: the caller inspects the image an event names ({@link
 * #imageToInspect}) and hands both in, in the stream's order; times come from the events.
 *
 * <p>Mapping: image {@code pull}, {@code load}, {@code import} → {@code pull}; image {@code tag}
 * (and container {@code commit}) of an image the trace does not hold → {@code build}, its base the
 * held image whose layers are the longest prefix of the new one's; {@code tag} of a held image →
 * {@code pull} with that tag (a retag: needed now, nothing fetched); image {@code delete} of a held
 * image → {@code remove}; container {@code start} → {@code use}, its {@code seconds} from start to
 * the container's {@code die} (so a use line waits for its container, and the lines after it wait
 * too: the file stays in time order). A container started from a tagged image the trace does not
 * hold first gets a {@code pull}; one from an untagged unknown image (a classic build's
 * intermediate step) is left out. {@code untag} and everything else is left out.
 *
 * <p>Layers are named by chain ID (the digest of the layer and everything below it, what the
 * daemon stores and shares) and sized from the image's history: the steps that made layers, in
 * order. Not thread-safe: one caller, in event order.
 */
public final class TraceRecorder {
  /** The diff ID of an empty layer (an empty tar): such a layer holds 0 bytes. */
  public static final String EMPTY_LAYER_DIFF_ID =
      "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Map<String, List<TraceEvent.Layer>> defined = new HashMap<>(); // image id -> layers given
  private final Set<String> held = new LinkedHashSet<>(); // images on disk as far as the trace knows, oldest first
  private final Map<String, Long> layerSizes = new HashMap<>(); // chain id -> size: one size per digest
  private final List<Line> pending = new ArrayList<>();
  private final Map<String, Line> openUses = new HashMap<>(); // container id -> its use line
  private Instant lastAt; // lines never go back in time (event clocks can step back slightly)
  private int lines;

  /** One output line; a use's text is written when its container dies. */
  private static final class Line {
    final Instant at;
    String text;
    final String imageId;

    Line(Instant at, String text, String imageId) {
      this.at = at;
      this.text = text;
      this.imageId = imageId;
    }
  }

  /**
   * The image the caller must inspect (with {@code GET /images/{id}/json} and its history) before
   * {@link #onEvent}, or null when the event needs none.
   */
  public static String imageToInspect(DockerEvent e) {
    if (e.type().equals("image")) {
      return switch (e.action()) {
        case "pull", "load", "import", "tag" -> e.actorId();
        default -> null;
      };
    }
    if (e.type().equals("container")) {
      return switch (e.action()) {
        case "start" -> emptyToNull(e.attribute("image"));
        case "commit" -> emptyToNull(e.attribute("imageID"));
        default -> null;
      };
    }
    return null;
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /**
   * The images on disk when recording starts, as pulls at {@code at} (oldest first: the order
   * given).
   */
  public void snapshot(Instant at, List<ImageLayers> images) {
    for (ImageLayers image : images) {
      if (!held.contains(image.id())) {
        pull(at(at), image, image.repoTags().isEmpty() ? null : image.repoTags().get(0));
      }
    }
  }

  /**
   * One event of the stream.
   *
   * @param image what inspecting {@link #imageToInspect} gave, or null (none needed, or the image
   *     was already gone)
   */
  public void onEvent(DockerEvent e, ImageLayers image) {
    Instant at = at(e.instant());
    if (e.type().equals("image")) {
      switch (e.action()) {
        case "pull", "load", "import" -> {
          if (image != null) {
            String named = e.actorId();
            pull(at, image, image.repoTags().contains(named) ? named
                : image.repoTags().contains(named + ":latest") ? named + ":latest"
                : image.repoTags().isEmpty() ? null : image.repoTags().get(0));
          }
        }
        case "tag" -> {
          String tag = e.attribute("name");
          if (image != null) {
            appeared(at, image, tag != null && tag.contains(":") ? tag : null);
          }
        }
        case "delete" -> {
          if (held.remove(e.actorId())) {
            emit(at, line(at, "remove", e.actorId()), e.actorId());
          }
        }
        default -> {
          // untag, save, push...: nothing the disk or the workload's needs depend on
        }
      }
    } else if (e.type().equals("container")) {
      switch (e.action()) {
        case "start" -> {
          if (image == null) {
            return;
          }
          if (!held.contains(image.id())) {
            if (image.repoTags().isEmpty()) {
              return; // a classic build's intermediate step: not something the workload asked for
            }
            pull(at, image, image.repoTags().get(0)); // there before recording, or made without an event
            if (!held.contains(image.id())) {
              return;
            }
          }
          Line use = new Line(at, null, image.id());
          pending.add(use);
          lines++;
          openUses.put(e.actorId(), use);
        }
        case "die" -> {
          Line use = openUses.remove(e.actorId());
          if (use != null) {
            close(use, at);
          }
        }
        case "commit" -> {
          if (image != null && !held.contains(image.id())) {
            appeared(at, image, null); // a tagged commit came as a tag event first
          }
        }
        default -> {
          // create, attach, destroy...: a run is one start
        }
      }
    }
  }

  /** Lines that can be written now (everything before the first use still waiting for its container). */
  public List<String> ready() {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < pending.size() && pending.get(i).text != null) {
      out.add(pending.get(i).text);
      i++;
    }
    pending.subList(0, i).clear();
    return out;
  }

  /** Recording stops at {@code at}: containers still running count as running until then. */
  public List<String> finish(Instant at) {
    Instant end = at(at);
    for (Line use : openUses.values()) {
      close(use, end);
    }
    openUses.clear();
    return ready();
  }

  /** Trace lines produced so far (written or waiting). */
  public int lineCount() {
    return lines;
  }

  private void close(Line use, Instant stoppedAt) {
    long seconds = Math.max(0, Duration.between(use.at, stoppedAt).toMillis() + 500) / 1000;
    ObjectNode n = line(use.at, "use", use.imageId);
    n.put("seconds", seconds);
    use.text = n.toString();
  }

  /** A tag or commit made the image appear: a build unless the trace already holds it (a retag). */
  private void appeared(Instant at, ImageLayers image, String tag) {
    if (held.contains(image.id())) {
      if (tag != null) {
        ObjectNode n = line(at, "pull", image.id());
        n.put("tag", tag);
        emit(at, n, image.id());
      }
      return;
    }
    List<TraceEvent.Layer> layers = layersOf(image);
    if (layers.isEmpty()) {
      return; // no layers (not a real image): a trace image needs them
    }
    String base = baseOf(image.id(), layers);
    ObjectNode n = line(at, "build", image.id());
    if (tag != null) {
      n.put("tag", tag);
    }
    if (base != null) {
      n.put("base", base);
    }
    putLayers(n, image.id(), layers);
    held.add(image.id());
    emit(at, n, image.id());
  }

  private void pull(Instant at, ImageLayers image, String tag) {
    List<TraceEvent.Layer> layers = layersOf(image);
    if (layers.isEmpty()) {
      return; // no layers (not a real image): a trace image needs them
    }
    ObjectNode n = line(at, "pull", image.id());
    if (tag != null) {
      n.put("tag", tag);
    }
    putLayers(n, image.id(), layers);
    held.remove(image.id());
    held.add(image.id()); // newest last: the base search prefers recent images
    emit(at, n, image.id());
    for (String other : image.repoTags()) { // one tag per line: the others as retags
      if (!other.equals(tag)) {
        ObjectNode retag = line(at, "pull", image.id());
        retag.put("tag", other);
        emit(at, retag, image.id());
      }
    }
  }

  private void putLayers(ObjectNode n, String imageId, List<TraceEvent.Layer> layers) {
    defined.putIfAbsent(imageId, layers);
    ArrayNode array = n.putArray("layers");
    for (TraceEvent.Layer layer : layers) {
      array.addObject().put("digest", layer.digest()).put("size", layer.sizeBytes());
    }
  }

  /** The held image whose layers are the longest prefix of {@code layers}, newest on a tie. */
  private String baseOf(String imageId, List<TraceEvent.Layer> layers) {
    String best = null;
    int bestSize = 0;
    for (String candidate : held) {
      List<TraceEvent.Layer> c = defined.get(candidate);
      if (candidate.equals(imageId) || c == null || c.isEmpty() || c.size() > layers.size()) {
        continue;
      }
      // chain IDs name the whole stack below: equal tops mean equal prefixes
      if (c.get(c.size() - 1).digest().equals(layers.get(c.size() - 1).digest()) && c.size() >= bestSize) {
        best = candidate;
        bestSize = c.size();
      }
    }
    return best;
  }

  /** The image's layers as the trace names them: chain IDs, sizes from the history. */
  List<TraceEvent.Layer> layersOf(ImageLayers image) {
    List<TraceEvent.Layer> known = defined.get(image.id());
    if (known != null) {
      return known;
    }
    List<TraceEvent.Layer> layers = layers(image, layerSizes);
    for (TraceEvent.Layer layer : layers) {
      layerSizes.putIfAbsent(layer.digest(), layer.sizeBytes());
    }
    return layers;
  }

  /**
   * Chain IDs and sizes of an image's layers. The history steps that made layers are, in order,
   * the layers: when the steps of non-zero size are as many as the non-empty layers, they are
   * matched in order; when there are as many steps as layers, step by step. Otherwise (a layer of
   * size 0 that is not the empty layer) layers sized earlier keep their size and the rest of the
   * image's Size goes to its top unknown layer. A layer sized earlier (in {@code knownSizes}) keeps
   * that size: one digest, one size.
   */
  static List<TraceEvent.Layer> layers(ImageLayers image, Map<String, Long> knownSizes) {
    List<String> diffIds = image.diffIds();
    List<String> chain = chainIds(diffIds);
    long[] sizes = new long[diffIds.size()];
    List<Long> nonZero = image.historySizesOldestFirst().stream().filter(s -> s > 0).toList();
    List<Integer> nonEmpty = new ArrayList<>();
    for (int i = 0; i < diffIds.size(); i++) {
      if (!EMPTY_LAYER_DIFF_ID.equals(diffIds.get(i))) {
        nonEmpty.add(i);
      }
    }
    if (nonZero.size() == nonEmpty.size()) {
      for (int k = 0; k < nonEmpty.size(); k++) {
        sizes[nonEmpty.get(k)] = nonZero.get(k);
      }
    } else if (image.historySizesOldestFirst().size() == diffIds.size()) {
      for (int i = 0; i < sizes.length; i++) {
        sizes[i] = image.historySizesOldestFirst().get(i);
      }
    } else {
      long rest = image.sizeBytes();
      int top = -1;
      for (int i = 0; i < sizes.length; i++) {
        Long known = knownSizes.get(chain.get(i));
        if (known != null) {
          sizes[i] = known;
          rest -= known;
        } else {
          top = i;
        }
      }
      if (top >= 0) {
        sizes[top] = Math.max(0, rest);
      }
    }
    List<TraceEvent.Layer> out = new ArrayList<>(sizes.length);
    for (int i = 0; i < sizes.length; i++) {
      out.add(new TraceEvent.Layer(chain.get(i), knownSizes.getOrDefault(chain.get(i), sizes[i])));
    }
    return out;
  }

  /** The OCI chain IDs of a stack of diff IDs: ChainID(n) = sha256(ChainID(n-1) + " " + DiffID(n)). */
  static List<String> chainIds(List<String> diffIds) {
    List<String> out = new ArrayList<>(diffIds.size());
    String previous = null;
    for (String diff : diffIds) {
      previous = previous == null ? diff : "sha256:" + sha256(previous + " " + diff);
      out.add(previous);
    }
    return out;
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private Instant at(Instant t) {
    Instant s = t.truncatedTo(ChronoUnit.SECONDS);
    if (lastAt != null && s.isBefore(lastAt)) {
      s = lastAt;
    }
    lastAt = s;
    return s;
  }

  private static ObjectNode line(Instant at, String event, String imageId) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("t", at.toString());
    n.put("event", event);
    n.put("image", imageId);
    return n;
  }

  private void emit(Instant at, ObjectNode n, String imageId) {
    pending.add(new Line(at, n.toString(), imageId));
    lines++;
  }
}
