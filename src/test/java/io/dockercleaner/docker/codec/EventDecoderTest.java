package io.dockercleaner.docker.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.dockercleaner.docker.model.DockerEvent;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EventDecoderTest {

  private static final String CONTAINER_ID =
      "d0f631ca1ddba8db3bcfcb9e057cdc98d0379f1bee00e75a545147a27dadd982";
  private static final String NETWORK_ID =
      "6c270ef2f251d571f625e6bfc5311959b2d7301e71ff51eb56717b8fd75d374d";
  private static final String GOOD_LINE =
      "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"abc\",\"Attributes\":"
          + "{\"name\":\"x\"}},\"scope\":\"local\",\"time\":1700000000,"
          + "\"timeNano\":1700000000123456789}";

  /** Records everything the decoder reports, in order. */
  static final class Recorder implements EventDecoder.Listener {
    final List<DockerEvent> events = new ArrayList<>();
    final List<String> malformed = new ArrayList<>();
    final List<Object> all = new ArrayList<>();

    @Override
    public void onEvent(DockerEvent event) {
      events.add(event);
      all.add(event);
    }

    @Override
    public void onMalformed(String reason, int lineLengthBytes) {
      String report = reason + " (" + lineLengthBytes + " bytes)";
      malformed.add(report);
      all.add(report);
    }
  }

  private static byte[] sample() throws IOException {
    try (InputStream in =
        EventDecoderTest.class.getResourceAsStream("docker-20.10-events.jsonl")) {
      return in.readAllBytes();
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static Recorder feedWhole(byte[] stream) {
    Recorder recorder = new Recorder();
    EventDecoder decoder = new EventDecoder(recorder);
    decoder.handle(Buffer.buffer(stream));
    decoder.end();
    return recorder;
  }

  private static Recorder feedInChunks(byte[] stream, int[] chunkSizes) {
    Recorder recorder = new Recorder();
    EventDecoder decoder = new EventDecoder(recorder);
    int offset = 0;
    for (int size : chunkSizes) {
      decoder.handle(Buffer.buffer().appendBytes(stream, offset, size));
      offset += size;
    }
    decoder.end();
    assertThat(offset).isEqualTo(stream.length);
    return recorder;
  }

  /** The sample with malformed lines, CRLF, blank lines and Podman events mixed in. */
  private static byte[] mixedStream() throws IOException {
    String extra =
        "not json at all\n"
            + "\r\n"
            + "\n"
            + "[1,2,3]\n"
            + GOOD_LINE.replace("start", "kill") + "\r\n"
            + "{\"Type\":\"container\",\"Action\":\n"
            + "{\"status\":\"remove\",\"id\":\"p1\",\"Type\":\"container\",\"Action\":\"remove\","
            + "\"Actor\":{\"ID\":\"p1\",\"Attributes\":{\"name\":\"pod-ctr\"}},"
            + "\"time\":1700000100,\"timeNano\":1700000100000000001}\n";
    byte[] sample = sample();
    byte[] tail = utf8(extra);
    byte[] stream = Arrays.copyOf(sample, sample.length * 2 + tail.length);
    System.arraycopy(tail, 0, stream, sample.length, tail.length);
    System.arraycopy(sample, 0, stream, sample.length + tail.length, sample.length);
    return stream;
  }

  @Test
  void realisticDocker2010SampleDecodesWithTheRightFields() throws IOException {
    Recorder recorder = feedWhole(sample());

    assertThat(recorder.malformed).isEmpty();
    assertThat(recorder.events)
        .extracting(DockerEvent::type, DockerEvent::action, DockerEvent::baseAction)
        .containsExactly(
            tuple("image", "tag", "tag"),
            tuple("volume", "create", "create"),
            tuple("network", "create", "create"),
            tuple("container", "create", "create"),
            tuple("network", "connect", "connect"),
            tuple("volume", "mount", "mount"),
            tuple("container", "start", "start"),
            tuple("container", "exec_create: sh -c date", "exec_create"),
            tuple("container", "exec_start: sh -c date", "exec_start"),
            tuple("container", "die", "die"),
            tuple("network", "disconnect", "disconnect"),
            tuple("container", "destroy", "destroy"),
            tuple("volume", "destroy", "destroy"),
            tuple("network", "destroy", "destroy"),
            tuple("image", "untag", "untag"),
            tuple("image", "delete", "delete"),
            tuple("builder", "prune", "prune"));

    DockerEvent create = recorder.events.get(3);
    assertThat(create)
        .isEqualTo(
            new DockerEvent(
                "container",
                "create",
                CONTAINER_ID,
                Map.of(
                    "image", "dc-test/busybox:latest",
                    "keep", "true",
                    "name", "web-café",
                    "com.example.note", "€ 😀 ünïcödé"),
                "local",
                1700000003L,
                1700000003123456792L));
    assertThat(create.instant()).isEqualTo(Instant.ofEpochSecond(1700000003L, 123456792L));

    DockerEvent connect = recorder.events.get(4);
    assertThat(connect.actorId()).isEqualTo(NETWORK_ID);
    assertThat(connect.attribute("container")).isEqualTo(CONTAINER_ID);
    assertThat(connect.attribute("name")).isEqualTo("app-net");

    assertThat(recorder.events.get(9).attribute("exitCode")).isEqualTo("0");
    assertThat(recorder.events.get(1).actorId()).isEqualTo("data-vol");
    assertThat(recorder.events.get(15).actorId()).startsWith("sha256:");
    assertThat(recorder.events.get(16).actorId()).isEmpty();
    assertThat(recorder.events).allSatisfy(e -> assertThat(e.scope()).isEqualTo("local"));
  }

  @Test
  void countsDecodedEventsAndMalformedLines() throws IOException {
    Recorder recorder = new Recorder();
    EventDecoder decoder = new EventDecoder(recorder);

    decoder.handle(Buffer.buffer(mixedStream()));

    assertThat(decoder.eventsDecoded()).isEqualTo(17 * 2 + 2).isEqualTo(recorder.events.size());
    assertThat(decoder.malformedLines()).isEqualTo(3).isEqualTo(recorder.malformed.size());
  }

  @Test
  void sameResultsWhetherFedWholeOneByteAtATimeOrInRandomChunks() throws IOException {
    byte[] stream = mixedStream();
    Recorder whole = feedWhole(stream);
    assertThat(whole.events).hasSize(17 * 2 + 2);

    int[] oneByteChunks = new int[stream.length];
    Arrays.fill(oneByteChunks, 1);
    assertThat(feedInChunks(stream, oneByteChunks).all).isEqualTo(whole.all);

    Random random = new Random(20240611L);
    for (int iteration = 0; iteration < 300; iteration++) {
      int maxChunk = 1 + random.nextInt(iteration % 3 == 0 ? 8 : 700);
      List<Integer> sizes = new ArrayList<>();
      int remaining = stream.length;
      while (remaining > 0) {
        int size = Math.min(remaining, 1 + random.nextInt(maxChunk));
        sizes.add(size);
        remaining -= size;
      }
      int[] chunkSizes = sizes.stream().mapToInt(Integer::intValue).toArray();
      assertThat(feedInChunks(stream, chunkSizes).all)
          .as("iteration %d, chunks %s", iteration, sizes)
          .isEqualTo(whole.all);
    }
  }

  @Test
  void multiByteCharacterSplitAcrossChunksDecodes() {
    byte[] line = utf8(GOOD_LINE.replace("\"name\":\"x\"", "\"name\":\"a😀€b\"") + "\n");
    int emoji = indexOf(line, (byte) 0xF0);
    for (int split = emoji + 1; split <= emoji + 6; split++) {
      Recorder recorder =
          feedInChunks(line, new int[] {split, line.length - split});
      assertThat(recorder.events)
          .as("split at byte %d", split)
          .singleElement()
          .satisfies(e -> assertThat(e.attribute("name")).isEqualTo("a😀€b"));
    }
  }

  private static int indexOf(byte[] bytes, byte wanted) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == wanted) {
        return i;
      }
    }
    throw new AssertionError("byte not found");
  }

  static Stream<Arguments> malformedLines() {
    return Stream.of(
        Arguments.of("not JSON", "hello world", "invalid JSON: "),
        Arguments.of("JSON array", "[{\"Type\":\"container\",\"Action\":\"start\"}]",
            "not a JSON object but an array"),
        Arguments.of("JSON string", "\"container\"", "not a JSON object but a string"),
        Arguments.of("missing Type", "{\"Action\":\"start\",\"Actor\":{\"ID\":\"a\"}}",
            "missing Type"),
        Arguments.of("missing Action", "{\"Type\":\"container\",\"status\":\"start\"}",
            "missing Action"),
        Arguments.of("Type not a string", "{\"Type\":5,\"Action\":\"start\"}",
            "Type is not a string"),
        Arguments.of("truncated", "{\"Type\":\"container\",\"Action\":\"sta",
            "invalid JSON: "),
        Arguments.of("truncated after a field", "{\"Type\":\"container\",\"Action\":\"start\",",
            "invalid JSON: "),
        Arguments.of("trailing content", "{\"Type\":\"container\",\"Action\":\"start\"} {}",
            "content after the JSON object"),
        Arguments.of("time not an integer",
            "{\"Type\":\"container\",\"Action\":\"start\",\"time\":\"soon\"}",
            "time is not an integer"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedLines")
  void malformedLineIsSkippedAndCountedAndTheNextLineDecodes(
      String description, String badLine, String expectedReasonPrefix) {
    Recorder recorder = new Recorder();
    EventDecoder decoder = new EventDecoder(recorder);

    decoder.handle(Buffer.buffer(badLine + "\n" + GOOD_LINE + "\n"));

    assertThat(recorder.malformed)
        .singleElement()
        .asString()
        .startsWith(expectedReasonPrefix)
        .endsWith("(" + utf8(badLine).length + " bytes)");
    assertThat(decoder.malformedLines()).isEqualTo(1);
    assertThat(recorder.events).singleElement().extracting(DockerEvent::actorId).isEqualTo("abc");
    assertThat(decoder.eventsDecoded()).isEqualTo(1);
  }

  @Test
  void oversizedLineIsDroppedWithoutBufferingItAndTheNextLineDecodes() {
    int maxLineBytes = 1024;
    Recorder recorder = new Recorder();
    EventDecoder decoder = new EventDecoder(recorder, maxLineBytes);
    int capacityBefore = decoder.carryCapacityBytes();

    String start = "{\"Type\":\"container\",\"Action\":\"create\",\"x\":\"";
    decoder.handle(Buffer.buffer(start));
    byte[] filler = new byte[8 * 1024];
    Arrays.fill(filler, (byte) 'a');
    long lineLength = start.length();
    for (int i = 0; i < 256; i++) { // 2 MiB in one line
      decoder.handle(Buffer.buffer(filler));
      lineLength += filler.length;
      assertThat(decoder.bufferedBytes()).isZero();
      assertThat(decoder.carryCapacityBytes()).isEqualTo(capacityBefore);
    }
    assertThat(recorder.malformed).as("reported once, when the line ends").isEmpty();

    decoder.handle(Buffer.buffer("\"}\n" + GOOD_LINE + "\n"));

    assertThat(recorder.malformed)
        .containsExactly("line longer than maxLineBytes 1024 (" + (lineLength + 2) + " bytes)");
    assertThat(recorder.events).singleElement().extracting(DockerEvent::actorId).isEqualTo("abc");
    assertThat(decoder.malformedLines()).isEqualTo(1);
  }

  @Test
  void oversizedLineWithinOneChunkIsDropped() {
    Recorder recorder = new Recorder();
    EventDecoder decoder = new EventDecoder(recorder, GOOD_LINE.length() - 1);

    decoder.handle(Buffer.buffer(GOOD_LINE + "\n" + "{\"Type\":\"a\",\"Action\":\"b\"}\n"));

    assertThat(recorder.malformed)
        .containsExactly(
            "line longer than maxLineBytes " + (GOOD_LINE.length() - 1)
                + " (" + GOOD_LINE.length() + " bytes)");
    assertThat(recorder.events).extracting(DockerEvent::type).containsExactly("a");
  }

  @Test
  void lineOfExactlyMaxLineBytesDecodes() {
    Recorder recorder = new Recorder();
    EventDecoder decoder = new EventDecoder(recorder, GOOD_LINE.length());
    byte[] stream = utf8(GOOD_LINE + "\n");
    for (byte b : stream) {
      decoder.handle(Buffer.buffer(new byte[] {b}));
    }
    assertThat(recorder.malformed).isEmpty();
    assertThat(recorder.events).hasSize(1);
  }

  @Test
  void podmanRemoveMapsToDockerWordsAndMissingScopeMeansLocal() {
    Recorder recorder = new Recorder();
    EventDecoder decoder = new EventDecoder(recorder);

    decoder.handle(
        Buffer.buffer(
            "{\"status\":\"remove\",\"id\":\"c1\",\"Type\":\"container\",\"Action\":\"remove\","
                + "\"Actor\":{\"ID\":\"c1\",\"Attributes\":{\"containerExitCode\":\"0\"}},"
                + "\"time\":1700000001,\"timeNano\":1700000001000000007}\n"
                + "{\"Type\":\"image\",\"Action\":\"remove\",\"Actor\":{\"ID\":\"sha256:1\"},"
                + "\"time\":1700000002}\n"
                + "{\"Type\":\"volume\",\"Action\":\"remove\",\"Actor\":{\"ID\":\"v1\"}}\n"
                + "{\"Type\":\"network\",\"Action\":\"remove\",\"Actor\":{\"ID\":\"n1\"}}\n"
                + "{\"Type\":\"service\",\"Action\":\"remove\",\"scope\":\"swarm\"}\n"));

    assertThat(recorder.events)
        .extracting(DockerEvent::type, DockerEvent::action, DockerEvent::actorId, DockerEvent::scope)
        .containsExactly(
            tuple("container", "destroy", "c1", "local"),
            tuple("image", "delete", "sha256:1", "local"),
            tuple("volume", "destroy", "v1", "local"),
            tuple("network", "destroy", "n1", "local"),
            tuple("service", "remove", "", "swarm"));
    DockerEvent container = recorder.events.get(0);
    assertThat(container.time()).isEqualTo(1700000001L);
    assertThat(container.attributes()).containsExactly(Map.entry("containerExitCode", "0"));
    DockerEvent image = recorder.events.get(1);
    assertThat(image.timeNano()).as("derived from time").isEqualTo(1700000002_000000000L);
    assertThat(image.instant()).isEqualTo(Instant.ofEpochSecond(1700000002L));
    assertThat(image.attributes()).isEmpty();
  }

  @Test
  void onlyTimeNanoGivesTheSeconds() {
    Recorder recorder = new Recorder();
    new EventDecoder(recorder)
        .handle(Buffer.buffer("{\"Type\":\"a\",\"Action\":\"b\",\"timeNano\":1700000005999999999}\n"));
    assertThat(recorder.events).singleElement().extracting(DockerEvent::time).isEqualTo(1700000005L);
  }

  @Test
  void crlfLineEndsAndBlankLinesAreTolerated() {
    Recorder recorder = new Recorder();
    EventDecoder decoder = new EventDecoder(recorder);

    decoder.handle(Buffer.buffer("\r\n\n" + GOOD_LINE + "\r"));
    decoder.handle(Buffer.buffer("\n  \r\n" + GOOD_LINE + "\r\n\r\n"));

    assertThat(recorder.events).hasSize(2);
    assertThat(recorder.malformed).isEmpty();
    assertThat(decoder.bufferedBytes()).isZero();
  }

  @Test
  void unknownFieldsAndNonStringAttributesAreTolerated() {
    Recorder recorder = new Recorder();
    new EventDecoder(recorder)
        .handle(
            Buffer.buffer(
                "{\"future\":{\"nested\":[1,{\"a\":2}]},\"Type\":\"container\",\"Action\":\"die\","
                    + "\"Actor\":{\"ID\":\"c\",\"Extra\":[1],\"Attributes\":{\"exitCode\":137,"
                    + "\"flag\":true,\"gone\":null,\"obj\":{\"x\":1}}},\"from\":\"img\"}\n"));
    assertThat(recorder.events)
        .singleElement()
        .extracting(DockerEvent::attributes)
        .isEqualTo(Map.of("exitCode", "137", "flag", "true"));
  }

  @Test
  void endReportsAStreamCutInsideALineAndResets() {
    Recorder recorder = new Recorder();
    EventDecoder decoder = new EventDecoder(recorder);

    decoder.handle(Buffer.buffer(GOOD_LINE + "\n" + GOOD_LINE.substring(0, 20)));
    decoder.end();
    decoder.handle(Buffer.buffer(GOOD_LINE + "\n"));

    assertThat(recorder.all)
        .hasSize(3)
        .element(1)
        .isEqualTo("stream ended inside a line (20 bytes)");
    assertThat(recorder.events).hasSize(2);
    assertThat(decoder.bufferedBytes()).isZero();
  }

  @Test
  void byteArrayInputAtAnOffsetDecodesLikeBuffers() throws IOException {
    byte[] sample = sample();
    byte[] padded = new byte[sample.length + 7];
    System.arraycopy(sample, 0, padded, 7, sample.length);
    Recorder recorder = new Recorder();
    EventDecoder decoder = new EventDecoder(recorder);

    decoder.handle(padded, 7, sample.length);

    assertThat(recorder.all).isEqualTo(feedWhole(sample).all);
  }

  @Test
  void podmanVolumeEventsWithoutActorIdGetTheVolumeNameAsId() {
    // as Podman 4.3 sends them: empty Actor.ID, the name only in the attributes, "remove"
    String line = "{\"status\":\"remove\",\"Type\":\"volume\",\"Action\":\"remove\",\"Actor\":{\"ID\":\"\","
        + "\"Attributes\":{\"containerExitCode\":\"0\",\"image\":\"\",\"name\":\"pvx\",\"podId\":\"\"}},"
        + "\"scope\":\"local\",\"time\":1795880855,\"timeNano\":1795880855076858647}\n";
    Recorder recorder = new Recorder();

    new EventDecoder(recorder).handle(Buffer.buffer(line));

    assertThat(recorder.events).singleElement().satisfies(e -> {
      assertThat(e.actorId()).isEqualTo("pvx");
      assertThat(e.action()).isEqualTo("destroy");
    });
  }
}
