package io.dockercleaner.docker.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.dockercleaner.docker.model.DockerEvent;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Decodes the chunked body of the Engine API {@code GET /events} stream: one JSON object per line,
 * each becoming a {@link DockerEvent} for the {@link Listener}.
 *
 * <p>Feed it every chunk of the response in order ({@code response.handler(decoder)}); the chunk
 * boundaries do not matter, not even inside a multi-byte UTF-8 character. Lines end with {@code
 * \n}; a {@code \r} before it and blank lines are tolerated. A line that is not a JSON object with
 * string {@code Type} and {@code Action} is reported to {@link Listener#onMalformed} and skipped;
 * decoding goes on with the next line. A line longer than {@code maxLineBytes} is not buffered: the
 * decoder drops its bytes until the next {@code \n} and then reports it once, so memory stays
 * bounded by {@code maxLineBytes} plus a 64 KiB scratch array whatever the daemon sends.
 *
 * <p>Not thread-safe: like any handler of a Vert.x stream it is only called from one context. The
 * listener is called synchronously from {@link #handle}; an exception it throws propagates to the
 * caller of {@code handle} and the rest of that chunk is lost.
 */
public final class EventDecoder implements Handler<Buffer> {

  /** Receives the decoder's results, in stream order. */
  public interface Listener {
    /** A line decoded into an event. */
    void onEvent(DockerEvent event);

    /**
     * A line that was skipped.
     *
     * @param reason why, e.g. {@code missing Action} or {@code line longer than 1048576 bytes}
     * @param lineLengthBytes the length of the line without its line terminator
     */
    void onMalformed(String reason, int lineLengthBytes);
  }

  /** Default bound on one line: Docker events are well under 64 KiB even with many labels. */
  public static final int DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

  // Chunks are copied into this array window by window: one bulk copy per window, never per byte.
  private static final int SCRATCH_BYTES = 64 * 1024;
  private static final int INITIAL_CARRY_BYTES = 4 * 1024;
  // Thread-safe and reused; creating a parser over a byte range is cheap (recycled buffers).
  private static final JsonFactory JSON = new JsonFactory();
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final Listener listener;
  private final int maxLineBytes;
  private final byte[] scratch;

  // The start of a line whose '\n' has not arrived yet; carryLength <= maxLineBytes.
  private byte[] carry = new byte[INITIAL_CARRY_BYTES];
  private int carryLength;
  // True while dropping the rest of an oversized line; droppedBytes counts it so far.
  private boolean dropping;
  private long droppedBytes;

  private long eventsDecoded;
  private long malformedLines;

  /** A decoder with lines bounded by {@link #DEFAULT_MAX_LINE_BYTES}. */
  public EventDecoder(Listener listener) {
    this(listener, DEFAULT_MAX_LINE_BYTES);
  }

  /**
   * A decoder.
   *
   * @param listener receives events and malformed-line reports
   * @param maxLineBytes the longest line (without terminator) that is decoded; at least 1
   */
  public EventDecoder(Listener listener, int maxLineBytes) {
    this.listener = Objects.requireNonNull(listener, "listener");
    if (maxLineBytes < 1) {
      throw new IllegalArgumentException("maxLineBytes must be at least 1, got " + maxLineBytes);
    }
    this.maxLineBytes = maxLineBytes;
    this.scratch = new byte[SCRATCH_BYTES];
  }

  @Override
  public void handle(Buffer chunk) {
    int length = chunk.length();
    for (int offset = 0; offset < length; offset += SCRATCH_BYTES) {
      int windowBytes = Math.min(SCRATCH_BYTES, length - offset);
      chunk.getBytes(offset, offset + windowBytes, scratch, 0);
      process(scratch, windowBytes);
    }
  }

  /**
   * Feeds bytes from an array (same contract as {@link #handle}); for callers that do not hold a
   * {@link Buffer}.
   */
  public void handle(byte[] bytes, int offset, int length) {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    if (offset == 0) {
      process(bytes, length);
    } else {
      for (int done = 0; done < length; done += SCRATCH_BYTES) {
        int windowBytes = Math.min(SCRATCH_BYTES, length - done);
        System.arraycopy(bytes, offset + done, scratch, 0, windowBytes);
        process(scratch, windowBytes);
      }
    }
  }

  /**
   * Tells the decoder the stream has ended. An unterminated last line means the stream was cut
   * (the daemon ends every event with {@code \n}): it is reported as malformed and dropped. The
   * decoder is then ready for a new stream.
   */
  public void end() {
    if (dropping) {
      reportOversized(droppedBytes);
    } else if (carryLength > 0 && !isBlank(carry, 0, carryLength)) {
      malformed("stream ended inside a line", carryLength);
    }
    resetCarry();
  }

  /** Events passed to {@link Listener#onEvent} so far. */
  public long eventsDecoded() {
    return eventsDecoded;
  }

  /** Lines reported to {@link Listener#onMalformed} so far. */
  public long malformedLines() {
    return malformedLines;
  }

  /** Bytes of an unfinished line held until its {@code \n} arrives (never above maxLineBytes). */
  public int bufferedBytes() {
    return carryLength;
  }

  /** The capacity of the array holding an unfinished line; for tests of bounded memory. */
  int carryCapacityBytes() {
    return carry.length;
  }

  private void process(byte[] bytes, int length) {
    int position = 0;
    while (position < length) {
      int newline = indexOfNewline(bytes, position, length);
      if (newline < 0) {
        keepPartial(bytes, position, length - position);
        return;
      }
      completeLine(bytes, position, newline);
      position = newline + 1;
    }
  }

  private static int indexOfNewline(byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private void keepPartial(byte[] bytes, int from, int count) {
    if (dropping) {
      droppedBytes += count;
    } else if ((long) carryLength + count > maxLineBytes) {
      long seenBytes = (long) carryLength + count;
      resetCarry();
      dropping = true;
      droppedBytes = seenBytes;
    } else {
      ensureCarryCapacity(carryLength + count);
      System.arraycopy(bytes, from, carry, carryLength, count);
      carryLength += count;
    }
  }

  private void completeLine(byte[] bytes, int from, int newline) {
    int count = newline - from;
    if (dropping) {
      reportOversized(droppedBytes + count);
      resetCarry();
    } else if (carryLength == 0) {
      decodeLine(bytes, from, count);
    } else if ((long) carryLength + count > maxLineBytes) {
      reportOversized((long) carryLength + count);
      resetCarry();
    } else {
      ensureCarryCapacity(carryLength + count);
      System.arraycopy(bytes, from, carry, carryLength, count);
      int lineLength = carryLength + count;
      carryLength = 0;
      decodeLine(carry, 0, lineLength);
      if (carry.length > SCRATCH_BYTES) {
        // Give back the memory of an unusually long (but legal) line.
        carry = new byte[INITIAL_CARRY_BYTES];
      }
    }
  }

  private void ensureCarryCapacity(int needed) {
    if (needed > carry.length) {
      int grown = (int) Math.min(Math.max((long) carry.length * 2, needed), maxLineBytes);
      carry = Arrays.copyOf(carry, grown);
    }
  }

  private void resetCarry() {
    carryLength = 0;
    dropping = false;
    droppedBytes = 0;
    if (carry.length > INITIAL_CARRY_BYTES) {
      carry = new byte[INITIAL_CARRY_BYTES];
    }
  }

  private void reportOversized(long lineLengthBytes) {
    malformed(
        "line longer than maxLineBytes " + maxLineBytes,
        (int) Math.min(Integer.MAX_VALUE, lineLengthBytes));
  }

  private void decodeLine(byte[] bytes, int from, int count) {
    if (count > maxLineBytes) {
      reportOversized(count);
      return;
    }
    int length = count;
    if (length > 0 && bytes[from + length - 1] == '\r') {
      length--;
    }
    if (isBlank(bytes, from, length)) {
      return;
    }
    DockerEvent event;
    try (JsonParser parser = JSON.createParser(bytes, from, length)) {
      event = parseEvent(parser, length);
    } catch (JsonProcessingException e) {
      malformed("invalid JSON: " + e.getOriginalMessage(), length);
      return;
    } catch (IOException e) {
      // A parser over a byte array does no I/O; kept apart so the reason stays precise.
      malformed("unreadable line: " + e.getMessage(), length);
      return;
    }
    if (event != null) {
      eventsDecoded++;
      listener.onEvent(event);
    }
  }

  private static boolean isBlank(byte[] bytes, int from, int length) {
    for (int i = from, end = from + length; i < end; i++) {
      byte b = bytes[i];
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return true;
  }

  /** Returns the event, or null after reporting the line as malformed. */
  private DockerEvent parseEvent(JsonParser parser, int lineLength) throws IOException {
    JsonToken first = parser.nextToken();
    if (first != JsonToken.START_OBJECT) {
      return malformed("not a JSON object but " + describe(first), lineLength);
    }
    String type = null;
    String action = null;
    String actorId = null;
    String legacyId = null;
    Map<String, String> attributes = null;
    String scope = null;
    long time = 0;
    long timeNano = 0;
    boolean hasTime = false;
    boolean hasTimeNano = false;
    String field;
    while ((field = parser.nextFieldName()) != null) {
      JsonToken value = parser.nextToken();
      switch (field) {
        case "Type":
          type = stringOrNull(parser, value);
          if (type == null) {
            return malformed("Type is not a string", lineLength);
          }
          break;
        case "Action":
          action = stringOrNull(parser, value);
          if (action == null) {
            return malformed("Action is not a string", lineLength);
          }
          break;
        case "id":
          legacyId = stringOrNull(parser, value);
          break;
        case "scope":
          scope = stringOrNull(parser, value);
          break;
        case "time":
          if (value != JsonToken.VALUE_NUMBER_INT) {
            return malformed("time is not an integer", lineLength);
          }
          time = parser.getLongValue();
          hasTime = true;
          break;
        case "timeNano":
          if (value != JsonToken.VALUE_NUMBER_INT) {
            return malformed("timeNano is not an integer", lineLength);
          }
          timeNano = parser.getLongValue();
          hasTimeNano = true;
          break;
        case "Actor":
          if (value == JsonToken.START_OBJECT) {
            while ((field = parser.nextFieldName()) != null) {
              JsonToken actorValue = parser.nextToken();
              if ("ID".equals(field)) {
                actorId = stringOrNull(parser, actorValue);
              } else if ("Attributes".equals(field) && actorValue == JsonToken.START_OBJECT) {
                attributes = readAttributes(parser);
              } else {
                parser.skipChildren();
              }
            }
          } else {
            parser.skipChildren();
          }
          break;
        default:
          // "from" and anything newer: not needed, and skipping keeps us forward compatible.
          parser.skipChildren();
          break;
      }
    }
    if (parser.nextToken() != null) {
      return malformed("content after the JSON object", lineLength);
    }
    if (type == null) {
      return malformed("missing Type", lineLength);
    }
    if (action == null) {
      // API < 1.22 sent only "status"; every engine this agent supports sends Type and Action.
      return malformed("missing Action", lineLength);
    }
    if (actorId == null) {
      actorId = legacyId;
    }
    if ((actorId == null || actorId.isEmpty()) && "volume".equals(type) && attributes != null
        && attributes.get("name") != null) {
      // Podman 4.3 sends volume events with an empty Actor.ID; Docker's volume ID is its name
      actorId = attributes.get("name");
    }
    if (!hasTime && hasTimeNano) {
      time = Math.floorDiv(timeNano, NANOS_PER_SECOND);
    } else if (hasTime && !hasTimeNano) {
      if (time > Long.MAX_VALUE / NANOS_PER_SECOND || time < Long.MIN_VALUE / NANOS_PER_SECOND) {
        return malformed("time out of range", lineLength);
      }
      timeNano = time * NANOS_PER_SECOND;
    }
    return new DockerEvent(
        type,
        DockerEvent.normaliseAction(type, action),
        actorId,
        attributes,
        scope,
        time,
        timeNano);
  }

  private static Map<String, String> readAttributes(JsonParser parser) throws IOException {
    Map<String, String> attributes = new HashMap<>();
    String name;
    while ((name = parser.nextFieldName()) != null) {
      JsonToken value = parser.nextToken();
      if (value.isScalarValue() && value != JsonToken.VALUE_NULL) {
        // Docker sends strings only; a number or boolean from another engine is kept as text.
        attributes.put(name, parser.getText());
      } else {
        parser.skipChildren();
      }
    }
    return attributes;
  }

  private static String stringOrNull(JsonParser parser, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_STRING) {
      return parser.getText();
    }
    parser.skipChildren();
    return null;
  }

  private static String describe(JsonToken token) {
    if (token == null) {
      return "nothing";
    }
    switch (token) {
      case START_ARRAY:
        return "an array";
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "a number";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      case VALUE_NULL:
        return "null";
      default:
        return token.toString();
    }
  }

  private DockerEvent malformed(String reason, int lineLengthBytes) {
    malformedLines++;
    listener.onMalformed(reason, lineLengthBytes);
    return null;
  }
}
