package io.dockercleaner.bench;

import io.dockercleaner.docker.codec.EventDecoder;
import io.dockercleaner.docker.model.DockerEvent;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Throughput of {@link EventDecoder} in events per second: a stream of realistic Docker 20.10
 * event lines (container lifecycle with labels, image, volume and network events) fed in 8 KiB
 * chunks, as a busy /events response arrives. One operation is one decoded event.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EventDecoderBenchmark {

  static final int EVENTS_PER_STREAM = 10_000;
  static final int CHUNK_BYTES = 8 * 1024;

  private List<Buffer> chunks;
  private EventDecoder decoder;
  private Blackhole sink;

  @Setup(Level.Trial)
  public void setUp(Blackhole blackhole) {
    sink = blackhole;
    byte[] stream = stream(EVENTS_PER_STREAM).getBytes(StandardCharsets.UTF_8);
    chunks = new ArrayList<>();
    for (int offset = 0; offset < stream.length; offset += CHUNK_BYTES) {
      int length = Math.min(CHUNK_BYTES, stream.length - offset);
      chunks.add(Buffer.buffer().appendBytes(stream, offset, length));
    }
    decoder =
        new EventDecoder(
            new EventDecoder.Listener() {
              @Override
              public void onEvent(DockerEvent event) {
                sink.consume(event);
              }

              @Override
              public void onMalformed(String reason, int lineLengthBytes) {
                throw new IllegalStateException("benchmark stream is malformed: " + reason);
              }
            });
  }

  @Benchmark
  @OperationsPerInvocation(EVENTS_PER_STREAM)
  public long decode8KiBChunks() {
    long before = decoder.eventsDecoded();
    for (Buffer chunk : chunks) {
      decoder.handle(chunk);
    }
    return decoder.eventsDecoded() - before;
  }

  /** Lines shaped like a Docker 20.10 daemon's, with distinct IDs so nothing is trivially equal. */
  static String stream(int events) {
    StringBuilder out = new StringBuilder(events * 400);
    long time = 1_700_000_000L;
    for (int i = 0; events > 0; i++) {
      String id = String.format("%064x", i * 0x9E3779B97F4A7C15L & Long.MAX_VALUE);
      String image = "registry.example.com/team/app:" + (i % 50);
      String attributes =
          "{\"com.docker.compose.project\":\"shop\",\"com.docker.compose.service\":\"web\","
              + "\"image\":\"" + image + "\",\"keep\":\"false\",\"name\":\"shop-web-" + i + "\"";
      String[] actions = {"create", "start", "die", "destroy"};
      for (String action : actions) {
        if (events-- == 0) {
          break;
        }
        String extra = action.equals("die") ? ",\"exitCode\":\"0\"}" : "}";
        out.append("{\"status\":\"").append(action).append("\",\"id\":\"").append(id)
            .append("\",\"from\":\"").append(image)
            .append("\",\"Type\":\"container\",\"Action\":\"").append(action)
            .append("\",\"Actor\":{\"ID\":\"").append(id).append("\",\"Attributes\":")
            .append(attributes).append(extra).append("},\"scope\":\"local\",\"time\":")
            .append(time).append(",\"timeNano\":").append(time * 1_000_000_000L + i)
            .append("}\n");
      }
      if (events-- > 0) {
        out.append("{\"Type\":\"network\",\"Action\":\"connect\",\"Actor\":{\"ID\":\"")
            .append(id).append("\",\"Attributes\":{\"container\":\"").append(id)
            .append("\",\"name\":\"shop_default\",\"type\":\"bridge\"}},\"scope\":\"local\","
                + "\"time\":").append(time).append(",\"timeNano\":")
            .append(time * 1_000_000_000L + i).append("}\n");
      }
      if (events-- > 0) {
        out.append("{\"status\":\"untag\",\"id\":\"sha256:").append(id)
            .append("\",\"Type\":\"image\",\"Action\":\"untag\",\"Actor\":{\"ID\":\"sha256:")
            .append(id).append("\",\"Attributes\":{\"name\":\"").append(image)
            .append("\"}},\"scope\":\"local\",\"time\":").append(time)
            .append(",\"timeNano\":").append(time * 1_000_000_000L + i).append("}\n");
      }
      if (events-- > 0) {
        out.append("{\"Type\":\"volume\",\"Action\":\"destroy\",\"Actor\":{\"ID\":\"vol-")
            .append(i).append("\",\"Attributes\":{\"driver\":\"local\"}},\"scope\":\"local\","
                + "\"time\":").append(time).append(",\"timeNano\":")
            .append(time * 1_000_000_000L + i).append("}\n");
      }
      time++;
    }
    return out.toString();
  }
}
