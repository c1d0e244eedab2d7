package io.dockercleaner.agent.watch;

import java.time.Instant;
import java.util.Objects;

/**
 * One reading of a filesystem's space and inodes (like {@code df} and {@code df -i}).
 *
 * @param at when it was read
 * @param totalBytes size of the filesystem
 * @param freeBytes free bytes, including those reserved for root
 * @param availableBytes free bytes an unprivileged user may use (what {@code df} calls Avail)
 * @param totalInodes inodes of the filesystem; 0 when unknown or when the filesystem has no fixed
 *     inode table (btrfs, some overlay and network filesystems)
 * @param freeInodes free inodes; 0 when unknown
 */
public record DiskSample(Instant at, long totalBytes, long freeBytes, long availableBytes, long totalInodes,
    long freeInodes) {

  /** Validates. */
  public DiskSample {
    Objects.requireNonNull(at, "at");
    if (totalBytes < 0 || freeBytes < 0 || availableBytes < 0 || totalInodes < 0 || freeInodes < 0) {
      throw new IllegalArgumentException("negative disk figures: " + totalBytes + "/" + freeBytes + "/"
          + availableBytes + "/" + totalInodes + "/" + freeInodes);
    }
  }

  /** Bytes in use: total minus free. */
  public long usedBytes() {
    return Math.max(0, totalBytes - freeBytes);
  }

  /**
   * The used share as {@code df} computes Use%: used / (used + available), 0–1; reserved blocks
   * count as unavailable, so a full filesystem reads 1 for ordinary users. 0 for an empty or
   * zero-sized filesystem.
   */
  public double usedRatio() {
    long used = usedBytes();
    long usable = used + availableBytes;
    return usable <= 0 ? 0 : (double) used / usable;
  }

  /** True when the filesystem reports inodes. */
  public boolean hasInodes() {
    return totalInodes > 0;
  }

  /** Used inodes / total inodes, 0–1; 0 when the filesystem reports none. */
  public double inodeUsedRatio() {
    return totalInodes <= 0 ? 0 : (double) Math.max(0, totalInodes - freeInodes) / totalInodes;
  }
}
