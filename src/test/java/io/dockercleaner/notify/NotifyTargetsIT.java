package io.dockercleaner.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.dockercleaner.testsupport.AgentProcess;
import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Notifications to several targets at once, from {@code bin/docker-cleaner agent}, to real local
 * receivers: Debian's aiosmtpd as the mail server (STARTTLS required, AUTH required, a certificate
 * the test makes) and HTTP receivers for Slack, Discord, Teams and signed JSON; one target that
 * answers 500 and one that only wants failures. Each target gets its own format and only its
 * events; the failing one does not hold back the others or the run; no credential is logged.
 */
@Tag("daemon")
class NotifyTargetsIT {
  private static final String SMTP_PASSWORD = "smtp-pass-5e1b";
  private static final String SECRET = "hmac-secret-91c2";
  private static final String PATH_TOKEN = "path-token-7d0f";
  private static final String QUERY_TOKEN = "query-token-a3e8";

  @TempDir
  Path dir;

  /** One HTTP request as a receiver saw it. */
  private record Received(String path, Map<String, List<String>> headers, byte[] body) {
    JsonObject json() {
      return new JsonObject(new String(body, StandardCharsets.UTF_8));
    }
  }

  @Test
  void everyTargetGetsItsOwnFormatAndOnlyItsEvents() throws Exception {
    String host = TestDaemons.main();
    DaemonFixture fixture = new DaemonFixture(host);
    fixture.reset();
    fixture.stopped("notify-a", TestDaemons.TEST_IMAGE);
    fixture.stopped("notify-b", TestDaemons.TEST_IMAGE);

    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    TestDaemons.Result made = TestDaemons.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
        "-keyout", key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"), null, Map.of());
    assertThat(made.exitCode()).as("openssl: %s", made.stderr()).isZero();
    Path passwordFile = Files.writeString(dir.resolve("smtp-password"), SMTP_PASSWORD + "\n");
    Path mailDir = Files.createDirectory(dir.resolve("mail"));
    int smtpPort = freePort();
    Path receiverScript = AgentProcess.projectRoot().resolve("src/test/resources/notify/smtp-receiver.py");
    Process smtp = new ProcessBuilder("/usr/bin/python3", receiverScript.toString(), "--port", String.valueOf(smtpPort),
        "--cert", cert.toString(), "--key", key.toString(), "--user", "cleaner",
        "--password-file", passwordFile.toString(), "--out", mailDir.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("smtp.log").toFile()).start();

    List<Received> received = new CopyOnWriteArrayList<>();
    HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.createContext("/", ex -> {
      byte[] body = ex.getRequestBody().readAllBytes();
      received.add(new Received(ex.getRequestURI().getPath(), Map.copyOf(ex.getRequestHeaders()), body));
      ex.sendResponseHeaders(ex.getRequestURI().getPath().startsWith("/fail") ? 500 : 204, -1);
      ex.close();
    });
    http.start();
    String base = "http://127.0.0.1:" + http.getAddress().getPort();

    Map<String, String> env = AgentProcess.baseEnv(host);
    env.putAll(Map.of("STATE_DIR", dir.resolve("state").toString(), "MIN_AGE", "0s", "QUIET_PERIOD", "0s",
        "WEBHOOK_TIMEOUT", "5s", "WEBHOOK_SECRET", SECRET, "WEBHOOK_EVENTS", "run_succeeded",
        "SMTP_PASSWORD_FILE", passwordFile.toString()));
    env.put("NOTIFY_TARGETS", String.join(" ",
        "slack+" + base + "/slack/T000/" + PATH_TOKEN,
        "discord+" + base + "/discord/123/" + PATH_TOKEN,
        "teams+" + base + "/teams/" + PATH_TOKEN,
        base + "/json?token=" + QUERY_TOKEN,
        base + "/failures-only#events=run_failed",
        base + "/fail/" + PATH_TOKEN,
        "smtp://cleaner@127.0.0.1:" + smtpPort + "?from=docker-cleaner@example.test"
            + "&to=ops@example.test,dev@example.test&ca_file=" + cert));
    try {
      await().atMost(AgentProcess.WAIT).until(() -> Files.exists(mailDir.resolve("ready")) || !smtp.isAlive());
      assertThat(smtp.isAlive()).as("aiosmtpd: %s", Files.readString(dir.resolve("smtp.log"))).isTrue();
      try (AgentProcess agent = AgentProcess.start(env)) {
        agent.awaitReady();
        JsonObject run = agent.awaitRun(agent.startRun("{\"types\":[\"container\"]}"));
        assertThat(run.getString("outcome")).as(run.encodePrettily()).isEqualTo("succeeded");

        // the failing target gives up after its 3 attempts; by then every other delivery is done
        await().atMost(AgentProcess.WAIT).until(() -> agent.output().contains("failed after 3 attempt(s)"));
        await().atMost(AgentProcess.WAIT).until(() -> Files.exists(mailDir.resolve("1.json")));
        assertThat(received.stream().filter(r -> r.path().startsWith("/fail")).count()).isEqualTo(3);
        assertThat(received).extracting(Received::path).as("one notice per healthy target; none for failures-only")
            .filteredOn(p -> !p.startsWith("/fail"))
            .containsExactlyInAnyOrder("/slack/T000/" + PATH_TOKEN, "/discord/123/" + PATH_TOKEN,
                "/teams/" + PATH_TOKEN, "/json");

        JsonObject slack = only(received, "/slack").json();
        assertThat(slack.getString("text")).contains("docker-cleaner on e2e-host: run").contains("succeeded")
            .contains("removed 2 containers");
        assertThat(slack.getJsonArray("blocks").getJsonObject(0).getJsonObject("text").getString("text"))
            .isEqualTo("✅ e2e-host: run succeeded");
        assertThat(slack.getJsonArray("attachments").getJsonObject(0).getString("color")).isEqualTo("#2EB67D");

        JsonObject discord = only(received, "/discord").json();
        JsonObject embed = discord.getJsonArray("embeds").getJsonObject(0);
        assertThat(embed.getString("title")).isEqualTo("✅ e2e-host: run succeeded");
        assertThat(embed.getInteger("color")).isEqualTo(0x2EB67D);
        assertThat(embed.getJsonArray("fields").stream().map(f -> ((JsonObject) f).getString("name")))
            .contains("Removed", "Trigger");
        assertThat(discord.getJsonObject("allowed_mentions").getJsonArray("parse")).isEmpty();

        JsonObject teams = only(received, "/teams").json();
        assertThat(teams.getString("type")).isEqualTo("message");
        JsonObject attachment = teams.getJsonArray("attachments").getJsonObject(0);
        assertThat(attachment.getString("contentType")).isEqualTo("application/vnd.microsoft.card.adaptive");
        JsonArray cardBody = attachment.getJsonObject("content").getJsonArray("body");
        assertThat(cardBody.getJsonObject(0).getString("text")).isEqualTo("✅ e2e-host: run succeeded");
        assertThat(cardBody.getJsonObject(2).getString("type")).isEqualTo("FactSet");

        Received json = only(received, "/json");
        assertThat(json.json().getString("event")).isEqualTo("run_succeeded");
        assertThat(json.json().getJsonObject("removed").getLong("container")).isEqualTo(2L);
        assertThat(json.headers().get("X-docker-cleaner-signature"))
            .containsExactly(WebhookSignature.sign(json.body(), SECRET));
        assertThat(only(received, "/slack").headers()).as("only json targets are signed")
            .doesNotContainKey("X-docker-cleaner-signature");

        JsonObject envelope = new JsonObject(Files.readString(mailDir.resolve("1.json")));
        assertThat(envelope.getBoolean("encrypted")).as("STARTTLS before AUTH and MAIL").isTrue();
        assertThat(envelope.getString("login")).isEqualTo("cleaner");
        assertThat(envelope.getString("mail_from")).isEqualTo("docker-cleaner@example.test");
        assertThat(envelope.getJsonArray("rcpt_tos")).containsExactly("ops@example.test", "dev@example.test");
        String mail = Files.readString(mailDir.resolve("1.eml"), StandardCharsets.ISO_8859_1);
        assertThat(mail).contains("Subject: [docker-cleaner] e2e-host: run succeeded")
            .contains("multipart/alternative").contains("text/plain").contains("text/html")
            .contains("X-Docker-Cleaner-Event: run_succeeded");
        String decoded = quotedPrintable(mail);
        assertThat(decoded).contains("removed 2 containers").contains("<table>").contains("Trigger:");
        assertThat(Files.exists(mailDir.resolve("2.json"))).as("one e-mail for one notice").isFalse();

        String output = agent.output();
        assertThat(output).as("log in %s", agent.logFile()).doesNotContain(SMTP_PASSWORD).doesNotContain(SECRET)
            .doesNotContain(PATH_TOKEN).doesNotContain(QUERY_TOKEN);
        assertThat(agent.sigterm()).as("exit code after SIGTERM; output in %s", agent.logFile()).isZero();
      }
    } finally {
      http.stop(0);
      smtp.destroy();
      if (!smtp.waitFor(30, TimeUnit.SECONDS)) {
        smtp.destroyForcibly();
      }
    }
  }

  private static Received only(List<Received> received, String prefix) {
    List<Received> matching = received.stream().filter(r -> r.path().startsWith(prefix)).toList();
    assertThat(matching).as("requests to %s", prefix).hasSize(1);
    return matching.get(0);
  }

  /** Quoted-printable soft line breaks and =XX escapes undone (enough to read the parts as text). */
  private static String quotedPrintable(String text) {
    String joined = text.replace("=\r\n", "").replace("=\n", "");
    Matcher m = Pattern.compile("=([0-9A-F]{2})").matcher(joined);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(String.valueOf((char) Integer.parseInt(m.group(1), 16))));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
