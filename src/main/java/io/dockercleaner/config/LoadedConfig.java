package io.dockercleaner.config;

import java.util.Map;

/**
 * The result of {@link SettingsLoader#load}: the command to run, the validated settings and the
 * command's own options.
 *
 * @param command one of {@link SettingsLoader#COMMANDS}: run, agent, check, replay, version, help
 * @param settings validated settings
 * @param options the command's own options by name without {@code --} ({@code replay}: trace,
 *     policy, disk-bytes, high, low), as given; the command validates them
 */
public record LoadedConfig(String command, Settings settings, Map<String, String> options) {

  /** A command without options. */
  public LoadedConfig(String command, Settings settings) {
    this(command, settings, Map.of());
  }

  /** Copies the options. */
  public LoadedConfig {
    options = options == null ? Map.of() : Map.copyOf(options);
  }
}
