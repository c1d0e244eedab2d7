package io.dockercleaner.config;

import io.dockercleaner.docker.DockerHost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SettingsLoaderTest {
  @TempDir Path dir;

  private static LoadedConfig load(List<String> args, Map<String, String> env) {
    return SettingsLoader.load(args, env);
  }

  private static ConfigException failure(List<String> args, Map<String, String> env) {
    return catchThrowableOfType(ConfigException.class, () -> SettingsLoader.load(args, env));
  }

  private Path file(String yaml) throws IOException {
    Path f = Files.createTempFile(dir, "config", ".yaml");
    Files.writeString(f, yaml);
    return f;
  }

  // ---- defaults and commands

  @Test
  void defaultsAreTyped() {
    LoadedConfig loaded = load(List.of(), Map.of());
    Settings s = loaded.settings();
    assertThat(loaded.command()).isEqualTo("run");
    assertThat(s.dockerHost()).isEqualTo(DockerHost.DEFAULT_HOST);
    assertThat(s.pruneAll()).isFalse();
    assertThat(s.volumesEnabled()).isFalse();
    assertThat(s.containersEnabled()).isTrue();
    assertThat(s.imagesEnabled()).isTrue();
    assertThat(s.networksEnabled()).isTrue();
    assertThat(s.buildCacheEnabled()).isTrue();
    assertThat(s.until()).isEqualTo(UntilFilter.relative(Duration.ofHours(24)));
    assertThat(s.labelFilters()).containsExactly(new LabelFilter("keep", "true", true));
    assertThat(s.logLevel()).isEqualTo(LogLevel.INFO);
    assertThat(s.logFormat()).isEqualTo(LogFormat.TEXT);
    assertThat(s.dryRun()).isFalse();
    assertThat(s.stateDir()).isEmpty();
    assertThat(s.diskCheckInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.diskHighWatermarkRatio()).isEqualTo(0.85);
    assertThat(s.diskLowWatermarkRatio()).isEqualTo(0.75);
    assertThat(s.diskCriticalWatermarkRatio()).isEqualTo(0.95);
    assertThat(s.dockerUsageLimitBytes()).isEqualTo(OptionalLong.empty());
    assertThat(s.schedule()).isEmpty();
    assertThat(s.minAge()).isEqualTo(Duration.ofHours(1));
    assertThat(s.maxDeletionsPerRun()).isEqualTo(500);
    assertThat(s.deleteConcurrency()).isEqualTo(2);
    assertThat(s.httpListen()).isEqualTo(new HostPort("127.0.0.1", 8080));
    assertThat(s.apiRateLimit()).isEqualTo(new RateLimit(10, Duration.ofMinutes(1)));
    assertThat(s.webhookEvents())
        .isEqualTo(EnumSet.of(WebhookEvent.RUN_FAILED, WebhookEvent.RUN_PARTIAL,
            WebhookEvent.TARGET_NOT_REACHED, WebhookEvent.THRESHOLD_CROSSED, WebhookEvent.DISK_FORECAST));
    assertThat(s.webhookTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.sources().values()).containsOnly(ValueSource.DEFAULT);
    assertThat(s).isEqualTo(Settings.defaults());
  }

  static Stream<Arguments> commands() {
    return Stream.of(
        arguments(List.of(), "run"),
        arguments(List.of("run"), "run"),
        arguments(List.of("agent"), "agent"),
        arguments(List.of("check"), "check"),
        arguments(List.of("version"), "version"),
        arguments(List.of("help"), "help"),
        arguments(List.of("--help"), "help"),
        arguments(List.of("-h"), "help"),
        arguments(List.of("agent", "--help"), "help"),
        arguments(List.of("--version"), "version"),
        arguments(List.of("--dry-run", "agent"), "agent"),
        arguments(List.of("--log-format", "json", "check"), "check"));
  }

  @ParameterizedTest
  @MethodSource("commands")
  void command(List<String> args, String expected) {
    assertThat(load(args, Map.of()).command()).isEqualTo(expected);
  }

  @Test
  void unknownCommandListsValidOnes() {
    assertThat(failure(List.of("prune"), Map.of()))
        .hasMessage("unknown command 'prune' (valid commands: run, agent, check, recommend, replay, record, version, help)");
  }

  @Test
  void secondPositionalIsAnError() {
    assertThat(failure(List.of("run", "now"), Map.of()))
        .hasMessage("unexpected argument 'now' after command 'run'");
  }

  @Test
  void commandIsKnownEvenWhenConfigIsBad() {
    ConfigException e = failure(List.of("--help"), Map.of("PRUNE_ALL", "maybe"));
    assertThat(e.command()).contains("help");
  }

  // ---- precedence

  @Test
  void flagOverEnvOverFileOverDefault() throws IOException {
    Path f = file("log_format: json\nlog_level: debug\nmin_age: 2h\nprune_all: yes\n");
    Map<String, String> env = Map.of("LOG_FORMAT", "text", "LOG_LEVEL", "warn");
    Settings s =
        load(List.of("--config", f.toString(), "--log-format", "json"), env).settings();
    assertThat(s.logFormat()).isEqualTo(LogFormat.JSON); // flag beats env and file
    assertThat(s.logLevel()).isEqualTo(LogLevel.WARN); // env beats file
    assertThat(s.minAge()).isEqualTo(Duration.ofHours(2)); // file beats default
    assertThat(s.pruneAll()).isTrue();
    assertThat(s.quietPeriod()).isEqualTo(Duration.ofMinutes(2)); // default
    assertThat(s.sources())
        .containsEntry("LOG_FORMAT", ValueSource.FLAG)
        .containsEntry("LOG_LEVEL", ValueSource.ENV)
        .containsEntry("MIN_AGE", ValueSource.FILE)
        .containsEntry("QUIET_PERIOD", ValueSource.DEFAULT);
    assertThat(s.effective())
        .containsEntry("LOG_FORMAT", "json")
        .containsEntry("LOG_LEVEL", "warn")
        .containsEntry("MIN_AGE", "2h");
  }

  @Test
  void onlyEffectiveValuesAreValidated() {
    // a bad env value overridden by a flag is never used, so it is not an error
    Settings s = load(List.of("--prune-all=false"), Map.of("PRUNE_ALL", "maybe")).settings();
    assertThat(s.pruneAll()).isFalse();
  }

  @Test
  void emptyEnvValueOverridesDefault() {
    Settings s = load(List.of(), Map.of("PRUNE_FILTER_LABEL", "", "PRUNE_FILTER_UNTIL", "")).settings();
    assertThat(s.labelFilters()).isEmpty();
    assertThat(s.until().isEnabled()).isFalse();
  }

  // ---- flags

  @Test
  void flagForms() {
    Settings s =
        load(
                List.of("--prune-filter-until", "48h", "--max-run-duration=10m", "--dry-run", "--quiet",
                    "--prune-all", "no", "--run-on-start=on", "--keep-images", "nginx:*"),
                Map.of())
            .settings();
    assertThat(s.until()).isEqualTo(UntilFilter.relative(Duration.ofHours(48)));
    assertThat(s.maxRunDuration()).isEqualTo(Duration.ofMinutes(10));
    assertThat(s.dryRun()).isTrue();
    assertThat(s.quiet()).isTrue();
    assertThat(s.pruneAll()).isFalse();
    assertThat(s.runOnStart()).isTrue();
    assertThat(s.keepImages()).containsExactly("nginx:*");
  }

  @Test
  void bareBooleanDoesNotSwallowTheCommand() {
    LoadedConfig loaded = load(List.of("--dry-run", "run"), Map.of());
    assertThat(loaded.command()).isEqualTo("run");
    assertThat(loaded.settings().dryRun()).isTrue();
  }

  @Test
  void flagValueMayStartWithBangOrBeEmpty() {
    Settings s = load(List.of("--prune-filter-label", "!keep", "--prune-filter-until="), Map.of()).settings();
    assertThat(s.labelFilters()).containsExactly(new LabelFilter("keep", null, true));
    assertThat(s.until().isEnabled()).isFalse();
  }

  static Stream<Arguments> badArguments() {
    return Stream.of(
        arguments(List.of("--dry-rn"), "unknown flag '--dry-rn' (did you mean --dry-run?); see --help"),
        arguments(List.of("--PRUNE_ALL"), "unknown flag '--PRUNE_ALL' (did you mean --prune-all?); see --help"),
        arguments(List.of("--prune_all=true"), "unknown flag '--prune_all' (did you mean --prune-all?); see --help"),
        arguments(List.of("--confg=x"), "unknown flag '--confg' (did you mean --config?); see --help"),
        arguments(List.of("-x"), "unknown flag '-x'; see --help"),
        arguments(List.of("--frobnicate-everything"), "unknown flag '--frobnicate-everything'; see --help"),
        arguments(List.of("--log-format"), "--log-format: missing value (expected --log-format VALUE or --log-format=VALUE)"),
        arguments(List.of("--min-age", "--dry-run"), "--min-age: missing value (expected --min-age VALUE or --min-age=VALUE)"),
        arguments(List.of("--config"), "--config: missing value (expected --config FILE or --config=FILE)"),
        arguments(List.of("--config="), "--config: empty file name (expected --config FILE)"),
        arguments(List.of("--min-age", "1h", "--min-age=2h"), "--min-age given more than once"));
  }

  @ParameterizedTest
  @MethodSource("badArguments")
  void badArgumentsAreNamed(List<String> args, String message) {
    assertThat(failure(args, Map.of())).hasMessage(message);
  }

  // ---- environment

  @Test
  void environmentIsFilteredAndTrimmed() {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", "/usr/bin");
    env.put("DOCKER_CLEANER_NOPE", "x");
    env.put("MIN_AGE", " 3h \n");
    env.put("DOCKER_SOCKET", "/run/docker.sock");
    env.put("CLEANUP_USER", "nobody");
    Settings s = load(List.of(), env).settings();
    assertThat(s.minAge()).isEqualTo(Duration.ofHours(3));
    assertThat(s.effective()).doesNotContainKey("PATH").containsEntry("DOCKER_SOCKET", "/run/docker.sock");
  }

  @Test
  void volumesEnabledByEitherVariable() {
    assertThat(load(List.of(), Map.of("PRUNE_VOLUMES", "true")).settings().volumesEnabled()).isTrue();
    assertThat(load(List.of(), Map.of("CLEANUP_VOLUMES", "true")).settings().volumesEnabled()).isTrue();
    assertThat(load(List.of("--prune-volumes", "--prune-volumes-all"), Map.of()).settings().pruneVolumesAll())
        .isTrue();
  }

  @Test
  void everyVariableIsAcceptedAtItsDefaultAsFlagAndAsEnv() {
    List<String> args = new ArrayList<>();
    EnvironmentVariables.defaults().forEach((name, def) -> {
      if (!Secrets.isSecret(name)) { // secrets have no flag (HelpAndSecretFlagsTest)
        args.add(SettingsLoader.flagOf(name) + "=" + def);
      }
    });
    assertThat(load(args, Map.of()).settings()).isEqualTo(Settings.defaults());
    assertThat(load(List.of(), EnvironmentVariables.defaults()).settings()).isEqualTo(Settings.defaults());
  }

  // ---- config file

  @Test
  void fileAcceptsLowerAndUpperKeysYamlScalarsAndLists() throws IOException {
    Path f =
        file(
            """
            PRUNE_ALL: true
            dry_run: on
            delete_concurrency: 4
            disk_high_watermark: 90
            prune_filter_until: 0
            keep_images: [nginx:*, "redis:7"]
            webhook_url:
              - https://a.example/hook
              - http://127.0.0.1:9/x
            state_dir: ~
            """);
    Settings s = load(List.of("--config=" + f), Map.of()).settings();
    assertThat(s.pruneAll()).isTrue();
    assertThat(s.dryRun()).isTrue();
    assertThat(s.deleteConcurrency()).isEqualTo(4);
    assertThat(s.diskHighWatermarkRatio()).isEqualTo(0.90);
    assertThat(s.until().isEnabled()).isFalse();
    assertThat(s.keepImages()).containsExactly("nginx:*", "redis:7");
    assertThat(s.webhookUrls())
        .containsExactly(URI.create("https://a.example/hook"), URI.create("http://127.0.0.1:9/x"));
    assertThat(s.stateDir()).isEmpty();
    assertThat(s.sources()).containsEntry("PRUNE_ALL", ValueSource.FILE);
  }

  @Test
  void emptyFileConfiguresNothing() throws IOException {
    Path f = file("# nothing here\n");
    assertThat(load(List.of("--config", f.toString()), Map.of()).settings()).isEqualTo(Settings.defaults());
  }

  @Test
  void unknownKeySuggestsAndListsKnownKeys() throws IOException {
    Path f = file("prune_al: true\n");
    String known = String.join(", ", EnvironmentVariables.names().stream().map(String::toLowerCase).toList());
    assertThat(failure(List.of("--config", f.toString()), Map.of()))
        .hasMessage("config file " + f + ": unknown key 'prune_al' (did you mean 'prune_all'? known keys: " + known + ")");
  }

  @Test
  void unknownKeyWithoutCloseMatch() throws IOException {
    Path f = file("foo: 1\n");
    assertThat(failure(List.of("--config", f.toString()), Map.of()).getMessage())
        .startsWith("config file " + f + ": unknown key 'foo' (known keys: docker_host, docker_tls_verify,");
  }

  static Stream<Arguments> badFiles() {
    return Stream.of(
        arguments("prune_all:\n  nested: true\n", ": key 'prune_all' must be a single value, not a mapping"),
        arguments("prune_all: [true, false]\n", ": key 'prune_all' must be a single value, not a list"),
        arguments("keep_images:\n  a: b\n",
            ": key 'keep_images' must be a single value, not a mapping (give a list or a comma-separated string)"),
        arguments("keep_images: [[a]]\n", ": key 'keep_images' must be a list of single values, found an item that is a list"),
        arguments("- prune_all\n", ": expected a mapping of keys to values at the top level, found a list"),
        arguments("just a string\n", ": expected a mapping of keys to values at the top level, found a single value"),
        arguments("prune_all: true\nPRUNE_ALL: false\n", ": key 'PRUNE_ALL' given twice (also as 'prune_all')"),
        arguments("Prune_All: true\n", ": unknown key 'Prune_All' (did you mean 'prune_all'? known keys: "),
        arguments("prune_all: true\nprune_all: false\n", ": invalid YAML at line 2, column "),
        arguments("prune_all: [true\n", ": invalid YAML at line 1, column "),
        arguments("prune_all: 'maybe'\n", ": prune_all: invalid value 'maybe' (expected a boolean: true/false, also yes/no, on/off, 1/0)"));
  }

  @ParameterizedTest
  @MethodSource("badFiles")
  void badFileStructureIsNamed(String yaml, String messagePart) throws IOException {
    Path f = file(yaml);
    assertThat(failure(List.of("--config", f.toString()), Map.of()).getMessage())
        .startsWith("config file " + f + messagePart);
  }

  @Test
  void duplicateKeyNamesTheKey() throws IOException {
    Path f = file("prune_all: true\nprune_all: false\n");
    assertThat(failure(List.of("--config", f.toString()), Map.of())).hasMessageContaining("'prune_all'");
  }

  @Test
  void invalidYamlKeepsTheParserProblemWithoutSourceExcerpts() throws IOException {
    Path f = file("prune_all: [true\n");
    assertThat(failure(List.of("--config", f.toString()), Map.of()).getMessage())
        .endsWith(": while parsing a flow sequence, expected ',' or ']', but got <stream end>")
        .doesNotContain("^");
  }

  @Test
  void missingFileNamesThePath() {
    Path missing = dir.resolve("nope.yaml");
    assertThat(failure(List.of("--config", missing.toString()), Map.of()))
        .hasMessage("config file " + missing + ": not found");
  }

  @Test
  void directoryIsNotReadable() {
    assertThat(failure(List.of("--config", dir.toString()), Map.of()).getMessage())
        .startsWith("config file " + dir + ": cannot read (");
  }

  @Test
  void exampleFileIsAcceptedAndEqualsDefaults() throws IOException {
    Path example = Path.of("conf/docker-cleaner.example.yaml");
    Settings s = load(List.of("--config", example.toString()), Map.of()).settings();
    assertThat(s).isEqualTo(Settings.defaults());
    assertThat(s.effective()).isEqualTo(Settings.defaults().effective());
    assertThat(s.sources()).containsEntry("PRUNE_FILTER_LABEL", ValueSource.FILE);
    String text = Files.readString(example);
    for (String name : EnvironmentVariables.names()) {
      // every variable is documented, set or commented out
      Pattern key = Pattern.compile("(?m)^#? ?" + name.toLowerCase() + ":");
      assertThat(key.matcher(text).find()).as("example mentions %s", name).isTrue();
    }
  }

  // ---- bad inputs from every source

  /** Variable, bad value, the detail after "invalid value 'X' (". */
  static Stream<Arguments> badValues() {
    return Stream.of(
        arguments("PRUNE_ALL", "maybe", "expected a boolean: true/false, also yes/no, on/off, 1/0)"),
        arguments("CLEANUP_IMAGES", "2", "expected a boolean: true/false, also yes/no, on/off, 1/0)"),
        arguments("MIN_AGE", "-1h", "expected a non-negative duration such as 30s, 5m, 24h, 7d or 1h30m)"),
        arguments("QUIET_PERIOD", "2 minutes", "expected a duration such as 500ms, 30s, 5m, 24h, 7d or 1h30m; units: ms, s, m, h, d)"),
        arguments("SWARM_TASK_IMAGE_RETENTION", "30", "expected a duration such as 500ms, 30s, 5m, 24h, 7d or 1h30m; units: ms, s, m, h, d; a number needs a unit, e.g. 30s)"),
        arguments("SWARM_TASK_IMAGE_RETENTION", "-1d", "expected a non-negative duration such as 30s, 5m, 24h, 7d or 1h30m)"),
        arguments("MAX_RUN_DURATION", "0", "expected a positive duration such as 500ms, 30s, 5m, 24h, 7d or 1h30m; units: ms, s, m, h, d)"),
        arguments("DOCKER_USAGE_LIMIT", "50XB", "expected a byte size such as 500MB, 50GB, 1.5GiB, 10k or 1024;"),
        arguments("DISK_HIGH_WATERMARK", "150%", "expected a percentage from 0 to 100 such as 85% or 85)"),
        arguments("PRUNE_FILTER_UNTIL", "last week", "expected a duration such as 24h or 7d,"),
        arguments("PRUNE_FILTER_LABEL", "=x", "entry '=x' has an empty key;"),
        arguments("LOG_LEVEL", "TRACE", "expected one of DEBUG, INFO, WARN, ERROR)"),
        arguments("LOG_FORMAT", "xml", "expected one of text, json)"),
        arguments("WEBHOOK_FORMAT", "msteams", "expected one of json, slack, discord, teams)"),
        arguments("CLEANUP_POLICY", "fifo", "expected one of lru, cost)"),
        arguments("CLEANUP_POLICY", "age", "expected one of lru, cost (age is only for `replay --policy`))"),
        arguments("WEBHOOK_EVENTS", "run_done", "unknown event 'run_done';"),
        arguments("HTTP_LISTEN", "127.0.0.1:99999", "expected host:port such as 127.0.0.1:8080"),
        arguments("API_RATE_LIMIT", "fast", "expected a rate such as 10/min, 5/s or 100/h)"),
        arguments("DELETE_CONCURRENCY", "64", "expected a whole number from 1 to 32)"),
        arguments("MAX_DELETIONS_PER_RUN", "0", "expected a whole number from 1 to 1000000)"),
        arguments("KEEP_TAGS_PER_REPO", "-1", "expected a whole number from 0 to 10000)"),
        arguments("KEEP_IMAGES", "a,,b", "empty pattern;"),
        arguments("WEBHOOK_URL", "ftp://x.example", "expected comma-separated http or https URLs)"),
        arguments("WEBHOOK_URL", "http://x.example:99999", "expected comma-separated http or https URLs; a port"),
        arguments("API_OPEN_READ", "open", "expected a boolean: true/false, also yes/no, on/off, 1/0)"),
        arguments("DOCKER_HOST", DockerHost.DEFAULT_SOCKET, "expected an address with scheme unix, tcp,"),
        arguments("DOCKER_TLS_VERIFY", "sure", "expected a boolean: true/false, also yes/no, on/off, 1/0)"),
        arguments("DISK_CHECK_INTERVAL", "10", "expected a positive duration such as"),
        arguments("WEBHOOK_TIMEOUT", "5 s", "expected a positive duration such as"),
        arguments("BUILD_CACHE_LIMIT", "-5GB", "expected a non-negative byte size such as 500MB or 50GB)"),
        arguments("INODE_LOW_WATERMARK", "x%", "expected a percentage from 0 to 100 such as 85% or 85)"));
  }

  @ParameterizedTest(name = "env {0}={1}")
  @MethodSource("badValues")
  void badEnvValueIsNamed(String name, String value, String detail) {
    assertThat(failure(List.of(), Map.of(name, value)).getMessage())
        .startsWith(name + ": invalid value '" + value + "' (" + detail);
  }

  @ParameterizedTest(name = "flag {0}={1}")
  @MethodSource("badValues")
  void badFlagValueIsNamed(String name, String value, String detail) {
    String flag = SettingsLoader.flagOf(name);
    assertThat(failure(List.of(flag + "=" + value), Map.of()).getMessage())
        .startsWith(flag + ": invalid value '" + value + "' (" + detail);
  }

  @ParameterizedTest(name = "file {0}={1}")
  @MethodSource("badValues")
  void badFileValueIsNamed(String name, String value, String detail) throws IOException {
    String key = name.toLowerCase();
    Path f = file(key + ": '" + value.replace("'", "''") + "'\n");
    assertThat(failure(List.of("--config", f.toString()), Map.of()).getMessage())
        .startsWith("config file " + f + ": " + key + ": invalid value '" + value + "' (" + detail);
  }

  @Test
  void allErrorsAreReportedAtOnce() {
    ConfigException e =
        failure(
            List.of("--nope", "--log-format=xml"),
            Map.of("PRUNE_ALL", "maybe", "MIN_AGE", "soon", "DELETE_CONCURRENCY", "0"));
    assertThat(e.errors())
        .containsExactly(
            "unknown flag '--nope'; see --help",
            "PRUNE_ALL: invalid value 'maybe' (expected a boolean: true/false, also yes/no, on/off, 1/0)",
            "--log-format: invalid value 'xml' (expected one of text, json)",
            "MIN_AGE: invalid value 'soon' (expected a duration such as 500ms, 30s, 5m, 24h, 7d or 1h30m;"
                + " units: ms, s, m, h, d)",
            "DELETE_CONCURRENCY: invalid value '0' (expected a whole number from 1 to 32)");
    assertThat(e.getMessage().lines()).hasSize(5);
  }

  // ---- cross-field rules

  static Stream<Arguments> crossField() {
    return Stream.of(
        arguments(Map.of("DISK_LOW_WATERMARK", "85%"),
            "DISK_LOW_WATERMARK (85%) must be below DISK_HIGH_WATERMARK (85%)"),
        arguments(Map.of("DISK_HIGH_WATERMARK", "96"),
            "DISK_HIGH_WATERMARK (96) must be at most DISK_CRITICAL_WATERMARK (95%)"),
        arguments(Map.of("INODE_LOW_WATERMARK", "90%"),
            "INODE_LOW_WATERMARK (90%) must be below INODE_HIGH_WATERMARK (85%)"),
        arguments(Map.of("API_TOKEN", "s3cret", "API_TOKEN_FILE", "/run/token"),
            "API_TOKEN and API_TOKEN_FILE are both set; set only one of them"),
        arguments(Map.of("API_TOKEN_FOR_READ", "true"),
            "API_TOKEN_FOR_READ=true needs API_TOKEN or API_TOKEN_FILE to be set"),
        arguments(Map.of("API_OPEN_READ", "true", "API_TOKEN", "s3cret", "API_TOKEN_FOR_READ", "true"),
            "API_OPEN_READ=true and API_TOKEN_FOR_READ=true contradict each other: the read API is either open or"
                + " needs the token; set one"),
        arguments(Map.of("PRUNE_VOLUMES_ALL", "true"),
            "PRUNE_VOLUMES_ALL=true has no effect unless PRUNE_VOLUMES=true or CLEANUP_VOLUMES=true"));
  }

  @ParameterizedTest
  @MethodSource("crossField")
  void crossFieldRules(Map<String, String> env, String message) {
    assertThat(failure(List.of(), env)).hasMessage(message);
  }

  @Test
  void crossFieldMessageNamesTheFlag() {
    assertThat(failure(List.of("--disk-low-watermark", "90"), Map.of()))
        .hasMessage("--disk-low-watermark (90) must be below DISK_HIGH_WATERMARK (85%)");
  }

  @Test
  void highMayEqualCritical() {
    Settings s = load(List.of(), Map.of("DISK_HIGH_WATERMARK", "95%")).settings();
    assertThat(s.diskHighWatermarkRatio()).isEqualTo(s.diskCriticalWatermarkRatio());
  }

  // ---- effective values and secrets

  @Test
  void effectiveMasksSecrets() {
    Settings s =
        load(
                List.of(),
                Map.of(
                    "API_TOKEN", "tok-123",
                    "WEBHOOK_SECRET", "hmac-456",
                    "WEBHOOK_URL", "https://user:pw@hooks.example.com/services/T0/B0/XYZ?token=abc,http://127.0.0.1:9/",
                    "DOCKER_HOST", "tcp://admin:pw@127.0.0.1:2376"))
            .settings();
    Map<String, String> effective = s.effective();
    assertThat(effective.keySet()).containsExactlyElementsOf(EnvironmentVariables.names());
    assertThat(effective)
        .containsEntry("API_TOKEN", "***")
        .containsEntry("WEBHOOK_SECRET", "***")
        .containsEntry("WEBHOOK_URL", "https://***@hooks.example.com/***,http://127.0.0.1:9/")
        .containsEntry("DOCKER_HOST", "tcp://admin:***@127.0.0.1:2376")
        .containsEntry("API_TOKEN_FILE", "");
    assertThat(s.toString()).doesNotContain("tok-123", "hmac-456", "XYZ", "pw@");
    assertThat(s.apiToken()).contains("tok-123");
  }

  // ---- Settings.of and usage

  @Test
  void settingsOfRejectsUnknownNames() {
    assertThatThrownBy(() -> Settings.of(Map.of("PRUNE_ALLL", "true")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("unknown variable 'PRUNE_ALLL'");
    assertThat(Settings.of(Map.of("DRY_RUN", "1")).dryRun()).isTrue();
  }

  @Test
  void usageListsEveryFlag() {
    String usage = SettingsLoader.usage();
    for (String name : EnvironmentVariables.names()) {
      assertThat(usage).contains(name);
      if (!Secrets.isSecret(name)) {
        assertThat(usage).contains(SettingsLoader.flagOf(name));
      }
    }
    assertThat(usage).contains("--dry-run[=BOOL]").contains("--min-age VALUE");
  }

  @Test
  void kubeletManagedDefaultsToSkipAndAWrongValueNamesTheVariable() {
    assertThat(load(List.of(), Map.of()).settings().skipKubeletManaged()).isTrue();
    assertThat(load(List.of(), Map.of("KUBELET_MANAGED", "include")).settings().skipKubeletManaged()).isFalse();
    assertThat(failure(List.of(), Map.of("KUBELET_MANAGED", "never")))
        .hasMessageContaining("KUBELET_MANAGED: invalid value 'never' (expected skip or include)");
  }
}
