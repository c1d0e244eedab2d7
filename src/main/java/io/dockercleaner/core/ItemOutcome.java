package io.dockercleaner.core;

/** What happened to one planned object. */
public enum ItemOutcome {
  REMOVED("removed"),
  SKIPPED("skipped"),
  FAILED("failed"),
  WOULD_REMOVE("would_remove");

  private final String label;

  ItemOutcome(String label) {
    this.label = label;
  }

  /** snake_case label used in metrics and payloads. */
  public String label() {
    return label;
  }
}
