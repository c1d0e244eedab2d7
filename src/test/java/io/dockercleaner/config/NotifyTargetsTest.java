package io.dockercleaner.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NOTIFY_TARGETS in its compact (environment) and list (YAML file) forms, and its errors. */
class NotifyTargetsTest {
  @TempDir
  Path dir;

  private static List<NotifyTarget> targets(Map<String, String> values) {
    return Settings.of(values).notifyTargets();
  }

  @Test
  void compactFormGivesEachTargetItsFormatAndEvents() {
    List<NotifyTarget> t = targets(Map.of(
        "WEBHOOK_URL", "https://hooks.example.com/generic",
        "WEBHOOK_SECRET", "s3cret",
        "NOTIFY_TARGETS", "slack+https://hooks.slack.com/services/T/B/X#events=run_failed,run_partial\n"
            + "  discord+https://discord.com/api/webhooks/1/abc   teams+https://example.webhook.office.com/x "
            + "https://plain.example.com/hook "
            + "smtp://cleaner@mail.example.com?from=cleaner@example.com&to=ops@example.com,dev@example.com"
            + "#events=run_failed",
        "SMTP_PASSWORD", "mail-pass"));

    assertThat(t).extracting(NotifyTarget::format).containsExactly(WebhookFormat.JSON, WebhookFormat.SLACK,
        WebhookFormat.DISCORD, WebhookFormat.TEAMS, WebhookFormat.JSON, WebhookFormat.EMAIL);
    Set<WebhookEvent> defaults = Settings.defaults().webhookEvents();
    assertThat(t.get(0).events()).isEqualTo(defaults);
    assertThat(t.get(1).events()).containsExactlyInAnyOrder(WebhookEvent.RUN_FAILED, WebhookEvent.RUN_PARTIAL);
    assertThat(t.get(2).events()).isEqualTo(defaults);
    assertThat(t.get(1).url().toString()).as("the fragment is ours, never sent")
        .isEqualTo("https://hooks.slack.com/services/T/B/X");
    // WEBHOOK_SECRET signs json targets only
    assertThat(t.get(0).secret()).contains("s3cret");
    assertThat(t.get(4).secret()).contains("s3cret");
    assertThat(t.get(1).secret()).isEmpty();
    NotifyTarget.Email mail = t.get(5).email().orElseThrow();
    assertThat(mail.host()).isEqualTo("mail.example.com");
    assertThat(mail.port()).isEqualTo(587);
    assertThat(mail.tls()).isEqualTo(NotifyTarget.SmtpTls.STARTTLS);
    assertThat(mail.username()).contains("cleaner");
    assertThat(mail.password()).as("SMTP_PASSWORD for a user without one").contains("mail-pass");
    assertThat(mail.from()).isEqualTo("cleaner@example.com");
    assertThat(mail.to()).containsExactly("ops@example.com", "dev@example.com");
    assertThat(t.get(5).events()).containsExactly(WebhookEvent.RUN_FAILED);
    assertThat(t.get(5).logName()).isEqualTo("email smtp://mail.example.com");
    assertThat(t.get(1).logName()).isEqualTo("slack https://hooks.slack.com");
  }

  @Test
  void smtpsIsTlsOnPort465AndTlsNoneIsPlainOnPort25() {
    List<NotifyTarget> t = targets(Map.of("NOTIFY_TARGETS",
        "smtps://mail.example.com?from=a@example.com&to=b@example.com "
            + "smtp://relay.local?from=a@example.com&to=b@example.com&tls=none"));
    assertThat(t.get(0).email().orElseThrow().tls()).isEqualTo(NotifyTarget.SmtpTls.TLS);
    assertThat(t.get(0).email().orElseThrow().port()).isEqualTo(465);
    assertThat(t.get(1).email().orElseThrow().tls()).isEqualTo(NotifyTarget.SmtpTls.NONE);
    assertThat(t.get(1).email().orElseThrow().port()).isEqualTo(25);
    assertThat(t.get(1).email().orElseThrow().username()).isEmpty();
  }

