package io.dockercleaner.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class UrlMaskingTest {
  @Test
  void forLogKeepsSchemeAndHostOnly() {
    assertThat(UrlMasking.forLog(URI.create("https://hooks.slack.com/services/T000/B000/XXXX")))
        .isEqualTo("https://hooks.slack.com");
  }

  @Test
  void forLogDropsUserInfoAndKeepsThePort() {
    assertThat(UrlMasking.forLog(URI.create("http://alice:s3cret@example.org:8080/hook")))
        .isEqualTo("http://example.org:8080");
  }

  @Test
  void forLogDropsQueryAndFragment() {
    assertThat(UrlMasking.forLog(URI.create("https://example.org/hook?token=abc123#frag")))
        .isEqualTo("https://example.org");
  }

  @Test
  void forLogKeepsIpv6Brackets() {
    assertThat(UrlMasking.forLog(URI.create("http://[::1]:9000/x?t=1"))).isEqualTo("http://[::1]:9000");
  }

  @Test
  void forLogOfUrlWithoutHostMasksTheRest() {
    assertThat(UrlMasking.forLog(URI.create("mailto:someone@example.org"))).isEqualTo("mailto://***");
    assertThat(UrlMasking.forLog(null)).isEqualTo("***");
  }

  @Test
  void scrubRemovesEveryCredentialBearingPart() {
    URI url = URI.create("https://alice:s3cret@example.org/services/T0KEN?key=abc123");
    String message =
        "failed to POST https://alice:s3cret@example.org/services/T0KEN?key=abc123 "
            + "(path /services/T0KEN, query key=abc123, user alice:s3cret)";

    String scrubbed = UrlMasking.scrub(message, url);

    assertThat(scrubbed)
        .doesNotContain("T0KEN", "abc123", "s3cret", "alice")
        .contains("failed to POST ***");
  }

  @Test
  void scrubLeavesARootPathAlone() {
    assertThat(UrlMasking.scrub("Connection refused: /127.0.0.1:80", URI.create("http://127.0.0.1/")))
        .isEqualTo("Connection refused: /127.0.0.1:80");
  }
}
