package io.dockercleaner.config;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Environment variables that look like a misspelling of one of docker-cleaner's own ({@code
 * KEEP_IMAGE}, {@code PRUNE_UNTIL}, {@code DRYRUN}). The environment holds many variables that are
 * not ours, so unknown names in general cannot be errors; but a misspelt protection that is
 * silently ignored would let a cleanup delete what the user meant to keep, so a near miss is one.
 *
 * <p>A name is a near miss of a known one when one edit (a character added, dropped, replaced, or
 * two neighbours swapped) makes it the known name, both at least 6 characters long, or when it has
 * at least two words, the same first word, and every word of it is a word of the known name
 * ({@code PRUNE_UNTIL} of {@code PRUNE_FILTER_UNTIL}). Two edits would be too many: Kubernetes
 * sets {@code DOCKER_PORT} for a service named docker, two edits from {@code DOCKER_HOST}. Pure;
 * tested on the names CI systems and Kubernetes set.
 */
public final class NearMisses {
  /** Read by docker-cleaner or the docker CLI conventions it follows, though not settings. */
  static final Set<String> OTHER_KNOWN = Set.of("DOCKER_CONFIG", "DOCKER_CONTEXT", "DOCKER_API_VERSION",
      "DOCKER_CLEANER_JAVA_OPTS", "HOSTNAME");

  private NearMisses() {}

  /** The known name that {@code name} probably meant, or empty when it is known or not close to any. */
  public static Optional<String> suggestion(String name, Collection<String> known) {
    if (known.contains(name) || OTHER_KNOWN.contains(name)) {
      return Optional.empty();
    }
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      int d = distance(name, k);
      boolean close = name.length() >= 6 && k.length() >= 6 && d <= 1;
      if ((close || wordsOf(name, k)) && d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    return Optional.ofNullable(best);
  }

  /** Two or more words, the same first word, every word of {@code name} a word of {@code known}. */
  private static boolean wordsOf(String name, String known) {
    List<String> words = Arrays.asList(name.split("_", -1));
    List<String> knownWords = Arrays.asList(known.split("_", -1));
    return words.size() >= 2 && words.size() < knownWords.size() && words.get(0).equals(knownWords.get(0))
        && words.stream().noneMatch(String::isEmpty) && knownWords.containsAll(words);
  }

  /** Edit distance: insertions, deletions, substitutions and swaps of neighbours (optimal string alignment). */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1));
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
