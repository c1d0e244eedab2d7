package io.dockercleaner.plan;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A label predicate that also knows its daemon filter form ({@code label} / {@code label!} pairs),
 * so that a prune call can carry exactly the same protection. The executor uses prune calls only
 * with such a predicate: a plain predicate cannot be told to the daemon.
 */
public interface DaemonLabelFilters extends Predicate<Map<String, String>> {
  /** {@code [key, value]} pairs, e.g. {@code ["label!", "keep=true"]}. */
  List<String[]> daemonFilters();
}
