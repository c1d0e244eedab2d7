package io.dockercleaner.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.dockercleaner.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --help} describes every setting in one line with the mode that uses it; secrets are not
 * accepted as command-line flags (any user can read command lines with ps).
 */
class HelpAndSecretFlagsTest {
  private static final String SECRET = "s3cret-value-42";

  private record Run(int exit, String out, String err) {}

  private static Run main(List<String> args, Map<String, String> env) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = Main.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void everyVariableHasAModeAndAOneLineDescription() {
    for (String name : EnvironmentVariables.names()) {
      VariableHelp.Doc doc = VariableHelp.of(name).orElse(null);
      assertThat(doc).as("description of %s (add it to VariableHelp)", name).isNotNull();
      assertThat(doc.mode()).as(name).isNotNull();
      assertThat(doc.description()).as(name).isNotBlank().doesNotContain("\n");
    }
  }

  @Test
  void helpShowsOneLinePerSettingWithItsModeAndDescription() {
    Run r = main(List.of("--help"), Map.of());

    assertThat(r.exit).isZero();
    List<String> lines = r.out.lines().toList();
    for (String name : EnvironmentVariables.names()) {
      VariableHelp.Doc doc = VariableHelp.of(name).orElseThrow();
      assertThat(lines).as(name).filteredOn(l -> l.matches("  (\\(no flag: secret\\)|--\\S+( VALUE)?) +" + name + " .*")).singleElement()
          .satisfies(l -> assertThat(l).contains("[" + doc.mode().label() + "]").contains(doc.description()));
    }
    assertThat(r.out).contains("[one-shot]", "[agent]", "[both]")
        .contains("--schedule VALUE").contains("--dry-run[=BOOL]");
    assertThat(lines).filteredOn(l -> l.matches("  \\S.* +API_TOKEN +\\[.*")).singleElement()
        .satisfies(l -> assertThat(l).contains("(no flag: secret)").doesNotContain("--api-token "));
  }

  @ParameterizedTest
  @ValueSource(strings = {"--api-token", "--webhook-secret"})
  void aSecretFlagExitsTwoSayingWhereTheSecretGoesWithoutEchoingIt(String flag) {
    for (List<String> args : List.of(List.of(flag, SECRET), List.of(flag + "=" + SECRET), List.of("agent", flag, SECRET))) {
      Run r = main(args, Map.of());

      assertThat(r.exit).as(args.toString()).isEqualTo(2);
      assertThat(r.err).contains(flag + ": ").contains("is a secret and is not accepted as a command-line flag")
          .contains("in the environment or in the --config file").contains("ps")
          // the value after the flag is the secret: not echoed, not taken for a command
          .doesNotContain(SECRET).doesNotContain("unknown command");
      assertThat(r.out).doesNotContain(SECRET);
    }
  }

  @Test
  void theApiTokenErrorPointsToApiTokenFile() {
    ConfigException e = catchThrowableOfType(
        () -> SettingsLoader.load(List.of("agent", "--api-token", SECRET), Map.of()), ConfigException.class);

    assertThat(e.errors()).singleElement().satisfies(m -> assertThat(m)
        .startsWith("--api-token: API_TOKEN is a secret")
        .endsWith("set API_TOKEN in the environment or in the --config file, or name a file holding it with"
            + " API_TOKEN_FILE instead"));
  }

  @Test
  void secretsStillComeFromTheEnvironmentTheFileAndTokenFile(@TempDir Path dir) throws Exception {
    Path config = Files.writeString(dir.resolve("c.yaml"), "webhook_secret: from-file\n");

    Settings fromEnv = SettingsLoader.load(List.of("agent"), Map.of("API_TOKEN", SECRET)).settings();
    Settings fromFile = SettingsLoader.load(List.of("--config", config.toString()), Map.of()).settings();
    Settings tokenFile = SettingsLoader.load(List.of("--api-token-file", "/run/secrets/token"), Map.of()).settings();

    assertThat(fromEnv.apiToken()).contains(SECRET);
    assertThat(fromFile.webhookSecret()).contains("from-file");
    assertThat(tokenFile.apiTokenFile()).contains(Path.of("/run/secrets/token"));
  }

  @Test
  void passwordsSecretsAndTokensOfAnyNameCountAsSecrets() {
    assertThat(Secrets.isSecret("SMTP_PASSWORD")).isTrue();
    assertThat(Secrets.isSecret("SLACK_WEBHOOK_SECRET")).isTrue();
    assertThat(Secrets.isSecret("API_TOKEN")).isTrue();
    assertThat(Secrets.isSecret("API_TOKEN_FILE")).isFalse();
    assertThat(Secrets.isSecret("API_TOKEN_FOR_READ")).isFalse();
    assertThat(Secrets.mask("SMTP_PASSWORD", "hunter2")).isEqualTo(Secrets.MASK);
  }

  @Test
  void aTypoOfASecretFlagIsNotAnsweredWithTheSecretFlag() {
    ConfigException e = catchThrowableOfType(
        () -> SettingsLoader.load(List.of("--api-tokn", "x"), Map.of()), ConfigException.class);

    assertThat(e.getMessage()).contains("unknown flag '--api-tokn'").doesNotContain("did you mean --api-token?");
  }
}
