package io.dockercleaner.config;

import java.util.Locale;

/** The events WEBHOOK_EVENTS may subscribe to; {@link #configName()} is the name used there. */
public enum WebhookEvent {
  RUN_FAILED,
  RUN_PARTIAL,
  TARGET_NOT_REACHED,
  THRESHOLD_CROSSED,
  /** The disk is forecast to fill within FORECAST_ALERT (once per episode). */
  DISK_FORECAST,
  RUN_SUCCEEDED;

  /** The lower-case name used in WEBHOOK_EVENTS and in payloads, e.g. {@code run_failed}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
