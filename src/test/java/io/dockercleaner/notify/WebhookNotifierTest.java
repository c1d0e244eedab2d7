package io.dockercleaner.notify;

import static io.dockercleaner.notify.DeliveryListener.DELIVERED;
import static io.dockercleaner.notify.DeliveryListener.DROPPED;
import static io.dockercleaner.notify.DeliveryListener.FAILED;
import static io.dockercleaner.notify.DeliveryListener.RETRIED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.dockercleaner.config.Settings;
import io.dockercleaner.config.WebhookEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

@ExtendWith(VertxExtension.class)
class WebhookNotifierTest {
  /** Generous bound for a wait that normally ends in milliseconds; not a timing assertion. */
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  private final List<String> outcomes = new CopyOnWriteArrayList<>();
  private WebhookNotifier notifier;

  @AfterEach
  void closeNotifier() throws Exception {
    if (notifier != null) {
      notifier.close().await(30, TimeUnit.SECONDS);
    }
  }

  private WebhookNotifier start(Vertx vertx, Map<String, String> settings) {
    return start(vertx, settings, new WebhookNotifierOptions());
  }

  private WebhookNotifier start(Vertx vertx, Map<String, String> settings, WebhookNotifierOptions options) {
    notifier =
        WebhookNotifier.create(
            vertx, Settings.of(settings), outcomes::add, options.setRetryBaseDelay(Duration.ofMillis(5)));
    return notifier;
  }

  private static Map<String, String> settings(String url, String... more) {
    Map<String, String> values = new HashMap<>();
    values.put("WEBHOOK_URL", url);
    // far above a loopback round trip, so a busy machine does not turn a reply into a timeout
    values.put("WEBHOOK_TIMEOUT", "30s");
    for (int i = 0; i < more.length; i += 2) {
      values.put(more[i], more[i + 1]);
    }
    return values;
  }

  private void flush() throws Exception {
    notifier.flush(PATIENCE).await(60, TimeUnit.SECONDS);
  }

  private long count(String outcome) {
    return outcomes.stream().filter(outcome::equals).count();
  }

  @Test
  void jsonPayloadArrivesWithTheRunsContent(Vertx vertx) throws Exception {
    Receiver receiver = Receiver.answering(vertx, 204);
    start(vertx, settings(receiver.url("/hooks/T0KEN?key=abc").toString()));

    notifier.notify(Notices.partial());
    flush();

    assertThat(receiver.requests()).hasSize(1);
    Receiver.Received got = receiver.requests().get(0);
    assertThat(got.uri()).isEqualTo("/hooks/T0KEN?key=abc");
    assertThat(got.headers().get("Content-Type")).isEqualTo("application/json");
    assertThat(got.headers().get("User-Agent")).startsWith("docker-cleaner/");
    assertThat(got.headers().get("X-Docker-Cleaner-Event")).isEqualTo("run_partial");
    JsonObject json = got.json();
    assertThat(json.getString("event")).isEqualTo("run_partial");
    assertThat(json.getString("host")).isEqualTo("build-7");
    assertThat(json.getString("run_id")).isEqualTo("r-123");
    assertThat(json.getString("trigger")).isEqualTo("threshold");
    assertThat(json.getString("outcome")).isEqualTo("partial");
    assertThat(json.getJsonObject("removed").getLong("image")).isEqualTo(12L);
    assertThat(json.getJsonObject("removed").getLong("container")).isEqualTo(3L);
    assertThat(json.getLong("reclaimed_bytes_reported")).isEqualTo(4_300_000_000L);
    assertThat(json.getLong("freed_bytes_measured")).isEqualTo(4_200_000_000L);
    assertThat(json.getJsonObject("disk").getDouble("used_ratio_before")).isEqualTo(0.91);
    assertThat(json.getJsonObject("disk").getDouble("used_ratio_after")).isEqualTo(0.74);
    assertThat(json.getString("started_at")).isEqualTo("2026-11-28T10:00:00Z");
    assertThat(json.getDouble("duration_seconds")).isEqualTo(12.5);
    assertThat(json.getJsonArray("errors")).hasSize(1);
    assertThat(json.getBoolean("dry_run")).isFalse();
    assertThat(outcomes).containsExactly(DELIVERED);
  }

