package io.dockercleaner.config;

/** WEBHOOK_FORMAT: plain JSON payload or a Slack-compatible message. */
public enum WebhookFormat {
  JSON,
  SLACK;

  /** The lower-case name used in the configuration. */
  public String configName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
