package io.dockercleaner.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.testsupport.DaemonFixture;
import io.dockercleaner.testsupport.TestDaemons;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Authentication and request validation of the real agent's API: each refusal has its status and
 * a message naming the problem, and nothing is deleted on the daemon.
 */
@Tag("daemon")
class AuthAndValidationTest {
  private static DaemonFixture d;

  @BeforeAll
  static void daemon() {
    d = new DaemonFixture(TestDaemons.main());
  }

  @BeforeEach
  void scenario() {
    d.reset();
    // something every accepted run would remove, so "nothing deleted" means something
    d.stopped("stopped", TestDaemons.TEST_IMAGE);
    d.image("ops/unused:1", null, "unused");
  }

  @Test
  void withoutATokenWritesAreForbiddenAndSayHowToEnableThem() {
    String before = d.counts();
    try (OpsAgent agent = OpsAgent.start(d.host(), "API_TOKEN", null)) {
      OpsAgent.Response run = agent.send("POST", "/v1/runs", OpsAgent.jsonWithToken(), "{}");
      assertThat(run.status()).isEqualTo(403);
      assertThat(run.error()).contains("POST /v1/runs", "no API token is configured", "set API_TOKEN or API_TOKEN_FILE");
      OpsAgent.Response plan = agent.getAuthorized("/v1/plan");
      assertThat(plan.status()).isEqualTo(403);
      assertThat(plan.error()).contains("GET /v1/plan", "API_TOKEN");
      assertThat(agent.get("/v1/runs").json().getJsonArray("runs")).isEmpty();
    }
    assertThat(d.counts()).isEqualTo(before);
  }

  @Test
  void aWrongTokenIs401AndTheRightOneStartsARun() {
    try (OpsAgent agent = OpsAgent.start(d.host())) {
      String before = d.counts();
      OpsAgent.Response wrong = agent.send("POST", "/v1/runs",
          Map.of("Authorization", "Bearer not-the-token", "Content-Type", "application/json"), "{}");
      assertThat(wrong.status()).isEqualTo(401);
      assertThat(wrong.error()).isEqualTo("invalid bearer token");
      assertThat(wrong.header("WWW-Authenticate")).contains("Bearer", "invalid_token");
      OpsAgent.Response none = agent.send("POST", "/v1/runs", Map.of("Content-Type", "application/json"), "{}");
      assertThat(none.status()).isEqualTo(401);
      assertThat(none.error()).contains("needs a bearer token");
      assertThat(agent.get("/v1/runs").json().getJsonArray("runs")).isEmpty();
      assertThat(d.counts()).isEqualTo(before);

      OpsAgent.Response right = agent.send("POST", "/v1/runs", OpsAgent.jsonWithToken(), "{}");
      assertThat(right.status()).as(right.body()).isEqualTo(202);
      String id = right.json().getString("runId");
      assertThat(right.header("Location")).isEqualTo("/v1/runs/" + id);
      assertThat(agent.awaitRun(id).getString("outcome")).isEqualTo("succeeded");
    }
  }

  /** One invalid request and what the answer must say. */
  record Case(String method, String path, Map<String, String> headers, String body, int status, String... message) {
    static Case post(String body, int status, String... message) {
      return new Case("POST", "/v1/runs", OpsAgent.jsonWithToken(), body, status, message);
    }

    static Case get(String path, int status, String... message) {
      return new Case("GET", path, Map.of("Authorization", "Bearer " + OpsAgent.TOKEN), null, status, message);
    }
  }