  @Test
  void slackPayloadArrivesWithTextAndBlocks(Vertx vertx) throws Exception {
    Receiver receiver = Receiver.answering(vertx, 200);
    start(vertx, settings(receiver.url("/services/T000/B000/XXXX").toString(), "WEBHOOK_FORMAT", "slack"));

    notifier.notify(Notices.partial());
    flush();

    assertThat(receiver.requests()).hasSize(1);
    JsonObject slack = receiver.requests().get(0).json();
    assertThat(slack.getString("text"))
        .contains("docker-cleaner on build-7: run r-123 (threshold) partial")
        .contains("removed 12 images, 3 containers")
        .contains("4.2 GB reclaimed")
        .contains("disk 91% → 74%");
    assertThat(slack.getJsonArray("blocks").getJsonObject(0).getString("type")).isEqualTo("header");
    assertThat(slack.getJsonArray("blocks").getJsonObject(1).getJsonObject("text").getString("type"))
        .isEqualTo("mrkdwn");
    assertThat(slack.getJsonArray("blocks").getJsonObject(2).getJsonArray("fields")).isNotEmpty();
    assertThat(outcomes).containsExactly(DELIVERED);
  }

  @Test
  void retriesUntilTheReceiverAccepts(Vertx vertx) throws Exception {
    Receiver receiver = Receiver.start(vertx, n -> n < 2 ? 500 : 200);
    start(vertx, settings(receiver.url("/hook").toString()));

    notifier.notify(Notices.partial());
    flush();

    assertThat(receiver.requests()).hasSize(3);
    assertThat(count(DELIVERED)).isEqualTo(1);
    assertThat(count(RETRIED)).isEqualTo(2);
    assertThat(count(FAILED)).isZero();
    // every attempt carries the same delivery id, so the receiver can drop duplicates
    assertThat(receiver.requests().stream().map(r -> r.headers().get("X-Docker-Cleaner-Delivery")).distinct())
        .hasSize(1);
  }

  @Test
  void failsAfterThreeAttemptsAndLogsNoCredentials(Vertx vertx) throws Exception {
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    Logger logger = (Logger) LoggerFactory.getLogger(WebhookNotifier.class);
    logs.start();
    logger.addAppender(logs);
    try {
      Receiver receiver = Receiver.answering(vertx, 500);
      String url = receiver.url("/hooks/T0KEN?key=abc123").toString().replace("//", "//alice:s3cret@");
      start(vertx, settings(url, "WEBHOOK_SECRET", "hush-hush"));

      notifier.notify(Notices.partial());
      flush();

      assertThat(receiver.requests()).hasSize(3);
      assertThat(outcomes).containsExactly(RETRIED, RETRIED, FAILED);
      List<String> messages = logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
      assertThat(messages).anyMatch(m -> m.contains("failed after 3 attempt(s)") && m.contains("HTTP 500"));
      assertThat(messages).anyMatch(m -> m.contains(UrlMasking.forLog(receiver.url("/"))));
      assertThat(String.join("\n", messages)).doesNotContain("T0KEN", "abc123", "alice", "s3cret", "hush-hush");
    } finally {
      logger.detachAppender(logs);
    }
  }

  @Test
  void stalledReceiverTimesOutAndCountsFailed(Vertx vertx) throws Exception {
    Receiver receiver = Receiver.answering(vertx, Receiver.STALL);
    start(vertx, settings(receiver.url("/hook").toString(), "WEBHOOK_TIMEOUT", "100ms"));

    notifier.notify(Notices.partial());
    flush();

    assertThat(receiver.requests()).hasSize(3);
    assertThat(outcomes).containsExactly(RETRIED, RETRIED, FAILED);
  }

