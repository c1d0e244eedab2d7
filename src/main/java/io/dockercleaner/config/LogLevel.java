package io.dockercleaner.config;

/** LOG_LEVEL: the lowest level that is logged. */
public enum LogLevel {
  DEBUG,
  INFO,
  WARN,
  ERROR
}
