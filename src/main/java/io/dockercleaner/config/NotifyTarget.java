package io.dockercleaner.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One place notifications go, with its own format and event filter: a webhook URL (json, slack,
 * discord, teams) or an SMTP server and its recipients (email). Built from WEBHOOK_URL (one per
 * URL, with WEBHOOK_FORMAT, WEBHOOK_EVENTS and WEBHOOK_SECRET) and from NOTIFY_TARGETS.
 *
 * @param name the name given in the configuration, or empty
 * @param format how the notice is written and sent
 * @param url the webhook URL (http/https) or the SMTP server (smtp/smtps); may carry credentials:
 *     never log it, use {@link #logName()}
 * @param events the events this target gets
 * @param secret json only: the HMAC key of the signature header (secret)
 * @param secretFile json only: a file holding that key (read when the notifier starts)
 * @param email the SMTP settings; present exactly when {@code format} is {@link WebhookFormat#EMAIL}
 */
public record NotifyTarget(
    String name,
    WebhookFormat format,
    URI url,
    Set<WebhookEvent> events,
    Optional<String> secret,
    Optional<Path> secretFile,
    Optional<Email> email) {

  /** Copies the events; checks that email settings come with the email format only. */
  public NotifyTarget {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(url, "url");
    events = Set.copyOf(events);
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(secretFile, "secretFile");
    Objects.requireNonNull(email, "email");
    if (email.isPresent() != (format == WebhookFormat.EMAIL)) {
      throw new IllegalArgumentException("email settings go with format email only");
    }
  }

  /** How the SMTP connection is protected. */
  public enum SmtpTls {
    /** Plain connection upgraded with STARTTLS; refused when the server does not offer it. */
    STARTTLS,
    /** TLS from the first byte (smtps, usually port 465). */
    TLS,
    /** No encryption (a local relay only). */
    NONE;

    /** The lower-case name used in the configuration. */
    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * SMTP settings of an email target.
   *
   * @param host the SMTP server
   * @param port its port (default 587 with STARTTLS, 465 with TLS, 25 without)
   * @param tls how the connection is protected
   * @param username the login, when the server needs one
   * @param password the password (secret), when given directly
   * @param passwordFile a file holding the password (read when the notifier starts)
   * @param from the sender address
   * @param to the recipients, at least one
   * @param caFile PEM certificates to trust instead of the JVM's (a private mail server's CA)
   */
  public record Email(
      String host,
      int port,
      SmtpTls tls,
      Optional<String> username,
      Optional<String> password,
      Optional<Path> passwordFile,
      String from,
      List<String> to,
      Optional<Path> caFile) {

    /** Copies the recipients. */
    public Email {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(tls, "tls");
      Objects.requireNonNull(from, "from");
      to = List.copyOf(to);
    }

    @Override
    public String toString() {
      // the default would print the password
      return "Email[" + host + ":" + port + ", " + tls.configName() + ", to " + to.size() + " recipient(s)]";
    }
  }

  /**
   * What logs call this target: its name, or its format and {@code scheme://host[:port]} (webhook
   * services keep credentials in the path, query and user info).
   */
  public String logName() {
    if (!name.isEmpty()) {
      return name;
    }
    String host = url.getHost() == null ? "?" : url.getHost();
    return format.configName() + " " + url.getScheme().toLowerCase(Locale.ROOT) + "://" + host
        + (url.getPort() >= 0 ? ":" + url.getPort() : "");
  }

  @Override
  public String toString() {
    // the default would print the URL's credentials and the secret
    return logName();
  }
}