  @Test
  void notifyReturnsWhileTheReceiverStallsAndFlushGivesUpAtItsLimit(Vertx vertx) throws Exception {
    Receiver receiver = Receiver.answering(vertx, Receiver.STALL);
    start(vertx, settings(receiver.url("/hook").toString(), "WEBHOOK_TIMEOUT", "10m"));

    // would hang this test (10 minutes per attempt) if notify waited for the delivery
    notifier.notify(Notices.partial());
    await().atMost(PATIENCE).until(() -> receiver.requests().size() == 1);
    notifier.flush(Duration.ofMillis(50)).await(60, TimeUnit.SECONDS);

    assertThat(outcomes).isEmpty();
    notifier.close().await(60, TimeUnit.SECONDS);
    assertThat(outcomes).containsExactly(FAILED);
  }

  @Test
  void signsTheExactBodyWhenASecretIsSet(Vertx vertx) throws Exception {
    Receiver receiver = Receiver.answering(vertx, 200);
    start(vertx, settings(receiver.url("/hook").toString(), "WEBHOOK_SECRET", "s3cret"));

    notifier.notify(Notices.partial());
    flush();

    Receiver.Received got = receiver.requests().get(0);
    assertThat(got.headers().get("X-Docker-Cleaner-Signature"))
        .isEqualTo(WebhookSignature.sign(got.body().getBytes(), "s3cret"))
        .isNotEqualTo(WebhookSignature.sign(got.body().getBytes(), "other"));
    assertThat(got.headers().get("X-Docker-Cleaner-Event")).isEqualTo("run_partial");
  }

  @Test
  void sendsNoSignatureWithoutSecret(Vertx vertx) throws Exception {
    Receiver receiver = Receiver.answering(vertx, 200);
    start(vertx, settings(receiver.url("/hook").toString()));

    notifier.notify(Notices.partial());
    flush();

    assertThat(receiver.requests()).hasSize(1);
    assertThat(receiver.requests().get(0).headers().contains("X-Docker-Cleaner-Signature")).isFalse();
  }

  @Test
  void runSucceededIsNotSentByDefault(Vertx vertx) throws Exception {
    Receiver receiver = Receiver.answering(vertx, 200);
    start(vertx, settings(receiver.url("/hook").toString()));

    notifier.notify(Notices.of(WebhookEvent.RUN_SUCCEEDED, "r-1", "succeeded"));
    notifier.notify(Notices.of(WebhookEvent.RUN_FAILED, "r-2", "failed"));
    flush();

    assertThat(receiver.requests()).extracting(r -> r.json().getString("event")).containsExactly("run_failed");
  }

  @Test
  void runSucceededIsSentWhenConfigured(Vertx vertx) throws Exception {
    Receiver receiver = Receiver.answering(vertx, 200);
    start(vertx, settings(receiver.url("/hook").toString(), "WEBHOOK_EVENTS", "run_succeeded"));

    notifier.notify(Notices.of(WebhookEvent.RUN_SUCCEEDED, "r-1", "succeeded"));
    notifier.notify(Notices.of(WebhookEvent.RUN_FAILED, "r-2", "failed"));
    flush();

    assertThat(receiver.requests()).extracting(r -> r.json().getString("event")).containsExactly("run_succeeded");
  }

  @Test
  void fullQueueDropsTheOldestWaitingNotice(Vertx vertx) throws Exception {
    Receiver receiver = Receiver.answering(vertx, Receiver.STALL);
    start(vertx, settings(receiver.url("/hook").toString(), "WEBHOOK_TIMEOUT", "10m"),
        new WebhookNotifierOptions().setQueueCapacity(1));

    notifier.notify(Notices.of(WebhookEvent.RUN_FAILED, "r-1", "failed"));
    await().atMost(PATIENCE).until(() -> receiver.requests().size() == 1); // r-1 in flight
    notifier.notify(Notices.of(WebhookEvent.RUN_FAILED, "r-2", "failed")); // waits
    notifier.notify(Notices.of(WebhookEvent.RUN_FAILED, "r-3", "failed")); // pushes r-2 out

    await().atMost(PATIENCE).until(() -> count(DROPPED) == 1);
    assertThat(outcomes).containsExactly(DROPPED);
  }

