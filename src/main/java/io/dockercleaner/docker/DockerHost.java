package io.dockercleaner.docker;

import io.vertx.core.net.SocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Where the daemon is and how to reach it, resolved from {@code DOCKER_HOST},
 * {@code DOCKER_TLS_VERIFY} and {@code DOCKER_CERT_PATH} the way the docker CLI does.
 *
 * @param raw the DOCKER_HOST value as given
 * @param unixSocketPath the socket path for {@code unix://}, else null
 * @param host TCP host (or "localhost" for unix sockets, used as the Host header)
 * @param port TCP port (0 for unix)
 * @param tls whether TLS is used
 * @param tlsVerify whether the server certificate is verified (DOCKER_TLS_VERIFY set)
 * @param certPath directory with ca.pem, cert.pem, key.pem (TLS only)
 */
public record DockerHost(
    String raw, String unixSocketPath, String host, int port, boolean tls, boolean tlsVerify, Path certPath) {

  /** The daemon's conventional socket path. */
  public static final String DEFAULT_SOCKET = "/var/run/docker.sock";
  /** The docker CLI's default. */
  public static final String DEFAULT_HOST = "unix://" + DEFAULT_SOCKET;
  /** How to give a container the host's socket (in messages). */
  public static final String SOCKET_MOUNT_HINT = "-v " + DEFAULT_SOCKET + ":" + DEFAULT_SOCKET;
  private static final int DEFAULT_TLS_PORT = 2376;
  private static final int DEFAULT_TCP_PORT = 2375;

  /** Resolves from an environment map (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, HOME). */
  public static DockerHost fromEnvironment(Map<String, String> env) {
    String value = env.getOrDefault("DOCKER_HOST", "");
    if (value == null || value.isBlank()) {
      value = DEFAULT_HOST;
    }
    String verify = env.getOrDefault("DOCKER_TLS_VERIFY", "");
    boolean tlsVerify = verify != null && !verify.isEmpty() && !verify.equals("0") && !verify.equalsIgnoreCase("false");
    String certDir = env.get("DOCKER_CERT_PATH");
    Path certPath = certDir != null && !certDir.isBlank()
        ? Path.of(certDir)
        : Path.of(env.getOrDefault("HOME", System.getProperty("user.home", "/root")), ".docker");
    return parse(value, tlsVerify, certPath);
  }

  /**
   * Parses a DOCKER_HOST value. TLS is used for {@code https://} and whenever {@code tlsVerify}
   * (DOCKER_TLS_VERIFY) is set, with ca.pem, cert.pem and key.pem from {@code certPath}
   * (DOCKER_CERT_PATH, default ~/.docker), as the docker CLI does.
   *
   * @throws DockerException of kind UNSUPPORTED with a message saying what to do instead
   */
  public static DockerHost parse(String value, boolean tlsVerify, Path certPath) {
    String v = value.trim();
    int sep = v.indexOf("://");
    if (sep <= 0) {
      throw bad(v, "expected a URL such as unix:///var/run/docker.sock or tcp://host:2376");
    }
    String scheme = v.substring(0, sep).toLowerCase(Locale.ROOT);
    String rest = v.substring(sep + 3);
    switch (scheme) {
      case "unix": {
        if (rest.isEmpty() || !rest.startsWith("/")) {
          throw bad(v, "a unix socket needs an absolute path, e.g. unix:///var/run/docker.sock");
        }
        if (rest.getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= 108) {
          throw bad(v, "unix socket paths must be shorter than 108 bytes");
        }
        return new DockerHost(v, rest, "localhost", 0, false, false, null);
      }
      case "tcp":
      case "http":
      case "https": {
        URI uri;
        try {
          uri = new URI("tcp://" + rest);
        } catch (Exception e) {
          throw bad(v, "expected tcp://HOST:PORT");
        }
        if (uri.getHost() == null) {
          throw bad(v, "expected tcp://HOST:PORT");
        }
        if (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/")) {
          throw bad(v, "a path after HOST:PORT is not supported");
        }
        boolean tls = tlsVerify || scheme.equals("https");
        int port = uri.getPort() > 0 ? uri.getPort() : (tls ? DEFAULT_TLS_PORT : DEFAULT_TCP_PORT);
        return new DockerHost(v, null, uri.getHost(), port, tls, tlsVerify, tls ? certPath : null);
      }
      case "ssh":
        throw bad(v, "ssh:// is not supported by docker-cleaner; forward the remote socket instead "
            + "(ssh -nNT -L /tmp/remote-docker.sock:/var/run/docker.sock USER@HOST) and set "
            + "DOCKER_HOST=unix:///tmp/remote-docker.sock, or run docker-cleaner on that host");
      case "npipe":
        throw bad(v, "Windows named pipes are not supported; docker-cleaner runs on Linux hosts");
      case "fd":
        throw bad(v, "fd:// (systemd socket activation) is a daemon-side address; use unix:///var/run/docker.sock");
      default:
        throw bad(v, "unsupported scheme '" + scheme + "' (expected unix:// or tcp://)");
    }
  }

  /** The files DOCKER_TLS_VERIFY needs in DOCKER_CERT_PATH, as the docker CLI. */
  public static final java.util.List<String> CERT_FILES = java.util.List.of("ca.pem", "cert.pem", "key.pem");

  /**
   * With DOCKER_TLS_VERIFY on a TLS host, ca.pem, cert.pem and key.pem must be readable files in
   * {@link #certPath()}, as the docker CLI requires: verifying against anything else (such as the
   * JVM's default trust store) would trust authorities the operator never chose. A no-op otherwise.
   *
   * @throws DockerException of kind UNSUPPORTED, operation {@code DOCKER_CERT_PATH}, naming the
   *     directory and the missing files
   */
  public void checkCertificates() {
    if (!tls || !tlsVerify) {
      return;
    }
    java.util.List<String> missing = CERT_FILES.stream()
        .filter(f -> !java.nio.file.Files.isRegularFile(certPath.resolve(f)) || !java.nio.file.Files.isReadable(certPath.resolve(f)))
        .toList();
    if (!missing.isEmpty()) {
      throw new DockerException("DOCKER_CERT_PATH", 0, DockerException.Kind.UNSUPPORTED,
          "DOCKER_TLS_VERIFY is set, so " + String.join(", ", CERT_FILES) + " must be readable files in "
          + certPath + " (DOCKER_CERT_PATH, default ~/.docker); missing or unreadable: " + String.join(", ", missing));
    }
  }

  private static DockerException bad(String value, String expected) {
    return new DockerException("DOCKER_HOST", 0, DockerException.Kind.UNSUPPORTED,
        "invalid value '" + value + "': " + expected);
  }

  /** The address to connect to. */
  public SocketAddress socketAddress() {
    return unixSocketPath != null
        ? SocketAddress.domainSocketAddress(unixSocketPath)
        : SocketAddress.inetSocketAddress(port, host);
  }

  /** True for unix:// hosts. */
  public boolean isUnix() {
    return unixSocketPath != null;
  }

  /** A description safe for logs (no credentials). */
  public String describe() {
    return isUnix() ? "unix://" + unixSocketPath : (tls ? "tcp+tls://" : "tcp://") + host + ":" + port;
  }
}
