package io.dockercleaner.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Builds {@link Settings} once at start from, in order of precedence: command-line flags, the
 * environment, a YAML file ({@code --config FILE}), and the defaults of {@link
 * EnvironmentVariables}. Every error found is reported at once in one {@link ConfigException}.
 *
 * <ul>
 *   <li>Arguments: an optional command ({@link #COMMANDS}, default {@code run}); {@code
 *       --help}/{@code -h} (command {@code help}); {@code --version} (command {@code version});
 *       {@code --config FILE}; and every variable as a flag, {@code --prune-filter-until 48h} or
 *       {@code --prune-filter-until=48h}. Boolean flags may be bare ({@code --dry-run} = true) or
 *       take a boolean value ({@code --dry-run false}, {@code --dry-run=no}).
 *   <li>Environment: only the variables of {@link EnvironmentVariables}; anything else is ignored.
 *       A variable set to the empty string counts as set (to empty).
 *   <li>File: a YAML mapping whose keys are the variable names in lower case ({@code prune_all})
 *       or upper case; scalar values (strings, numbers, booleans) are read as text; the
 *       list-valued variables (KEEP_IMAGES, WEBHOOK_URL, WEBHOOK_EVENTS, PRUNE_FILTER_LABEL) may
 *       also be given as a YAML list. Unknown keys are errors.
 * </ul>
 *
 * <p>All values are trimmed of surrounding whitespace before validation. A value given as empty
 * replaces the default: for variables where empty has a meaning (PRUNE_FILTER_UNTIL,
 * PRUNE_FILTER_LABEL, byte sizes, paths, SCHEDULE, KEEP_IMAGES, WEBHOOK_URL, WEBHOOK_EVENTS,
 * DOCKER_TLS_VERIFY, secrets) that meaning applies; for the others (booleans, durations,
 * percentages, numbers, enums, HTTP_LISTEN, API_RATE_LIMIT, DOCKER_HOST) empty is an error. Only
 * effective values are validated: a bad environment value overridden by a flag is not an error.
 */
public final class SettingsLoader {
  /** The commands, the first being the default. */
  public static final List<String> COMMANDS = List.of("run", "agent", "check", "recommend", "replay", "record", "version", "help");

  /** Options that belong to one command (not variables): {@code replay --trace FILE ...}. */
  static final Map<String, Set<String>> COMMAND_OPTIONS =
      Map.of("replay", Set.of("trace", "policy", "disk-bytes", "high", "low"), "record", Set.of("out", "duration"));

  /** Variables whose flag may be given bare. */
  static final Set<String> BOOLEAN_VARIABLES =
      Set.of(
          "DOCKER_TLS_VERIFY", "PRUNE_ALL", "PRUNE_VOLUMES", "PRUNE_VOLUMES_ALL", "PRUNE_FORCE",
          "CLEANUP_CONTAINERS", "CLEANUP_IMAGES", "CLEANUP_VOLUMES", "CLEANUP_NETWORKS",
          "CLEANUP_BUILD_CACHE", "QUIET", "DRY_RUN", "RUN_ON_START", "API_TOKEN_FOR_READ",
          "API_OPEN_READ");

  /** Comma-separated variables that a config file may also give as a YAML list. */
  static final Set<String> LIST_VARIABLES =
      Set.of("KEEP_IMAGES", "WEBHOOK_URL", "WEBHOOK_EVENTS", "PRUNE_FILTER_LABEL");

  private static final Set<String> BOOLEAN_LITERALS =
      Set.of("true", "false", "yes", "no", "on", "off", "1", "0");
  private static final Pattern FLAG_NAME = Pattern.compile("[a-z0-9]+(?:-[a-z0-9]+)*");

  private SettingsLoader() {}

  /**
   * Parses arguments and configuration.
   *
   * @param args the command-line arguments (without the program name)
   * @param env the process environment ({@code System.getenv()})
   * @return the command and validated settings
   * @throws ConfigException with every error found, one per line
   */
  public static LoadedConfig load(List<String> args, Map<String, String> env) {
    List<String> errors = new ArrayList<>();
    Arguments parsed = parseArguments(args, errors);
    Layer file = parsed.configPath == null ? new Layer() : readFile(parsed.configPath, errors);

    Map<String, String> raw = new LinkedHashMap<>();
    Map<String, String> labels = new LinkedHashMap<>();
    Map<String, ValueSource> sources = new LinkedHashMap<>();
    EnvironmentVariables.defaults()
        .forEach(
            (name, defaultValue) -> {
              if (parsed.flags.values.containsKey(name)) {
                put(name, parsed.flags, ValueSource.FLAG, raw, labels, sources);
              } else if (env.containsKey(name)) {
                raw.put(name, env.get(name).trim());
                labels.put(name, name);
                sources.put(name, ValueSource.ENV);
              } else if (file.values.containsKey(name)) {
                put(name, file, ValueSource.FILE, raw, labels, sources);
              } else {
                raw.put(name, defaultValue);
                labels.put(name, name);
                sources.put(name, ValueSource.DEFAULT);
              }
            });
    // a misspelt variable would be ignored, and a misspelt protection would let a run delete what
    // the user meant to keep: near misses of our names are errors (other unknown names are not ours)
    env.keySet().stream().sorted().forEach(name -> NearMisses.suggestion(name, EnvironmentVariables.names())
        .ifPresent(meant -> errors.add(name + ": not a docker-cleaner variable; did you mean " + meant
            + "? (a misspelt setting is refused rather than ignored)")));
    Settings settings = new Settings(raw, labels, sources, errors);
    if (!errors.isEmpty()) {
      throw new ConfigException(errors, parsed.command);
    }
    return new LoadedConfig(parsed.command, settings, parsed.options);
  }

  /** Backs {@link Settings#of}: variable values over defaults; unknown names are errors. */
  static Settings fromValues(Map<String, String> values) {
    List<String> unknown =
        values.keySet().stream().filter(n -> !EnvironmentVariables.names().contains(n)).sorted().toList();
    if (!unknown.isEmpty()) {
      throw new ConfigException(
          unknown.stream().map(n -> "unknown variable '" + n + "'").collect(Collectors.toList()), null);
    }
    return load(List.of(), values).settings();
  }

  private static void put(
      String name,
      Layer layer,
      ValueSource source,
      Map<String, String> raw,
      Map<String, String> labels,
      Map<String, ValueSource> sources) {
    raw.put(name, layer.values.get(name).trim());
    labels.put(name, layer.labels.get(name));
    sources.put(name, source);
  }

  /** Values of one layer (flags or file) with how each was written, for messages. */
  private static final class Layer {
    final Map<String, String> values = new LinkedHashMap<>();
    final Map<String, String> labels = new LinkedHashMap<>();
  }

  private static final class Arguments {
    String command;
    String configPath;
    final Layer flags = new Layer();
    final Map<String, String> options = new LinkedHashMap<>(); // command options, by name without --
  }

  private static Arguments parseArguments(List<String> args, List<String> errors) {
    Arguments out = new Arguments();
    boolean help = false;
    boolean version = false;
    String positional = null;
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("-h") || arg.equals("--help")) {
        help = true;
      } else if (arg.equals("--version")) {
        version = true;
      } else if (arg.startsWith("--")) {
        String body = arg.substring(2);
        int eq = body.indexOf('=');
        String flagName = eq >= 0 ? body.substring(0, eq) : body;
        String value = eq >= 0 ? body.substring(eq + 1) : null;
        String flag = "--" + flagName;
        if (flagName.equals("config")) {
          if (value == null) {
            if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
              value = args.get(++i);
            } else {
              errors.add("--config: missing value (expected --config FILE or --config=FILE)");
              continue;
            }
          }
          if (out.configPath != null) {
            errors.add("--config given more than once");
          } else if (value.isBlank()) {
            errors.add("--config: empty file name (expected --config FILE)");
          } else {
            out.configPath = value;
          }
          continue;
        }
        if (isCommandOption(flagName)) {
          if (value == null) {
            if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
              value = args.get(++i);
            } else {
              errors.add(flag + ": missing value (expected " + flag + " VALUE or " + flag + "=VALUE)");
              continue;
            }
          }
          if (out.options.putIfAbsent(flagName, value) != null) {
            errors.add(flag + " given more than once");
          }
          continue;
        }
        String name = flagName.replace('-', '_').toUpperCase(Locale.ROOT);
        if (!FLAG_NAME.matcher(flagName).matches() || !EnvironmentVariables.names().contains(name)) {
          errors.add(unknownFlag(arg));
          continue;
        }
        if (Secrets.isSecret(name)) {
          if (value == null && i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
            i++; // the secret itself: never echoed, never taken for a command
          }
          errors.add(secretFlag(flag, name));
          continue;
        }
        if (value == null) {
          String next = i + 1 < args.size() ? args.get(i + 1) : null;
          if (BOOLEAN_VARIABLES.contains(name)) {
            if (next != null && BOOLEAN_LITERALS.contains(next.toLowerCase(Locale.ROOT))) {
              value = next;
              i++;
            } else {
              value = "true";
            }
          } else if (next != null && !next.startsWith("--")) {
            value = next;
            i++;
          } else {
            errors.add(flag + ": missing value (expected " + flag + " VALUE or " + flag + "=VALUE)");
            continue;
          }
        }
        if (out.flags.values.containsKey(name)) {
          errors.add(flag + " given more than once");
          continue;
        }
        out.flags.values.put(name, value);
        out.flags.labels.put(name, flag);
      } else if (arg.startsWith("-") && arg.length() > 1) {
        errors.add(unknownFlag(arg));
      } else if (positional == null) {
        positional = arg;
        if (!COMMANDS.contains(arg)) {
          errors.add(
              "unknown command '" + arg + "' (valid commands: " + String.join(", ", COMMANDS) + ")");
        }
      } else {
        errors.add("unexpected argument '" + arg + "' after command '" + positional + "'");
      }
    }
    String command = positional != null && COMMANDS.contains(positional) ? positional : COMMANDS.get(0);
    for (String option : out.options.keySet()) {
      if (!COMMAND_OPTIONS.getOrDefault(command, Set.of()).contains(option)) {
        errors.add("--" + option + " is an option of another command ("
            + COMMAND_OPTIONS.entrySet().stream().filter(e -> e.getValue().contains(option)).map(Map.Entry::getKey)
                .sorted().collect(Collectors.joining(", ")) + "), not of '" + command + "'");
      }
    }
    if (help) {
      out.command = "help";
    } else if (version) {
      out.command = "version";
    } else if (positional != null && COMMANDS.contains(positional)) {
      out.command = positional;
    } else if (positional == null) {
      out.command = COMMANDS.get(0);
    }
    return out;
  }

  private static boolean isCommandOption(String name) {
    for (Set<String> options : COMMAND_OPTIONS.values()) {
      if (options.contains(name)) {
        return true;
      }
    }
    return false;
  }

  private static List<String> allFlags() {
    List<String> flags = new ArrayList<>(List.of("--config", "--help", "--version"));
    EnvironmentVariables.names().stream().filter(n -> !Secrets.isSecret(n)).forEach(n -> flags.add(flagOf(n)));
    return flags;
  }

  /** Why a secret cannot be a flag, and where to put it instead. */
  private static String secretFlag(String flag, String name) {
    String file = name + "_FILE";
    return flag + ": " + name + " is a secret and is not accepted as a command-line flag (any user on the"
        + " host can read command lines, e.g. with ps); set " + name + " in the environment or in the"
        + " --config file" + (EnvironmentVariables.names().contains(file) ? ", or name a file holding it with "
        + file : "") + " instead";
  }

  /** {@code PRUNE_FILTER_UNTIL} → {@code --prune-filter-until}. */
  public static String flagOf(String variable) {
    return "--" + variable.toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** {@code PRUNE_FILTER_UNTIL} → {@code prune_filter_until}. */
  public static String fileKeyOf(String variable) {
    return variable.toLowerCase(Locale.ROOT);
  }

  private static Layer readFile(String path, List<String> errors) {
    Layer layer = new Layer();
    String where = "config file " + path;
    JsonNode root;
    try {
      ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
      mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      root = mapper.readTree(Files.readString(Path.of(path)));
    } catch (NoSuchFileException e) {
      errors.add(where + ": not found");
      return layer;
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String location = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      // SnakeYAML messages interleave the problem with indented source excerpts and carets
      String message =
          String.valueOf(e.getOriginalMessage())
              .lines()
              .filter(line -> !line.isBlank() && !Character.isWhitespace(line.charAt(0)))
              .collect(Collectors.joining(", "));
      errors.add(where + ": invalid YAML" + location + ": " + message);
      return layer;
    } catch (IOException | RuntimeException e) {
      errors.add(where + ": cannot read (" + e + ")");
      return layer;
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return layer; // an empty file configures nothing
    }
    if (!root.isObject()) {
      errors.add(where + ": expected a mapping of keys to values at the top level, found " + kind(root));
      return layer;
    }
    Map<String, String> keyOf = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      String key = field.getKey();
      // `hosts:` reads better than `docker_hosts:` for a list of hosts with their own settings
      String name = key.equals("hosts") ? "DOCKER_HOSTS" : key.toUpperCase(Locale.ROOT);
      boolean known =
          EnvironmentVariables.names().contains(name)
              && (key.equals(name) || key.equals(fileKeyOf(name)) || key.equals("hosts"));
      if (!known) {
        List<String> keys = EnvironmentVariables.names().stream().map(SettingsLoader::fileKeyOf).toList();
        String hint =
            closest(key.toLowerCase(Locale.ROOT).replace('-', '_'), keys)
                .map(c -> "did you mean '" + c + "'? ")
                .orElse("");
        errors.add(
            where + ": unknown key '" + key + "' (" + hint + "known keys: " + String.join(", ", keys) + ")");
        continue;
      }
      if (keyOf.containsKey(name)) {
        errors.add(where + ": key '" + key + "' given twice (also as '" + keyOf.get(name) + "')");
        continue;
      }
      keyOf.put(name, key);
      Optional<String> value = scalarValue(where, key, name, field.getValue(), errors);
      if (value.isPresent()) {
        layer.values.put(name, value.get());
        layer.labels.put(name, where + ": " + key);
      }
    }
    return layer;
  }

  private static Optional<String> scalarValue(
      String where, String key, String name, JsonNode node, List<String> errors) {
    if (node.isNull()) {
      return Optional.of("");
    }
    if (node.isValueNode()) {
      return Optional.of(node.asText());
    }
    if (node.isArray() && (name.equals("NOTIFY_TARGETS") || name.equals("DOCKER_HOSTS"))) {
      return Optional.of(node.toString()); // a list of mappings: NotifyTargets reads it as JSON
    }
    if (node.isArray() && LIST_VARIABLES.contains(name)) {
      List<String> items = new ArrayList<>();
      for (JsonNode item : node) {
        if (!item.isValueNode() || item.isNull()) {
          errors.add(where + ": key '" + key + "' must be a list of single values, found an item that is " + kind(item));
          return Optional.empty();
        }
        items.add(item.asText().trim());
      }
      return Optional.of(String.join(",", items));
    }
    errors.add(
        where + ": key '" + key + "' must be a single value, not " + kind(node)
            + (LIST_VARIABLES.contains(name) ? " (give a list or a comma-separated string)" : ""));
    return Optional.empty();
  }

  private static String kind(JsonNode node) {
    if (node.isArray()) {
      return "a list";
    }
    if (node.isObject()) {
      return "a mapping";
    }
    return node.isNull() ? "null" : "a single value";
  }

  /** The candidate closest to {@code given}, when one is close enough to be a likely typo. */
  static Optional<String> closest(String given, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int d = distance(given, candidate);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    // a short name (--tz) is within two edits of any short typo: only suggest what keeps a letter
    if (best != null && bestDistance <= Math.max(2, given.length() / 3)
        && bestDistance < best.replaceFirst("^-+", "").length()) {
      return Optional.of(best);
    }
    for (String candidate : candidates) {
      if (given.length() >= 4 && candidate.startsWith(given)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static String unknownFlag(String arg) {
    // compare as a flag would be spelt, so --PRUNE_ALL suggests --prune-all
    String normalized = arg.toLowerCase(Locale.ROOT).replace('_', '-');
    int eq = normalized.indexOf('=');
    if (eq >= 0) {
      normalized = normalized.substring(0, eq);
    }
    if (!normalized.startsWith("--")) {
      normalized = "-" + normalized;
    }
    String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
    return "unknown flag '" + name + "'"
        + closest(normalized, allFlags()).map(c -> " (did you mean " + c + "?)").orElse("")
        + "; see --help";
  }

  /** Levenshtein distance. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  /**
   * Usage text for {@code help}: commands, then every option as flag, variable and file key with
   * its default.
   */
  public static String usage() {
    StringBuilder out = new StringBuilder();
    out.append("Usage: docker-cleaner [run|agent|check|recommend|replay|record|version|help] [--config FILE] [--OPTION VALUE ...]\n\n")
        .append("Commands:\n")
        .append("  run      prune once and exit (default)\n")
        .append("  agent    stay running: watch disk usage and clean within budgets\n")
        .append("  check    validate the configuration and the Docker connection, then exit\n")
        .append("  recommend  print suggestions with their numbers (reads the daemon, deletes nothing)\n")
        .append("  replay   replay a usage trace against a disk budget with the agent's planner, no daemon:\n")
        .append("           replay --trace FILE --disk-bytes SIZE [--policy lru|age|cost] [--high 85%] [--low 75%]\n")
        .append("           (policy default CLEANUP_POLICY, watermarks default DISK_HIGH/LOW_WATERMARK;\n")
        .append("           trace format: docs/trace-format.md)\n")
        .append("  record   follow the daemon's events and write what the workload did as a trace for replay\n")
        .append("           (reads only, deletes nothing): record --out FILE [--duration 1h]; stops on\n")
        .append("           SIGTERM/SIGINT or after --duration\n")
        .append("  version  print the version and exit\n")
        .append("  help     print this help and exit\n\n")
        .append("Settings: each is an environment variable, a key of the --config YAML file (lower case) and a\n")
        .append("flag, except secrets: environment or file only (command lines are visible to every user).\n")
        .append("Precedence: flags > environment > config file > defaults. Boolean flags may be bare.\n")
        .append("Mode: one-shot = run; agent = agent; both = either (the agent applies the prune settings to\n")
        .append("its scheduled and start runs); image = the container image's entrypoint.\n\n");
    EnvironmentVariables.defaults()
        .forEach(
            (name, def) -> {
              String flag = Secrets.isSecret(name) ? "(no flag: secret)"
                  : flagOf(name) + (BOOLEAN_VARIABLES.contains(name) ? "[=BOOL]" : " VALUE");
              VariableHelp.Doc doc = VariableHelp.of(name).orElse(new VariableHelp.Doc(null, ""));
              out.append(String.format(Locale.ROOT, "  %-32s %-24s %-10s %s%s%n", flag, name,
                  doc.mode() == null ? "" : "[" + doc.mode().label() + "]", doc.description(),
                  def.isEmpty() ? "" : " (default: " + def + ")"));
            });
    return out.toString();
  }

}
