package io.dockercleaner.docker.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One entry of {@code GET /volumes}.
 *
 * @param createdAt creation time, null when the daemon did not report it
 * @param sizeBytes UsageData.Size, -1 when not computed (only /system/df computes it)
 * @param refCount UsageData.RefCount, -1 when not computed
 */
public record VolumeSummary(String name, String driver, String mountpoint, Instant createdAt,
    Map<String, String> labels, String scope, long sizeBytes, long refCount) {

  /** Docker ≥ 23 marks anonymous volumes with this label; older daemons only by the random name. */
  public static final String ANONYMOUS_LABEL = "com.docker.volume.anonymous";
  private static final Pattern RANDOM_NAME = Pattern.compile("[0-9a-f]{64}");

  public static VolumeSummary from(JsonNode n) {
    JsonNode usage = n.get("UsageData");
    long size = usage == null || usage.isNull() ? -1 : Json.number(usage, "Size", -1);
    long refs = usage == null || usage.isNull() ? -1 : Json.number(usage, "RefCount", -1);
    return new VolumeSummary(Json.text(n, "Name"), Json.text(n, "Driver"), Json.text(n, "Mountpoint"),
        Json.instant(n, "CreatedAt"), Json.labels(n, "Labels"), Json.text(n, "Scope"), size, refs);
  }

  /** Anonymous: created without a name (label on new daemons, 64-hex name on all). */
  public boolean isAnonymous() {
    return labels.containsKey(ANONYMOUS_LABEL) || RANDOM_NAME.matcher(name).matches();
  }
}
