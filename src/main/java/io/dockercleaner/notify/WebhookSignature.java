package io.dockercleaner.notify;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The webhook signature: {@code sha256=} followed by the lower-case hex HMAC-SHA256 of the exact
 * request body bytes, keyed with the UTF-8 bytes of WEBHOOK_SECRET. A receiver verifies it by
 * computing the same over the raw body it received (before any JSON parsing) and comparing in
 * constant time.
 */
public final class WebhookSignature {
  /** The header carrying the signature; sent only when WEBHOOK_SECRET is set. */
  public static final String SIGNATURE_HEADER = "X-Docker-Cleaner-Signature";
  /** The header carrying the event name, e.g. {@code run_failed}. */
  public static final String EVENT_HEADER = "X-Docker-Cleaner-Event";
  /** The header carrying a delivery id, the same on every attempt and URL of one notice. */
  public static final String DELIVERY_HEADER = "X-Docker-Cleaner-Delivery";

  private static final String ALGORITHM = "HmacSHA256";
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private WebhookSignature() {}

  /** {@code sha256=<hex>} of {@code body} keyed with {@code secret}. */
  public static String sign(byte[] body, String secret) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
      return "sha256=" + hex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      // every Java SE runtime has HmacSHA256, and any non-empty key is valid for it
      throw new IllegalStateException("HMAC-SHA256 unavailable", e);
    }
  }

  static String hex(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = HEX[(bytes[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[bytes[i] & 0xf];
    }
    return new String(out);
  }
}
