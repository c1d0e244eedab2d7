package io.dockercleaner.agent;

import io.dockercleaner.docker.model.BuildCacheRecord;
import io.dockercleaner.docker.model.ContainerSummary;
import io.dockercleaner.docker.model.DiskUsage;
import io.dockercleaner.docker.model.ImageSummary;
import io.dockercleaner.docker.model.VolumeSummary;
import io.dockercleaner.plan.BuildCacheInfo;
import io.dockercleaner.plan.ContainerInfo;
import io.dockercleaner.plan.ImageInfo;
import io.dockercleaner.plan.Inventory;
import io.dockercleaner.plan.VolumeInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps Docker's {@code /system/df} answer (one call with every size the planner needs: image
 * SharedSize, container SizeRw, volume UsageData, build cache) to the planner's inventory.
 */
public final class InventoryLoader {
  private InventoryLoader() {}

  public static Inventory fromDiskUsage(DiskUsage df) {
    List<ContainerInfo> containers = new ArrayList<>();
    for (ContainerSummary c : df.containers()) {
      containers.add(new ContainerInfo(c.id(), c.name(), c.imageId(), c.state(), c.created(), null,
          Math.max(0, c.sizeRwBytes()), c.labels(), c.volumeNames()));
    }
    List<ImageInfo> images = new ArrayList<>();
    for (ImageSummary i : df.images()) {
      images.add(new ImageInfo(i.id(), i.parentId().isEmpty() ? null : i.parentId(), i.repoTags(), i.created(),
          i.sizeBytes(), i.sharedSizeBytes(), i.labels()));
    }
    List<VolumeInfo> volumes = new ArrayList<>();
    for (VolumeSummary v : df.volumes()) {
      volumes.add(new VolumeInfo(v.name(), v.isAnonymous(), v.labels(), v.createdAt() == null ? Instant.EPOCH : v.createdAt(),
          v.sizeBytes(), v.refCount()));
    }
    List<BuildCacheInfo> cache = new ArrayList<>();
    for (BuildCacheRecord b : df.buildCache()) {
      cache.add(new BuildCacheInfo(b.id(), b.type(), b.description(), b.inUse(), b.shared(), b.sizeBytes(),
          b.createdAt() == null ? Instant.EPOCH : b.createdAt(), b.lastUsedAt()));
    }
    return new Inventory(containers, images, volumes, cache);
  }
}