  @Test
  void everyUrlReceivesTheNotice(Vertx vertx) throws Exception {
    Receiver first = Receiver.answering(vertx, 200);
    Receiver second = Receiver.answering(vertx, 202);
    start(vertx, settings(first.url("/a") + "," + second.url("/b")));

    notifier.notify(Notices.partial());
    flush();

    assertThat(first.requests()).hasSize(1);
    assertThat(second.requests()).hasSize(1);
    assertThat(first.requests().get(0).body()).isEqualTo(second.requests().get(0).body());
    assertThat(outcomes).containsExactly(DELIVERED, DELIVERED);
  }

  @Test
  void aStalledUrlDelaysOnlyItsOwnNotices(Vertx vertx) throws Exception {
    Receiver stalled = Receiver.answering(vertx, Receiver.STALL);
    Receiver healthy = Receiver.answering(vertx, 200);
    start(vertx, settings(stalled.url("/a") + "," + healthy.url("/b"), "WEBHOOK_TIMEOUT", "10m"));

    notifier.notify(Notices.of(WebhookEvent.RUN_FAILED, "r-1", "failed"));
    notifier.notify(Notices.of(WebhookEvent.RUN_FAILED, "r-2", "failed"));
    notifier.notify(Notices.of(WebhookEvent.RUN_FAILED, "r-3", "failed"));

    // the stalled URL holds r-1 for 10 minutes; the healthy one gets all three meanwhile
    await().atMost(PATIENCE).until(() -> healthy.requests().size() == 3);
    assertThat(healthy.requests()).extracting(r -> r.body().toString().contains("r-1") ? 1 : r.body().toString().contains("r-2") ? 2 : 3)
        .containsExactly(1, 2, 3);
    assertThat(stalled.requests()).hasSize(1);
    assertThat(outcomes).containsExactly(DELIVERED, DELIVERED, DELIVERED);
  }

  @Test
  void eachTargetGetsItsOwnFormatEventsAndSecret(Vertx vertx) throws Exception {
    Receiver receiver = Receiver.answering(vertx, 200);
    java.nio.file.Path secretFile = java.nio.file.Files.createTempFile("dc-hook-secret", ".txt");
    try {
      java.nio.file.Files.writeString(secretFile, "file-secret\n");
      start(vertx, Map.of("WEBHOOK_TIMEOUT", "30s", "WEBHOOK_SECRET", "env-secret", "NOTIFY_TARGETS",
          "[\"slack+" + receiver.url("/slack") + "#events=run_failed\","
              + "{\"url\":\"" + receiver.url("/discord") + "\",\"format\":\"discord\",\"events\":[\"run_partial\"]},"
              + "{\"url\":\"" + receiver.url("/teams") + "\",\"format\":\"teams\",\"events\":\"run_partial,run_failed\"},"
              + "{\"url\":\"" + receiver.url("/signed-by-file") + "\",\"secret_file\":\"" + secretFile + "\","
              + "\"events\":[\"run_partial\"]},"
              + "\"" + receiver.url("/signed-by-env") + "#events=run_partial\"]"));

      notifier.notify(Notices.partial());
      flush();

      Map<String, Receiver.Received> byPath = new HashMap<>();
      receiver.requests().forEach(r -> byPath.put(r.uri(), r));
      assertThat(byPath).as("slack only wants run_failed").containsOnlyKeys("/discord", "/teams", "/signed-by-file",
          "/signed-by-env");
      assertThat(byPath.get("/discord").json().getJsonArray("embeds")).hasSize(1);
      assertThat(byPath.get("/teams").json().getString("type")).isEqualTo("message");
      assertThat(byPath.get("/discord").headers().contains("X-Docker-Cleaner-Signature")).isFalse();
      Receiver.Received byFile = byPath.get("/signed-by-file");
      assertThat(byFile.headers().get("X-Docker-Cleaner-Signature"))
          .isEqualTo(WebhookSignature.sign(byFile.body().getBytes(), "file-secret"));
      Receiver.Received byEnv = byPath.get("/signed-by-env");
      assertThat(byEnv.headers().get("X-Docker-Cleaner-Signature"))
          .isEqualTo(WebhookSignature.sign(byEnv.body().getBytes(), "env-secret"));
      assertThat(byEnv.headers().get("X-Docker-Cleaner-Delivery"))
          .as("one delivery id per notice across targets").isEqualTo(byFile.headers().get("X-Docker-Cleaner-Delivery"));
      assertThat(outcomes).containsExactly(DELIVERED, DELIVERED, DELIVERED, DELIVERED);

      notifier.notify(Notices.of(WebhookEvent.RUN_FAILED, "r-2", "failed"));
      flush();
      assertThat(receiver.requests()).hasSize(6);
      assertThat(receiver.requests().subList(4, 6)).extracting(Receiver.Received::uri).as("run_failed")
          .containsExactlyInAnyOrder("/slack", "/teams");
    } finally {
      java.nio.file.Files.deleteIfExists(secretFile);
    }
  }

