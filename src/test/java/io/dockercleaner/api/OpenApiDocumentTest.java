package io.dockercleaner.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.dockercleaner.api.ApiClient.Response;
import io.dockercleaner.config.Settings;
import io.dockercleaner.core.ResourceType;
import io.dockercleaner.metrics.CleanerMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.RequestValidator;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keeps openapi.yaml and the hand-written validation in step: the document is a valid OpenAPI 3
 * contract (loaded offline by vertx-openapi), lists exactly the routes, fields and parameters the
 * code knows, and a validator generated from the document accepts and rejects the same requests
 * as {@link HttpApi}.
 */
@ExtendWith(VertxExtension.class)
class OpenApiDocumentTest {
  private static final String TOKEN = "doc-token";
  private static JsonNode doc;

  /**
   * Requests HttpApi rejects for reasons OpenAPI 3.0 cannot state: JSON syntax beyond schemas, a
   * transport limit, unknown or repeated query parameters, and a positive duration.
   */
  private static final Set<String> NOT_EXPRESSIBLE =
      Set.of(
          "duplicate key",
          "body too large",
          "query on POST",
          "plan unknown parameter",
          "plan repeated parameter",
          "maxDuration zero");

  @BeforeAll
  static void readDocument() throws Exception {
    try (InputStream in = HttpApi.class.getResourceAsStream(HttpApi.OPENAPI_RESOURCE)) {
      doc = new YAMLMapper().readTree(in);
    }
  }

  @Test
  void documentIsAValidOpenApiContract(Vertx vertx) throws Exception {
    OpenAPIContract contract = contract(vertx);
    assertThat(contract.operation("startRun")).isNotNull();
    assertThat(contract.getPaths()).hasSize(21);
  }

  @Test
  void pathsAndMethodsAreExactlyTheServedRoutes() {
    Map<String, Set<String>> documented = new HashMap<>();
    doc.get("paths").fields().forEachRemaining(e -> documented.put(e.getKey(), names(e.getValue())));
    assertThat(documented)
        .isEqualTo(
            Map.ofEntries(
                Map.entry("/healthz", Set.of("get")),
                Map.entry("/readyz", Set.of("get")),
                Map.entry("/metrics", Set.of("get")),
                Map.entry("/v1/openapi.yaml", Set.of("get")),
                Map.entry("/v1/status", Set.of("get")),
                Map.entry("/v1/plan", Set.of("get")),
                Map.entry("/v1/recommendations", Set.of("get")),
                Map.entry("/v1/runs", Set.of("get", "post")),
                Map.entry("/v1/runs/{id}", Set.of("get")),
                Map.entry("/v1/runs/{id}/items", Set.of("get")),
                Map.entry("/v1/logs/stream", Set.of("get")),
                Map.entry("/v1/disk/history", Set.of("get")),
                Map.entry("/v1/settings", Set.of("get", "put")),
                Map.entry("/v1/hosts/{host}/status", Set.of("get", "parameters")),
                Map.entry("/v1/hosts/{host}/plan", Set.of("get", "parameters")),
                Map.entry("/v1/hosts/{host}/runs", Set.of("get", "post", "parameters")),
                Map.entry("/v1/hosts/{host}/runs/{id}", Set.of("get", "parameters")),
                Map.entry("/v1/hosts/{host}/runs/{id}/items", Set.of("get", "parameters")),
                Map.entry("/v1/hosts/{host}/recommendations", Set.of("get", "parameters")),
                Map.entry("/v1/hosts/{host}/disk/history", Set.of("get", "parameters")),
                Map.entry("/v1/hosts/{host}/settings", Set.of("get", "put", "parameters"))));
  }

  /** Every top-level endpoint that acts on one daemon is served per host too, with the same guards. */
  @Test
  void eachHostRouteMirrorsItsTopLevelRouteAndItsSecurity() {
    for (String rest : List.of("/status", "/plan", "/runs", "/runs/{id}", "/runs/{id}/items", "/recommendations",
        "/disk/history", "/settings")) {
      JsonNode top = doc.get("paths").get("/v1" + rest);
      JsonNode host = doc.get("paths").get("/v1/hosts/{host}" + rest);
      assertThat(host).as(rest).isNotNull();
      Set<String> methods = names(host);
      methods.remove("parameters");
      assertThat(methods).as(rest).isEqualTo(names(top));
      for (String m : methods) {
        assertThat(host.get(m).path("security").toString()).as(rest + " " + m).isEqualTo(top.get(m).path("security").toString());
        assertThat(host.get(m).path("responses").has("404")).as(rest + " " + m + " answers 404 for an unknown host").isTrue();
      }
    }
    List<String> planParameters = new ArrayList<>();
    doc.at("/paths/~1v1~1hosts~1{host}~1plan/get/parameters").forEach(p -> planParameters.add(p.get("name").textValue()));
    assertThat(planParameters).containsExactlyElementsOf(RequestParsers.PLAN_PARAMETERS);
  }

