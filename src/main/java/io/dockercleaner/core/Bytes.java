package io.dockercleaner.core;

import java.util.Locale;

/** Human-readable byte counts in decimal units, as the docker CLI prints them ("1.2 GB"). */
public final class Bytes {
  private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB", "PB"};

  private Bytes() {}

  public static String human(long bytes) {
    if (bytes < 1000) {
      return bytes + " B";
    }
    double value = bytes;
    int unit = 0;
    while (value >= 1000 && unit < UNITS.length - 1) {
      value /= 1000;
      unit++;
    }
    return String.format(Locale.ROOT, value >= 100 ? "%.0f %s" : "%.1f %s", value, UNITS[unit]);
  }
}
