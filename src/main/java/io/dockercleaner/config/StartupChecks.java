package io.dockercleaner.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The checks of files, directories and addresses that {@link SettingsLoader} does not make (it
 * only parses values), run once at start before connecting to the daemon, so that a start-up
 * that is going to fail fails before anything can be deleted. Each problem names the variable.
 *
 * <ul>
 *   <li>Every command: METRICS_TEXTFILE's directory exists and is writable (the file is written
 *       at the end of a one-shot run, after the deletions); the files notification targets read
 *       (SMTP_PASSWORD_FILE, each target's secret_file, password_file, ca_file) are readable and
 *       not empty.
 *   <li>{@code agent}: API_TOKEN_FILE is readable and not empty; STATE_DIR can be created and
 *       written; DISK_PATH exists (with DOCKER_HOSTS also each host's, {@link #checkAgentHost}); HTTP_LISTEN on a non-loopback address needs a token or
 *       API_OPEN_READ=true.
 * </ul>
 *
 * <p>The daemon address (DOCKER_HOST, and the certificates DOCKER_TLS_VERIFY needs) is checked by
 * the Docker client's own resolution ({@code DockerHost}), which the caller runs alongside.
 */
public final class StartupChecks {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private StartupChecks() {}

  /**
   * Every problem found for {@code command} (run, agent, check), each naming its variable; empty
   * when the start-up may go on. Touches the file system (reads the token file, creates STATE_DIR,
   * writes and removes a probe file in the METRICS_TEXTFILE and STATE_DIR directories).
   */
  public static List<String> check(String command, Settings settings) {
    List<String> problems = new ArrayList<>();
    settings.metricsTextfile().ifPresent(f -> checkTextfile(f, problems));
    checkNotifyFiles(settings, problems);
    if (command.equals("agent")) {
      settings.apiTokenFile().ifPresent(f -> checkTokenFile(f, problems));
      settings.stateDir().ifPresent(d -> checkStateDir(d, problems));
      settings.diskPath().ifPresent(p -> checkDiskPath(p, problems));
      checkListen(settings, problems);
    }
    return problems;
  }

  /**
   * The agent's checks of one host of DOCKER_HOSTS (its settings, its own values included): its
   * STATE_DIR can be created and written, its DISK_PATH exists. Each problem names the host.
   */
  public static List<String> checkAgentHost(String host, Settings settings) {
    List<String> problems = new ArrayList<>();
    settings.stateDir().ifPresent(d -> checkStateDir(d, problems));
    settings.diskPath().ifPresent(p -> checkDiskPath(p, problems));
    return problems.stream().map(p -> "DOCKER_HOSTS host '" + host + "': " + p).toList();
  }

  /** True when HTTP_LISTEN's host can only be reached from this machine. */
  public static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.equals("localhost") || h.endsWith(".localhost")) {
      return true;
    }
    try {
      if (IPV4.matcher(h).matches() || h.contains(":")) {
        return InetAddress.getByName(h).isLoopbackAddress(); // a literal: no name lookup
      }
      // a name: loopback only when every address it has is (resolved here as the server will)
      InetAddress[] all = InetAddress.getAllByName(h);
      for (InetAddress a : all) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return all.length > 0;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static void checkListen(Settings s, List<String> problems) {
    HostPort listen = s.httpListen();
    boolean token = s.apiToken().isPresent() || s.apiTokenFile().isPresent();
    if (!token && !s.apiOpenRead() && !isLoopback(listen.host())) {
      problems.add("HTTP_LISTEN: " + listen + " is not a loopback address and neither API_TOKEN nor API_TOKEN_FILE"
          + " is set: status, runs and metrics would answer anyone who can reach it. Set API_TOKEN or API_TOKEN_FILE"
          + " (with API_TOKEN_FOR_READ=true to protect reads too), listen on 127.0.0.1, or set API_OPEN_READ=true"
          + " to serve the read API openly");
    }
  }

  private static void checkTokenFile(Path file, List<String> problems) {
    checkSecretFile("API_TOKEN_FILE", file, "the token", problems);
  }

  /** A notification that cannot be sent is only logged later: its files are checked now. */
  private static void checkNotifyFiles(Settings settings, List<String> problems) {
    java.util.Set<Path> checked = new java.util.HashSet<>();
    settings.smtpPasswordFile().ifPresent(f -> {
      checked.add(f);
      checkSecretFile("SMTP_PASSWORD_FILE", f, "the password", problems);
    });
    for (NotifyTarget t : settings.notifyTargets()) {
      String where = "NOTIFY_TARGETS target " + t.logName();
      t.secretFile().filter(checked::add).ifPresent(f -> checkSecretFile(where + " secret_file", f, "the secret", problems));
      t.email().ifPresent(e -> {
        e.passwordFile().filter(checked::add)
            .ifPresent(f -> checkSecretFile(where + " password_file", f, "the password", problems));
        e.caFile().filter(checked::add)
            .ifPresent(f -> checkSecretFile(where + " ca_file", f, "PEM certificates", problems));
      });
    }
  }

  private static void checkSecretFile(String what, Path file, String holding, List<String> problems) {
    try {
      String content = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (content.isEmpty()) {
        problems.add(what + ": '" + file + "' is empty (expected " + holding + ")");
      }
    } catch (NoSuchFileException e) {
      problems.add(what + ": '" + file + "' does not exist (expected a file holding " + holding + ")");
    } catch (IOException | RuntimeException e) {
      problems.add(what + ": cannot read '" + file + "': " + describe(e));
    }
  }

  private static void checkStateDir(Path dir, List<String> problems) {
    try {
      Files.createDirectories(dir);
    } catch (IOException | RuntimeException e) {
      problems.add("STATE_DIR: cannot create '" + dir + "': " + describe(e));
      return;
    }
    probeWritable("STATE_DIR", dir, problems);
  }

  private static void checkDiskPath(Path path, List<String> problems) {
    if (!Files.exists(path)) {
      problems.add("DISK_PATH: '" + path + "' does not exist (expected a path on the filesystem that holds the"
          + " daemon's data root, e.g. its read-only mount; unset DISK_PATH to use the daemon's DockerRootDir)");
    }
  }

  private static void checkTextfile(Path file, List<String> problems) {
    Path absolute = file.toAbsolutePath();
    Path dir = absolute.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      problems.add("METRICS_TEXTFILE: cannot write '" + file + "': the directory '" + dir + "' does not exist"
          + " (expected a file in node_exporter's textfile directory)");
      return;
    }
    if (Files.isDirectory(absolute)) {
      problems.add("METRICS_TEXTFILE: '" + file + "' is a directory (expected a file name such as docker_cleaner.prom)");
      return;
    }
    probeWritable("METRICS_TEXTFILE", dir, problems);
  }

  /**
   * Creates and removes a file in {@code dir}: the only honest test (permission bits say nothing
   * to root, nor about a read-only mount or a full disk's inode table).
   */
  private static void probeWritable(String variable, Path dir, List<String> problems) {
    try {
      Path probe = Files.createTempFile(dir, ".docker-cleaner-probe-", ".tmp");
      Files.delete(probe);
    } catch (IOException | RuntimeException e) {
      problems.add(variable + ": cannot write in '" + dir + "': " + describe(e));
    }
  }

  private static String describe(Exception e) {
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.FileAlreadyExistsException) {
      return "a file that is not a directory is in the way";
    }
    // NIO exceptions carry the path as the message and the reason (e.g. Read-only file system) apart
    if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
      return fse.getReason();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
