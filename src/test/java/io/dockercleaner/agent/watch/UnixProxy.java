package io.dockercleaner.agent.watch;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A byte-level proxy from a unix socket to a daemon's unix socket that a test can cut (close
 * every connection and stop listening) and restore, to lose the event stream on demand. It also
 * records the request line of every {@code /events} request it forwards.
 */
final class UnixProxy {
  private final Vertx vertx;
  private final Path listenPath;
  private final SocketAddress target;
  private final NetClient client;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private final List<String> eventRequestLines = new CopyOnWriteArrayList<>();
  private NetServer server;

  UnixProxy(Vertx vertx, Path listenPath, SocketAddress target) {
    this.vertx = vertx;
    this.listenPath = listenPath;
    this.target = target;
    this.client = vertx.createNetClient();
  }

  /** The address clients use. */
  String address() {
    return "unix://" + listenPath;
  }

  /** The request lines ({@code GET /v1.41/events?... HTTP/1.1}) seen so far. */
  List<String> eventRequestLines() {
    return eventRequestLines;
  }

  Future<Void> start() {
    try {
      Files.deleteIfExists(listenPath);
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    server = vertx.createNetServer().connectHandler(this::accept);
    return server.listen(SocketAddress.domainSocketAddress(listenPath.toString())).mapEmpty();
  }

  /** Stops listening and closes every forwarded connection. */
  Future<Void> cut() {
    NetServer s = server;
    server = null;
    List<Future<Void>> closing = new ArrayList<>();
    if (s != null) {
      closing.add(s.close());
    }
    for (NetSocket socket : sockets) {
      closing.add(socket.close());
    }
    return Future.join(closing).mapEmpty();
  }

  private void accept(NetSocket down) {
    down.pause();
    sockets.add(down);
    down.closeHandler(v -> sockets.remove(down));
    client.connect(target).onFailure(e -> down.close()).onSuccess(up -> {
      sockets.add(up);
      up.closeHandler(v -> {
        sockets.remove(up);
        down.close();
      });
      down.closeHandler(v -> {
        sockets.remove(down);
        up.close();
      });
      down.handler(chunk -> {
        String text = chunk.toString(StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n");
        if (text.startsWith("GET ") && end > 0 && text.substring(0, end).contains("/events")) {
          eventRequestLines.add(text.substring(0, end));
        }
        up.write(chunk);
      });
      up.handler(down::write);
      down.resume();
    });
  }
}
