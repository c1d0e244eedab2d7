package io.dockercleaner.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.dockercleaner.config.EnvironmentVariables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The deployment examples under conf/deploy set only environment variables docker-cleaner knows
 * ({@link EnvironmentVariables#names()}): a typo there would be silently ignored by a user's
 * deployment. YAML examples are parsed (compose {@code environment}, Kubernetes and GitHub
 * {@code env}); every text, YAML strings included, is scanned for {@code docker run -e NAME} and
 * systemd {@code Environment=NAME=...}.
 */
class DeploymentExamplesTest {
  private static final Path DEPLOY = Path.of("conf/deploy");
  private static final YAMLMapper YAML = new YAMLMapper();
  /** {@code -e NAME}, {@code -e NAME=value}, {@code --env NAME}, {@code --env=NAME=value}. */
  private static final Pattern DOCKER_ENV_FLAG =
      Pattern.compile("(?:^|\\s)(?:-e|--env)(?:\\s+|=)([A-Za-z_][A-Za-z0-9_]*)");
  /** systemd {@code Environment=NAME=value} and {@code Environment="NAME=value" NAME2=value}. */
  private static final Pattern SYSTEMD_ENVIRONMENT = Pattern.compile("(?m)^Environment=(.*)$");
  private static final Pattern SYSTEMD_ASSIGNMENT = Pattern.compile("\"?([A-Za-z_][A-Za-z0-9_]*)=");
  /** Nomad (HCL) {@code env { NAME = "value" ... }}. */
  private static final Pattern HCL_ENV_BLOCK = Pattern.compile("(?ms)\\benv\\s*\\{\\s*$(.*?)^\\s*\\}\\s*$");
  private static final Pattern HCL_ASSIGNMENT = Pattern.compile("(?m)^\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*=");

  static Stream<Path> yamlExamples() throws IOException {
    return examples().filter(DeploymentExamplesTest::isYaml);
  }

  static Stream<Path> otherExamples() throws IOException {
    return examples().filter(p -> !isYaml(p) && !p.getFileName().toString().endsWith(".md"));
  }

  @Test
  void everyKindOfDeploymentHasAnExample() {
    for (String example : List.of("compose/docker-compose.oneshot.yml", "compose/docker-compose.agent.yml",
        "cron/docker-cleaner", "systemd/docker-cleaner.service", "systemd/docker-cleaner.timer",
        "kubernetes/cronjob.yaml", "kubernetes/daemonset.yaml", "ci/gitlab-ci.yml",
        "ci/github-actions.yml", "multi-host.sh", "nomad/docker-cleaner.nomad.hcl",
        "swarm/docker-cleaner.stack.yml")) {
      assertThat(DEPLOY.resolve(example)).as(example).isRegularFile();
    }
  }

  @ParameterizedTest
  @MethodSource("yamlExamples")
  void yamlExampleParsesAndSetsOnlyKnownVariables(Path example) throws IOException {
    Set<String> names = new TreeSet<>();
    try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(example.toFile())) {
      while (documents.hasNext()) {
        collectFromYaml(documents.next(), names);
      }
    }

    assertThat(names).as("variables set by %s", example).isNotEmpty();
    assertThat(names).as("unknown variables in %s", example).isSubsetOf(EnvironmentVariables.names());
  }

  @ParameterizedTest
  @MethodSource("otherExamples")
  void otherExampleSetsOnlyKnownVariables(Path example) throws IOException {
    String text = Files.readString(example);
    Set<String> names = collectFromText(text);

    // the timer only starts the service; every other example passes settings
    if (!example.toString().endsWith(".timer")) {
      assertThat(names).as("variables set by %s", example).isNotEmpty();
    }
    assertThat(names).as("unknown variables in %s", example).isSubsetOf(EnvironmentVariables.names());
  }

  @Test
  void theScanFindsVariablesInEveryForm() throws IOException {
    String compose = "services:\n  x:\n    environment:\n      MAP_FORM: '1'\n"
        + "  y:\n    environment:\n      - LIST_FORM=1\n      - BARE_FORM\n";
    String kubernetes = "containers:\n  - env:\n      - name: K8S_FORM\n        value: '1'\n";
    String github = "steps:\n  - env:\n      GITHUB_FORM: '1'\n    run: docker run -e FLAG_IN_YAML=1 img\n";
    Set<String> names = new TreeSet<>();
    for (String yaml : List.of(compose, kubernetes, github)) {
      collectFromYaml(YAML.readTree(yaml), names);
    }
    names.addAll(collectFromText("docker run -e FLAG_FORM=1 --env LONG_FORM --env=EQUALS_FORM=2 img\n"
        + "Environment=SYSTEMD_FORM=1 \"QUOTED_FORM=a b\"\n"
        + "task \"t\" {\n  env {\n    HCL_FORM = \"1\"\n  }\n}\n"));

    assertThat(names).containsExactlyInAnyOrder("MAP_FORM", "LIST_FORM", "BARE_FORM", "K8S_FORM",
        "GITHUB_FORM", "FLAG_IN_YAML", "FLAG_FORM", "LONG_FORM", "EQUALS_FORM", "SYSTEMD_FORM", "QUOTED_FORM", "HCL_FORM");
    assertThat(names).as("made-up names are not known").doesNotContainAnyElementsOf(EnvironmentVariables.names());
  }

  // ---- fleet: Kubernetes, Nomad, Swarm ----

  /** The measured footprint (bench/README.md): the agent's largest RSS, after a 40-minute soak. */
  private static final long MEASURED_PEAK_RSS_MIB = 100;

  static Stream<String> kubernetesManifests() {
    return Stream.of("daemonset.yaml", "cronjob.yaml");
  }

  private static JsonNode podSpec(String manifest) throws IOException {
    JsonNode doc = YAML.readTree(DEPLOY.resolve("kubernetes").resolve(manifest).toFile());
    return switch (doc.path("kind").asText()) {
      case "DaemonSet" -> doc.path("spec").path("template").path("spec");
      case "CronJob" -> doc.path("spec").path("jobTemplate").path("spec").path("template").path("spec");
      default -> throw new AssertionError(manifest + ": unexpected kind " + doc.path("kind"));
    };
  }

  private static JsonNode agentContainer(JsonNode pod) {
    assertThat(pod.path("containers")).as("containers").hasSize(1);
    return pod.path("containers").get(0);
  }

  private static String env(JsonNode container, String name) {
    for (JsonNode e : container.path("env")) {
      if (e.path("name").asText().equals(name)) {
        return e.path("value").asText();
      }
    }
    return null;
  }

  /** "128Mi" → 128, "1Gi" → 1024. */
  private static long mebibytes(String quantity) {
    if (quantity.endsWith("Gi")) {
      return Long.parseLong(quantity.substring(0, quantity.length() - 2)) * 1024;
    }
    assertThat(quantity).as("memory quantity").endsWith("Mi");
    return Long.parseLong(quantity.substring(0, quantity.length() - 2));
  }

  @ParameterizedTest
  @MethodSource("kubernetesManifests")
  void kubernetesPodsRunOnEveryTaintedNodeWithAPriorityAndNoApiToken(String manifest) throws IOException {
    JsonNode pod = podSpec(manifest);
    assertThat(pod.path("tolerations")).as("tolerations").anySatisfy(t -> {
      assertThat(t.path("operator").asText()).isEqualTo("Exists");
      assertThat(t.has("key")).as("no key: every taint").isFalse();
      assertThat(t.has("effect")).as("no effect: every effect").isFalse();
    });
    assertThat(pod.path("priorityClassName").asText()).isEqualTo("system-node-critical");
    assertThat(pod.path("automountServiceAccountToken").isBoolean()).isTrue();
    assertThat(pod.path("automountServiceAccountToken").asBoolean()).isFalse();
  }

  @ParameterizedTest
  @MethodSource("kubernetesManifests")
  void kubernetesContainersAreLockedDown(String manifest) throws IOException {
    JsonNode pod = podSpec(manifest);
    JsonNode podSecurity = pod.path("securityContext");
    assertThat(podSecurity.path("runAsNonRoot").asBoolean()).as("pod runAsNonRoot").isTrue();
    assertThat(podSecurity.path("runAsUser").asInt()).as("pod runAsUser").isPositive();
    assertThat(podSecurity.path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");
    JsonNode security = agentContainer(pod).path("securityContext");
    assertThat(security.path("runAsNonRoot").asBoolean()).as("runAsNonRoot").isTrue();
    assertThat(security.path("readOnlyRootFilesystem").asBoolean()).as("readOnlyRootFilesystem").isTrue();
    assertThat(security.path("allowPrivilegeEscalation").isBoolean()).isTrue();
    assertThat(security.path("allowPrivilegeEscalation").asBoolean()).as("allowPrivilegeEscalation").isFalse();
    assertThat(security.path("capabilities").path("drop")).hasSize(1);
    assertThat(security.path("capabilities").path("drop").get(0).asText()).isEqualTo("ALL");
    assertThat(security.path("capabilities").has("add")).as("no capability added").isFalse();
    assertThat(security.path("seccompProfile").path("type").asText()).isEqualTo("RuntimeDefault");
  }

  @ParameterizedTest
  @MethodSource("kubernetesManifests")
  void kubernetesResourcesFitTheMeasuredFootprint(String manifest) throws IOException {
    JsonNode resources = agentContainer(podSpec(manifest)).path("resources");
    long request = mebibytes(resources.path("requests").path("memory").asText());
    long limit = mebibytes(resources.path("limits").path("memory").asText());
    assertThat(request).as("memory request covers the measured peak RSS").isGreaterThanOrEqualTo(MEASURED_PEAK_RSS_MIB);
    // the image's JVM takes half the limit as heap (-XX:MaxRAMPercentage=50): the rest holds the
    // measured non-heap footprint
    assertThat(limit).as("memory limit").isGreaterThanOrEqualTo(2 * request);
    assertThat(resources.path("requests").path("cpu").asText()).as("cpu request").isNotEmpty();
    assertThat(resources.path("limits").path("cpu").asText()).as("cpu limit").isNotEmpty();
  }

  @ParameterizedTest
  @MethodSource("kubernetesManifests")
  void kubernetesStateDirIsAWritableVolumeAndKubeletObjectsAreSkipped(String manifest) throws IOException {
    JsonNode pod = podSpec(manifest);
    JsonNode container = agentContainer(pod);
    String stateDir = env(container, "STATE_DIR");
    assertThat(stateDir).as("STATE_DIR").isNotEmpty();
    JsonNode mount = null;
    for (JsonNode m : container.path("volumeMounts")) {
      if (m.path("mountPath").asText().equals(stateDir)) {
        mount = m;
      }
    }
    assertThat(mount).as("a volume at STATE_DIR (the root file system is read-only)").isNotNull();
    assertThat(mount.path("readOnly").asBoolean(false)).as("STATE_DIR writable").isFalse();
    String volumeName = mount.path("name").asText();
    JsonNode volume = null;
    for (JsonNode v : pod.path("volumes")) {
      if (v.path("name").asText().equals(volumeName)) {
        volume = v;
      }
    }
    // an emptyDir is writable by the pod's user; a hostPath the kubelet creates belongs to root
    assertThat(volume).isNotNull();
    assertThat(volume.has("emptyDir")).as("STATE_DIR on an emptyDir").isTrue();
    assertThat(env(container, "KUBELET_MANAGED")).isEqualTo("skip");
  }

  @Test
  void theDaemonSetProbesHealthzAndReadyzOnItsHttpPort() throws IOException {
    JsonNode container = agentContainer(podSpec("daemonset.yaml"));
    String port = container.path("ports").get(0).path("name").asText();
    assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/healthz");
    assertThat(container.path("livenessProbe").path("httpGet").path("port").asText()).isEqualTo(port);
    assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/readyz");
    assertThat(container.path("readinessProbe").path("httpGet").path("port").asText()).isEqualTo(port);
  }

  @Test
  void theCronJobHasNoProbesButADeadline() throws IOException {
    // the one-shot serves no HTTP: a probe would fail it; the deadline ends a run that hangs
    JsonNode container = agentContainer(podSpec("cronjob.yaml"));
    assertThat(container.has("livenessProbe")).isFalse();
    JsonNode job = YAML.readTree(DEPLOY.resolve("kubernetes/cronjob.yaml").toFile()).path("spec").path("jobTemplate")
        .path("spec");
    assertThat(job.path("activeDeadlineSeconds").asInt()).isPositive();
  }

  @Test
  void theNomadJobIsASystemJobWithTheSameSettings() throws IOException {
    String hcl = Files.readString(DEPLOY.resolve("nomad/docker-cleaner.nomad.hcl"));
    assertThat(hcl).containsPattern("(?m)^job \"docker-cleaner\" \\{")
        .containsPattern("(?m)^\\s*type\\s*=\\s*\"system\"")
        .containsPattern("(?m)^\\s*node_pool\\s*=\\s*\"all\"")
        .containsPattern("(?m)^\\s*priority\\s*=\\s*\\d+")
        .containsPattern("(?m)^\\s*driver\\s*=\\s*\"docker\"")
        .containsPattern("(?m)^\\s*args\\s*=\\s*\\[\"agent\"\\]")
        .containsPattern("(?m)^\\s*user\\s*=\\s*\"1000:1000\"")
        .containsPattern("(?m)^\\s*readonly_rootfs\\s*=\\s*true")
        .containsPattern("(?m)^\\s*cap_drop\\s*=\\s*\\[\"ALL\"\\]")
        .containsPattern("(?m)^\\s*security_opt\\s*=\\s*\\[\"no-new-privileges\"\\]")
        .containsPattern("(?m)^\\s*path\\s*=\\s*\"/healthz\"")
        .containsPattern("(?m)^\\s*path\\s*=\\s*\"/readyz\"")
        .containsPattern("(?m)^\\s*check_restart\\s*\\{")
        .containsPattern("(?m)^\\s*STATE_DIR\\s*=\\s*\"\\$\\{NOMAD_ALLOC_DIR\\}/data\"")
        .containsPattern("(?m)^\\s*memory\\s*=\\s*128\\b")
        .containsPattern("(?m)^\\s*memory_max\\s*=\\s*256\\b")
        .doesNotContain("seccomp=unconfined")
        .doesNotContain("privileged");
    assertThat(collectFromText(hcl)).contains("STATE_DIR", "DISK_PATH", "API_TOKEN", "HTTP_LISTEN", "MIN_AGE");
  }

  @Test
  void theSwarmStackRunsOneAgentPerNodeOnItsOwnSocket() throws IOException {
    JsonNode stack = YAML.readTree(DEPLOY.resolve("swarm/docker-cleaner.stack.yml").toFile());
    JsonNode agent = stack.path("services").path("agent");
    assertThat(agent.path("deploy").path("mode").asText()).isEqualTo("global");
    assertThat(agent.path("command").get(0).asText()).isEqualTo("agent");
    // the node's socket where the image expects it (DOCKER_SOCKET's default); only the file is read here
    String socket = EnvironmentVariables.defaults().get("DOCKER_SOCKET");
    assertThat(agent.path("volumes")).anySatisfy(v -> assertThat(v.asText()).isEqualTo(socket + ":" + socket));
    assertThat(agent.path("environment").path("DOCKER_HOST").isMissingNode()).as("the node's own socket").isTrue();
    assertThat(agent.path("read_only").asBoolean()).isTrue();
    assertThat(agent.path("cap_drop").get(0).asText()).isEqualTo("ALL");
    assertThat(agent.path("environment").path("STATE_DIR").asText()).isNotEmpty();
    assertThat(mebibytes(agent.path("deploy").path("resources").path("reservations").path("memory").asText()
        .replace("M", "Mi"))).isGreaterThanOrEqualTo(MEASURED_PEAK_RSS_MIB);
  }

  // ---- extraction ----

  private static void collectFromYaml(JsonNode node, Set<String> names) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        JsonNode value = field.getValue();
        if (field.getKey().equals("environment") || field.getKey().equals("env")) {
          if (value.isObject()) {
            value.fieldNames().forEachRemaining(names::add);
          } else if (value.isArray()) {
            for (JsonNode item : value) {
              if (item.isTextual()) {
                names.add(item.asText().split("=", 2)[0]); // compose list form NAME=value / NAME
              } else if (item.has("name")) {
                names.add(item.get("name").asText()); // Kubernetes {name, value|valueFrom}
              }
            }
          }
        }
        collectFromYaml(value, names);
      }
    } else if (node.isArray()) {
      node.forEach(item -> collectFromYaml(item, names));
    } else if (node.isTextual()) {
      names.addAll(collectFromText(node.asText()));
    }
  }

  private static Set<String> collectFromText(String text) {
    Set<String> names = new TreeSet<>();
    Matcher flag = DOCKER_ENV_FLAG.matcher(text);
    while (flag.find()) {
      names.add(flag.group(1));
    }
    Matcher environment = SYSTEMD_ENVIRONMENT.matcher(text);
    while (environment.find()) {
      Matcher assignment = SYSTEMD_ASSIGNMENT.matcher(environment.group(1));
      while (assignment.find()) {
        names.add(assignment.group(1));
      }
    }
    Matcher hcl = HCL_ENV_BLOCK.matcher(text);
    while (hcl.find()) {
      Matcher assignment = HCL_ASSIGNMENT.matcher(hcl.group(1));
      while (assignment.find()) {
        names.add(assignment.group(1));
      }
    }
    return names;
  }

  private static Stream<Path> examples() throws IOException {
    try (Stream<Path> files = Files.walk(DEPLOY)) {
      return files.filter(Files::isRegularFile).sorted().toList().stream();
    }
  }

  private static boolean isYaml(Path path) {
    String name = path.getFileName().toString();
    return name.endsWith(".yml") || name.endsWith(".yaml");
  }
}
