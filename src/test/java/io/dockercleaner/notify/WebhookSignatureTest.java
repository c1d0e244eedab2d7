package io.dockercleaner.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {
  @Test
  void signsWithHmacSha256InLowerCaseHex() {
    // RFC 4231, test case 2
    byte[] body = "what do ya want for nothing?".getBytes(StandardCharsets.UTF_8);

    assertThat(WebhookSignature.sign(body, "Jefe"))
        .isEqualTo("sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }

  @Test
  void differentBodiesGiveDifferentSignatures() {
    assertThat(WebhookSignature.sign("{\"a\":1}".getBytes(StandardCharsets.UTF_8), "k"))
        .isNotEqualTo(WebhookSignature.sign("{\"a\":2}".getBytes(StandardCharsets.UTF_8), "k"));
  }
}
