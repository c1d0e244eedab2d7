package io.dockercleaner.core;

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
    // By hand, not String.format: this runs for every item a run logs, and Formatter (locale
    // symbols, a parser per call) was the largest single cost of a deletion's log line.
    if (value >= 100) {
      return Math.round(value) + " " + UNITS[unit];
    }
    long tenths = Math.round(value * 10);
    return tenths / 10 + "." + tenths % 10 + " " + UNITS[unit];
  }
}
