package io.dockercleaner.forecast;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides when a forecast becomes a {@code disk_forecast} notice: once when time-to-full falls
 * under FORECAST_ALERT, then not again until the episode ends, i.e. until time-to-full is back
 * above twice the threshold (or the disk stops growing). The gap between the two keeps a forecast
 * that wobbles around the threshold from notifying on every sample. Pure; one instance per disk.
 */
public final class ForecastAlert {
  private final Duration alertWithin;
  private boolean inEpisode;

  /** @param alertWithin FORECAST_ALERT; zero turns alerts off */
  public ForecastAlert(Duration alertWithin) {
    this.alertWithin = Objects.requireNonNull(alertWithin, "alertWithin");
  }

  /** The forecast to notify about, when {@code f} starts an episode; empty otherwise. */
  public Optional<Forecast> onForecast(Forecast f) {
    if (alertWithin.isZero() || f.state() == Forecast.State.UNKNOWN) {
      return Optional.empty();
    }
    if (!inEpisode && f.fillsWithin(alertWithin)) {
      inEpisode = true;
      return Optional.of(f);
    }
    if (inEpisode && !f.fillsWithin(alertWithin.multipliedBy(2))) {
      inEpisode = false;
    }
    return Optional.empty();
  }

  /** True between the notice and the end of its episode. */
  public boolean inEpisode() {
    return inEpisode;
  }
}
