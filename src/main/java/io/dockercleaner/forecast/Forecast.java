package io.dockercleaner.forecast;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * When the disk reaches the high watermark and fills, at the gross growth rate of the recent
 * samples ({@link DiskForecaster}).
 *
 * @param state whether there is a forecast
 * @param at the time of the last sample it is based on; null before any sample
 * @param observed how long the samples behind it span
 * @param growthBytesPerSecond gross growth; 0 when unknown
 * @param timeToHigh from {@code at} to the high watermark (zero when above it); null unless growing
 * @param timeToFull from {@code at} to no space left; null unless growing
 */
public record Forecast(State state, Instant at, Duration observed, double growthBytesPerSecond, Duration timeToHigh,
    Duration timeToFull) {

  /** Whether a time to full is known. */
  public enum State {
    /** Too few samples yet. */
    UNKNOWN,
    /** Usage is flat or shrinking: it does not fill at this rate. */
    NOT_GROWING,
    /** Growing: {@link #timeToFull()} is set. */
    GROWING;

    /** The lower-case name used in status and logs. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Checks the growing state carries its times. */
  public Forecast {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(observed, "observed");
    if ((state == State.GROWING) != (timeToFull != null)) {
      throw new IllegalArgumentException("a growing forecast, and only that, has a time to full");
    }
  }

  /** No forecast yet: {@code observed} of samples up to {@code at} (null before any). */
  public static Forecast unknown(Instant at, Duration observed) {
    return new Forecast(State.UNKNOWN, at, observed, 0, null, null);
  }

  /** True when the disk is forecast to fill within {@code within}. */
  public boolean fillsWithin(Duration within) {
    return state == State.GROWING && timeToFull.compareTo(within) < 0;
  }

  /**
   * Seconds to full for the metric: NaN when unknown (no alert fires on NaN), +Inf when not
   * growing.
   */
  public double timeToFullSecondsForMetric() {
    return switch (state) {
      case UNKNOWN -> Double.NaN;
      case NOT_GROWING -> Double.POSITIVE_INFINITY;
      case GROWING -> timeToFull.toMillis() / 1000.0;
    };
  }

  /** For /v1/status. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("state", state.label())
        .put("basedOnSampleAt", at == null ? null : at.toString())
        .put("observedSeconds", observed.toSeconds())
        .put("growthBytesPerHour", state == State.UNKNOWN ? null : Math.round(growthBytesPerSecond * 3600))
        .put("timeToHighWatermarkSeconds", timeToHigh == null ? null : timeToHigh.toSeconds())
        .put("timeToFullSeconds", timeToFull == null ? null : timeToFull.toSeconds())
        .put("fullAt", timeToFull == null || at == null ? null : at.plus(timeToFull).toString());
  }

  /** {@code 4h 10m}, {@code 2d 3h}, {@code 12m}, {@code 40s}. */
  public static String human(Duration d) {
    long s = d.toSeconds();
    if (s >= 86_400) {
      return s / 86_400 + "d " + (s % 86_400) / 3600 + "h";
    }
    if (s >= 3600) {
      return s / 3600 + "h " + (s % 3600) / 60 + "m";
    }
    return s >= 60 ? s / 60 + "m" : s + "s";
  }
}