  @Test
  void yamlListGivesPerTargetSecretsAndMailSettings() throws IOException {
    Path file = dir.resolve("c.yaml");
    Files.writeString(file, """
        webhook_events: run_failed
        notify_targets:
          - name: ops-slack
            format: slack
            url: https://hooks.slack.com/services/T/B/X
            events: [run_failed, target_not_reached]
          - name: signed
            url: https://hooks.example.com/x
            secret_file: /run/secrets/hook
          - name: mail
            url: smtps://mail.example.com:2465
            username: cleaner
            password_file: /run/secrets/smtp
            from: cleaner@example.com
            to: [ops@example.com]
            ca_file: /etc/ssl/private-ca.pem
            events: run_succeeded,run_failed
          - discord+https://discord.com/api/webhooks/1/abc
        """);
    List<NotifyTarget> t = SettingsLoader.load(List.of("--config", file.toString()), Map.of()).settings().notifyTargets();

    assertThat(t).extracting(NotifyTarget::name).containsExactly("ops-slack", "signed", "mail", "");
    assertThat(t.get(0).events()).containsExactlyInAnyOrder(WebhookEvent.RUN_FAILED, WebhookEvent.TARGET_NOT_REACHED);
    assertThat(t.get(1).secretFile()).contains(Path.of("/run/secrets/hook"));
    assertThat(t.get(1).events()).as("webhook_events as the default").containsExactly(WebhookEvent.RUN_FAILED);
    NotifyTarget.Email mail = t.get(2).email().orElseThrow();
    assertThat(mail.port()).isEqualTo(2465);
    assertThat(mail.tls()).isEqualTo(NotifyTarget.SmtpTls.TLS);
    assertThat(mail.passwordFile()).contains(Path.of("/run/secrets/smtp"));
    assertThat(mail.password()).isEmpty();
    assertThat(mail.caFile()).contains(Path.of("/etc/ssl/private-ca.pem"));
    assertThat(t.get(2).events()).containsExactlyInAnyOrder(WebhookEvent.RUN_SUCCEEDED, WebhookEvent.RUN_FAILED);
    assertThat(t.get(3).format()).isEqualTo(WebhookFormat.DISCORD);
    assertThat(t.get(2).logName()).isEqualTo("mail");
  }

