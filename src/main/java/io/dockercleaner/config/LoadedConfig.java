package io.dockercleaner.config;

/**
 * The result of {@link SettingsLoader#load}: the command to run and the validated settings.
 *
 * @param command one of {@link SettingsLoader#COMMANDS}: run, agent, check, version, help
 * @param settings validated settings
 */
public record LoadedConfig(String command, Settings settings) {}
