package io.dockercleaner.agent.watch;

import java.util.Locale;

/**
 * Normalises the ways an image is named in events and inventories so they can be compared:
 * {@code busybox}, {@code library/busybox}, {@code docker.io/library/busybox:latest} all become
 * {@code busybox:latest} (the form of {@code RepoTags}); image IDs become {@code sha256:<64 hex>}.
 */
public final class ImageReference {
  private static final String SHA256 = "sha256:";
  private static final int ID_HEX_LENGTH = 64;
  /** Docker accepts ID prefixes; shorter than this they are too ambiguous to trust. */
  static final int MIN_ID_PREFIX_LENGTH = 12;

  private ImageReference() {}

  /** True for a full image ID, with or without {@code sha256:}. */
  public static boolean isFullId(String ref) {
    String hex = ref.startsWith(SHA256) ? ref.substring(SHA256.length()) : ref;
    return hex.length() == ID_HEX_LENGTH && isHex(hex);
  }

  /** True for a hex string that can be a short ID (12–63 hex digits). */
  public static boolean isIdPrefix(String ref) {
    String hex = ref.startsWith(SHA256) ? ref.substring(SHA256.length()) : ref;
    return hex.length() >= MIN_ID_PREFIX_LENGTH && hex.length() < ID_HEX_LENGTH && isHex(hex);
  }

  /** A full ID as {@code sha256:<hex>} (lower case); other strings unchanged. */
  public static String canonicalId(String id) {
    if (!isFullId(id)) {
      return id;
    }
    String lower = id.toLowerCase(Locale.ROOT);
    return lower.startsWith(SHA256) ? lower : SHA256 + lower;
  }

  /**
   * The normal form of a reference: IDs as {@link #canonicalId}; names without the default
   * registry and {@code library/}, with {@code :latest} when neither tag nor digest is given.
   */
  public static String normalise(String ref) {
    String r = ref.strip();
    if (r.isEmpty() || isFullId(r)) {
      return canonicalId(r);
    }
    String digest = "";
    int at = r.indexOf('@');
    if (at >= 0) {
      digest = r.substring(at);
      r = r.substring(0, at);
    }
    for (String registry : new String[] {"docker.io/", "index.docker.io/", "registry-1.docker.io/"}) {
      if (r.startsWith(registry)) {
        r = r.substring(registry.length());
        break;
      }
    }
    if (r.startsWith("library/") && r.indexOf('/', "library/".length()) < 0) {
      r = r.substring("library/".length());
    }
    int slash = r.lastIndexOf('/');
    boolean hasTag = r.indexOf(':', slash + 1) >= 0;
    if (!hasTag && digest.isEmpty()) {
      r = r + ":latest";
    }
    return r + digest;
  }

  private static boolean isHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        return false;
      }
    }
    return !s.isEmpty();
  }
}