  @Test
  void settingsDocumentNamesEveryRuntimeEditableSetting() {
    String editable = doc.at("/components/schemas/SettingsView/properties/editable/description").asText();
    String put = doc.at("/paths/~1v1~1settings/put/description").asText();
    for (String name : io.dockercleaner.agent.RuntimeSettings.EDITABLE) {
      assertThat(editable).as("the editable list names %s", name).contains(name);
    }
    assertThat(put).as("PUT says what an empty SCHEDULE does").contains("empty SCHEDULE turns the schedule off");
  }

  @Test
  void runRequestSchemaListsExactlyTheParsedFields() {
    JsonNode schema = doc.at("/components/schemas/RunRequest");
    assertThat(new ArrayList<>(names(schema.get("properties")))).containsExactlyInAnyOrderElementsOf(RequestParsers.RUN_FIELDS);
    assertThat(schema.get("additionalProperties").booleanValue()).isFalse();
    assertThat(schema.at("/properties/planId/maxLength").intValue()).isEqualTo(RequestParsers.MAX_PLAN_ID_LENGTH);
  }

  @Test
  void resourceTypeEnumIsTheCoreVocabulary() {
    List<String> documented = new ArrayList<>();
    doc.at("/components/schemas/ResourceType/enum").forEach(n -> documented.add(n.textValue()));
    assertThat(documented).containsExactlyElementsOf(Arrays.stream(ResourceType.values()).map(ResourceType::label).toList());
  }

  @Test
  void planParametersAreExactlyTheParsedOnes() {
    List<String> documented = new ArrayList<>();
    doc.at("/paths/~1v1~1plan/get/parameters").forEach(p -> documented.add(p.get("name").textValue()));
    assertThat(documented).containsExactlyElementsOf(RequestParsers.PLAN_PARAMETERS);
  }

  @Test
  void writeEndpointsRequireTheTokenAndReadEndpointsMayUseIt() {
    assertThat(doc.at("/paths/~1v1~1runs/post/security").toString()).isEqualTo("[{\"bearer\":[]}]");
    assertThat(doc.at("/paths/~1v1~1plan/get/security").toString()).isEqualTo("[{\"bearer\":[]}]");
    assertThat(doc.at("/paths/~1v1~1settings/put/security").toString()).isEqualTo("[{\"bearer\":[]}]");
    for (String read : List.of("/paths/~1v1~1status/get", "/paths/~1v1~1runs/get", "/paths/~1v1~1runs~1{id}/get",
        "/paths/~1metrics/get", "/paths/~1v1~1runs~1{id}~1items/get", "/paths/~1v1~1logs~1stream/get",
        "/paths/~1v1~1disk~1history/get", "/paths/~1v1~1settings/get")) {
      assertThat(doc.at(read + "/security").toString()).as(read).isEqualTo("[{},{\"bearer\":[]}]");
    }
    for (String open : List.of("/paths/~1healthz/get", "/paths/~1readyz/get", "/paths/~1v1~1openapi.yaml/get")) {
      assertThat(doc.at(open + "/security").isMissingNode()).as(open).isTrue();
    }
  }

  @Test
  void logStreamParametersAreExactlyTheParsedOnes() {
    List<String> documented = new ArrayList<>();
    doc.at("/paths/~1v1~1logs~1stream/get/parameters").forEach(p -> {
      if ("query".equals(p.get("in").textValue())) {
        documented.add(p.get("name").textValue());
      }
    });
    assertThat(documented).containsExactlyElementsOf(RequestParsers.LOG_STREAM_PARAMETERS);
  }

  @Test
  void postRunDocumentsEveryStatusTheCodeProduces() {
    assertThat(names(doc.at("/paths/~1v1~1runs/post/responses")))
        .containsExactlyInAnyOrder("202", "400", "401", "403", "404", "409", "413", "415", "429");
  }

  @ParameterizedTest(name = "[{index}] ''{0}''")
  @MethodSource("byteSizes")
  void byteSizePatternAgreesWithTheParser(String raw) {
    Pattern pattern = Pattern.compile(doc.at("/components/schemas/ByteSize/oneOf/1/pattern").textValue());
    boolean parserAccepts;
    try {
      RequestParsers.parsePlanQuery(Map.of("targetBytes", List.of(raw)));
      parserAccepts = true;
    } catch (ApiException e) {
      parserAccepts = false;
    }
    assertThat(pattern.matcher(raw).find()).isEqualTo(parserAccepts);
  }

  static Stream<String> byteSizes() {
    return Stream.of(
        "0", "1024", "5GB", "5 GB", "1.5GiB", "1.5gib", "10k", "10K", "2t", "7B", "7b", " 5MB ",
        "abc", "-1", "1.5", "1.0", "1.5B", "5XB", "GB", "", "5 G B", "1e3", "0x10");
  }

  @ParameterizedTest(name = "[{index}] ''{0}''")
  @MethodSource("durations")
  void durationPatternAgreesWithTheParserForNonZeroDurations(String raw) {
    Pattern pattern = Pattern.compile(doc.at("/components/schemas/RunRequest/properties/maxDuration/pattern").textValue());
    boolean parserAccepts;
    try {
      RequestParsers.parseRunRequest(("{\"maxDuration\": \"" + raw + "\"}").getBytes(), false);
      parserAccepts = true;
    } catch (ApiException e) {
      parserAccepts = false;
    }
    assertThat(pattern.matcher(raw).find()).isEqualTo(parserAccepts);
  }

