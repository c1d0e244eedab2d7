package io.dockercleaner.config;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of PRUNE_FILTER_LABEL, with the Docker Engine {@code label}/{@code label!} filter
 * semantics:
 *
 * <ul>
 *   <li>{@code key}: the resource has label {@code key} (any value);
 *   <li>{@code key=value}: the resource has label {@code key} with that value;
 *   <li>{@code !key}: the resource has no label {@code key};
 *   <li>{@code key!=value}: the resource does not have label {@code key} with that value (no
 *       label {@code key} at all also matches).
 * </ul>
 */
public final class LabelFilter {
  private final String key;
  private final String value;
  private final boolean negated;

  /**
   * @param key a non-empty label key
   * @param value the value to compare, or null to test only for the key
   * @param negated true for {@code !key} and {@code key!=value}
   */
  public LabelFilter(String key, String value, boolean negated) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("empty label key");
    }
    this.key = key;
    this.value = value;
    this.negated = negated;
  }

  /** The label key. */
  public String key() {
    return key;
  }

  /** The label value compared against, if any. */
  public Optional<String> value() {
    return Optional.ofNullable(value);
  }

  /** True for {@code !key} and {@code key!=value}. */
  public boolean negated() {
    return negated;
  }

  /** Whether a resource with these labels passes this filter (is eligible for pruning). */
  public boolean matches(Map<String, String> labels) {
    boolean present = value == null ? labels.containsKey(key) : value.equals(labels.get(key));
    return present != negated;
  }

  /** {@code "label"} or {@code "label!"}, the Docker Engine filter name. */
  public String dockerFilterKey() {
    return negated ? "label!" : "label";
  }

  /** {@code key} or {@code key=value}, the Docker Engine filter value. */
  public String dockerFilterValue() {
    return value == null ? key : key + "=" + value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LabelFilter f
        && key.equals(f.key)
        && Objects.equals(value, f.value)
        && negated == f.negated;
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, value, negated);
  }

  /** The filter in PRUNE_FILTER_LABEL syntax. */
  @Override
  public String toString() {
    if (value == null) {
      return negated ? "!" + key : key;
    }
    return key + (negated ? "!=" : "=") + value;
  }
}