  @Test
  void invalidRequestsAreRefusedWithTheirStatusAndAMessageNamingTheProblem() {
    List<Case> cases = List.of(
        Case.post("{", 400, "not valid JSON"),
        Case.post("{} {}", 400, "not valid JSON"),
        Case.post("[]", 400, "must be a JSON object", "an array"),
        Case.post("{\"foo\": 1}", 400, "unknown field 'foo'", "dryRun, types"),
        Case.post("{\"dryRun\": \"yes\"}", 400, "dryRun", "boolean"),
        Case.post("{\"dryRun\": true, \"dryRun\": false}", 400, "dryRun", "Duplicate"),
        Case.post("{\"types\": \"image\"}", 400, "types: expected an array"),
        Case.post("{\"types\": []}", 400, "types: must not be empty"),
        Case.post("{\"types\": [\"bogus\"]}", 400, "unknown type 'bogus'", "container, image"),
        Case.post("{\"types\": [1]}", 400, "types: expected strings"),
        Case.post("{\"targetBytes\": -1}", 400, "targetBytes", "negative"),
        Case.post("{\"targetBytes\": \"lots\"}", 400, "targetBytes", "lots"),
        Case.post("{\"targetBytes\": \"1.5\"}", 400, "targetBytes", "whole"),
        Case.post("{\"targetBytes\": true}", 400, "targetBytes", "a boolean"),
        Case.post("{\"maxDuration\": 5}", 400, "maxDuration", "duration string"),
        Case.post("{\"maxDuration\": \"soon\"}", 400, "maxDuration", "soon"),
        Case.post("{\"planId\": 7}", 400, "planId", "expected a string"),
        Case.post("{\"planId\": \"\"}", 400, "planId", "1 to 128 characters"),
        Case.post("{\"planId\": \"" + "p".repeat(129) + "\"}", 400, "planId", "got 129"),
        Case.post("{\"planId\": \"p-nope\"}", 404, "unknown planId 'p-nope'"),
        Case.post("{\"dryRun\": false, \"pad\": \"" + "x".repeat(70 * 1024) + "\"}", 413, "larger than 65536 bytes"),
        new Case("POST", "/v1/runs", Map.of("Authorization", "Bearer " + OpsAgent.TOKEN, "Content-Type", "text/plain"),
            "{}", 415, "unsupported Content-Type 'text/plain'", "application/json"),
        new Case("POST", "/v1/runs?now=1", OpsAgent.jsonWithToken(), "{}", 400, "unknown query parameter 'now'"),
        Case.get("/v1/plan?types=bogus", 400, "unknown type 'bogus'"),
        Case.get("/v1/plan?targetBytes=abc", 400, "targetBytes", "abc"),
        Case.get("/v1/plan?targetBytes=", 400, "targetBytes", "must not be empty"),
        Case.get("/v1/plan?depth=3", 400, "unknown query parameter 'depth'", "targetBytes, types"),
        Case.get("/v1/plan?types=image&types=volume", 400, "'types' is given more than once"),
        Case.get("/v1/status?verbose=1", 400, "unknown query parameter 'verbose'"),
        Case.get("/v1/runs/r-nope", 404, "no run with id 'r-nope'"),
        Case.get("/v1/nothing", 404, "no such endpoint: /v1/nothing"),
        new Case("DELETE", "/v1/runs", OpsAgent.jsonWithToken(), null, 405, "method DELETE is not allowed on /v1/runs"),
        new Case("PUT", "/v1/status", Map.of(), "{}", 405, "method PUT is not allowed on /v1/status"));
    assertThat(cases).hasSizeGreaterThanOrEqualTo(20);

    try (OpsAgent agent = OpsAgent.start(d.host())) {
      String before = d.counts();
      SoftAssertions soft = new SoftAssertions();
      for (Case c : cases) {
        OpsAgent.Response r = agent.send(c.method(), c.path(), c.headers(), c.body());
        String what = c.method() + " " + c.path() + " " + (c.body() == null ? "" : abbreviate(c.body()));
        soft.assertThat(r.status()).as("%s -> %s", what, r.body()).isEqualTo(c.status());
        soft.assertThat(r.header("Content-Type")).as("%s content type", what).startsWith("application/json");
        if (r.header("Content-Type") != null && r.header("Content-Type").startsWith("application/json")) {
          soft.assertThat(r.error()).as(what).contains(c.message());
        }
      }
      soft.assertAll();
      OpsAgent.Response allow = agent.send("DELETE", "/v1/runs", OpsAgent.jsonWithToken(), null);
      assertThat(allow.header("Allow")).isEqualTo("GET, POST");
      assertThat(agent.get("/v1/runs").json().getJsonArray("runs")).as("no run started").isEmpty();
      assertThat(d.counts()).as("nothing deleted").isEqualTo(before);
    }
  }

  private static String abbreviate(String body) {
    return body.length() > 60 ? body.substring(0, 60) + "…" : body;
  }
}
