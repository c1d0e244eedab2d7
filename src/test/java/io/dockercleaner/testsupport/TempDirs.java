package io.dockercleaner.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/**
 * Temporary folders for the unit layer (no daemon, no process): short paths under /tmp, since a
 * unix socket path must stay under 108 bytes, and their removal, so tests leave nothing behind.
 */
public final class TempDirs {
  private TempDirs() {}

  /** A new folder {@code /tmp/PREFIX…}. */
  public static Path underTmp(String prefix) {
    try {
      return Files.createTempDirectory(Path.of("/tmp"), prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes {@code dir} with everything in it (a missing or null folder is fine). */
  public static void delete(Path dir) {
    if (dir == null || !Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      // deepest first, so each folder is empty when its turn comes
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete test folder " + dir, e);
    }
  }
}
