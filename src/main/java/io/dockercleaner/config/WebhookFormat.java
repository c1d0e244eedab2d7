package io.dockercleaner.config;

/**
 * The format of a notification target: a webhook body (json, slack, discord, teams) or an e-mail.
 * WEBHOOK_FORMAT takes the webhook ones; NOTIFY_TARGETS takes all.
 */
public enum WebhookFormat {
  /** docker-cleaner's own JSON body, HMAC-signed when a secret is set. */
  JSON,
  /** Slack incoming webhook: Block Kit message with a text fallback. */
  SLACK,
  /** Discord webhook: one embed, mentions disabled. */
  DISCORD,
  /** Microsoft Teams (Workflows) webhook: an Adaptive Card message. */
  TEAMS,
  /** E-mail over SMTP: plain text and HTML parts. */
  EMAIL;

  /** The lower-case name used in the configuration. */
  public String configName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Whether targets of this format are HTTP URLs (all but {@link #EMAIL}). */
  public boolean isWebhook() {
    return this != EMAIL;
  }
}
