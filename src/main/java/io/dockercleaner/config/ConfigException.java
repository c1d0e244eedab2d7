package io.dockercleaner.config;

import java.util.List;
import java.util.Optional;

/**
 * Invalid configuration. Carries every error found (one per line in {@link #getMessage()}), each
 * naming the input as the user wrote it: the variable ({@code PRUNE_ALL}), the flag
 * ({@code --prune-all}) or the config file and key ({@code config file F: prune_all}).
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final List<String> errors;
  private final transient Optional<String> command;

  /** One error. */
  public ConfigException(String error) {
    this(List.of(error), null);
  }

  /**
   * Several errors, in the order found.
   *
   * @param command the command that was parsed from the arguments, or null when unknown; lets
   *     {@code help}/{@code version} still be served when the rest of the configuration is bad
   */
  public ConfigException(List<String> errors, String command) {
    super(String.join("\n", errors));
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one error");
    }
    this.errors = List.copyOf(errors);
    this.command = Optional.ofNullable(command);
  }

  /** Every error, one message each. */
  public List<String> errors() {
    return errors;
  }

  /** The command parsed from the arguments, when the arguments got that far. */
  public Optional<String> command() {
    return command;
  }
}
