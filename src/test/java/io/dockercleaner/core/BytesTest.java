package io.dockercleaner.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BytesTest {

  @Test
  void printsDecimalUnitsLikeTheDockerCli() {
    assertEquals("0 B", Bytes.human(0));
    assertEquals("999 B", Bytes.human(999));
    assertEquals("1.0 kB", Bytes.human(1000));
    assertEquals("1.5 kB", Bytes.human(1500));
    assertEquals("12.3 MB", Bytes.human(12_345_678));
    assertEquals("123 MB", Bytes.human(123_456_789));
    assertEquals("100.0 kB", Bytes.human(99_960));
    assertEquals("1000 kB", Bytes.human(999_999));
    assertEquals("9223 PB", Bytes.human(Long.MAX_VALUE));
  }

  /** The hand-written formatting agrees with the String.format it replaced, over many sizes. */
  @Test
  void agreesWithStringFormat() {
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 100_000; i++) {
      long bytes = i < 5_000 ? i * 997L : (long) Math.pow(10, random.nextDouble(3, 18));
      assertEquals(viaFormat(bytes), Bytes.human(bytes), "bytes " + bytes);
    }
  }

  private static String viaFormat(long bytes) {
    if (bytes < 1000) {
      return bytes + " B";
    }
    String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
    double value = bytes;
    int unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    return String.format(Locale.ROOT, value >= 100 ? "%.0f %s" : "%.1f %s", value, units[unit]);
  }
}
