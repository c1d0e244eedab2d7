package io.dockercleaner.docker.impl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dockercleaner.docker.ApiVersion;
import io.dockercleaner.docker.DaemonCapabilities;
import io.dockercleaner.docker.DockerClient;
import io.dockercleaner.docker.DockerClientOptions;
import io.dockercleaner.docker.DockerException;
import io.dockercleaner.docker.DockerException.Kind;
import io.dockercleaner.docker.DockerHost;
import io.dockercleaner.docker.Filters;
import io.dockercleaner.docker.model.BuildCacheRecord;
import io.dockercleaner.docker.model.ContainerSummary;
import io.dockercleaner.docker.model.DiskUsage;
import io.dockercleaner.docker.model.ImageSummary;
import io.dockercleaner.docker.model.NetworkSummary;
import io.dockercleaner.docker.model.PingInfo;
import io.dockercleaner.docker.model.PruneReport;
import io.dockercleaner.docker.model.ServiceSummary;
import io.dockercleaner.docker.model.SystemInfo;
import io.dockercleaner.docker.model.VersionInfo;
import io.dockercleaner.docker.model.VolumeSummary;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** Vert.x implementation of {@link DockerClient}. Callbacks run on the caller's context. */
public final class DockerClientImpl implements DockerClient {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Vertx vertx;
  private final DockerClientOptions options;
  private final HttpClient http;
  /** The event stream holds its connection for as long as it runs: keep it out of the request pool. */
  private HttpClient eventsHttp;
  /** The /system/df call in progress, shared by concurrent callers; guarded by this. */
  private Future<DiskUsage> dfInFlight;
  private ApiVersion apiVersion;
  private PingInfo pingInfo;
  private VersionInfo versionInfo;
  private DaemonCapabilities capabilities;

  private DockerClientImpl(Vertx vertx, DockerClientOptions options) {
    this.vertx = vertx;
    this.options = options;
    this.http = vertx.createHttpClient(httpOptions(options.host()),
        new PoolOptions().setHttp1MaxSize(options.maxConnections()));
  }

