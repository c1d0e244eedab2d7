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
        "ci/github-actions.yml", "multi-host.sh")) {
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
        + "Environment=SYSTEMD_FORM=1 \"QUOTED_FORM=a b\"\n"));

    assertThat(names).containsExactlyInAnyOrder("MAP_FORM", "LIST_FORM", "BARE_FORM", "K8S_FORM",
        "GITHUB_FORM", "FLAG_IN_YAML", "FLAG_FORM", "LONG_FORM", "EQUALS_FORM", "SYSTEMD_FORM", "QUOTED_FORM");
    assertThat(names).as("made-up names are not known").doesNotContainAnyElementsOf(EnvironmentVariables.names());
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
