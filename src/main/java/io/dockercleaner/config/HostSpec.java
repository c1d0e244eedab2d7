package io.dockercleaner.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One Docker host of DOCKER_HOSTS: a name, where it is (an address or a docker CLI context) and
 * its own values of any cleanup setting.
 *
 * <p>Forms: compact, for the environment, {@code build1=tcp://10.0.0.5:2376,build2=unix:///x.sock,
 * ci=context:ci-runner} ({@code context:NAME} alone names the host after the context); or, in the
 * config file, a {@code hosts:} list of mappings with {@code name}, {@code docker_host} or {@code
 * context}, {@code docker_tls_verify}, {@code docker_cert_path} and any cleanup setting in lower
 * case ({@code prune_all: true}).
 *
 * @param name how logs, summaries and metrics call the host
 * @param dockerHost the address, or empty when {@code context} names it
 * @param context a docker CLI context to read the address and TLS material from, or empty
 * @param overrides the host's own values, by variable name (DOCKER_HOST etc. included)
 */
public record HostSpec(String name, Optional<String> dockerHost, Optional<String> context,
    Map<String, String> overrides) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  /** Settings a host may not set for itself: they are about the process, not the host. */
  static final Set<String> NOT_PER_HOST = Set.of("DOCKER_HOSTS", "HOST_CONCURRENCY", "LOG_LEVEL", "LOG_FORMAT",
      "QUIET", "HTTP_LISTEN", "API_TOKEN", "API_TOKEN_FILE", "API_TOKEN_FOR_READ", "API_OPEN_READ", "API_RATE_LIMIT",
      "DOCKER_SOCKET", "CLEANUP_USER", "NOTIFY_TARGETS", "SMTP_PASSWORD", "SMTP_PASSWORD_FILE", "WEBHOOK_SECRET");
  static final String COMPACT_EXPECTED = "expected comma-separated NAME=ADDRESS (unix://, tcp://, ssh://...),"
      + " NAME=context:CONTEXT or context:CONTEXT entries, or a hosts: list in the config file";

  /** Copies the overrides. */
  public HostSpec {
    overrides = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
  }

  /** DOCKER_HOSTS; empty when unset. */
  static List<HostSpec> parse(String label, String raw) {
    if (raw.isBlank()) {
      return List.of();
    }
    List<String> errors = new ArrayList<>();
    List<HostSpec> hosts = new ArrayList<>();
    if (raw.startsWith("[")) {
      JsonNode list;
      try {
        list = new ObjectMapper().readTree(raw);
      } catch (JsonProcessingException e) {
        throw new ConfigException(label + ": invalid list (" + e.getOriginalMessage() + "); " + COMPACT_EXPECTED);
      }
      int n = 0;
      for (JsonNode item : list) {
        n++;
        if (item.isTextual()) {
          compact(label + " entry " + n, item.asText().trim(), errors).ifPresent(hosts::add);
        } else if (item.isObject()) {
          mapping(label + " entry " + n, item, errors).ifPresent(hosts::add);
        } else {
          errors.add(label + " entry " + n + ": expected a mapping with name and docker_host or context, or a"
              + " compact NAME=ADDRESS entry");
        }
      }
    } else {
      int n = 0;
      for (String entry : raw.split(",", -1)) {
        n++;
        compact(label + " entry " + n, entry.trim(), errors).ifPresent(hosts::add);
      }
    }
    Set<String> names = new LinkedHashSet<>();
    for (HostSpec h : hosts) {
      if (!names.add(h.name())) {
        errors.add(label + ": host name '" + h.name() + "' given twice (names must be unique: logs and the summary"
            + " tell hosts apart by them)");
      }
    }
    if (!errors.isEmpty()) {
      throw new ConfigException(errors, null);
    }
    return List.copyOf(hosts);
  }

  private static Optional<HostSpec> compact(String where, String entry, List<String> errors) {
    if (entry.isEmpty()) {
      errors.add(where + ": empty entry; " + COMPACT_EXPECTED);
      return Optional.empty();
    }
    String name;
    String where2;
    int eq = entry.indexOf('=');
    int scheme = entry.indexOf("://");
    String value;
    if (entry.startsWith("context:")) {
      value = entry;
      name = entry.substring("context:".length());
    } else if (eq > 0 && (scheme < 0 || eq < scheme)) {
      name = entry.substring(0, eq).trim();
      value = entry.substring(eq + 1).trim();
    } else {
      errors.add(where + " '" + Secrets.maskUrlCredentials(entry) + "': no host name; " + COMPACT_EXPECTED);
      return Optional.empty();
    }
    where2 = where + " ('" + name + "')";
    Map<String, String> overrides = new LinkedHashMap<>();
    if (value.startsWith("context:")) {
      return build(where2, name, Optional.empty(), Optional.of(value.substring("context:".length())), overrides, errors);
    }
    return build(where2, name, Optional.of(value), Optional.empty(), overrides, errors);
  }

  private static Optional<HostSpec> mapping(String where, JsonNode node, List<String> errors) {
    JsonNode nameNode = node.get("name");
    if (nameNode == null || !nameNode.isTextual() || nameNode.asText().isBlank()) {
      errors.add(where + ": 'name' is missing");
      return Optional.empty();
    }
    String name = nameNode.asText().trim();
    String at = where + " ('" + name + "')";
    Optional<String> address = Optional.empty();
    Optional<String> context = Optional.empty();
    Map<String, String> overrides = new LinkedHashMap<>();
    int before = errors.size();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      String key = f.getKey();
      JsonNode v = f.getValue();
      if (key.equals("name")) {
        continue;
      }
      String text;
      if (v.isValueNode() && !v.isNull()) {
        text = v.asText().trim();
      } else if (v.isArray()) {
        List<String> items = new ArrayList<>();
        v.forEach(i -> items.add(i.asText().trim()));
        text = String.join(",", items);
      } else {
        errors.add(at + ": '" + key + "' must be a single value or a list");
        continue;
      }
      if (key.equals("context")) {
        context = Optional.of(text);
        continue;
      }
      String variable = key.toUpperCase(Locale.ROOT);
      if (!EnvironmentVariables.names().contains(variable) || !key.equals(SettingsLoader.fileKeyOf(variable))) {
        List<String> keys = new ArrayList<>(List.of("name", "context"));
        EnvironmentVariables.names().stream().filter(n -> !NOT_PER_HOST.contains(n)).map(SettingsLoader::fileKeyOf)
            .forEach(keys::add);
        errors.add(at + ": unknown setting '" + key + "'"
            + SettingsLoader.closest(key.toLowerCase(Locale.ROOT), keys).map(c -> " (did you mean '" + c + "'?)")
                .orElse(" (a host takes name, docker_host or context, and cleanup settings in lower case)"));
        continue;
      }
      if (NOT_PER_HOST.contains(variable)) {
        errors.add(at + ": '" + key + "' applies to the whole process, not to one host; set it at the top level");
        continue;
      }
      if (variable.equals("DOCKER_HOST")) {
        address = Optional.of(text);
      } else {
        overrides.put(variable, text);
      }
    }
    if (errors.size() > before) {
      return Optional.empty();
    }
    return build(at, name, address, context, overrides, errors);
  }

  private static Optional<HostSpec> build(String where, String name, Optional<String> address,
      Optional<String> context, Map<String, String> overrides, List<String> errors) {
    if (!NAME.matcher(name).matches()) {
      errors.add(where + ": invalid host name '" + name + "' (letters, digits, '.', '_', '-'; up to 63)");
      return Optional.empty();
    }
    if (address.isPresent() == context.isPresent()) {
      errors.add(where + ": give exactly one of docker_host and context");
      return Optional.empty();
    }
    if (address.isPresent()) {
      try {
        ValueParsers.parseDockerHost(where + ": docker_host", address.get());
      } catch (ConfigException e) {
        errors.addAll(e.errors());
        return Optional.empty();
      }
      overrides.put("DOCKER_HOST", address.get());
    }
    if (context.isPresent() && !NAME.matcher(context.get()).matches()) {
      errors.add(where + ": invalid context name '" + context.get() + "'");
      return Optional.empty();
    }
    return Optional.of(new HostSpec(name, address, context, overrides));
  }

  /** What logs say for the host's address, credentials masked. */
  public String describe() {
    return context.map(c -> "context " + c).orElseGet(() -> Secrets.maskUrlCredentials(dockerHost.orElse("")));
  }

  @Override
  public String toString() {
    return name + " (" + describe() + ")";
  }
}
