package io.dockercleaner.bench;

import io.dockercleaner.core.ResourceType;
import io.dockercleaner.plan.BuildCacheInfo;
import io.dockercleaner.plan.ContainerInfo;
import io.dockercleaner.plan.ImageInfo;
import io.dockercleaner.plan.Inventory;
import io.dockercleaner.plan.Plan;
import io.dockercleaner.plan.PlanPolicy;
import io.dockercleaner.plan.Planner;
import io.dockercleaner.plan.UsageHistory;
import io.dockercleaner.plan.VolumeInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link Planner#plan} on a seeded synthetic host of {@code objects} objects: 20% containers (a
 * fifth running), 50% images (a third with a parent, a tenth dangling, tags over 1,000
 * repositories), 10% volumes, 20% build cache; history for most images; KEEP_IMAGES, keep-tags,
 * MIN_AGE and QUIET_PERIOD all active. Two targets: the full sequence and 10% of the bytes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PlannerBenchmark {
  private static final Instant NOW = Instant.parse("2025-10-10T12:00:00Z");

  @Param({"1000", "10000", "100000"})
  public int objects;

  @Param({"full", "tenth"})
  public String target;

  private Inventory inventory;
  private UsageHistory history;
  private PlanPolicy policy;
  private long bytesToFree;

  @Setup
  public void setUp() {
    Random r = new Random(42);
    int containerCount = objects / 5;
    int imageCount = objects / 2;
    int volumeCount = objects / 10;
    int cacheCount = objects - containerCount - imageCount - volumeCount;
    long totalBytes = 0;

    List<ImageInfo> images = new ArrayList<>(imageCount);
    Map<String, Instant> lastUsed = new HashMap<>();
    Map<String, Instant> firstSeen = new HashMap<>();
    Map<String, Instant> touched = new HashMap<>();
    for (int i = 0; i < imageCount; i++) {
      String id = randomId(r); // real ids are random hashes, so compares end early
      String parent = i > 0 && r.nextInt(3) == 0 ? images.get(r.nextInt(i)).id() : null;
      List<String> tags =
          r.nextInt(10) == 0
              ? List.of()
              : List.of("registry.local/team" + r.nextInt(20) + "/app" + r.nextInt(1000) + ":v" + i);
      long size = 1_000_000L + r.nextInt(500_000_000);
      totalBytes += size;
      images.add(new ImageInfo(id, parent, tags, past(r, 60), size, r.nextInt(4) == 0 ? -1 : size / 3,
          r.nextInt(50) == 0 ? Map.of("keep", "true") : Map.of()));
      if (r.nextInt(10) > 0) {
        firstSeen.put(id, past(r, 60));
      }
      if (r.nextInt(3) > 0) {
        lastUsed.put(id, past(r, 30));
      }
      if (r.nextInt(100) == 0) {
        touched.put("IMAGE/" + id, NOW.minusSeconds(r.nextInt(600)));
      }
    }
    List<ContainerInfo> containers = new ArrayList<>(containerCount);
    for (int i = 0; i < containerCount; i++) {
      String image = images.get(r.nextInt(imageCount)).id();
      Instant created = past(r, 30);
      containers.add(new ContainerInfo(randomId(r), "name" + i, image,
          r.nextInt(5) == 0 ? "running" : "exited", created, created.plusSeconds(r.nextInt(86_400)),
          r.nextInt(10_000_000), Map.of(), r.nextInt(4) == 0 ? List.of("vol" + r.nextInt(Math.max(1, volumeCount))) : List.of()));
    }
    List<VolumeInfo> volumes = new ArrayList<>(volumeCount);
    for (int i = 0; i < volumeCount; i++) {
      long size = r.nextInt(100_000_000);
      totalBytes += size;
      volumes.add(new VolumeInfo("vol" + i, r.nextBoolean(), Map.of(), past(r, 30), size, 0));
    }
    List<BuildCacheInfo> cache = new ArrayList<>(cacheCount);
    for (int i = 0; i < cacheCount; i++) {
      long size = r.nextInt(50_000_000);
      totalBytes += size;
      cache.add(new BuildCacheInfo("bc" + i, "regular", "RUN step " + i, r.nextInt(20) == 0,
          r.nextInt(5) == 0, size, past(r, 30), r.nextBoolean() ? past(r, 10) : null));
    }
    inventory = new Inventory(containers, images, volumes, cache);
    history = new MapHistory(lastUsed, firstSeen, touched);
    policy =
        PlanPolicy.builder(NOW.minus(Duration.ofDays(90)))
            .labelFilter(labels -> !"true".equals(labels.get("keep")))
            .keepImagePatterns(List.of("registry.local/team1/**:v1*", "**:latest", "registry.local/team2/app7"))
            .keepTagsPerRepo(1)
            .minAge(Duration.ofHours(1))
            .quietPeriod(Duration.ofMinutes(2))
            .enabledTypes(EnumSet.allOf(ResourceType.class))
            .build();
    bytesToFree = "full".equals(target) ? Planner.UNLIMITED : totalBytes / 10;
  }

  @Benchmark
  public Plan plan() {
    return Planner.plan(inventory, history, policy, NOW, bytesToFree);
  }

  private static String randomId(Random r) {
    StringBuilder id = new StringBuilder("sha256:");
    for (int i = 0; i < 4; i++) {
      id.append(String.format("%016x", r.nextLong()));
    }
    return id.toString();
  }

  private static Instant past(Random r, int maxDays) {
    return NOW.minusSeconds((long) (r.nextDouble() * maxDays * 86_400L));
  }

  /** Map-backed history, as the agent's state store would provide. */
  private record MapHistory(
      Map<String, Instant> lastUsed, Map<String, Instant> firstSeen, Map<String, Instant> touched)
      implements UsageHistory {
    @Override
    public Optional<Instant> imageLastUsed(String imageId) {
      return Optional.ofNullable(lastUsed.get(imageId));
    }

    @Override
    public Optional<Instant> imageFirstSeen(String imageId) {
      return Optional.ofNullable(firstSeen.get(imageId));
    }

    @Override
    public Optional<Instant> containerExitedAt(String containerId) {
      return Optional.empty();
    }

    @Override
    public Optional<Instant> lastTouched(ResourceType type, String id) {
      return Optional.ofNullable(touched.get(type.name() + "/" + id));
    }
  }
}
