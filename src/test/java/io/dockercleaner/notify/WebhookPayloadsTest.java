package io.dockercleaner.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.config.WebhookEvent;
import io.dockercleaner.config.WebhookFormat;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookPayloadsTest {
  @Test
  void summaryReadsLikeTheIssueExample() {
    assertThat(WebhookPayloads.summary(Notices.partial()))
        .isEqualTo(
            "docker-cleaner on build-7: run r-123 (threshold) partial — removed 12 images, "
                + "3 containers; 4.2 GB reclaimed; disk 91% → 74%; 1 error");
  }

  @Test
  void summaryOfADryRunSaysWouldRemove() {
    RunNotice n =
        new RunNotice(WebhookEvent.RUN_SUCCEEDED, "h", "r-1", "oneshot", "succeeded",
            Map.of("volume", 1L), 2048, RunNotice.UNKNOWN_BYTES, null, null, null, null, null, true);

    assertThat(WebhookPayloads.summary(n))
        .isEqualTo("docker-cleaner on h: run r-1 (oneshot) succeeded [dry run] — would remove 1 volume;"
            + " 2.0 kB reclaimable");
  }

  @Test
  void summaryWithoutRunNamesTheEvent() {
    RunNotice n =
        new RunNotice(WebhookEvent.THRESHOLD_CROSSED, "h", null, null, null, null, 0, -1, 0.93,
            null, null, null, null, false);

    assertThat(WebhookPayloads.summary(n))
        .isEqualTo("docker-cleaner on h: threshold crossed — removed nothing; 0 B reclaimed; disk 93%");
  }

  @Test
  void jsonPayloadHasEveryField() {
    JsonObject json = WebhookPayloads.json(Notices.partial());

    assertThat(json.getString("event")).isEqualTo("run_partial");
    assertThat(json.getString("host")).isEqualTo("build-7");
    assertThat(json.getString("run_id")).isEqualTo("r-123");
    assertThat(json.getString("trigger")).isEqualTo("threshold");
    assertThat(json.getString("outcome")).isEqualTo("partial");
    assertThat(json.getBoolean("dry_run")).isFalse();
    JsonObject removed = json.getJsonObject("removed");
    assertThat(List.copyOf(removed.fieldNames()))
        .containsExactly("container", "image", "volume", "network", "build_cache");
    assertThat(removed.getLong("container")).isEqualTo(3L);
    assertThat(removed.getLong("image")).isEqualTo(12L);
    assertThat(removed.getLong("volume")).isZero();
    assertThat(removed.getLong("build_cache")).isZero();
    assertThat(json.getLong("reclaimed_bytes_reported")).isEqualTo(4_300_000_000L);
    assertThat(json.getLong("freed_bytes_measured")).isEqualTo(4_200_000_000L);
    assertThat(json.getJsonObject("disk").getDouble("used_ratio_before")).isEqualTo(0.91);
    assertThat(json.getJsonObject("disk").getDouble("used_ratio_after")).isEqualTo(0.74);
    assertThat(json.getString("started_at")).isEqualTo("2026-11-28T10:00:00Z");
    assertThat(json.getString("finished_at")).isEqualTo("2026-11-28T10:00:12.500Z");
    assertThat(json.getDouble("duration_seconds")).isEqualTo(12.5);
    assertThat(json.getJsonArray("errors")).hasSize(1);
    assertThat(json.getJsonArray("errors").getString(0))
        .isEqualTo("image sha256:abc: conflict: image is being used by running container");
    assertThat(json.getString("summary")).isEqualTo(WebhookPayloads.summary(Notices.partial()));
  }

  @Test
  void jsonPayloadGivesNullForUnknownValues() {
    RunNotice n =
        new RunNotice(WebhookEvent.RUN_FAILED, "h", "r-2", "api", "failed", null, 0,
            RunNotice.UNKNOWN_BYTES, null, null, null, null, null, false);

    JsonObject json = WebhookPayloads.json(n);

    assertThat(json.containsKey("freed_bytes_measured")).isTrue();
    assertThat(json.getValue("freed_bytes_measured")).isNull();
    assertThat(json.getJsonObject("disk").getValue("used_ratio_before")).isNull();
    assertThat(json.getValue("started_at")).isNull();
    assertThat(json.getValue("duration_seconds")).isNull();
    assertThat(json.getJsonArray("errors")).isEmpty();
  }

  @Test
  void slackPayloadHasTextAndBlocks() {
    JsonObject slack = WebhookPayloads.slack(Notices.partial());

    assertThat(slack.getString("text")).isEqualTo(WebhookPayloads.summary(Notices.partial()));
    JsonArray blocks = slack.getJsonArray("blocks");
    assertThat(blocks).hasSize(4);
    JsonObject header = blocks.getJsonObject(0);
    assertThat(header.getString("type")).isEqualTo("header");
    assertThat(header.getJsonObject("text").getString("type")).isEqualTo("plain_text");
    assertThat(header.getJsonObject("text").getString("text")).isEqualTo("⚠️ build-7: run partial");
    JsonObject first = blocks.getJsonObject(1);
    assertThat(first.getString("type")).isEqualTo("section");
    assertThat(first.getJsonObject("text").getString("type")).isEqualTo("mrkdwn");
    assertThat(first.getJsonObject("text").getString("text")).contains("run r-123 (threshold) partial");
    JsonArray fields = blocks.getJsonObject(2).getJsonArray("fields");
    List<String> fieldTexts = fields.stream().map(f -> ((JsonObject) f).getString("text")).toList();
    assertThat(fieldTexts)
        .contains("*Event*\nrun_partial", "*Outcome*\npartial", "*Removed*\n12 images, 3 containers",
            "*Reclaimed (reported)*\n4.3 GB", "*Freed (measured)*\n4.2 GB", "*Disk used*\n91% → 74%",
            "*Duration*\n12.5 s");
    assertThat(fields.size()).isLessThanOrEqualTo(10);
    assertThat(blocks.getJsonObject(3).getJsonObject("text").getString("text"))
        .startsWith("*Errors*\n• image sha256:abc");
    JsonObject attachment = slack.getJsonArray("attachments").getJsonObject(0);
    assertThat(attachment.getString("color")).as("amber for partial").isEqualTo("#ECB22E");
    assertThat(attachment.getString("fallback")).isEqualTo(slack.getString("text"));
  }

  @Test
  void discordPayloadIsOneColouredEmbedThatMentionsNobody() {
    JsonObject discord = WebhookPayloads.discord(Notices.partial());

    JsonObject embed = discord.getJsonArray("embeds").getJsonObject(0);
    assertThat(embed.getString("title")).isEqualTo("⚠️ build-7: run partial");
    assertThat(embed.getInteger("color")).as("amber").isEqualTo(0xECB22E);
    assertThat(embed.getString("description")).isEqualTo(WebhookPayloads.summary(Notices.partial()));
    assertThat(embed.getString("timestamp")).isEqualTo("2026-11-28T10:00:12.500Z");
    List<String> names = embed.getJsonArray("fields").stream().map(f -> ((JsonObject) f).getString("name")).toList();
    assertThat(names).containsExactly("Event", "Outcome", "Trigger", "Run", "Removed", "Reclaimed (reported)",
        "Freed (measured)", "Disk used", "Duration", "Errors");
    assertThat(discord.getJsonObject("allowed_mentions").getJsonArray("parse")).isEmpty();
    assertThat(WebhookPayloads.discord(Notices.of(WebhookEvent.RUN_FAILED, "r-1", "failed"))
        .getJsonArray("embeds").getJsonObject(0).getInteger("color")).as("red").isEqualTo(0xE01E5A);
  }

  @Test
  void teamsPayloadIsAnAdaptiveCardMessage() {
    JsonObject teams = WebhookPayloads.teams(Notices.of(WebhookEvent.RUN_FAILED, "r-1", "failed"));

    assertThat(teams.getString("type")).isEqualTo("message");
    JsonObject attachment = teams.getJsonArray("attachments").getJsonObject(0);
    assertThat(attachment.getString("contentType")).isEqualTo("application/vnd.microsoft.card.adaptive");
    JsonObject card = attachment.getJsonObject("content");
    assertThat(card.getString("type")).isEqualTo("AdaptiveCard");
    assertThat(card.getString("version")).isEqualTo("1.4");
    JsonArray body = card.getJsonArray("body");
    assertThat(body.getJsonObject(0).getString("text")).isEqualTo("❌ build-7: run failed");
    assertThat(body.getJsonObject(0).getString("color")).isEqualTo("Attention");
    assertThat(body.getJsonObject(2).getJsonArray("facts").getJsonObject(0).getString("title")).isEqualTo("Event");
    assertThat(body.encode()).contains("• image sha256:abc: conflict");
  }

  @Test
  void emailHasSubjectTextAndEscapedHtml() {
    RunNotice n = new RunNotice(WebhookEvent.RUN_SUCCEEDED, "<b>host</b>", "r-9", "api", "succeeded",
        Map.of("image", 2L), 2_000_000, -1, null, null, null, null, List.of("x <script>"), true);

    assertThat(WebhookPayloads.emailSubject(n)).isEqualTo("[docker-cleaner] <b>host</b>: run succeeded (dry run)");
    assertThat(WebhookPayloads.emailText(n))
        .startsWith(WebhookPayloads.summary(n) + "\n\n")
        .contains("Removable:             2 images\n")
        .contains("Errors:\n  - x <script>\n");
    assertThat(WebhookPayloads.emailHtml(n))
        .contains("<h2 style=\"color:#2EB67D\">✅ &lt;b&gt;host&lt;/b&gt;: run succeeded (dry run)</h2>")
        .contains("<li>x &lt;script&gt;</li>")
        .doesNotContain("<script>").doesNotContain("<b>host");
  }

  @Test
  void slackTextEscapesControlCharacters() {
    RunNotice n =
        new RunNotice(WebhookEvent.RUN_FAILED, "<host&co>", "r-3", "api", "failed", null, 0, -1,
            null, null, null, null, List.of("<!channel> boom"), false);

    JsonObject slack = WebhookPayloads.slack(n);

    assertThat(slack.getString("text")).contains("&lt;host&amp;co&gt;").doesNotContain("<host");
    assertThat(slack.encode()).doesNotContain("<!channel>");
  }

  @Test
  void bodyFollowsTheFormat() {
    assertThat(WebhookPayloads.body(Notices.partial(), WebhookFormat.JSON).toJsonObject().getString("event"))
        .isEqualTo("run_partial");
    assertThat(WebhookPayloads.body(Notices.partial(), WebhookFormat.SLACK).toJsonObject().containsKey("blocks"))
        .isTrue();
  }

  @Test
  void humanBytesUsesDecimalUnits() {
    assertThat(WebhookPayloads.humanBytes(0)).isEqualTo("0 B");
    assertThat(WebhookPayloads.humanBytes(999)).isEqualTo("999 B");
    assertThat(WebhookPayloads.humanBytes(1000)).isEqualTo("1.0 kB");
    assertThat(WebhookPayloads.humanBytes(4_200_000_000L)).isEqualTo("4.2 GB");
    assertThat(WebhookPayloads.humanBytes(999_999_999L)).isEqualTo("1.0 GB");
  }
}
