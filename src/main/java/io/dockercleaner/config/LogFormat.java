package io.dockercleaner.config;

/** LOG_FORMAT: {@code text} (human lines) or {@code json} (one object per line). */
public enum LogFormat {
  TEXT,
  JSON;

  /** The lower-case name used in the configuration. */
  public String configName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
