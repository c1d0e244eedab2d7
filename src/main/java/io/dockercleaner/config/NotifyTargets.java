package io.dockercleaner.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
 * Parses NOTIFY_TARGETS, in either of two forms:
 *
 * <ul>
 *   <li><b>Compact</b> (for the environment): whitespace-separated entries {@code
 *       [FORMAT+]URL[#events=EVENT,EVENT]}. FORMAT is json (the default), slack, discord or teams
 *       before an http(s) URL; an {@code smtp://} (STARTTLS) or {@code smtps://} (TLS) URL is an
 *       e-mail target: {@code smtp://[user[:password]@]host[:port]?from=ADDR&to=ADDR,ADDR} with
 *       optional {@code tls=starttls|tls|none} and {@code ca_file=PATH}. The fragment never
 *       reaches a server, so it carries the event filter.
 *   <li><b>List</b> (YAML in the config file, or JSON text): each item a compact entry or a mapping
 *       with {@code url} and optional {@code name}, {@code format}, {@code events}; json targets
 *       {@code secret} or {@code secret_file}; email targets {@code from}, {@code to}, {@code
 *       username}, {@code password} or {@code password_file}, {@code tls}, {@code ca_file}.
 * </ul>
 *
 * A target without events gets WEBHOOK_EVENTS; a json target without a secret is signed with
 * WEBHOOK_SECRET; an email target with a user and no password uses SMTP_PASSWORD or
 * SMTP_PASSWORD_FILE. Every error names the entry (by number and name, never its credentials).
 */
final class NotifyTargets {
  static final String COMPACT_FORM =
      "expected whitespace-separated [FORMAT+]URL[#events=EVENT,...] entries (FORMAT json, slack, discord or"
          + " teams before an http(s) URL; smtp:// or smtps:// URLs for e-mail) or a list of target mappings";

  private static final Set<String> WEBHOOK_KEYS = Set.of("name", "format", "url", "events", "secret", "secret_file");
  private static final Set<String> EMAIL_KEYS =
      Set.of("name", "format", "url", "events", "from", "to", "username", "password", "password_file", "tls",
          "ca_file");
  private static final List<String> ALL_KEYS =
      List.of("name", "format", "url", "events", "secret", "secret_file", "from", "to", "username", "password",
          "password_file", "tls", "ca_file");
  private static final Set<String> SMTP_QUERY_KEYS = Set.of("from", "to", "tls", "ca_file", "username");
  private static final Pattern ADDRESS = Pattern.compile("[^\\s@<>,;\"]+@[^\\s@<>,;\"]+");

  /** What a target inherits from the WEBHOOK_* and SMTP_* variables. */
  record Defaults(
      Set<WebhookEvent> events,
      Optional<String> webhookSecret,
      Optional<String> smtpPassword,
      Optional<Path> smtpPasswordFile) {}

  private NotifyTargets() {}

  /**
   * The targets of {@code raw}; empty when raw is empty.
   *
   * @param label how the variable was given, for messages ({@code NOTIFY_TARGETS}, {@code config file
   *     x.yaml: notify_targets})
   * @throws ConfigException with one line per problem
   */
  static List<NotifyTarget> parse(String label, String raw, Defaults defaults) {
    List<String> errors = new ArrayList<>();
    List<NotifyTarget> targets = new ArrayList<>();
    if (raw.isBlank()) {
      return List.of();
    }
    if (raw.startsWith("[")) {
      JsonNode list;
      try {
        list = new ObjectMapper().readTree(raw);
      } catch (JsonProcessingException e) {
        throw new ConfigException(label + ": invalid list (" + e.getOriginalMessage() + "); " + COMPACT_FORM);
      }
      int number = 0;
      for (JsonNode item : list) {
        number++;
        String where = label + " entry " + number;
        if (item.isTextual()) {
          compact(where, item.asText().trim(), defaults, errors).ifPresent(targets::add);
        } else if (item.isObject()) {
          mapping(where, item, defaults, errors).ifPresent(targets::add);
        } else {
          errors.add(where + ": expected a mapping with url, format, events, ... or a compact entry, found "
              + (item.isArray() ? "a list" : item.isNull() ? "null" : "a single value"));
        }
      }
    } else {
      int number = 0;
      for (String entry : raw.trim().split("\\s+")) {
        number++;
        compact(label + " entry " + number, entry, defaults, errors).ifPresent(targets::add);
      }
    }
    Set<String> names = new LinkedHashSet<>();
    for (NotifyTarget t : targets) {
      if (!t.name().isEmpty() && !names.add(t.name())) {
        errors.add(label + ": target name '" + t.name() + "' given twice (names must be unique: logs and metrics"
            + " tell targets apart by them)");
      }
    }
    if (!errors.isEmpty()) {
      throw new ConfigException(errors, null);
    }
    return List.copyOf(targets);
  }

  /** A compact entry, turned into a mapping so that both forms share one validation. */
  private static Optional<NotifyTarget> compact(
      String where, String entry, Defaults defaults, List<String> errors) {
    Map<String, Object> fields = new LinkedHashMap<>();
    String rest = entry;
    int hash = rest.indexOf('#');
    if (hash >= 0) {
      String fragment = rest.substring(hash + 1);
      rest = rest.substring(0, hash);
      if (!fragment.startsWith("events=")) {
        errors.add(where + " (" + Secrets.maskUrl(rest) + "): unknown option after '#' (expected #events=EVENT,EVENT)");
        return Optional.empty();
      }
      fields.put("events", fragment.substring("events=".length()));
    }
    int sep = rest.indexOf("://");
    if (sep <= 0) {
      errors.add(where + ": '" + Secrets.maskUrl(rest) + "' is not a URL; " + COMPACT_FORM);
      return Optional.empty();
    }
    String scheme = rest.substring(0, sep);
    int plus = scheme.indexOf('+');
    if (plus >= 0) {
      fields.put("format", scheme.substring(0, plus));
      rest = rest.substring(plus + 1);
    }
    fields.put("url", rest);
    return build(where + " (" + Secrets.maskUrl(rest) + ")", fields, defaults, errors);
  }

  private static Optional<NotifyTarget> mapping(
      String where, JsonNode node, Defaults defaults, List<String> errors) {
    Map<String, Object> fields = new LinkedHashMap<>();
    JsonNode name = node.get("name");
    String at = name != null && name.isTextual() ? where + " ('" + name.asText() + "')" : where;
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String key = field.getKey();
      JsonNode value = field.getValue();
      if (!ALL_KEYS.contains(key)) {
        errors.add(at + ": unknown key '" + key + "' ("
            + SettingsLoader.closest(key, ALL_KEYS).map(c -> "did you mean '" + c + "'? ").orElse("")
            + "known keys: " + String.join(", ", ALL_KEYS) + ")");
        return Optional.empty();
      }
      if (value.isArray() && (key.equals("to") || key.equals("events"))) {
        List<String> items = new ArrayList<>();
        for (JsonNode item : value) {
          if (!item.isValueNode() || item.isNull()) {
            errors.add(at + ": '" + key + "' must be a list of single values");
            return Optional.empty();
          }
          items.add(item.asText().trim());
        }
        fields.put(key, String.join(",", items));
      } else if (value.isValueNode() && !value.isNull()) {
        fields.put(key, value.asText().trim());
      } else {
        errors.add(at + ": '" + key + "' must be a single value"
            + (key.equals("to") || key.equals("events") ? " or a list" : ""));
        return Optional.empty();
      }
    }
    return build(at, fields, defaults, errors);
  }

  private static Optional<NotifyTarget> build(
      String where, Map<String, Object> fields, Defaults defaults, List<String> errors) {
    int before = errors.size();
    String rawUrl = (String) fields.get("url");
    if (rawUrl == null || rawUrl.isEmpty()) {
      errors.add(where + ": 'url' is missing (an http(s) webhook URL or an smtp(s):// mail server)");
      return Optional.empty();
    }
    URI url;
    try {
      url = new URI(rawUrl);
    } catch (URISyntaxException e) {
      errors.add(where + ": url is not a valid URI (" + e.getReason() + ")");
      return Optional.empty();
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    boolean smtp = scheme.equals("smtp") || scheme.equals("smtps");
    WebhookFormat format;
    String formatName = (String) fields.get("format");
    if (formatName == null) {
      format = smtp ? WebhookFormat.EMAIL : WebhookFormat.JSON;
    } else {
      format = null;
      for (WebhookFormat f : WebhookFormat.values()) {
        if (f.configName().equalsIgnoreCase(formatName)) {
          format = f;
        }
      }
      if (format == null) {
        errors.add(where + ": unknown format '" + formatName + "' (expected json, slack, discord, teams or email)");
        return Optional.empty();
      }
    }
    if (url.getHost() == null || url.getHost().isEmpty()) {
      errors.add(where + ": url has no host");
      return Optional.empty();
    }
    if (url.getPort() == 0 || url.getPort() > 65535) {
      errors.add(where + ": url port " + url.getPort() + " out of range (" + ValueParsers.URL_PORT_EXPECTED + ")");
      return Optional.empty();
    }
    Set<WebhookEvent> events = defaults.events();
    Object eventsText = fields.get("events");
    if (eventsText != null) {
      try {
        events = ValueParsers.parseWebhookEvents(where + ": events", (String) eventsText);
      } catch (ConfigException e) {
        errors.addAll(e.errors());
      }
    }
    String name = (String) fields.getOrDefault("name", "");
    Set<String> allowed = format == WebhookFormat.EMAIL ? EMAIL_KEYS : WEBHOOK_KEYS;
    for (String key : fields.keySet()) {
      boolean signature = key.startsWith("secret");
      if (!allowed.contains(key) || (signature && format != WebhookFormat.JSON)) {
        errors.add(where + ": '" + key + "' does not apply to format " + format.configName()
            + (signature ? " (the signature header is sent with format json only)"
                : format != WebhookFormat.EMAIL ? " (it is an email setting)" : ""));
      }
    }
    if (format.isWebhook()) {
      if (!(scheme.equals("http") || scheme.equals("https"))) {
        errors.add(where + ": format " + format.configName() + " needs an http or https URL, got " + scheme + "://"
            + (smtp ? " (smtp:// and smtps:// URLs are email targets)" : ""));
      }
      Optional<String> secret = optional(fields, "secret");
      Optional<Path> secretFile = optional(fields, "secret_file").map(Path::of);
      if (secret.isPresent() && secretFile.isPresent()) {
        errors.add(where + ": 'secret' and 'secret_file' are both set; set only one of them");
      }
      if (format == WebhookFormat.JSON && secret.isEmpty() && secretFile.isEmpty()) {
        secret = defaults.webhookSecret();
      }
      if (errors.size() > before) {
        return Optional.empty();
      }
      return Optional.of(new NotifyTarget(name, format, url, events, secret, secretFile, Optional.empty()));
    }
    return email(where, name, url, scheme, fields, events, defaults, errors, before);
  }

  private static Optional<NotifyTarget> email(String where, String name, URI url, String scheme,
      Map<String, Object> fields, Set<WebhookEvent> events, Defaults defaults, List<String> errors, int before) {
    if (!(scheme.equals("smtp") || scheme.equals("smtps"))) {
      errors.add(where + ": format email needs an smtp:// (STARTTLS) or smtps:// (TLS) URL, got " + scheme + "://");
      return Optional.empty();
    }
    if (url.getRawPath() != null && !url.getRawPath().isEmpty() && !url.getRawPath().equals("/")) {
      errors.add(where + ": an smtp URL has no path (give from and to as ?from=ADDR&to=ADDR)");
    }
    // ?from=..&to=..: the compact form's way to give the mapping's keys
    if (url.getRawQuery() != null) {
      for (String pair : url.getRawQuery().split("&")) {
        int eq = pair.indexOf('=');
        String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        if (!SMTP_QUERY_KEYS.contains(key)) {
          errors.add(where + ": unknown smtp URL parameter '" + key + "' (expected from, to, tls, ca_file, username)");
        } else if (fields.containsKey(key)) {
          errors.add(where + ": '" + key + "' given both in the URL and as a key");
        } else {
          fields.put(key, value.trim());
        }
      }
    }
    Optional<String> username = optional(fields, "username");
    Optional<String> password = optional(fields, "password");
    if (url.getRawUserInfo() != null) {
      String info = url.getRawUserInfo();
      int colon = info.indexOf(':');
      String user = URLDecoder.decode(colon < 0 ? info : info.substring(0, colon), StandardCharsets.UTF_8);
      if (username.isPresent()) {
        errors.add(where + ": the user is given both in the URL and as 'username'");
      }
      username = user.isEmpty() ? Optional.empty() : Optional.of(user);
      if (colon >= 0) {
        if (password.isPresent()) {
          errors.add(where + ": the password is given both in the URL and as 'password'");
        }
        password = Optional.of(URLDecoder.decode(info.substring(colon + 1), StandardCharsets.UTF_8));
      }
    }
    Optional<Path> passwordFile = optional(fields, "password_file").map(Path::of);
    if (password.isPresent() && passwordFile.isPresent()) {
      errors.add(where + ": a password and 'password_file' are both set; set only one of them");
    }
    if (username.isPresent() && password.isEmpty() && passwordFile.isEmpty()) {
      password = defaults.smtpPassword();
      passwordFile = defaults.smtpPasswordFile();
      if (password.isEmpty() && passwordFile.isEmpty()) {
        errors.add(where + ": user '" + username.get() + "' has no password (set SMTP_PASSWORD, SMTP_PASSWORD_FILE,"
            + " or the target's password_file)");
      }
    } else if (username.isEmpty() && (password.isPresent() || passwordFile.isPresent())) {
      errors.add(where + ": a password is set but no username");
    }
    NotifyTarget.SmtpTls tls = scheme.equals("smtps") ? NotifyTarget.SmtpTls.TLS : NotifyTarget.SmtpTls.STARTTLS;
    Optional<String> tlsName = optional(fields, "tls");
    if (tlsName.isPresent()) {
      NotifyTarget.SmtpTls given = null;
      for (NotifyTarget.SmtpTls t : NotifyTarget.SmtpTls.values()) {
        if (t.configName().equalsIgnoreCase(tlsName.get())) {
          given = t;
        }
      }
      if (given == null) {
        errors.add(where + ": unknown tls '" + tlsName.get() + "' (expected starttls, tls or none)");
      } else if (scheme.equals("smtps") && given != NotifyTarget.SmtpTls.TLS) {
        errors.add(where + ": smtps:// is TLS from the first byte; use smtp:// for tls=" + given.configName());
      } else {
        tls = given;
      }
    }
    if (tls == NotifyTarget.SmtpTls.NONE && username.isPresent()) {
      errors.add(where + ": tls=none would send the password in clear text; use starttls or tls");
    }
    String from = (String) fields.getOrDefault("from", "");
    if (!ADDRESS.matcher(from).matches()) {
      errors.add(where + ": " + (from.isEmpty() ? "'from' is missing" : "'from' is not an e-mail address: '" + from + "'")
          + " (expected e.g. from=cleaner@example.com)");
    }
    List<String> to = new ArrayList<>();
    for (String address : ((String) fields.getOrDefault("to", "")).split(",")) {
      String a = address.trim();
      if (!a.isEmpty()) {
        if (ADDRESS.matcher(a).matches()) {
          to.add(a);
        } else {
          errors.add(where + ": 'to' has an entry that is not an e-mail address: '" + a + "'");
        }
      }
    }
    if (to.isEmpty() && errors.size() == before) {
      errors.add(where + ": 'to' is missing (expected one or more comma-separated addresses)");
    }
    Optional<Path> caFile = optional(fields, "ca_file").map(Path::of);
    if (errors.size() > before) {
      return Optional.empty();
    }
    int port = url.getPort() > 0 ? url.getPort()
        : switch (tls) {
          case STARTTLS -> 587;
          case TLS -> 465;
          case NONE -> 25;
        };
    NotifyTarget.Email email = new NotifyTarget.Email(url.getHost(), port, tls, username, password, passwordFile,
        from, to, caFile);
    return Optional.of(new NotifyTarget(name, WebhookFormat.EMAIL, url, events, Optional.empty(), Optional.empty(),
        Optional.of(email)));
  }

  private static Optional<String> optional(Map<String, Object> fields, String key) {
    Object v = fields.get(key);
    return v == null || ((String) v).isEmpty() ? Optional.empty() : Optional.of((String) v);
  }

  /** NOTIFY_TARGETS as safe to print: URLs reduced to scheme and host, secrets masked. */
  static String mask(String raw) {
    if (raw.isBlank()) {
      return raw;
    }
    if (!raw.startsWith("[")) {
      List<String> out = new ArrayList<>();
      for (String entry : raw.trim().split("\\s+")) {
        out.add(Secrets.maskUrl(entry));
      }
      return String.join(" ", out);
    }
    try {
      JsonNode list = new ObjectMapper().readTree(raw);
      for (JsonNode item : list) {
        if (item.isObject()) {
          com.fasterxml.jackson.databind.node.ObjectNode o = (com.fasterxml.jackson.databind.node.ObjectNode) item;
          for (String key : List.of("secret", "password")) {
            if (o.has(key)) {
              o.put(key, Secrets.MASK);
            }
          }
          if (o.has("url") && o.get("url").isTextual()) {
            o.put("url", Secrets.maskUrl(o.get("url").asText()));
          }
        }
      }
      com.fasterxml.jackson.databind.node.ArrayNode masked = (com.fasterxml.jackson.databind.node.ArrayNode) list;
      for (int i = 0; i < masked.size(); i++) {
        if (masked.get(i).isTextual()) {
          masked.set(i, masked.textNode(Secrets.maskUrl(masked.get(i).asText())));
        }
      }
      return masked.toString();
    } catch (JsonProcessingException | ClassCastException e) {
      return Secrets.MASK;
    }
  }
}
