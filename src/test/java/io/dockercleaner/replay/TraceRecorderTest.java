package io.dockercleaner.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.docker.model.DockerEvent;
import io.dockercleaner.docker.model.ImageLayers;
import java.io.StringReader;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The recorder's mapping from daemon events plus inspect results to trace lines (pure). */
class TraceRecorderTest {
  private static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");
  private static final String L1 = "sha256:" + "1".repeat(64);
  private static final String L2 = "sha256:" + "2".repeat(64);
  private static final String L3 = "sha256:" + "3".repeat(64);

  private static final ImageLayers BASE = new ImageLayers("sha256:base", List.of("ci/base:latest"), 1000,
      List.of(L1), List.of(1000L));
  // built on BASE: a LABEL step (no layer), a RUN step of 500 bytes, an empty RUN layer
  private static final ImageLayers APP = new ImageLayers("sha256:app", List.of("app:1"), 1500,
      List.of(L1, L2, TraceRecorder.EMPTY_LAYER_DIFF_ID), List.of(1000L, 0L, 500L, 0L));
  private static final ImageLayers INTERMEDIATE = new ImageLayers("sha256:step", List.of(), 1500,
      List.of(L1, L2), List.of(1000L, 500L));

  private static DockerEvent event(String type, String action, String actor, long second, String... attributes) {
    Map<String, String> attrs = new HashMap<>();
    for (int i = 0; i < attributes.length; i += 2) {
      attrs.put(attributes[i], attributes[i + 1]);
    }
    return new DockerEvent(type, action, actor, attrs, "local", T0.getEpochSecond() + second,
        (T0.getEpochSecond() + second) * 1_000_000_000L + 123);
  }

  private static List<TraceEvent> parse(List<String> lines) throws Exception {
    return TraceParser.parse("recorded", new StringReader(String.join("\n", lines)));
  }

  @Test
  void eventsBecomePullBuildUseAndRemoveLinesThatReplayReads() throws Exception {
    TraceRecorder r = new TraceRecorder();
    r.snapshot(T0, List.of(BASE));
    // a classic build: an intermediate container on the base, one on an untagged step, then the tag
    r.onEvent(event("container", "start", "c1", 1, "image", "sha256:base"), BASE);
    r.onEvent(event("container", "die", "c1", 2), null);
    r.onEvent(event("container", "start", "c2", 2, "image", "sha256:step"), INTERMEDIATE);
    r.onEvent(event("image", "tag", "sha256:app", 3, "name", "app:1"), APP);
    r.onEvent(event("image", "tag", "sha256:app", 4, "name", "app:latest"), APP);
    r.onEvent(event("container", "start", "c3", 5, "image", "app:1"), APP);
    r.onEvent(event("image", "untag", "sha256:base", 6), null);
    r.onEvent(event("image", "delete", "sha256:base", 6), null);
    assertThat(r.ready()).as("c3 still runs: its use line and everything after it wait").hasSize(4);
    r.onEvent(event("container", "die", "c3", 65), null);
    r.onEvent(event("image", "delete", "sha256:never-seen", 66), null);
    List<String> rest = r.ready();
    assertThat(rest).hasSize(2);
    assertThat(r.lineCount()).isEqualTo(6);

    List<String> all = new ArrayList<>();
    TraceRecorder again = new TraceRecorder();
    again.snapshot(T0, List.of(BASE));
    for (DockerEvent e : List.of(event("container", "start", "c1", 1, "image", "sha256:base"),
        event("container", "die", "c1", 2), event("container", "start", "c2", 2, "image", "sha256:step"),
        event("image", "tag", "sha256:app", 3, "name", "app:1"),
        event("image", "tag", "sha256:app", 4, "name", "app:latest"),
        event("container", "start", "c3", 5, "image", "app:1"), event("image", "untag", "sha256:base", 6),
        event("image", "delete", "sha256:base", 6), event("container", "die", "c3", 65))) {
      ImageLayers image = switch (e.actorId() + "/" + e.attribute("image")) {
        case "c1/sha256:base" -> BASE;
        case "c2/sha256:step" -> INTERMEDIATE;
        case "c3/app:1", "sha256:app/null" -> APP;
        default -> null;
      };
      again.onEvent(e, image);
      all.addAll(again.ready());
    }
    all.addAll(again.finish(T0.plusSeconds(100)));

    List<TraceEvent> events = parse(all);
    assertThat(events).extracting(TraceEvent::kind).containsExactly(TraceEvent.Kind.PULL, TraceEvent.Kind.USE,
        TraceEvent.Kind.BUILD, TraceEvent.Kind.PULL, TraceEvent.Kind.USE, TraceEvent.Kind.REMOVE);
    TraceEvent pull = events.get(0);
    assertThat(pull.tag()).isEqualTo("ci/base:latest");
    assertThat(pull.at()).isEqualTo(T0);
    TraceEvent build = events.get(2);
    assertThat(build.imageId()).isEqualTo("sha256:app");
    assertThat(build.tag()).isEqualTo("app:1");
    assertThat(build.baseImageId()).as("the held image whose layers are a prefix").isEqualTo("sha256:base");
    assertThat(build.at()).as("whole seconds").isEqualTo(T0.plusSeconds(3));
    assertThat(build.layers()).extracting(TraceEvent.Layer::sizeBytes).containsExactly(1000L, 500L, 0L);
    assertThat(build.layers().get(0).digest()).as("the bottom layer's chain ID is its diff ID").isEqualTo(L1);
    assertThat(build.layers().get(1).digest()).isEqualTo(TraceRecorder.chainIds(List.of(L1, L2)).get(1))
        .isNotEqualTo(L2);
    assertThat(events.get(3).tag()).as("a retag of a held image").isEqualTo("app:latest");
    assertThat(events.get(3).layers()).isEmpty();
    TraceEvent use = events.get(4);
    assertThat(use.imageId()).isEqualTo("sha256:app");
    assertThat(use.runSeconds()).as("start at 5 s, die at 65 s").isEqualTo(60);
    assertThat(events.get(5).imageId()).isEqualTo("sha256:base");
    assertThat(events.get(1).runSeconds()).as("the build step's container on the base").isEqualTo(1);
  }

