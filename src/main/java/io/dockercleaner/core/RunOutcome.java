package io.dockercleaner.core;

/** How a whole run ended. */
public enum RunOutcome {
  SUCCEEDED("succeeded"),
  PARTIAL("partial"),
  FAILED("failed"),
  TARGET_NOT_REACHED("target_not_reached"),
  NOTHING_RECLAIMABLE("nothing_reclaimable");

  private final String label;

  RunOutcome(String label) {
    this.label = label;
  }

  /** snake_case label used in metrics and payloads. */
  public String label() {
    return label;
  }
}
