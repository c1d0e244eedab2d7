package io.dockercleaner.notify;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Makes webhook URLs safe to log. Webhook services (Slack, Discord, ...) put the credential in the
 * path or query, and URLs may carry user info, so a log only ever shows scheme, host and port.
 */
public final class UrlMasking {
  static final String MASK = "***";

  private UrlMasking() {}

  /**
   * {@code scheme://host[:port]} of the URL: no user info, path, query or fragment. A URL without
   * a host gives {@code scheme://***}.
   */
  public static String forLog(URI url) {
    if (url == null) {
      return MASK;
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme() + "://";
    String host = url.getHost();
    if (host == null) {
      return scheme + MASK;
    }
    return scheme + host + (url.getPort() >= 0 ? ":" + url.getPort() : "");
  }

  /**
   * {@code text} with every occurrence of the URL's secret-bearing parts (the whole URL, user
   * info, path, query, fragment; raw and decoded) replaced by {@code ***}: for error messages of
   * libraries that may quote the URL.
   */
  public static String scrub(String text, URI url) {
    if (text == null || url == null) {
      return text;
    }
    List<String> secrets = new ArrayList<>();
    secrets.add(url.toString());
    addPart(secrets, url.getRawUserInfo());
    addPart(secrets, url.getUserInfo());
    addPart(secrets, url.getRawPath());
    addPart(secrets, url.getPath());
    addPart(secrets, url.getRawQuery());
    addPart(secrets, url.getQuery());
    addPart(secrets, url.getRawFragment());
    addPart(secrets, url.getFragment());
    // longest first, so a part of a longer secret does not leave the rest of it behind
    secrets.sort(Comparator.comparingInt(String::length).reversed());
    String out = text;
    for (String s : secrets) {
      out = out.replace(s, MASK);
    }
    return out;
  }

  private static void addPart(List<String> parts, String part) {
    // a lone "/" is not secret, and masking it would garble every message
    if (part != null && part.length() > 1) {
      parts.add(part);
    }
  }
}
