package io.dockercleaner.config;

/** Where a setting's effective value came from; later constants win over earlier ones. */
public enum ValueSource {
  DEFAULT,
  FILE,
  ENV,
  FLAG
}
