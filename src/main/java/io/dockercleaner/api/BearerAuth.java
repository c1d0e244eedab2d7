package io.dockercleaner.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Checks {@code Authorization: Bearer <token>} against the configured API token in constant
 * time. Both sides are hashed first so that not even the token's length leaks through timing.
 */
final class BearerAuth {
  static final String CHALLENGE = "Bearer realm=\"docker-cleaner\"";

  private final Optional<byte[]> expectedDigest;

  BearerAuth(Optional<String> token) {
    this.expectedDigest = token.map(BearerAuth::sha256);
  }

  boolean configured() {
    return expectedDigest.isPresent();
  }

  /**
   * Throws the 403/401 {@link ApiException} for a request to {@code what} (e.g. {@code POST
   * /v1/runs}) that may not proceed.
   */
  void check(String what, String authorizationHeader) {
    if (expectedDigest.isEmpty()) {
      throw new ApiException(
          403,
          what + " is disabled because no API token is configured; set API_TOKEN or API_TOKEN_FILE to enable it,"
              + " then send Authorization: Bearer <token>");
    }
    if (authorizationHeader == null || authorizationHeader.isBlank()) {
      throw new ApiException(
          401, what + " needs a bearer token: send Authorization: Bearer <token>", Map.of("WWW-Authenticate", CHALLENGE));
    }
    String header = authorizationHeader.trim();
    int space = header.indexOf(' ');
    if (space < 0 || !header.substring(0, space).toLowerCase(Locale.ROOT).equals("bearer")) {
      throw new ApiException(
          401,
          "Authorization header must use the Bearer scheme: Authorization: Bearer <token>",
          Map.of("WWW-Authenticate", CHALLENGE + ", error=\"invalid_request\""));
    }
    byte[] given = sha256(header.substring(space + 1).trim());
    if (!MessageDigest.isEqual(given, expectedDigest.get())) {
      throw new ApiException(
          401, "invalid bearer token", Map.of("WWW-Authenticate", CHALLENGE + ", error=\"invalid_token\""));
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
