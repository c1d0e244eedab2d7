package io.dockercleaner.api;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.RoutingContext;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds what clients of the HTTP API can hold, so that a flood of connections or a slow client
 * cannot take the file handles and the event loop the agent needs for its own work (disk samples
 * run {@code stat -f}, runs talk to the daemon).
 *
 * <ul>
 *   <li><b>Connection cap</b>: beyond {@link #maxConnections()} open connections a new one is
 *       closed as soon as it is accepted (its handle is given back at once).
 *   <li><b>Request read timeout</b> ({@link #REQUEST_READ_TIMEOUT}): a connection must deliver a
 *       complete request (head, and the body of {@code POST /v1/runs}) within this time of opening
 *       or of its previous response, else it is closed. This is both the header timeout against
 *       slow clients (slowloris) and the idle timeout of keep-alive connections. The time the
 *       agent itself takes to answer (a plan may wait minutes for the daemon's disk usage) is not
 *       counted, which a plain idle timeout would.
 * </ul>
 *
 * <p>These are constants, not settings: the API serves probes, a scraper and an operator's
 * occasional calls, far below the cap, and every client of it sends its request at once.
 */
final class ConnectionLimits {
  /** Time allowed to send a whole request, or to stay idle between requests. */
  static final Duration REQUEST_READ_TIMEOUT = Duration.ofSeconds(10);
  /** Most connections held at once (lower with a low file handle limit: see {@link #maxConnections()}). */
  static final int MAX_CONNECTIONS = 256;

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimits.class);
  private static final Duration REFUSAL_LOG_INTERVAL = Duration.ofMinutes(1);

  private final Vertx vertx;
  private final int maxConnections;
  private final Duration requestReadTimeout;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong refusedLogged = new AtomicLong();
  private final AtomicLong lastRefusalLogNanos = new AtomicLong(System.nanoTime() - REFUSAL_LOG_INTERVAL.toNanos());
  // connection -> its read timer
  private final Map<HttpConnection, Long> readTimers = new ConcurrentHashMap<>();

  /** {@code requestReadTimeout}: {@link #REQUEST_READ_TIMEOUT} but in tests (which wait 1 s for it, not 10). */
  ConnectionLimits(Vertx vertx, int maxConnections, Duration requestReadTimeout) {
    this.vertx = vertx;
    this.maxConnections = maxConnections;
    this.requestReadTimeout = requestReadTimeout;
  }

  /**
   * {@link #MAX_CONNECTIONS}, or a quarter of the process's file handle limit when that is lower:
   * the rest stays for the daemon connections, the event stream, {@code stat -f} and state files.
   */
  static int defaultMaxConnections() {
    long fdLimit = -1;
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      fdLimit = unix.getMaxFileDescriptorCount();
    }
    return fdLimit <= 0 ? MAX_CONNECTIONS : (int) Math.max(8, Math.min(MAX_CONNECTIONS, fdLimit / 4));
  }

  int maxConnections() {
    return maxConnections;
  }

  /** Connections open now. */
  int openConnections() {
    return open.get();
  }

  /** Connections closed at accept because the cap was reached, since start. */
  long refusedConnections() {
    return refused.get();
  }

  /** For {@code HttpServer.connectionHandler}: counts, caps, and starts the read timer. */
  void onConnection(HttpConnection connection) {
    int now = open.incrementAndGet();
    connection.closeHandler(v -> {
      open.decrementAndGet();
      cancel(connection);
    });
    if (now > maxConnections) {
      refused.incrementAndGet();
      logRefusals();
      connection.close();
      return;
    }
    arm(connection);
  }

  /**
   * The first route of every request: the head has arrived. A request without a body is then
   * complete; one with a body stays on the clock until {@link #bodyRead}. When the answer ends,
   * the connection gets the read timeout again for its next request.
   */
  void onRequest(RoutingContext ctx) {
    HttpConnection connection = ctx.request().connection();
    if (!hasBody(ctx)) {
      cancel(connection);
    }
    ctx.addEndHandler(ar -> arm(connection));
    ctx.next();
  }

  /** After the body handler: the body is read, what follows is the agent's own time. */
  void bodyRead(RoutingContext ctx) {
    cancel(ctx.request().connection());
    ctx.next();
  }

  private static boolean hasBody(RoutingContext ctx) {
    String length = ctx.request().getHeader("Content-Length");
    return ctx.request().getHeader("Transfer-Encoding") != null || (length != null && !length.trim().equals("0"));
  }

  private void arm(HttpConnection connection) {
    cancel(connection);
    long id = vertx.setTimer(requestReadTimeout.toMillis(), t -> {
      // only this timer's own entry: a newer one replaced it when the connection moved on
      if (readTimers.remove(connection, t)) {
        connection.close();
      }
    });
    readTimers.put(connection, id);
  }

  private void cancel(HttpConnection connection) {
    Long id = readTimers.remove(connection);
    if (id != null) {
      vertx.cancelTimer(id);
    }
  }

  private void logRefusals() {
    long now = System.nanoTime();
    long last = lastRefusalLogNanos.get();
    if (now - last >= REFUSAL_LOG_INTERVAL.toNanos() && lastRefusalLogNanos.compareAndSet(last, now)) {
      long total = refused.get();
      LOG.warn("HTTP API: {} connections are open, the most allowed; refused {} more (closed at once; reported at"
          + " most once a minute)", maxConnections, total - refusedLogged.getAndSet(total));
    }
  }
}