  @Test
  void aContainerOfAnUnknownTaggedImageFirstPullsItAndFinishClosesRunningUses() throws Exception {
    TraceRecorder r = new TraceRecorder();
    r.onEvent(event("container", "start", "c1", 10, "image", "ci/base"), BASE);
    assertThat(r.ready()).as("the pull is written, the use waits").hasSize(1);
    List<String> rest = r.finish(T0.plusSeconds(40));
    List<TraceEvent> events = parse(List.of(
        "{\"t\":\"2026-11-30T10:00:10Z\",\"event\":\"pull\",\"image\":\"sha256:base\",\"layers\":[{\"digest\":\"" + L1
            + "\",\"size\":1000}]}", rest.get(0)));
    assertThat(events.get(1).runSeconds()).as("still running when recording stopped").isEqualTo(30);
  }

  @Test
  void pullsAndLoadsTakeTheNamedTagAndGiveEveryOtherTagItsOwnLine() throws Exception {
    TraceRecorder r = new TraceRecorder();
    ImageLayers twoTags = new ImageLayers("sha256:x", List.of("x:1", "x:stable"), 10, List.of(L3), List.of(10L));
    r.onEvent(event("image", "pull", "x:stable", 1), twoTags);
    r.onEvent(event("image", "load", "sha256:gone", 2), null); // deleted before the inspect
    List<TraceEvent> events = parse(r.ready());
    assertThat(events).extracting(TraceEvent::tag).containsExactly("x:stable", "x:1");
    assertThat(TraceRecorder.imageToInspect(event("image", "load", "sha256:x", 1))).isEqualTo("sha256:x");
    assertThat(TraceRecorder.imageToInspect(event("image", "delete", "sha256:x", 1))).isNull();
    assertThat(TraceRecorder.imageToInspect(event("container", "commit", "c", 1, "imageID", "sha256:y")))
        .isEqualTo("sha256:y");
    assertThat(TraceRecorder.imageToInspect(event("container", "create", "c", 1, "image", "x:1"))).isNull();
  }

  @Test
  void layerSizesFallBackToTheImageSizeAndKeepOneSizePerDigest() {
    // a layer of size 0 that is not the empty layer: steps and layers cannot be matched
    ImageLayers odd = new ImageLayers("sha256:odd", List.of(), 700, List.of(L1, L2, L3), List.of(500L, 0L, 200L,
        0L));
    Map<String, Long> known = new HashMap<>(Map.of(L1, 500L));
    List<TraceEvent.Layer> layers = TraceRecorder.layers(odd, known);
    assertThat(layers).extracting(TraceEvent.Layer::sizeBytes).containsExactly(500L, 0L, 200L);

    // a digest sized by an earlier image keeps that size
    List<TraceEvent.Layer> again = TraceRecorder.layers(new ImageLayers("sha256:b", List.of(), 9, List.of(L1),
        List.of(9L)), known);
    assertThat(again.get(0).sizeBytes()).isEqualTo(500L);
  }
}
