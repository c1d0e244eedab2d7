package io.dockercleaner.oneshot;

import io.dockercleaner.core.RunOutcome;
import java.time.Duration;
import java.util.List;

/** Everything a one-shot run did, in operation order. */
public record OneShotReport(List<OperationResult> operations, boolean dryRun, Duration duration) {

  /** Exit codes of the one-shot contract. */
  public static final int EXIT_OK = 0;
  public static final int EXIT_SOME_FAILED = 1;
  public static final int EXIT_FATAL = 2;

  public long succeeded() {
    return operations.stream().filter(o -> o.status() == OperationResult.Status.SUCCEEDED
        || o.status() == OperationResult.Status.UNSUPPORTED).count();
  }

  public long failed() {
    return operations.stream().filter(o -> o.status() == OperationResult.Status.FAILED).count();
  }

  public long bytesFreed() {
    return operations.stream().mapToLong(OperationResult::bytesFreed).sum();
  }

  /** The run's outcome in the shared vocabulary (metrics, webhooks, agent run records). */
  public RunOutcome outcome() {
    return switch (exitCode()) {
      case EXIT_OK -> operations.stream().allMatch(o -> o.removed().isEmpty())
          ? RunOutcome.NOTHING_RECLAIMABLE : RunOutcome.SUCCEEDED;
      case EXIT_SOME_FAILED -> RunOutcome.PARTIAL;
      default -> RunOutcome.FAILED;
    };
  }

  /** 0: every enabled operation succeeded; 1: some failed; 2: all failed. */
  public int exitCode() {
    long enabled = operations.stream().filter(o -> o.status() != OperationResult.Status.DISABLED).count();
    long failed = failed();
    if (failed == 0) {
      return EXIT_OK;
    }
    return failed == enabled ? EXIT_FATAL : EXIT_SOME_FAILED;
  }
}