  @Test
  void aTargetWhoseSecretFileCannotBeReadFailsAloneAndSaysWhy(Vertx vertx) throws Exception {
    Receiver receiver = Receiver.answering(vertx, 200);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    Logger logger = (Logger) LoggerFactory.getLogger(WebhookNotifier.class);
    logs.start();
    logger.addAppender(logs);
    try {
      start(vertx, Map.of("WEBHOOK_TIMEOUT", "30s", "NOTIFY_TARGETS",
          "[\"" + receiver.url("/ok") + "\",{\"name\":\"broken\",\"url\":\"" + receiver.url("/broken")
              + "\",\"secret_file\":\"/nonexistent/dc-secret\"}]"),
          new WebhookNotifierOptions().setMaxAttempts(1));

      notifier.notify(Notices.partial());
      flush();

      assertThat(receiver.requests()).extracting(Receiver.Received::uri).containsExactly("/ok");
      assertThat(outcomes).containsExactlyInAnyOrder(DELIVERED, FAILED);
      assertThat(logs.list).extracting(ILoggingEvent::getFormattedMessage)
          .anySatisfy(m -> assertThat(m).contains("broken secret_file '/nonexistent/dc-secret' cannot be read"))
          .anySatisfy(m -> assertThat(m).contains("run_partial to broken failed after 1 attempt(s)"));
    } finally {
      logger.detachAppender(logs);
    }
  }

  @Test
  void userInfoOfTheUrlBecomesBasicAuthorization(Vertx vertx) throws Exception {
    Receiver receiver = Receiver.answering(vertx, 200);
    start(vertx, settings(receiver.url("/hook").toString().replace("//", "//alice:s3cret@")));

    notifier.notify(Notices.partial());
    flush();

    String expected =
        "Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
    assertThat(receiver.requests().get(0).headers().get("Authorization")).isEqualTo(expected);
  }

  @Test
  void notifyNeverThrowsAndNoticesAfterCloseAreDropped(Vertx vertx) throws Exception {
    Receiver receiver = Receiver.answering(vertx, 200);
    start(vertx, settings(receiver.url("/hook").toString()));
    notifier.close().await(60, TimeUnit.SECONDS);

    notifier.notify(null);
    notifier.notify(Notices.partial());
    notifier.flush(PATIENCE).await(60, TimeUnit.SECONDS);

    await().atMost(PATIENCE).until(() -> count(DROPPED) == 1);
    assertThat(receiver.requests()).isEmpty();
  }

  @Test
  void withoutUrlsNotifyAndFlushDoNothing(Vertx vertx) throws Exception {
    start(vertx, Map.of());

    notifier.notify(Notices.partial());
    flush();

    assertThat(outcomes).isEmpty();
  }
}