  /** See {@link DockerClient#connect}. */
  public static Future<DockerClient> connect(Vertx vertx, DockerClientOptions options) {
    DockerClientImpl client;
    try {
      options.host().checkCertificates();
      client = new DockerClientImpl(vertx, options);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return client.negotiate().map(v -> (DockerClient) client)
        .recover(err -> client.close().transform(x -> Future.failedFuture(err)));
  }

  private static HttpClientOptions httpOptions(DockerHost host) {
    HttpClientOptions o = new HttpClientOptions()
        .setKeepAlive(true)
        .setConnectTimeout(10_000)
        .setMaxInitialLineLength(16 * 1024)
        .setMaxHeaderSize(64 * 1024);
    if (host.tls()) {
      Path dir = host.certPath();
      o.setSsl(true);
      if (host.tlsVerify()) {
        // never the JVM's default trust store: only the CA in DOCKER_CERT_PATH (checked in connect)
        o.setTrustOptions(new PemTrustOptions().addCertPath(dir.resolve("ca.pem").toString()));
      } else if (Files.isReadable(dir.resolve("ca.pem"))) {
        o.setTrustOptions(new PemTrustOptions().addCertPath(dir.resolve("ca.pem").toString()));
      }
      if (Files.isReadable(dir.resolve("cert.pem")) && Files.isReadable(dir.resolve("key.pem"))) {
        o.setKeyCertOptions(new PemKeyCertOptions().setCertPath(dir.resolve("cert.pem").toString())
            .setKeyPath(dir.resolve("key.pem").toString()));
      }
      o.setVerifyHost(host.tlsVerify());
      if (!host.tlsVerify()) {
        o.setTrustAll(true);
      }
    }
    return o;
  }

  private Future<Void> negotiate() {
    return ping().compose(p -> {
      this.pingInfo = p;
      return version();
    }).compose(v -> {
      this.versionInfo = v;
      ApiVersion daemonMax;
      ApiVersion daemonMin = null;
      try {
        daemonMax = ApiVersion.parse(!pingInfo.apiVersion().isEmpty() ? pingInfo.apiVersion() : v.apiVersion());
        if (!v.minApiVersion().isEmpty()) {
          daemonMin = ApiVersion.parse(v.minApiVersion());
        }
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(new DockerException("negotiate API version", 0, Kind.PROTOCOL,
            "the daemon reported an unreadable API version: " + e.getMessage()));
      }
      try {
        this.apiVersion = ApiVersion.negotiate(daemonMax, daemonMin);
      } catch (DockerException e) {
        return Future.failedFuture(e);
      }
      this.capabilities = DaemonCapabilities.of(apiVersion, pingInfo);
      return Future.succeededFuture();
    });
  }

  @Override
  public DockerHost host() {
    return options.host();
  }

  @Override
  public String transport() {
    if (!options.host().isUnix() && !vertx.isNativeTransportEnabled()) {
      return "nio";
    }
    return vertx.isNativeTransportEnabled() ? "epoll" : "nio";
  }

  @Override
  public ApiVersion apiVersion() {
    return apiVersion;
  }

  @Override
  public PingInfo pingInfo() {
    return pingInfo;
  }

  @Override
  public VersionInfo versionInfo() {
    return versionInfo;
  }

  @Override
  public DaemonCapabilities capabilities() {
    return capabilities;
  }

  // ---- calls -------------------------------------------------------------------------------

  @Override
  public Future<PingInfo> ping() {
    // unversioned: used before negotiation
    return exchange("GET /_ping", HttpMethod.GET, "/_ping", options.requestTimeout()).compose(r -> {
      if (r.status != 200) {
        return Future.failedFuture(error("GET /_ping", r));
      }
      return Future.succeededFuture(new PingInfo(header(r, "Api-Version"), r.libpod, header(r, "Builder-Version"),
          header(r, "OSType")));
    });
  }

  private static String header(Reply r, String name) {
    String v = r.headers.get(name);
    return v == null ? "" : v;
  }

  @Override
  public Future<VersionInfo> version() {
    return json("GET /version", HttpMethod.GET, "/version", false, options.requestTimeout())
        .map(VersionInfo::from);
  }

  @Override
  public Future<SystemInfo> info() {
    return json("GET /info", HttpMethod.GET, "/info", true, options.requestTimeout()).map(SystemInfo::from);
  }

  @Override
  public Future<DiskUsage> systemDf() {
    // Docker 20.10 answers a second concurrent /system/df with "a disk usage operation is already
    // running": concurrent callers share the one in flight (it is expensive anyway)
    synchronized (this) {
      if (dfInFlight != null) {
        return dfInFlight;
      }
      Future<DiskUsage> f = json("GET /system/df", HttpMethod.GET, "/system/df", true, options.pruneTimeout())
          .map(DiskUsage::from);
      dfInFlight = f;
      f.onComplete(x -> {
        synchronized (this) {
          if (dfInFlight == f) {
            dfInFlight = null;
          }
        }
      });
      return f;
    }
  }

  @Override
  public Future<List<ContainerSummary>> listContainers(boolean all, boolean size, Filters filters) {
    String uri = "/containers/json?all=" + all + "&size=" + size + amp(filters);
    return json("GET /containers/json", HttpMethod.GET, uri, true,
        size ? options.pruneTimeout() : options.requestTimeout()).map(n -> list(n, c -> {
          ContainerSummary s = ContainerSummary.from(c);
          // the daemon omits SizeRw when it is 0 (omitempty): with size=true, missing means 0
          return size && s.sizeRwBytes() < 0 ? new ContainerSummary(s.id(), s.names(), s.image(), s.imageId(),
              s.state(), s.status(), s.createdEpochSeconds(), s.labels(), 0, s.volumeNames(), s.networkNames()) : s;
        }));
  }

  @Override
  public Future<List<ImageSummary>> listImages(Filters filters, boolean all) {
    String uri = "/images/json?all=" + all + (capabilities != null && capabilities.imageSharedSize() ? "&shared-size=1" : "")
        + amp(filters);
    return json("GET /images/json", HttpMethod.GET, uri, true, options.requestTimeout())
        .map(n -> list(n, ImageSummary::from));
  }

  @Override
  public Future<List<VolumeSummary>> listVolumes(Filters filters) {
    String uri = "/volumes" + (filters.isEmpty() ? "" : "?" + filters.toQueryParam());
    return json("GET /volumes", HttpMethod.GET, uri, true, options.requestTimeout())
        .map(n -> list(n.get("Volumes"), VolumeSummary::from));
  }

  @Override
  public Future<List<NetworkSummary>> listNetworks(Filters filters) {
    String uri = "/networks" + (filters.isEmpty() ? "" : "?" + filters.toQueryParam());
    return json("GET /networks", HttpMethod.GET, uri, true, options.requestTimeout())
        .map(n -> list(n, NetworkSummary::from));
  }

  @Override
  public Future<List<ServiceSummary>> listServices() {
    return json("GET /services", HttpMethod.GET, "/services", true, options.requestTimeout())
        .map(n -> list(n, ServiceSummary::from));
  }

  @Override
  public Future<NetworkSummary> inspectNetwork(String idOrName) {
    return json("GET /networks/{id}", HttpMethod.GET, "/networks/" + enc(idOrName), true, options.requestTimeout())
        .map(NetworkSummary::from);
  }

  @Override
  public Future<List<BuildCacheRecord>> listBuildCache() {
    // API >= 1.42 can restrict /system/df to one type, which is much cheaper on big hosts
    if (!apiVersion.atLeast(ApiVersion.of(1, 42))) {
      return systemDf().map(DiskUsage::buildCache);
    }
    return json("GET /system/df", HttpMethod.GET, "/system/df?type=build-cache", true, options.pruneTimeout())
        .map(n -> list(n.get("BuildCache"), BuildCacheRecord::from));
  }

  @Override
  public Future<ImageSummary> inspectImage(String idOrName) {
    return json("GET /images/{id}/json", HttpMethod.GET, "/images/" + enc(idOrName) + "/json", true,
        options.requestTimeout()).map(DockerClientImpl::imageFromInspect);
  }

  @Override
  public Future<io.dockercleaner.docker.model.ImageLayers> inspectImageLayers(String idOrName) {
    return json("GET /images/{id}/json", HttpMethod.GET, "/images/" + enc(idOrName) + "/json", true,
        options.requestTimeout()).compose(n -> {
          String id = n.path("Id").asText("");
          // the history of the ID just read: a tag moved in between must not mix two images
          return json("GET /images/{id}/history", HttpMethod.GET, "/images/" + enc(id) + "/history", true,
              options.requestTimeout()).map(h -> {
                java.util.List<Long> sizes = new java.util.ArrayList<>();
                for (JsonNode step : h) {
                  sizes.add(step.path("Size").asLong(0));
                }
                java.util.Collections.reverse(sizes); // the API lists the newest step first
                java.util.List<String> diffIds = new java.util.ArrayList<>();
                for (JsonNode layer : n.path("RootFS").path("Layers")) {
                  diffIds.add(layer.asText());
                }
                java.util.List<String> tags = new java.util.ArrayList<>();
                for (JsonNode tag : n.path("RepoTags")) {
                  if (!"<none>:<none>".equals(tag.asText())) {
                    tags.add(tag.asText());
                  }
                }
                return new io.dockercleaner.docker.model.ImageLayers(id, tags, n.path("Size").asLong(0), diffIds,
                    sizes);
              });
        });
  }

  private static ImageSummary imageFromInspect(JsonNode n) {
    com.fasterxml.jackson.databind.node.ObjectNode o = MAPPER.createObjectNode();
    o.set("Id", n.get("Id"));
    o.set("ParentId", n.get("Parent"));
    o.set("RepoTags", n.get("RepoTags"));
    o.set("RepoDigests", n.get("RepoDigests"));
    o.put("Size", n.path("Size").asLong(0));
    String created = n.path("Created").asText("");
    long createdSeconds = 0;
    try {
      createdSeconds = created.isEmpty() ? 0 : java.time.OffsetDateTime.parse(created).toEpochSecond();
    } catch (java.time.format.DateTimeParseException ignored) {
      // leave 0: unknown
    }
    o.put("Created", createdSeconds);
    o.set("Labels", n.path("Config").get("Labels"));
    return ImageSummary.from(o);
  }

  @Override
  public Future<Void> removeContainer(String id, boolean force, boolean removeAnonymousVolumes) {
    return json("DELETE /containers/{id}", HttpMethod.DELETE,
        "/containers/" + enc(id) + "?force=" + force + "&v=" + removeAnonymousVolumes, true, options.deleteTimeout())
        .mapEmpty();
  }

  @Override
  public Future<PruneReport> removeImage(String idOrName, boolean force) {
    return removeImage(idOrName, force, false);
  }

  @Override
  public Future<PruneReport> removeImage(String idOrName, boolean force, boolean noPrune) {
    return json("DELETE /images/{id}", HttpMethod.DELETE, "/images/" + enc(idOrName) + "?force=" + force
        + "&noprune=" + noPrune, true, options.deleteTimeout()).map(DockerClientImpl::imageDeleteReport);
  }

  private static PruneReport imageDeleteReport(JsonNode items) {
    List<String> deleted = new ArrayList<>();
    List<String> untagged = new ArrayList<>();
    if (items != null && items.isArray()) {
      for (JsonNode i : items) {
        if (i.hasNonNull("Deleted")) {
          deleted.add(i.get("Deleted").asText());
        }
        if (i.hasNonNull("Untagged")) {
          untagged.add(i.get("Untagged").asText());
        }
      }
    }
    return new PruneReport(List.copyOf(deleted), List.copyOf(untagged), 0);
  }

  @Override
  public Future<Void> removeVolume(String name) {
    return json("DELETE /volumes/{name}", HttpMethod.DELETE, "/volumes/" + enc(name), true, options.deleteTimeout())
        .mapEmpty();
  }

  @Override
  public Future<Void> removeNetwork(String idOrName) {
    return json("DELETE /networks/{id}", HttpMethod.DELETE, "/networks/" + enc(idOrName), true,
        options.deleteTimeout()).mapEmpty();
  }

  @Override
  public Future<PruneReport> pruneContainers(Filters filters) {
    return prune("POST /containers/prune", "/containers/prune", filters, "ContainersDeleted");
  }

  @Override
  public Future<PruneReport> pruneImages(Filters filters) {
    return json("POST /images/prune", HttpMethod.POST, "/images/prune" + q(filters), true, options.pruneTimeout())
        .map(n -> {
          PruneReport r = imageDeleteReport(n.get("ImagesDeleted"));
          return new PruneReport(r.deleted(), r.untagged(), n.path("SpaceReclaimed").asLong(0));
        });
  }

  @Override
  public Future<PruneReport> pruneVolumes(Filters filters) {
    return prune("POST /volumes/prune", "/volumes/prune", filters, "VolumesDeleted");
  }

  @Override
  public Future<PruneReport> pruneNetworks(Filters filters) {
    return prune("POST /networks/prune", "/networks/prune", filters, "NetworksDeleted");
  }

  @Override
  public Future<PruneReport> pruneBuildCache(Filters filters, boolean all) {
    if (!capabilities.buildCachePrune()) {
      return Future.failedFuture(new DockerException("POST /build/prune", 0, Kind.UNSUPPORTED,
          "this daemon (" + (capabilities.podman() ? "Podman" : "API " + apiVersion) + ") has no build cache prune"));
    }
    String uri = "/build/prune?all=" + all + amp(filters);
    return json("POST /build/prune", HttpMethod.POST, uri, true, options.pruneTimeout())
        .map(n -> new PruneReport(strings(n.get("CachesDeleted")), List.of(), n.path("SpaceReclaimed").asLong(0)));
  }

  private Future<PruneReport> prune(String op, String path, Filters filters, String field) {
    return json(op, HttpMethod.POST, path + q(filters), true, options.pruneTimeout())
        .map(n -> new PruneReport(strings(n.get(field)), List.of(), n.path("SpaceReclaimed").asLong(0)));
  }

  // ---- events ------------------------------------------------------------------------------

  @Override
  public Future<EventStream> streamEvents(Filters filters, String since, Handler<Buffer> bodyHandler) {
    synchronized (this) {
      if (eventsHttp == null) {
        eventsHttp = vertx.createHttpClient(httpOptions(options.host()), new PoolOptions().setHttp1MaxSize(2));
      }
    }
    StringBuilder uri = new StringBuilder(versioned("/events")).append('?');
    if (since != null) {
      uri.append("since=").append(enc(since)).append('&');
    }
    uri.append(filters.toQueryParam());
    String op = "GET /events";
    Promise<EventStream> opened = Promise.promise();
    Promise<Void> ended = Promise.promise();
    eventsHttp.request(requestOptions(HttpMethod.GET, uri.toString()))
        .onFailure(e -> opened.tryFail(connectionError(op, e)))
        .onSuccess(req -> {
          StreamImpl stream = new StreamImpl(req, ended);
          req.exceptionHandler(e -> {
            opened.tryFail(connectionError(op, e));
            ended.tryFail(connectionError(op, e));
          });
          req.send().onFailure(e -> {
            opened.tryFail(connectionError(op, e));
            ended.tryFail(connectionError(op, e));
          }).onSuccess(resp -> {
            if (resp.statusCode() != 200) {
              readBody(op, resp, options.maxResponseBytes()).onComplete(body -> opened.tryFail(
                  error(op, new Reply(resp.statusCode(), resp.headers(), body.succeeded() ? body.result() : Buffer.buffer(), null))));
              return;
            }
            resp.handler(bodyHandler);
            resp.exceptionHandler(e -> {
              if (stream.closed) {
                ended.tryComplete();
              } else {
                ended.tryFail(connectionError(op, e));
              }
            });
            resp.endHandler(v -> {
              if (stream.closed) {
                ended.tryComplete();
              } else {
                ended.tryFail(new DockerException(op, 0, Kind.CONNECTION, "the daemon ended the event stream"));
              }
            });
            opened.tryComplete(stream);
          });
        });
    return opened.future();
  }

  private static final class StreamImpl implements EventStream {
    private final HttpClientRequest request;
    private final Promise<Void> ended;
    private volatile boolean closed;

    StreamImpl(HttpClientRequest request, Promise<Void> ended) {
      this.request = request;
      this.ended = ended;
    }

    @Override
    public Future<Void> ended() {
      return ended.future();
    }

    @Override
    public void close() {
      closed = true;
      // complete first: the reset makes the response report an exception, maybe on another thread
      ended.tryComplete();
      request.reset();
    }
  }

  // ---- plumbing ----------------------------------------------------------------------------

  /** A complete HTTP answer. */
  private record Reply(int status, io.vertx.core.MultiMap headers, Buffer body, String libpod) {}

  private String versioned(String path) {
    return apiVersion == null ? path : "/v" + apiVersion + path;
  }

  private RequestOptions requestOptions(HttpMethod method, String uri) {
    DockerHost h = options.host();
    // Vert.x sends no Host header to a domain socket unless told; dockerd rejects requests without one
    return new RequestOptions().setMethod(method).setServer(h.socketAddress()).setHost(h.isUnix() ? "localhost" : h.host())
        .setPort(h.isUnix() ? 80 : h.port()).setSsl(h.tls()).setURI(uri);
  }

  private Future<JsonNode> json(String op, HttpMethod method, String path, boolean versioned, Duration timeout) {
    return exchange(op, method, versioned ? versioned(path) : path, timeout).compose(r -> {
      if (r.status < 200 || r.status >= 300) {
        return Future.failedFuture(error(op, r));
      }
      if (r.status == 204 || r.body.length() == 0) {
        return Future.succeededFuture(MAPPER.nullNode());
      }
      try {
        return Future.succeededFuture(MAPPER.readTree(r.body.getBytes()));
      } catch (IOException e) {
        return Future.failedFuture(new DockerException(op, r.status, Kind.PROTOCOL,
            "the daemon's answer is not JSON: " + snippet(r.body)));
      }
    });
  }

  private Future<Reply> exchange(String op, HttpMethod method, String uri, Duration timeout) {
    Promise<Reply> promise = Promise.promise();
    HttpClientRequest[] current = new HttpClientRequest[1];
    long timer = vertx.setTimer(timeout.toMillis(), t -> {
      if (promise.tryFail(new DockerException(op, 0, Kind.TIMEOUT,
          "no complete answer within " + timeout.toMillis() + " ms"))) {
        if (current[0] != null) {
          current[0].reset();
        }
      }
    });
    http.request(requestOptions(method, uri)).onFailure(e -> promise.tryFail(connectionError(op, e)))
        .onSuccess(req -> {
          current[0] = req;
          req.exceptionHandler(e -> promise.tryFail(connectionError(op, e)));
          req.send().onFailure(e -> promise.tryFail(connectionError(op, e))).onSuccess(resp ->
              readBody(op, resp, options.maxResponseBytes()).onComplete(body -> {
                if (body.failed()) {
                  promise.tryFail(body.cause());
                  req.reset();
                } else {
                  promise.tryComplete(new Reply(resp.statusCode(), resp.headers(), body.result(),
                      resp.getHeader("Libpod-API-Version")));
                }
              }));
        });
    return promise.future().onComplete(x -> vertx.cancelTimer(timer));
  }

  private Future<Buffer> readBody(String op, HttpClientResponse resp, long limit) {
    Promise<Buffer> p = Promise.promise();
    Buffer acc = Buffer.buffer();
    resp.handler(chunk -> {
      if (acc.length() + (long) chunk.length() > limit) {
        if (p.tryFail(new DockerException(op, resp.statusCode(), Kind.PROTOCOL,
            "the daemon's answer exceeds the limit of " + limit + " bytes"))) {
          resp.request().reset();
        }
        return;
      }
      acc.appendBuffer(chunk);
    });
    resp.exceptionHandler(e -> p.tryFail(new DockerException(op, resp.statusCode(), Kind.CONNECTION,
        "the connection closed before the answer was complete (" + e.getMessage() + ")", e)));
    resp.endHandler(v -> p.tryComplete(acc));
    return p.future();
  }

  private DockerException error(String op, Reply r) {
    String message = snippet(r.body);
    try {
      JsonNode n = MAPPER.readTree(r.body.getBytes());
      if (n != null && n.hasNonNull("message")) {
        message = n.get("message").asText();
      } else if (n != null && n.hasNonNull("cause")) {
        message = n.get("cause").asText();
      }
    } catch (IOException | RuntimeException notJson) {
      // keep the raw snippet
    }
    if (message.isEmpty()) {
      message = "HTTP " + r.status + " with an empty body";
    }
    return DockerException.fromResponse(op, r.status, message);
  }

  private static String snippet(Buffer body) {
    String s = body.toString(StandardCharsets.UTF_8).strip();
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }

  /** Turns transport failures into messages a user can act on. */
  DockerException connectionError(String op, Throwable e) {
    if (e instanceof DockerException de) {
      return de;
    }
    DockerHost h = options.host();
    String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (h.isUnix()) {
      Path socket = Path.of(h.unixSocketPath());
      if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS) && !Files.exists(socket)) {
        return new DockerException(op, 0, Kind.CONNECTION, "cannot connect to the Docker daemon: the socket "
            + socket + " does not exist. Is the daemon running? In a container, mount the socket with "
            + DockerHost.SOCKET_MOUNT_HINT + ", or set DOCKER_HOST", e);
      }
      String lower = detail.toLowerCase(java.util.Locale.ROOT);
      if (lower.contains("permission denied") || lower.contains("eacces") || !Files.isWritable(socket)) {
        return new DockerException(op, 0, Kind.CONNECTION, "permission denied on " + socket + describeOwner(socket)
            + ": run as a member of that group (in a container: --group-add with that GID) or as root", e);
      }
      if (lower.contains("refused")) {
        return new DockerException(op, 0, Kind.CONNECTION, "connection refused on " + socket
            + ": the socket exists but no daemon listens on it (stale socket?)", e);
      }
    }
    if (detail.toLowerCase(java.util.Locale.ROOT).contains("closed")) {
      return new DockerException(op, 0, Kind.CONNECTION,
          "the connection to " + h.describe() + " closed before the answer was complete", e);
    }
    return new DockerException(op, 0, Kind.CONNECTION, "cannot connect to " + h.describe() + ": " + detail, e);
  }

  private static String describeOwner(Path socket) {
    try {
      PosixFileAttributes a = Files.readAttributes(socket, PosixFileAttributes.class);
      Object gid = Files.getAttribute(socket, "unix:gid");
      return " (owner " + a.owner().getName() + ", group " + a.group().getName() + " gid " + gid + ", mode "
          + java.nio.file.attribute.PosixFilePermissions.toString(a.permissions()) + ")";
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "";
    }
  }

  private static String q(Filters filters) {
    return filters.isEmpty() ? "" : "?" + filters.toQueryParam();
  }

  private static String amp(Filters filters) {
    return filters.isEmpty() ? "" : "&" + filters.toQueryParam();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static <T> List<T> list(JsonNode array, Function<JsonNode, T> f) {
    if (array == null || !array.isArray()) {
      return List.of();
    }
    List<T> out = new ArrayList<>(array.size());
    array.forEach(n -> out.add(f.apply(n)));
    return out;
  }

  private static List<String> strings(JsonNode array) {
    // prune answers use null, not [], for "nothing deleted"
    return list(array, n -> n.hasNonNull("ID") ? n.get("ID").asText() : n.asText());
  }

  @Override
  public Future<Void> close() {
    Future<Void> a = http.close();
    Future<Void> b = eventsHttp == null ? Future.succeededFuture() : eventsHttp.close();
    return Future.all(a, b).mapEmpty();
  }
}
