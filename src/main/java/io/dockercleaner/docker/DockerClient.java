package io.dockercleaner.docker;

import io.dockercleaner.docker.codec.EventDecoder;
import io.dockercleaner.docker.impl.DockerClientImpl;
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
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.List;

/**
 * Non-blocking Docker Engine API client: the only code in docker-cleaner that speaks HTTP to the
 * daemon. Every call is prefixed with the negotiated API version, has a timeout (except the event
 * stream) and a response size limit, and every returned Future completes — with a
 * {@link DockerException} on any failure, including a connection dying mid-answer.
 */
public interface DockerClient {

  /**
   * Connects: pings the daemon, reads its API version range from {@code /_ping} and
   * {@code /version}, and negotiates the highest version both sides support.
   */
  static Future<DockerClient> connect(Vertx vertx, DockerClientOptions options) {
    return DockerClientImpl.connect(vertx, options);
  }

  /** The daemon address in use. */
  DockerHost host();

  /** "epoll" when Netty's native transport is in use, else "nio". */
  String transport();

  /** The negotiated API version. */
  ApiVersion apiVersion();

  /** What the daemon told us at connect time. */
  PingInfo pingInfo();

  /** The daemon's {@code /version} as read at connect time. */
  VersionInfo versionInfo();

  /** What the daemon can do. */
  DaemonCapabilities capabilities();

  Future<PingInfo> ping();

  Future<VersionInfo> version();

  Future<SystemInfo> info();

  /** {@code GET /system/df}: expensive on big hosts. */
  Future<DiskUsage> systemDf();

  /**
   * {@code GET /containers/json}.
   *
   * @param all include stopped containers
   * @param size compute SizeRw (slow on big hosts)
   */
  Future<List<ContainerSummary>> listContainers(boolean all, boolean size, Filters filters);

  /** {@code GET /images/json} (top-level images; SharedSize computed where the API allows). */
  default Future<List<ImageSummary>> listImages(Filters filters) {
    return listImages(filters, false);
  }

  /**
   * {@code GET /images/json?all=...}: with {@code all}, also the untagged parents of other images
   * (intermediate images of classic builds), which the daemon deletes along with their last child
   * unless told {@code noprune}.
   */
  Future<List<ImageSummary>> listImages(Filters filters, boolean all);

  Future<List<io.dockercleaner.docker.model.VolumeSummary>> listVolumes(Filters filters);

  Future<List<NetworkSummary>> listNetworks(Filters filters);

  /** {@code GET /networks/{id}}: also tells how many containers are attached. */
  Future<NetworkSummary> inspectNetwork(String idOrName);

  /**
   * {@code GET /services}: the Swarm services and the images their specs name. Only a manager
   * answers; a worker, or a daemon in no swarm, fails with status 503 ("This node is not a swarm
   * manager"), and Podman with 404.
   */
  Future<List<ServiceSummary>> listServices();

  /** Build cache records (from {@code /system/df}; the API has no other list call). */
  Future<List<BuildCacheRecord>> listBuildCache();

  /** {@code GET /images/{id}/json}, as a summary (Size, Created, Labels, RepoTags, Parent). */
  Future<ImageSummary> inspectImage(String idOrName);

  /**
   * {@code GET /images/{id}/json} then {@code GET /images/{id}/history}: the image's layer diff IDs
   * and the size of each history step (for the trace recorder).
   */
  Future<io.dockercleaner.docker.model.ImageLayers> inspectImageLayers(String idOrName);

  Future<Void> removeContainer(String id, boolean force, boolean removeAnonymousVolumes);

  /** {@code DELETE /images/{id}}; the report lists untagged references and deleted layers. */
  Future<PruneReport> removeImage(String idOrName, boolean force);

  /**
   * {@code DELETE /images/{id}?noprune=...}: with {@code noPrune} the daemon leaves the image's
   * untagged parents alone (by default it deletes them too, whatever protects them).
   */
  default Future<PruneReport> removeImage(String idOrName, boolean force, boolean noPrune) {
    return removeImage(idOrName, force);
  }

  Future<Void> removeVolume(String name);

  Future<Void> removeNetwork(String idOrName);

  Future<PruneReport> pruneContainers(Filters filters);

  Future<PruneReport> pruneImages(Filters filters);

  Future<PruneReport> pruneVolumes(Filters filters);

  Future<PruneReport> pruneNetworks(Filters filters);

  /**
   * {@code POST /build/prune}. Fails with UNSUPPORTED where {@link DaemonCapabilities#buildCachePrune()}
   * is false.
   *
   * @param all remove all unused cache, not only dangling records
   */
  Future<PruneReport> pruneBuildCache(Filters filters, boolean all);

  /**
   * Opens {@code GET /events} and feeds its body bytes to {@code bodyHandler}; no timeout.
   *
   * @param since only events at or after this point ("SECONDS[.NANOS]"), or null
   */
  Future<EventStream> streamEvents(Filters filters, String since, Handler<Buffer> bodyHandler);

  /**
   * Opens {@code GET /events} decoded into typed events: every complete line reaches
   * {@code listener} as a {@link io.dockercleaner.docker.model.DockerEvent} (or as a malformed
   * line). When the stream ends the decoder is told, so a cut last line is reported too. The
   * listener runs on the stream's event loop, except that final report after {@link
   * EventStream#close()}, which runs on the closing thread.
   *
   * @param since only events at or after this point ("SECONDS[.NANOS]"), or null
   */
  default Future<EventStream> events(Filters filters, String since, EventDecoder.Listener listener) {
    EventDecoder decoder = new EventDecoder(listener);
    return streamEvents(filters, since, decoder).map(stream -> {
      stream.ended().onComplete(end -> decoder.end());
      return stream;
    });
  }

  /** Closes the connection pools. */
  Future<Void> close();

  /** An open event stream. */
  interface EventStream {
    /**
     * Completes when the stream ends. The daemon never ends it on its own, so an end always fails
     * with a {@link DockerException} (CONNECTION), except after {@link #close()}.
     */
    Future<Void> ended();

    /** Closes the stream; {@link #ended()} then succeeds. */
    void close();
  }
}