  static Stream<String> durations() {
    return Stream.of("30s", "500ms", "5m", "1h30m", "1.5h", "7d", "forever", "30", "-5m", "5 m", "5M", "", "1h 30m");
  }

  /** Requests the document's own validator and HttpApi must judge alike. */
  static Stream<Arguments> requests() {
    String json = "application/json";
    List<Arguments> cases = new ArrayList<>();
    HttpApiTest.invalidRequests()
        .filter(a -> !NOT_EXPRESSIBLE.contains((String) a.get()[0]))
        .filter(a -> (int) a.get()[5] == 400 || (int) a.get()[5] == 415)
        .forEach(a -> cases.add(Arguments.of(a.get()[0], a.get()[1], a.get()[2], a.get()[3], a.get()[4], false)));
    cases.add(Arguments.of("empty object", "POST", "/v1/runs", json, "{}", true));
    cases.add(
        Arguments.of(
            "every field",
            "POST",
            "/v1/runs",
            json,
            "{\"dryRun\": false, \"types\": [\"container\", \"network\"], \"targetBytes\": 1000,"
                + " \"maxDuration\": \"45s\", \"planId\": \"p\"}",
            true));
    cases.add(Arguments.of("size string", "POST", "/v1/runs", json, "{\"targetBytes\": \"20GiB\"}", true));
    cases.add(Arguments.of("json with charset", "POST", "/v1/runs", json + "; charset=utf-8", "{\"dryRun\": true}", true));
    cases.add(Arguments.of("plan no query", "GET", "/v1/plan", null, null, true));
    cases.add(Arguments.of("recommendations", "GET", "/v1/recommendations", null, null, true));
    cases.add(Arguments.of("plan full query", "GET", "/v1/plan?targetBytes=5GB&types=image,volume", null, null, true));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("requests")
  void documentValidatorAndHttpApiAgree(
      String name, String method, String path, String contentType, String body, boolean valid, Vertx vertx)
      throws Exception {
    OpenAPIContract contract = contract(vertx);
    RequestValidator validator = RequestValidator.create(vertx, contract);
    HttpServer documentServer =
        vertx
            .createHttpServer()
            .requestHandler(
                req ->
                    validator
                        .validate(req)
                        .onSuccess(v -> req.response().setStatusCode(204).end())
                        .onFailure(e -> req.response().setStatusCode(400).end(String.valueOf(e.getMessage()))))
            .listen(0, "127.0.0.1")
            .await();
    HttpServer api =
        HttpApi.start(
                vertx,
                Settings.of(Map.of("API_TOKEN", TOKEN, "API_RATE_LIMIT", "1000/min")),
                new FakeAgent(),
                new CleanerMetrics("h"),
                "127.0.0.1",
                0)
            .await();
    Map<String, String> headers = new HashMap<>(Map.of("Authorization", "Bearer " + TOKEN));
    if (contentType != null) {
      headers.put("Content-Type", contentType);
    }
    ApiClient toDocument = new ApiClient(vertx, documentServer.actualPort());
    ApiClient toApi = new ApiClient(vertx, api.actualPort());
    Response fromDocument = ApiClient.await(toDocument.send(HttpMethod.valueOf(method), path, headers, body));
    Response fromApi = ApiClient.await(toApi.send(HttpMethod.valueOf(method), path, headers, body));

    assertThat(fromDocument.status()).as("document validator: %s", fromDocument.body()).isEqualTo(valid ? 204 : 400);
    if (valid) {
      assertThat(fromApi.status()).as("HttpApi: %s", fromApi.body()).isIn(200, 202);
    } else {
      assertThat(fromApi.status()).as("HttpApi: %s", fromApi.body()).isIn(400, 415);
    }
  }

  /**
   * The document as a vertx-openapi contract. vertx-openapi refuses response media types it cannot
   * validate, such as application/yaml of /v1/openapi.yaml; that one response is declared
   * text/plain for loading only.
   */
  private static OpenAPIContract contract(Vertx vertx) throws Exception {
    JsonObject json = new JsonObject(new ObjectMapper().writeValueAsString(doc));
    JsonObject content = json.getJsonObject("paths").getJsonObject("/v1/openapi.yaml").getJsonObject("get")
        .getJsonObject("responses").getJsonObject("200").getJsonObject("content");
    content.put("text/plain", content.remove("application/yaml"));
    JsonObject events = json.getJsonObject("paths").getJsonObject("/v1/logs/stream").getJsonObject("get")
        .getJsonObject("responses").getJsonObject("200").getJsonObject("content");
    events.put("text/plain", events.remove("text/event-stream"));
    return OpenAPIContract.from(vertx, json).await();
  }

  private static Set<String> names(JsonNode node) {
    Set<String> names = new TreeSet<>();
    Iterator<String> it = node.fieldNames();
    it.forEachRemaining(names::add);
    return names;
  }
}
