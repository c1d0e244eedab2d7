package io.dockercleaner.notify;

import io.dockercleaner.config.NotifyTarget;
import io.dockercleaner.config.Settings;
import io.dockercleaner.config.WebhookEvent;
import io.dockercleaner.config.WebhookFormat;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.mail.MailClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@link RunNotice}s to every notification target ({@link Settings#notifyTargets()}: the
 * WEBHOOK_URLs and NOTIFY_TARGETS), in the background, best effort: a notification never blocks,
 * delays or fails a run.
 *
 * <p>{@link #notify(RunNotice)} queues a notice for each target whose events include it (bounded:
 * when {@link WebhookNotifierOptions#getQueueCapacity() full}, the oldest waiting notice is
 * dropped, as the newest says most about the host now). Each target has its own queue: notices
 * reach it one at a time, in order, and a target that hangs or fails delays only its own notices,
 * never another's. Each target gets up to {@link WebhookNotifierOptions#getMaxAttempts() 3
 * attempts}, each limited to WEBHOOK_TIMEOUT (connect to end of response), spaced by an
 * exponential backoff (1 s, 2 s by default); a 2xx answer (an accepted e-mail) is delivered,
 * anything else (other status, connection error, timeout) is a failed attempt. Every outcome goes
 * to the {@link DeliveryListener}.
 *
 * <p>E-mail targets get one message with plain-text and HTML parts ({@link EmailMessages}) over
 * SMTP with STARTTLS (required), TLS or none, and AUTH when a user is set.
 *
 * <p>Each request is a {@code POST} with:
 *
 * <ul>
 *   <li>{@code Content-Type: application/json} and a body from {@link WebhookPayloads} in the
 *       target's format (json, slack, discord or teams);
 *   <li>{@code User-Agent: docker-cleaner/<version>};
 *   <li>{@code X-Docker-Cleaner-Event: <event>} (e.g. {@code run_failed});
 *   <li>{@code X-Docker-Cleaner-Delivery: <uuid>}, the same on every attempt and URL of one notice,
 *       so a receiver can drop duplicates after a retry;
 *   <li>when the target has a secret (WEBHOOK_SECRET, or its own secret or secret_file; json
 *       only), {@code X-Docker-Cleaner-Signature: sha256=<hex>}, the HMAC-SHA256 of the exact body
 *       bytes keyed with the secret (see {@link WebhookSignature});
 *   <li>when the URL has user info ({@code https://user:pass@host/...}), HTTP basic authorization
 *       with it.
 * </ul>
 *
 * <p>Logs name a URL only as {@code scheme://host[:port]} ({@link UrlMasking#forLog(URI)}): webhook
 * services keep their credential in the path or query. The secret is never logged.
 *
 * <p>Thread-safe: {@link #notify(RunNotice)}, {@link #flush(Duration)} and {@link #close()} may be
 * called from any thread; the state is only touched on the notifier's Vert.x context.
 */
public final class WebhookNotifier {
  private static final Logger log = LoggerFactory.getLogger(WebhookNotifier.class);

  /** Bytes of a non-2xx response body kept for the log (Slack explains errors there). */
  static final int RESPONSE_SNIPPET_BYTES = 200;

  private final Vertx vertx;
  private final Context context;
  private final HttpClient client;
  private final DeliveryListener listener;
  private final long timeoutMillis;
  private final int queueCapacity;
  private final int maxAttempts;
  private final long retryBaseDelayMillis;
  private final String userAgent;

  // Only touched on `context`.
  /** One per URL, in WEBHOOK_URL order. */
  private final List<Lane> lanes;
  private boolean closed;
  private Future<Void> closeFuture;
  /** Pending flushes and their time-up timers. */
  private final Map<Promise<Void>, Long> flushWaiters = new LinkedHashMap<>();
  /** Ends an in-flight attempt or a scheduled retry at close. */
  private final Set<Runnable> aborters = new LinkedHashSet<>();

  private WebhookNotifier(
      Vertx vertx, Settings settings, DeliveryListener listener, WebhookNotifierOptions options) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.listener = listener;
    this.timeoutMillis = Math.max(1, settings.webhookTimeout().toMillis());
    this.lanes = settings.notifyTargets().stream().map(t -> new Lane(Target.of(t, vertx, timeoutMillis))).toList();
    this.queueCapacity = options.getQueueCapacity();
    this.maxAttempts = options.getMaxAttempts();
    this.retryBaseDelayMillis = Math.max(1, options.getRetryBaseDelay().toMillis());
    this.userAgent =
        options.getUserAgent() != null ? options.getUserAgent() : "docker-cleaner/" + version();
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis)));
  }

  /** A notifier with default {@link WebhookNotifierOptions}. */
  public static WebhookNotifier create(Vertx vertx, Settings settings, DeliveryListener listener) {
    return create(vertx, settings, listener, new WebhookNotifierOptions());
  }

  /**
   * A notifier for the WEBHOOK_* settings. With no WEBHOOK_URL it accepts and ignores notices.
   *
   * @param listener told every delivery outcome, on the notifier's context
   */
  public static WebhookNotifier create(
      Vertx vertx, Settings settings, DeliveryListener listener, WebhookNotifierOptions options) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(options, "options");
    return new WebhookNotifier(
        vertx, settings, listener == null ? DeliveryListener.NONE : listener, options);
  }

  /**
   * Queues the notice for every target whose events include it; returns at once. Never throws: a
   * notice that cannot be queued is logged and forgotten.
   */
  public void notify(RunNotice notice) {
    try {
      if (notice == null || lanes.isEmpty()) {
        return;
      }
      List<Lane> interested = lanes.stream().filter(l -> l.target.config().events().contains(notice.event())).toList();
      if (interested.isEmpty()) {
        log.debug("webhook: no target subscribes to {}, not sent", notice.event().configName());
        return;
      }
      // each body once per format, whatever the number of targets using it
      Map<WebhookFormat, Buffer> bodies = new java.util.EnumMap<>(WebhookFormat.class);
      for (Lane lane : interested) {
        WebhookFormat format = lane.target.config().format();
        if (format.isWebhook()) {
          bodies.computeIfAbsent(format, f -> WebhookPayloads.body(notice, f));
        }
      }
      Notice queued = new Notice(notice, bodies, UUID.randomUUID().toString());
      context.runOnContext(v -> enqueue(queued, interested));
    } catch (RuntimeException e) {
      log.warn("webhook: could not queue a notification: {}", e.toString());
    }
  }

  /**
   * Completes (never fails) once every queued notice has been delivered or given up, or when
   * {@code maxWait} has passed, whichever comes first. For the one-shot mode's end and shutdown.
   */
  public Future<Void> flush(Duration maxWait) {
    Promise<Void> done = Promise.promise();
    long maxWaitMillis = Math.max(1, maxWait == null ? 1 : maxWait.toMillis());
    try {
      context.runOnContext(
          v -> {
            if (idle()) {
              done.tryComplete();
              return;
            }
            long timer =
                vertx.setTimer(
                    maxWaitMillis,
                    id -> {
                      if (flushWaiters.remove(done) != null) {
                        log.warn(
                            "webhook: {} notification(s) still pending after waiting {} ms",
                            pending(),
                            maxWaitMillis);
                        done.tryComplete();
                      }
                    });
            flushWaiters.put(done, timer);
          });
    } catch (RuntimeException e) {
      done.tryComplete();
    }
    return done.future();
  }

  /**
   * Stops: waiting notices are dropped, in-flight attempts and scheduled retries end as failed,
   * the HTTP client closes. Call {@link #flush(Duration)} first to give deliveries a chance.
   * Idempotent; later notices are ignored.
   */
  public Future<Void> close() {
    Promise<Void> done = Promise.promise();
    try {
      context.runOnContext(
          v -> {
            if (closeFuture == null) {
              closed = true;
              int waiting = lanes.stream().mapToInt(l -> l.queue.size()).sum();
              if (waiting > 0) {
                log.warn("webhook: closing with {} notification(s) not sent", waiting);
              }
              for (Lane lane : lanes) {
                while (lane.queue.poll() != null) {
                  report(DeliveryListener.DROPPED);
                }
              }
              new ArrayList<>(aborters).forEach(Runnable::run);
              aborters.clear();
              completeFlushWaiters();
              List<Future<Void>> closing = new ArrayList<>();
              closing.add(client.close());
              lanes.forEach(l -> l.target.mail().ifPresent(m -> closing.add(m.close())));
              closeFuture = Future.join(closing).mapEmpty();
            }
            closeFuture.onComplete(done);
          });
    } catch (RuntimeException e) {
      done.tryComplete();
    }
    return done.future();
  }

  // ---- on the context from here on ----

  private void enqueue(Notice notice, List<Lane> interested) {
    if (closed) {
      log.debug("webhook: notifier closed, {} not sent", notice.notice().event().configName());
      interested.forEach(l -> report(DeliveryListener.DROPPED));
      return;
    }
    for (Lane lane : interested) {
      if (lane.queue.size() >= queueCapacity) {
        Notice oldest = lane.queue.poll();
        log.warn(
            "webhook: queue for {} full ({} waiting), dropped the oldest notification ({} of run {})",
            lane.target.logName(),
            queueCapacity,
            oldest.notice().event().configName(),
            oldest.notice().runId());
        report(DeliveryListener.DROPPED);
      }
      lane.queue.add(notice);
      pump(lane);
    }
  }

  private void pump(Lane lane) {
    if (lane.delivering || closed) {
      return;
    }
    Notice next = lane.queue.poll();
    if (next == null) {
      if (idle()) {
        completeFlushWaiters();
      }
      return;
    }
    lane.delivering = true;
    deliver(next, lane.target, 1)
        .onComplete(
            ar -> {
              lane.delivering = false;
              pump(lane);
            });
  }

  private boolean idle() {
    return closed || pending() == 0;
  }

  /** Notices waiting or in delivery, counted once per URL. */
  private int pending() {
    int n = 0;
    for (Lane lane : lanes) {
      n += lane.queue.size() + (lane.delivering ? 1 : 0);
    }
    return n;
  }

  private void completeFlushWaiters() {
    flushWaiters.forEach(
        (promise, timer) -> {
          vertx.cancelTimer(timer);
          promise.tryComplete();
        });
    flushWaiters.clear();
  }

  /** Attempt {@code attempt} and the following ones; always succeeds. */
  private Future<Void> deliver(Notice notice, Target target, int attempt) {
    Promise<Void> done = Promise.promise();
    String event = notice.notice().event().configName();
    attempt(notice, target)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                log.debug("webhook: {} delivered to {} (HTTP {}, attempt {})",
                    event, target.logName(), ar.result(), attempt);
                report(DeliveryListener.DELIVERED);
                done.complete();
                return;
              }
              String why = describe(ar.cause(), target);
              if (attempt < maxAttempts && !closed) {
                long delayMillis = retryBaseDelayMillis << Math.min(attempt - 1, 20);
                log.info("webhook: {} to {}: attempt {}/{} failed ({}), retrying in {} ms",
                    event, target.logName(), attempt, maxAttempts, why, delayMillis);
                report(DeliveryListener.RETRIED);
                Runnable[] abort = new Runnable[1];
                long timer =
                    vertx.setTimer(
                        delayMillis,
                        id -> {
                          aborters.remove(abort[0]);
                          deliver(notice, target, attempt + 1).onComplete(done);
                        });
                abort[0] =
                    () -> {
                      vertx.cancelTimer(timer);
                      log.warn("webhook: {} to {} not delivered: notifier closed before retry",
                          event, target.logName());
                      report(DeliveryListener.FAILED);
                      done.tryComplete();
                    };
                aborters.add(abort[0]);
              } else if (closed) {
                log.warn("webhook: {} to {} not delivered: notifier closed during attempt {}",
                    event, target.logName(), attempt);
                report(DeliveryListener.FAILED);
                done.complete();
              } else {
                log.warn("webhook: {} to {} failed after {} attempt(s): {}",
                    event, target.logName(), attempt, why);
                report(DeliveryListener.FAILED);
                done.complete();
              }
            });
    return done.future();
  }

  /**
   * One POST (or one e-mail); succeeds with the status when 2xx (250 for an accepted e-mail),
   * fails otherwise or after the timeout.
   */
  private Future<Integer> attempt(Notice notice, Target target) {
    Promise<Integer> result = Promise.promise();
    HttpClientRequest[] request = new HttpClientRequest[1];
    Runnable abort =
        () -> {
          if (result.tryFail(new IllegalStateException("notifier closed"))) {
            reset(request[0]);
          }
        };
    aborters.add(abort);
    long timer =
        vertx.setTimer(
            timeoutMillis,
            id -> {
              if (result.tryFail(new TimeoutException("no response within " + timeoutMillis + " ms"))) {
                reset(request[0]);
              }
            });
    result.future().onComplete(ar -> {
      vertx.cancelTimer(timer);
      aborters.remove(abort);
    });

    if (target.problem() != null) {
      result.tryFail(new IllegalStateException(target.problem()));
      return result.future();
    }
    if (target.mail().isPresent()) {
      target.mail().get().sendMail(EmailMessages.of(notice.notice(), target.config().email().orElseThrow(),
              notice.deliveryId()))
          .onComplete(ar -> {
            if (ar.succeeded()) {
              result.tryComplete(250);
            } else {
              result.tryFail(ar.cause());
            }
          });
      return result.future();
    }
    Buffer body = notice.bodies().get(target.config().format());
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setHost(target.host())
            .setPort(target.port())
            .setSsl(target.ssl())
            .setURI(target.requestUri())
            .setConnectTimeout(timeoutMillis)
            // a POST is not replayed on a redirect: a 3xx is a failed attempt
            .setFollowRedirects(false)
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .putHeader(HttpHeaders.USER_AGENT, userAgent)
            .putHeader(WebhookSignature.EVENT_HEADER, notice.notice().event().configName())
            .putHeader(WebhookSignature.DELIVERY_HEADER, notice.deliveryId());
    if (target.secret() != null) {
      options.putHeader(WebhookSignature.SIGNATURE_HEADER, WebhookSignature.sign(body.getBytes(), target.secret()));
    }
    if (target.basicAuthorization() != null) {
      options.putHeader(HttpHeaders.AUTHORIZATION, target.basicAuthorization());
    }
    client
        .request(options)
        .compose(
            req -> {
              request[0] = req;
              if (result.future().isComplete()) {
                // timed out or closed while connecting
                reset(req);
                return Future.failedFuture("abandoned");
              }
              return req.send(body);
            })
        .compose(WebhookNotifier::readResponse)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                result.tryFail(ar.cause());
              } else if (ar.result().status() / 100 == 2) {
                result.tryComplete(ar.result().status());
              } else {
                result.tryFail(new StatusException(ar.result().status(), ar.result().snippet()));
              }
            });
    return result.future();
  }

  /** The status and the start of the body; reading to the end frees the pooled connection. */
  private static Future<Response> readResponse(HttpClientResponse response) {
    Buffer snippet = Buffer.buffer();
    response.handler(
        chunk -> {
          int room = RESPONSE_SNIPPET_BYTES - snippet.length();
          if (room > 0) {
            snippet.appendBuffer(chunk.length() <= room ? chunk : chunk.slice(0, room));
          }
        });
    return response
        .end()
        .map(v -> new Response(response.statusCode(), snippet.toString(StandardCharsets.UTF_8)));
  }

  private static void reset(HttpClientRequest request) {
    if (request != null) {
      request.reset();
    }
  }

  private void report(String outcome) {
    try {
      listener.onOutcome(outcome);
    } catch (RuntimeException e) {
      log.warn("webhook: delivery listener failed: {}", e.toString());
    }
  }

  /** Why an attempt failed, safe to log. */
  private static String describe(Throwable cause, Target target) {
    if (cause instanceof StatusException s) {
      String body = s.snippet().replaceAll("\\s+", " ").strip();
      return "HTTP " + s.status() + (body.isEmpty() ? "" : ": " + UrlMasking.scrub(body, target.url()));
    }
    String message = cause.getMessage() == null ? "" : ": " + cause.getMessage();
    return UrlMasking.scrub(cause.getClass().getSimpleName() + message, target.url());
  }

  private static String version() {
    String v = WebhookNotifier.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** One URL's queue; only touched on the notifier's context. */
  private static final class Lane {
    final Target target;
    final ArrayDeque<Notice> queue = new ArrayDeque<>();
    boolean delivering;

    Lane(Target target) {
      this.target = target;
    }
  }

  /** A queued notice with its bodies by format, computed once for every attempt and target. */
  private record Notice(RunNotice notice, Map<WebhookFormat, Buffer> bodies, String deliveryId) {}

  private record Response(int status, String snippet) {}

  /** A non-2xx answer. */
  private static final class StatusException extends RuntimeException {
    private final int status;
    private final String snippet;

    StatusException(int status, String snippet) {
      super("HTTP " + status, null, false, false);
      this.status = status;
      this.snippet = snippet;
    }

    int status() {
      return status;
    }

    String snippet() {
      return snippet;
    }
  }

  /**
   * One target, ready to send: a webhook URL split for {@link RequestOptions}, or a mail client.
   * Secrets in files are read once, here, when the notifier starts.
   *
   * @param problem why nothing can be sent to it (a secret file that cannot be read), or null
   */
  private record Target(
      NotifyTarget config, URI url, String logName, String host, int port, boolean ssl, String requestUri,
      String basicAuthorization, String secret, Optional<MailClient> mail, String problem) {
    static Target of(NotifyTarget config, Vertx vertx, long timeoutMillis) {
      URI url = config.url();
      String logName = config.logName();
      String[] problem = new String[1];
      if (config.email().isPresent()) {
        NotifyTarget.Email email = config.email().get();
        String password = email.password().orElse(null);
        if (email.passwordFile().isPresent()) {
          password = readSecret(email.passwordFile().get(), logName + " password_file", problem);
        }
        MailClient mail = null;
        try {
          mail = MailClient.create(vertx, EmailMessages.config(email, password, timeoutMillis));
        } catch (RuntimeException e) {
          // e.g. a ca_file that is not PEM: every delivery to this target fails with the reason
          problem[0] = "cannot set up the SMTP client: " + e.getMessage();
        }
        return new Target(config, url, logName, email.host(), email.port(), email.tls() == NotifyTarget.SmtpTls.TLS,
            null, null, null, Optional.ofNullable(mail), problem[0]);
      }
      boolean ssl = "https".equals(url.getScheme().toLowerCase(Locale.ROOT));
      String host = url.getHost();
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port = url.getPort() >= 0 ? url.getPort() : ssl ? 443 : 80;
      String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
      String requestUri = url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
      String auth =
          url.getUserInfo() == null
              ? null
              : "Basic "
                  + Base64.getEncoder()
                      .encodeToString(url.getUserInfo().getBytes(StandardCharsets.UTF_8));
      String secret = config.secret().orElse(null);
      if (config.secretFile().isPresent()) {
        secret = readSecret(config.secretFile().get(), logName + " secret_file", problem);
      }
      return new Target(config, url, logName, host, port, ssl, requestUri, auth, secret, Optional.empty(),
          problem[0]);
    }

    private static String readSecret(java.nio.file.Path file, String what, String[] problem) {
      try {
        String value = java.nio.file.Files.readString(file, StandardCharsets.UTF_8).strip();
        if (value.isEmpty()) {
          problem[0] = what + " '" + file + "' is empty";
          return null;
        }
        return value;
      } catch (java.io.IOException | RuntimeException e) {
        problem[0] = what + " '" + file + "' cannot be read (" + e.getClass().getSimpleName() + ")";
        log.warn("webhook: {}: nothing will be sent to this target", problem[0]);
        return null;
      }
    }

    @Override
    public String toString() {
      // a record's default toString would print the URL, credentials and secrets
      return logName;
    }
  }
}