  @Test
  void errorsNameTheEntryAndWhatWasExpectedWithoutCredentials() {
    assertThatThrownBy(() -> targets(Map.of("NOTIFY_TARGETS",
        "matrix+https://m.example.com/hook/tok3n "
            + "slack+smtp://mail.example.com "
            + "smtp://mail.example.com?to=ops@example.com "
            + "smtp://u:pw-sekret@mail.example.com?from=a@example.com&to=b@example.com&tls=none "
            + "https://x.example.com/path#only=run_failed "
            + "https://y.example.com/p#events=run_exploded")))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactly(
            "NOTIFY_TARGETS entry 1 (https://m.example.com/***): unknown format 'matrix' (expected json, slack,"
                + " discord, teams or email)",
            "NOTIFY_TARGETS entry 2 (smtp://mail.example.com): format slack needs an http or https URL, got smtp://"
                + " (smtp:// and smtps:// URLs are email targets)",
            "NOTIFY_TARGETS entry 3 (smtp://mail.example.com/***): 'from' is missing (expected e.g."
                + " from=cleaner@example.com)",
            "NOTIFY_TARGETS entry 4 (smtp://***@mail.example.com/***): tls=none would send the password in clear"
                + " text; use starttls or tls",
            "NOTIFY_TARGETS entry 5 (https://x.example.com/***): unknown option after '#' (expected"
                + " #events=EVENT,EVENT)",
            "NOTIFY_TARGETS entry 6 (https://y.example.com/***): events: invalid value 'run_exploded' (unknown"
                + " event 'run_exploded'; expected a comma-separated subset of run_failed, run_partial,"
                + " target_not_reached, threshold_crossed, run_succeeded)"))
        .message().doesNotContain("tok3n").doesNotContain("pw-sekret");
  }

  @Test
  void yamlErrorsNameTheEntryByNumberAndName() throws IOException {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, """
        notify_targets:
          - name: mail
            url: smtp://mail.example.com
            from: cleaner@example.com
            to: [ops@example.com]
            username: cleaner
          - name: hook
            url: https://hooks.example.com/x
            reciever: ops@example.com
          - name: hook2
            format: teams
            url: https://teams.example.com/x
            secret: abc
          - name: hook2
            url: https://hooks.example.com/y
        """);
    assertThatThrownBy(() -> SettingsLoader.load(List.of("--config", file.toString()), Map.of()))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactly(
            "config file " + file + ": notify_targets entry 1 ('mail'): user 'cleaner' has no password (set"
                + " SMTP_PASSWORD, SMTP_PASSWORD_FILE, or the target's password_file)",
            "config file " + file + ": notify_targets entry 2 ('hook'): unknown key 'reciever' (known keys: name,"
                + " format, url, events, secret, secret_file, from, to, username, password, password_file, tls,"
                + " ca_file)",
            "config file " + file + ": notify_targets entry 3 ('hook2'): 'secret' does not apply to format teams"
                + " (the signature header is sent with format json only)"));
  }

  @Test
  void duplicateNamesAreRefused() {
    assertThatThrownBy(() -> targets(Map.of("NOTIFY_TARGETS",
        "[{\"name\":\"a\",\"url\":\"https://x.example.com\"},{\"name\":\"a\",\"url\":\"https://y.example.com\"}]")))
        .hasMessageContaining("NOTIFY_TARGETS: target name 'a' given twice");
  }

  @Test
  void isRefusedAsAFlagAndMaskedInTheEffectiveSettings() {
    assertThatThrownBy(() -> SettingsLoader.load(List.of("--notify-targets", "https://h.example.com/t0ken"), Map.of()))
        .hasMessageContaining("--notify-targets: NOTIFY_TARGETS is a secret and is not accepted as a command-line"
            + " flag")
        .message().doesNotContain("t0ken");
    assertThatThrownBy(() -> SettingsLoader.load(List.of("--smtp-password=pw"), Map.of()))
        .hasMessageContaining("SMTP_PASSWORD_FILE");

    Settings s = Settings.of(Map.of("NOTIFY_TARGETS",
        "slack+https://hooks.slack.com/services/T/B/X smtp://u:pw@mail.example.com?from=a@b.c&to=d@e.f"));
    assertThat(s.effective().get("NOTIFY_TARGETS"))
        .isEqualTo("slack+https://hooks.slack.com/*** smtp://***@mail.example.com/***");
    Settings list = Settings.of(Map.of("NOTIFY_TARGETS",
        "[{\"url\":\"https://h.example.com/t0ken\",\"secret\":\"s\"},\"teams+https://t.example.com/x\"]"));
    assertThat(list.effective().get("NOTIFY_TARGETS"))
        .isEqualTo("[{\"url\":\"https://h.example.com/***\",\"secret\":\"***\"},\"teams+https://t.example.com/***\"]");
    assertThat(list.toString()).doesNotContain("t0ken");
  }

  @Test
  void secretFilesOfTargetsAreCheckedAtStart() throws IOException {
    Path empty = Files.createFile(dir.resolve("empty"));
    Settings s = Settings.of(Map.of(
        "SMTP_PASSWORD_FILE", dir.resolve("missing").toString(),
        "NOTIFY_TARGETS", "[{\"name\":\"signed\",\"url\":\"https://h.example.com\",\"secret_file\":\"" + empty + "\"},"
            + "{\"url\":\"smtp://mail.example.com?from=a@example.com&to=b@example.com\",\"ca_file\":\""
            + dir.resolve("ca.pem") + "\"}]"));

    assertThat(StartupChecks.check("run", s)).containsExactly(
        "SMTP_PASSWORD_FILE: '" + dir.resolve("missing") + "' does not exist (expected a file holding the password)",
        "NOTIFY_TARGETS target signed secret_file: '" + empty + "' is empty (expected the secret)",
        "NOTIFY_TARGETS target email smtp://mail.example.com ca_file: '" + dir.resolve("ca.pem")
            + "' does not exist (expected a file holding PEM certificates)");
  }

  @Test
  void webhookFormatTeamsAppliesToWebhookUrls() {
    List<NotifyTarget> t = targets(Map.of("WEBHOOK_URL", "https://a.example.com,https://b.example.com",
        "WEBHOOK_FORMAT", "teams", "WEBHOOK_SECRET", "x"));
    assertThat(t).extracting(NotifyTarget::format).containsOnly(WebhookFormat.TEAMS);
    assertThat(t).extracting(NotifyTarget::secret).containsOnly(Optional.empty());
  }
}
