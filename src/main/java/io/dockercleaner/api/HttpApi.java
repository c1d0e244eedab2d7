package io.dockercleaner.api;

import io.dockercleaner.config.HostPort;
import io.dockercleaner.config.Settings;
import io.dockercleaner.metrics.CleanerMetrics;
import io.vertx.core.Future;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.StaticHandler;
import io.dockercleaner.log.LogHub;
import java.util.concurrent.atomic.AtomicInteger;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's HTTP API (Vert.x Web): health, readiness, Prometheus metrics, status, plans and
 * runs, described by the OpenAPI document served at {@code /v1/openapi.yaml}.
 *
 * <p>Requests are validated by hand-written code ({@link RequestParsers}) that follows the
 * document exactly; a test keeps the two in step. Every failure, whether from validation,
 * authentication, the rate limit or {@link AgentControl}, is an {@link ApiException} turned into
 * {@code {"error": "..."}} in one place ({@link #onFailure}).
 *
 * <p>Authentication: {@code POST /v1/runs} and {@code GET /v1/plan} need {@code Authorization:
 * Bearer <token>} (API_TOKEN or API_TOKEN_FILE) and answer 403 when no token is configured. With
 * API_TOKEN_FOR_READ=true, {@code /v1/status}, {@code /v1/runs}, {@code /v1/runs/{id}} and {@code
 * /metrics} need it too. {@code /healthz}, {@code /readyz} and {@code /v1/openapi.yaml} stay open:
 * probes from an orchestrator carry no credentials, and the document holds no host data.
 *
 * <p>Limits: a connection cap and a request read (header and idle) timeout, see {@link
 * ConnectionLimits}; bodies above {@link #MAX_BODY_BYTES} get 413.
 */
public final class HttpApi {
  /** Largest accepted request body; larger bodies get 413. */
  public static final int MAX_BODY_BYTES = 64 * 1024;
  /** Classpath location of the OpenAPI document. */
  public static final String OPENAPI_RESOURCE = "/openapi.yaml";

  /** Classpath folder of the dashboard's files, served under {@link #UI_PATH}. */
  public static final String UI_WEBROOT = "ui";
  /** Where the dashboard is served. */
  public static final String UI_PATH = "/ui/";
  /**
   * The Content-Security-Policy of every response: only the agent's own scripts, styles and
   * connections (no inline script or style, nothing from elsewhere), no framing, no plugins.
   */
  public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
      + " img-src 'self'; connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self';"
      + " frame-ancestors 'none'";
  /** Live log readers at once; more get 429 (each holds a connection and a queue). */
  public static final int MAX_LOG_STREAMS = 16;
  /** Lines replayed from the ring to a reader that gives no position. */
  static final int LOG_STREAM_BACKLOG_LINES = 200;
  /** Comment lines sent to an idle live-log reader so that it sees a dead connection. */
  static final long LOG_STREAM_HEARTBEAT_MILLIS = 15_000;
  /**
   * Lines published within this span after a quiet queue go to a live-log reader in one write: a
   * run logs dozens of lines a second, and a write (and flush) per line is most of what an open
   * live view costs the agent (bench/README.md, "Dashboard"); a person sees no difference.
   */
  static final long LOG_STREAM_COALESCE_MILLIS = 100;
  /** Lines written per turn of the event loop to one live-log reader. */
  private static final int LOG_STREAM_BATCH_LINES = 100;

  /** Where one host's endpoints are, with DOCKER_HOSTS ({@code /v1/hosts/build1/status}). */
  static final String HOST_BASE = "/v1/hosts/:host";

  private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
  private static final String JSON = "application/json";
  private static final Map<String, String> ALLOWED_METHODS =
      Map.of(
          "/healthz", "GET",
          "/readyz", "GET",
          "/metrics", "GET",
          "/v1/status", "GET",
          "/v1/plan", "GET",
          "/v1/runs", "GET, POST",
          "/v1/openapi.yaml", "GET",
          "/v1/logs/stream", "GET",
          "/v1/disk/history", "GET",
          "/v1/settings", "GET, PUT");

  private final Settings settings;
  private final AgentControl agent;
  private final CleanerMetrics metrics;
  private final BearerAuth auth;
  private final RateLimiter runLimiter;
  private final Buffer openApiDocument;
  private final AtomicInteger logStreams = new AtomicInteger();

  private HttpApi(
      Settings settings,
      AgentControl agent,
      CleanerMetrics metrics,
      Optional<String> token,
      LongSupplier nanoClock,
      Buffer openApiDocument) {
    this.settings = settings;
    this.agent = agent;
    this.metrics = metrics;
    this.auth = new BearerAuth(token);
    this.runLimiter = new RateLimiter(settings.apiRateLimit(), nanoClock);
    this.openApiDocument = openApiDocument;
  }

  /**
   * Reads the token (API_TOKEN, or API_TOKEN_FILE once, trimmed) and the OpenAPI document, then
   * listens on HTTP_LISTEN. Fails when the token file cannot be read or is empty, or the port is
   * taken.
   */
  public static Future<HttpServer> start(Vertx vertx, Settings settings, AgentControl agent, CleanerMetrics metrics) {
    HostPort listen = settings.httpListen();
    return start(vertx, settings, agent, metrics, listen.host(), listen.port());
  }

  /** As {@link #start(Vertx, Settings, AgentControl, CleanerMetrics)} on another address (port 0 = any). */
  public static Future<HttpServer> start(
      Vertx vertx, Settings settings, AgentControl agent, CleanerMetrics metrics, String host, int port) {
    return start(vertx, settings, agent, metrics, host, port, System::nanoTime, ConnectionLimits.REQUEST_READ_TIMEOUT);
  }

  /** With a clock for the rate limiter and a request read timeout of its own (tests). */
  static Future<HttpServer> start(
      Vertx vertx,
      Settings settings,
      AgentControl agent,
      CleanerMetrics metrics,
      String host,
      int port,
      LongSupplier nanoClock,
      java.time.Duration requestReadTimeout) {
    Future<Optional<String>> token = readToken(vertx, settings);
    Future<Buffer> document = vertx.executeBlocking(HttpApi::readOpenApiDocument);
    return Future.all(token, document)
        .compose(
            ready -> {
              HttpApi api = new HttpApi(settings, agent, metrics, token.result(), nanoClock, document.result());
              ConnectionLimits limits = new ConnectionLimits(vertx, ConnectionLimits.defaultMaxConnections(),
                  requestReadTimeout);
              return vertx
                  // HTTP/1.1 only: with h2c on, a connection is not handed over (so neither counted nor
                  // timed) until its first bytes tell HTTP/1 from HTTP/2, and idle sockets pile up
                  .createHttpServer(new HttpServerOptions().setCompressionSupported(true).setHttp2ClearTextEnabled(false))
                  .connectionHandler(limits::onConnection)
                  .requestHandler(api.router(vertx, limits))
                  .listen(port, host)
                  .recover(e -> Future.failedFuture(new IllegalStateException("HTTP_LISTEN: cannot listen on "
                      + new HostPort(host, port) + ": " + e.getMessage(), e)));
            });
  }

  private static Future<Optional<String>> readToken(Vertx vertx, Settings settings) {
    if (settings.apiToken().isPresent()) {
      return Future.succeededFuture(settings.apiToken().map(String::trim));
    }
    if (settings.apiTokenFile().isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    Path file = settings.apiTokenFile().get();
    return vertx
        .fileSystem()
        .readFile(file.toString())
        .recover(e -> Future.failedFuture(new IllegalStateException("API_TOKEN_FILE " + file + ": cannot read it: " + e.getMessage(), e)))
        .compose(
            content -> {
              String token = content.toString(StandardCharsets.UTF_8).trim();
              return token.isEmpty()
                  ? Future.failedFuture(new IllegalStateException("API_TOKEN_FILE " + file + " is empty"))
                  : Future.succeededFuture(Optional.of(token));
            });
  }

  private static Buffer readOpenApiDocument() throws IOException {
    try (InputStream in = HttpApi.class.getResourceAsStream(OPENAPI_RESOURCE)) {
      if (in == null) {
        throw new IOException("missing classpath resource " + OPENAPI_RESOURCE);
      }
      return Buffer.buffer(in.readAllBytes());
    }
  }

  private Router router(Vertx vertx, ConnectionLimits limits) {
    Router router = Router.router(vertx);
    router.route().handler(limits::onRequest);
    router.route().handler(HttpApi::securityHeaders);
    // exactly /ui (a plain "/ui" route would also match "/ui/" and loop)
    router.getWithRegex("^/ui$").handler(ctx -> ctx.redirect(UI_PATH));
    // the dashboard's files hold no host data (like this API's document): served without a token;
    // every call they make goes through the guards below
    router.get(UI_PATH + "*").handler(StaticHandler.create(UI_WEBROOT).setDirectoryListing(false)
        .setIndexPage("index.html").setCachingEnabled(false).setSendVaryHeader(false)
        // the files are UTF-8; the default is the JVM's charset, ASCII or Latin-1 without a UTF-8 locale
        .setDefaultContentEncoding("UTF-8"));
    router.get("/healthz").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "ok")));
    router.get("/readyz").handler(this::readyz);
    router.get("/v1/openapi.yaml").handler(this::openApi);
    router.get("/metrics").handler(this::readGuard).handler(this::metrics);
    // the same endpoints for the agent (one daemon, or every host of DOCKER_HOSTS) and, under
    // /v1/hosts/{host}/, for one host of DOCKER_HOSTS: each host is one more agent core
    for (String base : List.of("/v1", HOST_BASE)) {
      router.get(base + "/status").handler(this::readGuard).handler(this::status);
      router.get(base + "/plan").handler(this::writeGuard).handler(this::plan);
      // The body handler must come first on its route (Vert.x 5 enforces it): the body, at most
      // 64 KiB, is read before authentication, so a connection is never left with an unread body.
      router.post(base + "/runs")
          .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
          .handler(limits::bodyRead)
          .handler(this::writeGuard)
          .handler(this::startRun);
      router.get(base + "/runs").handler(this::readGuard).handler(this::runs);
      // like /v1/plan: it lists the daemon's objects (names, sizes), so it needs the token
      router.get(base + "/recommendations").handler(this::writeGuard).handler(this::recommendations);
      router.get(base + "/runs/:id").handler(this::readGuard).handler(this::run);
      router.get(base + "/runs/:id/items").handler(this::readGuard).handler(this::runItems);
      router.get(base + "/disk/history").handler(this::readGuard).handler(this::diskHistory);
      router.get(base + "/settings").handler(this::readGuard).handler(this::settingsView);
      router.put(base + "/settings")
          .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
          .handler(limits::bodyRead)
          .handler(this::writeGuard)
          .handler(this::changeSettings);
    }
    router.get("/v1/logs/stream").handler(this::readGuard).handler(ctx -> logStream(vertx, ctx));
    router.route().failureHandler(this::onFailure);
    router.errorHandler(404, ctx -> error(ctx, 404, "no such endpoint: " + ctx.request().path(), Map.of()));
    router.errorHandler(
        405,
        ctx ->
            error(
                ctx,
                405,
                "method " + ctx.request().method() + " is not allowed on " + ctx.request().path(),
                Map.of("Allow", allowedMethods(ctx.request().path()))));
    router.errorHandler(500, ctx -> error(ctx, 500, "internal error", Map.of()));
    return router;
  }

  // --- guards ---

  /**
   * On every response: a strict CSP, no framing, no MIME sniffing, no referrer. No CORS headers
   * are ever sent, so browsers keep other origins' scripts from reading any answer.
   */
  private static void securityHeaders(RoutingContext ctx) {
    ctx.response().headers()
        .set("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .set("X-Content-Type-Options", "nosniff")
        .set("X-Frame-Options", "DENY")
        .set("Referrer-Policy", "no-referrer")
        .set("Cross-Origin-Opener-Policy", "same-origin")
        .set("Cross-Origin-Resource-Policy", "same-origin");
    ctx.next();
  }

  private void writeGuard(RoutingContext ctx) {
    auth.check(describe(ctx), ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
    ctx.next();
  }

  private void readGuard(RoutingContext ctx) {
    if (settings.apiTokenForRead()) {
      auth.check(describe(ctx), ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
    }
    ctx.next();
  }

  // --- endpoints ---

  private void readyz(RoutingContext ctx) {
    if (agent.daemonReachable() && agent.eventStreamConnected()) {
      json(ctx, 200, new JsonObject().put("status", "ready"));
    } else {
      json(ctx, 503, new JsonObject().put("status", "not_ready").put("reason", agent.notReadyReason()));
    }
  }

  private void openApi(RoutingContext ctx) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/yaml; charset=utf-8").end(openApiDocument);
  }

  private void metrics(RoutingContext ctx) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, CleanerMetrics.CONTENT_TYPE).end(metrics.scrape());
  }

  private void status(RoutingContext ctx) {
    RequestParsers.requireNoQuery(queryParams(ctx));
    json(ctx, 200, control(ctx).status());
  }

  private void plan(RoutingContext ctx) {
    RequestParsers.PlanQuery query = RequestParsers.parsePlanQuery(queryParams(ctx));
    control(ctx)
        .plan(query.targetBytes(), query.types())
        .onSuccess(plan -> json(ctx, 200, plan))
        .onFailure(ctx::fail);
  }

  private void recommendations(RoutingContext ctx) {
    RequestParsers.requireNoQuery(queryParams(ctx));
    control(ctx).recommendations().onSuccess(doc -> json(ctx, 200, doc)).onFailure(ctx::fail);
  }

  private void startRun(RoutingContext ctx) {
    RequestParsers.requireNoQuery(queryParams(ctx));
    Buffer body = ctx.body().buffer();
    byte[] bytes = body == null ? new byte[0] : body.getBytes();
    String contentType = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (!isJson(contentType) && (contentType != null || bytes.length > 0)) {
      throw new ApiException(
          415,
          (contentType == null ? "missing Content-Type" : "unsupported Content-Type '" + contentType + "'")
              + "; send application/json");
    }
    RunRequest request = RequestParsers.parseRunRequest(bytes, settings.dryRun());
    long retryAfterSeconds = runLimiter.tryAcquire();
    if (retryAfterSeconds > 0) {
      throw new ApiException(
          429,
          "too many run requests: API_RATE_LIMIT is " + settings.apiRateLimit() + "; retry in " + retryAfterSeconds + " s",
          Map.of("Retry-After", Long.toString(retryAfterSeconds)));
    }
    AgentControl control = control(ctx);
    String runsPath = ctx.pathParam("host") == null ? "/v1/runs/"
        : "/v1/hosts/" + URLEncoder.encode(ctx.pathParam("host"), StandardCharsets.UTF_8) + "/runs/";
    control
        .startRun(request)
        .onSuccess(
            ticket -> {
              ctx.response()
                  .putHeader(HttpHeaders.LOCATION, runsPath + URLEncoder.encode(ticket.runId(), StandardCharsets.UTF_8));
              json(ctx, 202, new JsonObject().put("runId", ticket.runId()).put("joined", ticket.joined()));
            })
        .onFailure(ctx::fail);
  }

  private void runs(RoutingContext ctx) {
    RequestParsers.requireNoQuery(queryParams(ctx));
    json(ctx, 200, new JsonObject().put("runs", new JsonArray(List.copyOf(control(ctx).recentRuns()))));
  }

  private void run(RoutingContext ctx) {
    RequestParsers.requireNoQuery(queryParams(ctx));
    String id = ctx.pathParam("id");
    JsonObject run = control(ctx).run(id).orElseThrow(() -> ApiException.notFound("no run with id '" + id + "'"));
    json(ctx, 200, run);
  }

  private void runItems(RoutingContext ctx) {
    RequestParsers.requireNoQuery(queryParams(ctx));
    control(ctx).runItems(ctx.pathParam("id")).onSuccess(body -> json(ctx, 200, body)).onFailure(ctx::fail);
  }

  private void diskHistory(RoutingContext ctx) {
    RequestParsers.requireNoQuery(queryParams(ctx));
    json(ctx, 200, control(ctx).diskHistory());
  }

  /** Every setting's effective value (secrets masked, as Settings.effective()) and its source. */
  private void settingsView(RoutingContext ctx) {
    RequestParsers.requireNoQuery(queryParams(ctx));
    json(ctx, 200, settingsJson(control(ctx)));
  }

  /** Start-up values with their source, overlaid with the values changed at runtime (source "runtime"). */
  private JsonObject settingsJson(AgentControl control) {
    JsonObject runtime = control.runtimeSettings();
    JsonObject runtimeValues = runtime.getJsonObject("values", new JsonObject());
    JsonArray changed = runtime.getJsonArray("changedAtRuntime", new JsonArray());
    JsonArray list = new JsonArray();
    // a host's own values (DOCKER_HOSTS overrides) under /v1/hosts/{host}/settings
    Settings settings = control.settings().orElse(this.settings);
    Map<String, io.dockercleaner.config.ValueSource> sources = settings.sources();
    settings.effective().forEach((name, value) -> {
      io.dockercleaner.config.ValueSource source = sources.get(name);
      String from = (source == null ? io.dockercleaner.config.ValueSource.DEFAULT : source).name().toLowerCase(Locale.ROOT);
      list.add(changed.contains(name)
          ? new JsonObject().put("name", name).put("value", runtimeValues.getString(name)).put("source", "runtime")
          : new JsonObject().put("name", name).put("value", value).put("source", from));
    });
    // runtime-only settings (the pause) come last
    runtimeValues.forEach(e -> {
      if (!settings.effective().containsKey(e.getKey())) {
        list.add(new JsonObject().put("name", e.getKey()).put("value", String.valueOf(e.getValue()))
            .put("source", changed.contains(e.getKey()) ? "runtime" : "default"));
      }
    });
    return new JsonObject().put("settings", list).put("editable", runtime.getJsonArray("editable", new JsonArray()));
  }

  /**
   * {@code PUT /v1/settings}: a JSON object of setting name → value (string, number or boolean),
   * applied all or nothing; 400 naming the setting when one is invalid or not editable.
   */
  private void changeSettings(RoutingContext ctx) {
    RequestParsers.requireNoQuery(queryParams(ctx));
    String contentType = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (!isJson(contentType)) {
      throw new ApiException(415, (contentType == null ? "missing Content-Type" : "unsupported Content-Type '"
          + contentType + "'") + "; send application/json");
    }
    Buffer body = ctx.body().buffer();
    Map<String, String> updates = RequestParsers.parseSettingsChange(body == null ? new byte[0] : body.getBytes());
    String who = "HTTP client " + ctx.request().remoteAddress().hostAddress() + " with the API token";
    AgentControl control = control(ctx);
    control.changeSettings(updates, who)
        .onSuccess(result -> json(ctx, 200, result.mergeIn(settingsJson(control))))
        .onFailure(ctx::fail);
  }

  /**
   * {@code GET /v1/logs/stream}: server-sent events, one {@code log} event per line ({@code id} =
   * the line's sequence number, {@code data} = {@code {"seq","timestamp","level","operation",
   * "message"}}), a {@code dropped} event when this reader was too slow and lines were dropped,
   * and a comment every {@link #LOG_STREAM_HEARTBEAT_MILLIS}. Writes happen on this request's
   * context; the hub only schedules them, so a slow reader never holds up a writer of the log.
   */
  private void logStream(Vertx vertx, RoutingContext ctx) {
    var query = RequestParsers.parseLogStreamQuery(queryParams(ctx), ctx.request().getHeader("Last-Event-ID"));
    LogHub hub = agent.logHub().orElseThrow(() -> ApiException.notFound("this agent keeps no live log"));
    if (logStreams.incrementAndGet() > MAX_LOG_STREAMS) {
      logStreams.decrementAndGet();
      throw new ApiException(429, "too many live log readers (at most " + MAX_LOG_STREAMS + " at once)",
          Map.of("Retry-After", "10"));
    }
    HttpServerResponse response = ctx.response();
    response.setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        // compression would hold lines back in the deflater
        .putHeader(HttpHeaders.CONTENT_ENCODING, HttpHeaders.IDENTITY);
    response.write(": docker-cleaner live log\n\n");
    long after = query.isPresent() ? query.getAsLong()
        : Math.max(0, hub.since(0).stream().mapToLong(LogHub.Line::seq).max().orElse(0) - LOG_STREAM_BACKLOG_LINES);
    Context context = vertx.getOrCreateContext();
    LogStreamWriter writer = new LogStreamWriter(response);
    writer.subscription = hub.subscribe(after, LogHub.DEFAULT_SUBSCRIBER_QUEUE_LINES,
        () -> context.runOnContext(v -> vertx.setTimer(LOG_STREAM_COALESCE_MILLIS, t -> writer.pump())));
    long heartbeat = vertx.setPeriodic(LOG_STREAM_HEARTBEAT_MILLIS, t -> {
      if (!writer.closed && !response.writeQueueFull()) {
        response.write(": keep-alive\n\n");
      }
    });
    Handler<Void> closed = v -> {
      if (!writer.closed) {
        writer.closed = true;
        vertx.cancelTimer(heartbeat);
        hub.unsubscribe(writer.subscription);
        logStreams.decrementAndGet();
      }
    };
    response.closeHandler(closed);
    response.exceptionHandler(e -> closed.handle(null));
    context.runOnContext(v -> writer.pump());
  }

  /** Moves one reader's queued lines to its response, pausing while the connection is full. */
  private static final class LogStreamWriter {
    private final HttpServerResponse response;
    LogHub.Subscriber subscription;
    boolean closed;

    LogStreamWriter(HttpServerResponse response) {
      this.response = response;
    }

    void pump() {
      while (!closed) {
        if (response.writeQueueFull()) {
          response.drainHandler(v -> pump());
          return;
        }
        LogHub.Batch batch = subscription.take(LOG_STREAM_BATCH_LINES);
        StringBuilder out = new StringBuilder();
        if (batch.droppedBefore() > 0) {
          out.append("event: dropped\ndata: {\"dropped\":").append(batch.droppedBefore()).append("}\n\n");
        }
        for (LogHub.Line line : batch.lines()) {
          out.append("id: ").append(line.seq()).append("\nevent: log\ndata: ").append(line.json()).append("\n\n");
        }
        if (out.length() > 0) {
          response.write(out.toString());
        }
        if (!batch.more()) {
          return;
        }
      }
    }
  }

  // --- the one place failures become responses ---

  private void onFailure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ApiException e) {
      error(ctx, e.status(), e.getMessage(), e.headers());
      return;
    }
    int status = failure instanceof HttpException e ? e.getStatusCode() : failure == null ? ctx.statusCode() : 500;
    if (status == 413) {
      error(ctx, 413, "request body is larger than " + MAX_BODY_BYTES + " bytes", Map.of());
    } else if (status >= 400 && status < 500) {
      error(ctx, status, describe(ctx) + ": request failed with status " + status, Map.of());
    } else {
      LOG.error("{} failed", describe(ctx), failure);
      String detail = failure == null || failure.getMessage() == null ? "" : ": " + failure.getMessage();
      error(ctx, 500, describe(ctx) + " failed" + detail, Map.of());
    }
  }

  private static void error(RoutingContext ctx, int status, String message, Map<String, String> headers) {
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    headers.forEach(ctx.response()::putHeader);
    json(ctx, status, new JsonObject().put("error", message));
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body.encode());
  }

  // --- helpers ---

  private static final java.util.regex.Pattern HOST_PATH = java.util.regex.Pattern.compile("/v1/hosts/[^/]+(/.*)");

  /**
   * Whom a request is about: the agent (the top-level routes: one daemon, or every host of
   * DOCKER_HOSTS) or, under {@code /v1/hosts/{host}/}, that host; 404 naming an unknown host.
   */
  private AgentControl control(RoutingContext ctx) {
    String host = ctx.pathParam("host");
    if (host == null) {
      return agent;
    }
    return agent.host(host).orElseThrow(() -> ApiException.notFound(agent.hostNames().isEmpty()
        ? "no host '" + host + "': this agent watches one daemon (DOCKER_HOSTS is not set); use the /v1/... endpoints"
        : "no host '" + host + "' (hosts: " + String.join(", ", agent.hostNames()) + ")"));
  }

  private static String describe(RoutingContext ctx) {
    String path = ctx.currentRoute() != null && ctx.currentRoute().getPath() != null
        ? ctx.currentRoute().getPath().replace(":id", "{id}").replace(":host", "{host}")
        : ctx.request().path();
    return ctx.request().method() + " " + path;
  }

  private static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String mediaType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
    return mediaType.toLowerCase(Locale.ROOT).equals(JSON);
  }

  private static Map<String, List<String>> queryParams(RoutingContext ctx) {
    MultiMap params;
    try {
      params = ctx.queryParams();
    } catch (RuntimeException e) {
      throw ApiException.badRequest("malformed query string: " + e.getMessage());
    }
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (String name : params.names()) {
      out.put(name, params.getAll(name));
    }
    return out;
  }

  private static String allowedMethods(String path) {
    java.util.regex.Matcher host = HOST_PATH.matcher(path);
    if (host.matches()) {
      path = "/v1" + host.group(1);
    }
    if (path.startsWith("/v1/runs/") || path.startsWith(UI_PATH)) {
      return "GET";
    }
    return ALLOWED_METHODS.getOrDefault(path, "GET");
  }
}
