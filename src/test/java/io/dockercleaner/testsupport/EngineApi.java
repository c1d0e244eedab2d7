package io.dockercleaner.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Engine API calls on a private test daemon's unix socket, for fixtures that make many objects:
 * one call costs a request, where a docker CLI process costs a Go start-up, a {@code /_ping} and
 * ~0.15 s of CPU. HTTP/1.0 with one connection per call: the daemon answers unchunked and closes,
 * so a call reads to the end (a build's or a wait's answer too). Every call checks the socket with
 * {@link TestDaemons#requireHost} first.
 */
public final class EngineApi {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private EngineApi() {}

  /** A status and body. */
  public record Response(int status, byte[] body) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public JsonNode json() {
      try {
        return MAPPER.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + text(), e);
      }
    }
  }

  /** One request; {@code body} null sends none. */
  public static Response call(String host, String method, String path, String contentType, byte[] body) {
    String socket = TestDaemons.socketOf(TestDaemons.requireHost(host)).toString();
    try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.0\r\nHost: localhost\r\n");
      if (body != null) {
        head.append("Content-Type: ").append(contentType).append("\r\nContent-Length: ").append(body.length).append("\r\n");
      }
      head.append("\r\n");
      writeFully(ch, head.toString().getBytes(StandardCharsets.US_ASCII));
      if (body != null) {
        writeFully(ch, body);
      }
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
      while (ch.read(buf) >= 0) {
        response.write(buf.array(), 0, buf.position());
        buf.clear();
      }
      byte[] all = response.toByteArray();
      int end = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String statusLine = new String(all, 0, Math.max(0, Math.min(all.length, end < 0 ? all.length : end)),
          StandardCharsets.US_ASCII).lines().findFirst().orElse("");
      if (end < 0 || !statusLine.startsWith("HTTP/1.")) {
        throw new AssertionError(method + " " + path + " on " + host + ": no HTTP answer: " + statusLine);
      }
      int status = Integer.parseInt(statusLine.split(" ")[1]);
      return new Response(status, Arrays.copyOfRange(all, end + 4, all.length));
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + " on " + host + ": " + e, e);
    }
  }

  /** GET that must answer 200; returns the JSON body. */
  public static JsonNode get(String host, String path) {
    return expect(host, "GET", path, null, null, Set.of(200)).json();
  }

  /** POST of a JSON body (null: none) that must answer one of {@code okStatuses}. */
  public static Response post(String host, String path, JsonNode json, Set<Integer> okStatuses) {
    byte[] body = json == null ? null : json.toString().getBytes(StandardCharsets.UTF_8);
    return expect(host, "POST", path, body == null ? null : "application/json", body, okStatuses);
  }

  /** DELETE; returns the status whatever it is (404 = already gone, 409 = in use: the caller decides). */
  public static int delete(String host, String path) {
    return call(host, "DELETE", path, null, null).status();
  }

  private static Response expect(String host, String method, String path, String contentType, byte[] body,
      Set<Integer> ok) {
    Response r = call(host, method, path, contentType, body);
    if (!ok.contains(r.status())) {
      throw new AssertionError(method + " " + path + " on " + host + " answered " + r.status() + ": " + r.text().strip());
    }
    return r;
  }

  /** A JSON object to fill in. */
  public static com.fasterxml.jackson.databind.node.ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** {@code s} encoded for a query string. */
  public static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /**
   * Builds {@code dockerfile} (the whole context) with the classic builder, tagged {@code tag}, with
   * the query the Debian CLI's {@code docker build -q -t TAG -} sends; returns the image id
   * ({@code sha256:...}). Fails on an error in the build's stream.
   */
  public static String build(String host, String tag, String dockerfile) {
    String path = "/v1.41/build?buildargs=%7B%7D&cachefrom=%5B%5D&cgroupparent=&cpuperiod=0&cpuquota=0&cpusetcpus="
        + "&cpusetmems=&cpushares=0&dockerfile=Dockerfile&labels=%7B%7D&memory=0&memswap=0&networkmode=default&q=1"
        + "&rm=1&shmsize=0&t=" + q(tag) + "&target=&ulimits=null&version=1";
    Response r = expect(host, "POST", path, "application/x-tar", tar("Dockerfile",
        dockerfile.getBytes(StandardCharsets.UTF_8)), Set.of(200));
    String id = null;
    for (String line : r.text().lines().filter(l -> l.startsWith("{")).toList()) {
      JsonNode n;
      try {
        n = MAPPER.readTree(line);
      } catch (IOException e) {
        throw new AssertionError("build of " + tag + " on " + host + ": not JSON: " + line, e);
      }
      if (n.has("error") || n.has("errorDetail")) {
        throw new AssertionError("build of " + tag + " on " + host + " failed: " + n);
      }
      // dockerd (q=1) streams the id; Podman may send it as aux.ID, and the bare hex without sha256:
      String candidate = n.path("aux").path("ID").asText(n.path("stream").asText()).strip();
      if (candidate.matches("(sha256:)?[0-9a-f]{64}")) {
        id = candidate.startsWith("sha256:") ? candidate : "sha256:" + candidate;
      }
    }
    if (id == null) {
      throw new AssertionError("build of " + tag + " on " + host + " printed no image id: " + r.text());
    }
    return id;
  }

  /**
   * Deletes every image but those carrying the test image's name: children before parents (a
   * parent first is refused: dependent child images), again while a round leaves something (a
   * refused delete, e.g. of a parent whose child remains, is retried; a 404 is a parent pruned with
   * its child). Returns whether an image with the test image's name is on the daemon.
   */
  public static boolean removeImagesButTheTestImage(String host) {
    boolean testImageThere = false;
    for (int round = 0; round < 5; round++) {
      Map<String, String> parentOf = new java.util.LinkedHashMap<>();
      testImageThere = false;
      for (JsonNode i : get(host, "/images/json?all=1")) {
        boolean test = false;
        for (JsonNode tag : i.path("RepoTags")) {
          test |= TestDaemons.isTestImage(tag.asText());
        }
        testImageThere |= test;
        if (!test) {
          parentOf.put(i.get("Id").asText(), i.path("ParentId").asText(""));
        }
      }
      if (parentOf.isEmpty()) {
        break;
      }
      for (String id : childrenFirst(parentOf)) {
        delete(host, "/images/" + id + "?force=1");
      }
    }
    return testImageThere;
  }

  /** Image ids ordered so that every image comes before its parent. */
  public static List<String> childrenFirst(Map<String, String> parentOf) {
    List<String> out = new ArrayList<>();
    Set<String> placed = new java.util.HashSet<>();
    List<String> left = new ArrayList<>(parentOf.keySet());
    while (!left.isEmpty()) {
      List<String> next = new ArrayList<>();
      for (String id : left) {
        boolean hasUnplacedChild = parentOf.entrySet().stream()
            .anyMatch(e -> e.getValue().equals(id) && !placed.contains(e.getKey()));
        (hasUnplacedChild ? next : out).add(id);
      }
      if (next.size() == left.size()) {
        out.addAll(next); // a cycle cannot happen; never loop forever
        break;
      }
      placed.addAll(out);
      left = next;
    }
    return out;
  }

  /** Runs {@code action} on every item at once (a thread each: a handful of blocking calls). */
  public static void each(List<String> items, java.util.function.Consumer<String> action) {
    List<Thread> threads = items.stream().map(i -> new Thread(() -> action.accept(i))).toList();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    threads.forEach(t -> {
      t.setUncaughtExceptionHandler((th, e) -> failures.add(e));
      t.start();
    });
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    if (!failures.isEmpty()) {
      throw new AssertionError("a call failed: " + failures, failures.get(0));
    }
  }

  /** A ustar archive of one regular file. */
  static byte[] tar(String name, byte[] content) {
    byte[] header = new byte[512];
    put(header, 0, name);
    put(header, 100, "0000644");
    put(header, 108, "0000000");
    put(header, 116, "0000000");
    put(header, 124, String.format("%011o", content.length));
    put(header, 136, String.format("%011o", System.currentTimeMillis() / 1000));
    Arrays.fill(header, 148, 156, (byte) ' '); // the checksum counts its own field as spaces
    header[156] = '0';
    put(header, 257, "ustar");
    put(header, 263, "00");
    int sum = 0;
    for (byte b : header) {
      sum += b & 0xff;
    }
    put(header, 148, String.format("%06o", sum));
    header[154] = 0;
    header[155] = ' ';
    int padded = (content.length + 511) / 512 * 512;
    byte[] out = new byte[512 + padded + 1024];
    System.arraycopy(header, 0, out, 0, 512);
    System.arraycopy(content, 0, out, 512, content.length);
    return out;
  }

  private static void put(byte[] to, int at, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, to, at, b.length);
  }

  private static void writeFully(SocketChannel ch, byte[] bytes) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  private static int indexOf(byte[] data, byte[] pattern) {
    outer:
    for (int i = 0; i + pattern.length <= data.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
