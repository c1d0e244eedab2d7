package io.dockercleaner.notify;

import io.dockercleaner.config.NotifyTarget;
import io.vertx.core.MultiMap;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;

/**
 * The SMTP client settings and the message of an e-mail target: plain text and HTML alternatives
 * from {@link WebhookPayloads}, with the event and delivery id as headers (a retried notice keeps
 * its delivery id, so a mail filter can drop duplicates).
 */
final class EmailMessages {
  private EmailMessages() {}

  /**
   * The mail client's settings: STARTTLS required (never silently plain), or TLS from the first
   * byte, or none; AUTH required when a user is given; the server's name checked against its
   * certificate; no pooled connection kept between notices.
   */
  static MailConfig config(NotifyTarget.Email email, String password, long timeoutMillis) {
    MailConfig config = new MailConfig()
        .setHostname(email.host())
        .setPort(email.port())
        .setKeepAlive(false)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis))
        .setHostnameVerificationAlgorithm("HTTPS");
    switch (email.tls()) {
      case STARTTLS -> config.setStarttls(StartTLSOptions.REQUIRED);
      case TLS -> config.setSsl(true).setStarttls(StartTLSOptions.DISABLED);
      case NONE -> config.setStarttls(StartTLSOptions.DISABLED);
    }
    if (email.username().isPresent()) {
      config.setLogin(LoginOption.REQUIRED).setUsername(email.username().get()).setPassword(password);
    } else {
      config.setLogin(LoginOption.DISABLED);
    }
    email.caFile().ifPresent(ca -> config.setTrustOptions(new PemTrustOptions().addCertPath(ca.toString())));
    return config;
  }

  /** The message for one notice. */
  static MailMessage of(RunNotice notice, NotifyTarget.Email email, String deliveryId) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add(WebhookSignature.EVENT_HEADER, notice.event().configName())
        .add(WebhookSignature.DELIVERY_HEADER, deliveryId);
    return new MailMessage()
        .setFrom(email.from())
        .setTo(email.to())
        .setSubject(WebhookPayloads.emailSubject(notice))
        .setText(WebhookPayloads.emailText(notice))
        .setHtml(WebhookPayloads.emailHtml(notice))
        .setHeaders(headers);
  }
}
