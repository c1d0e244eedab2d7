package io.dockercleaner.replay;

import io.dockercleaner.plan.CleanupPolicy;
import java.time.Instant;

/**
 * What one replay measured.
 *
 * @param policy the cleanup policy replayed
 * @param diskBytes the disk budget
 * @param highRatio cleanups start above this share of the disk
 * @param lowRatio and free down to this share
 * @param events trace lines replayed
 * @param firstAt the first event's time (null for an empty trace)
 * @param lastAt the last event's time (null for an empty trace)
 * @param cleanupRuns how many times usage crossed the high watermark and a plan was executed
 * @param deletions images the cleanups deleted
 * @param misses times an image was needed again after a cleanup had deleted it
 * @param bytesRepulled bytes fetched again because a cleanup had deleted them (layers counted once)
 * @param bytesFetched bytes fetched for the first time (or after the workload's own removal)
 * @param peakUsageBytes the most bytes on disk at any moment
 * @param overflows fetches that took usage above the disk (a real pull or build would have failed)
 * @param shortRuns cleanups that ended still above the high watermark (nothing more allowed)
 * @param finalUsageBytes bytes on disk after the last event
 * @param minRunInterval the least time between two cleanups (MIN_RUN_INTERVAL)
 * @param deferredRuns cleanups that started later than wanted because of {@code minRunInterval}
 * @param forecast how well the disk forecast predicted the time to full; null when not evaluated
 */
public record ReplayReport(
    CleanupPolicy policy,
    long diskBytes,
    double highRatio,
    double lowRatio,
    int events,
    Instant firstAt,
    Instant lastAt,
    int cleanupRuns,
    int deletions,
    int misses,
    long bytesRepulled,
    long bytesFetched,
    long peakUsageBytes,
    int overflows,
    int shortRuns,
    long finalUsageBytes,
    java.time.Duration minRunInterval,
    int deferredRuns,
    ForecastAccuracy forecast) {}
