package io.dockercleaner.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dockercleaner.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a docker CLI context as {@code docker --context NAME} does: the store under
 * {@code $DOCKER_CONFIG} (default {@code ~/.docker}) keeps each context in {@code
 * contexts/meta/<sha256 of the name>/meta.json} (its {@code Endpoints.docker.Host}) and its TLS
 * material in {@code contexts/tls/<sha256>/docker/} ({@code ca.pem}, {@code cert.pem}, {@code
 * key.pem}). Read once at start; a missing or unreadable context is a configuration error.
 */
final class DockerContexts {
  private DockerContexts() {}

  /**
   * The settings a context stands for: DOCKER_HOST and, when it has TLS material,
   * DOCKER_TLS_VERIFY and DOCKER_CERT_PATH.
   *
   * @param where the entry that names it, for messages
   * @throws ConfigException naming the entry and the context
   */
  static Map<String, String> resolve(String where, String context, Map<String, String> env) {
    Path store = store(env).resolve("contexts");
    String id = sha256(context);
    Path meta = store.resolve("meta").resolve(id).resolve("meta.json");
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(Files.readString(meta, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      throw new ConfigException(where + ": docker context '" + context + "' not found (no " + meta
          + "; `docker context ls` lists the contexts)");
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(where + ": cannot read docker context '" + context + "' (" + meta + ": " + e.getMessage()
          + ")");
    }
    String host = root.path("Endpoints").path("docker").path("Host").asText("");
    if (host.isEmpty()) {
      throw new ConfigException(where + ": docker context '" + context + "' has no docker endpoint Host in " + meta);
    }
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("DOCKER_HOST", host);
    Path tls = store.resolve("tls").resolve(id).resolve("docker");
    if (Files.isRegularFile(tls.resolve("ca.pem")) || Files.isRegularFile(tls.resolve("cert.pem"))) {
      settings.put("DOCKER_TLS_VERIFY", "true");
      settings.put("DOCKER_CERT_PATH", tls.toString());
    }
    return settings;
  }

  private static Path store(Map<String, String> env) {
    String config = env.get("DOCKER_CONFIG");
    if (config != null && !config.isBlank()) {
      return Path.of(config);
    }
    String home = env.getOrDefault("HOME", System.getProperty("user.home"));
    return Path.of(home, ".docker");
  }

  static String sha256(String name) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
