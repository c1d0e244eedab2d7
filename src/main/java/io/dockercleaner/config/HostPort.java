package io.dockercleaner.config;

/**
 * HTTP_LISTEN: a host literal (name, IPv4, or IPv6 without brackets) and a port 1–65535.
 *
 * @param host as written, without the brackets of an IPv6 literal
 * @param port 1–65535
 */
public record HostPort(String host, int port) {
  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
