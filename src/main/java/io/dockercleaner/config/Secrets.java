package io.dockercleaner.config;

import java.util.Set;

/** Masking of secret values for {@code --help}/debug output and error messages. */
final class Secrets {
  static final String MASK = "***";

  /** Variables whose whole value is secret. */
  static final Set<String> SECRET_VARIABLES = Set.of("API_TOKEN", "WEBHOOK_SECRET", "SMTP_PASSWORD",
      // webhook URLs and smtp URLs carry credentials in the path, query or user info
      "NOTIFY_TARGETS");

  private Secrets() {}

  /**
   * Whether {@code name} holds a secret: the known ones and any *_PASSWORD, *_SECRET or *_TOKEN.
   * Secrets are masked in output and refused as command-line flags (command lines are public).
   */
  static boolean isSecret(String name) {
    return SECRET_VARIABLES.contains(name) || name.endsWith("_PASSWORD") || name.endsWith("_SECRET")
        || name.endsWith("_TOKEN");
  }

  /** The value of {@code name} as safe to print. */
  static String mask(String name, String value) {
    if (value.isEmpty()) {
      return value;
    }
    if (name.equals("NOTIFY_TARGETS")) {
      return NotifyTargets.mask(value);
    }
    if (isSecret(name)) {
      return MASK;
    }
    if (name.equals("WEBHOOK_URL")) {
      return maskUrls(value);
    }
    if (name.equals("DOCKER_HOST")) {
      return maskUrlCredentials(value);
    }
    return value;
  }

  /**
   * Comma-separated URLs with user info, path, query and fragment masked: webhook services (Slack,
   * Discord, ...) put the credential in the path.
   */
  static String maskUrls(String raw) {
    StringBuilder out = new StringBuilder();
    String[] entries = raw.split(",", -1);
    for (int i = 0; i < entries.length; i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append(maskUrl(entries[i].trim()));
    }
    return out.toString();
  }

  /** One URL with user info, path, query and fragment masked. */
  static String maskUrl(String url) {
    if (url.isEmpty()) {
      return url;
    }
    int sep = url.indexOf("://");
    if (sep < 0) {
      return MASK;
    }
    String rest = url.substring(sep + 3);
    int end = firstOf(rest, "/?#");
    String authority = rest.substring(0, end);
    String tail = rest.substring(end);
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      authority = MASK + "@" + authority.substring(at + 1);
    }
    if (!tail.isEmpty() && !tail.equals("/")) {
      tail = "/" + MASK;
    }
    return url.substring(0, sep + 3) + authority + tail;
  }

  /** A URL with only the password of its user info masked ({@code ssh://user:***@host}). */
  static String maskUrlCredentials(String url) {
    int sep = url.indexOf("://");
    if (sep < 0) {
      return url;
    }
    String rest = url.substring(sep + 3);
    int end = firstOf(rest, "/?#");
    String authority = rest.substring(0, end);
    int at = authority.lastIndexOf('@');
    if (at < 0) {
      return url;
    }
    String userInfo = authority.substring(0, at);
    int colon = userInfo.indexOf(':');
    if (colon < 0) {
      return url;
    }
    return url.substring(0, sep + 3) + userInfo.substring(0, colon + 1) + MASK + rest.substring(at);
  }

  private static int firstOf(String s, String chars) {
    for (int i = 0; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return s.length();
  }
}
