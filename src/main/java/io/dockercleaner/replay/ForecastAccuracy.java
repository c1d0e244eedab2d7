package io.dockercleaner.replay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How well the disk forecast ({@code forecast/DiskForecaster}, fed the replay's usage as disk
 * samples) predicted the time to full: at each evaluation point the forecast's time to full is
 * compared with the <em>actual</em> time to full, the time until the bytes on disk reach the disk
 * size if nothing is removed from then on (no cleanup and no {@code remove} line: the question the
 * forecast answers), replaying the rest of the trace.
 *
 * <p>Relative error = (predicted − actual) / actual, over the points where the actual time is at
 * least {@link #MIN_AWAY} and the forecast is growing. Points where the trace ends before the disk
 * would fill are censored (the actual time is unknown) and left out, as are points nearer than
 * {@link #MIN_AWAY}; points where the forecast says "not growing" or has too few samples while the
 * disk does fill within the trace are counted as {@code noForecast}.
 *
 * @param evaluations evaluation points
 * @param censored points where the disk would not fill before the trace ends
 * @param nearerThanMinAway points where it fills within {@link #MIN_AWAY}
 * @param noForecast points ≥ {@link #MIN_AWAY} away with no growing forecast
 * @param relativeErrors the relative errors of the other points, sorted
 */
public record ForecastAccuracy(int evaluations, int censored, int nearerThanMinAway, int noForecast,
    double[] relativeErrors) {
  /** Only forecasts this far (or farther) from full are judged (the "when ≥ 2 h away"). */
  public static final Duration MIN_AWAY = Duration.ofHours(2);

  /** One evaluation point. */
  public record Point(Duration predicted, Duration actual) {}

  /**
   * Summarises evaluation points.
   *
   * @param predicted per point the forecast's time to full, or null when it had none (unknown or
   *     not growing)
   * @param actual per point the actual time to full, or null when the trace ends first
   */
  public static ForecastAccuracy of(List<Point> points) {
    int censored = 0;
    int near = 0;
    int none = 0;
    List<Double> errors = new ArrayList<>();
    for (Point p : points) {
      if (p.actual() == null) {
        censored++;
      } else if (p.actual().compareTo(MIN_AWAY) < 0) {
        near++;
      } else if (p.predicted() == null) {
        none++;
      } else {
        double actual = p.actual().toMillis();
        errors.add((p.predicted().toMillis() - actual) / actual);
      }
    }
    double[] sorted = errors.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return new ForecastAccuracy(points.size(), censored, near, none, sorted);
  }

  /** Points judged (≥ {@link #MIN_AWAY} away, growing forecast). */
  public int judged() {
    return relativeErrors.length;
  }

  /** The q-quantile (0–1, nearest rank) of |relative error|; NaN when nothing was judged. */
  public double absErrorQuantile(double q) {
    double[] abs = Arrays.stream(relativeErrors).map(Math::abs).sorted().toArray();
    return quantile(abs, q);
  }

  /** The median signed relative error (positive: the forecast said later than it happened). */
  public double medianSignedError() {
    return quantile(relativeErrors, 0.5);
  }

  /** Share of the judged points with |relative error| at most {@code bound}; NaN when none. */
  public double shareWithin(double bound) {
    if (relativeErrors.length == 0) {
      return Double.NaN;
    }
    return Arrays.stream(relativeErrors).filter(e -> Math.abs(e) <= bound).count() / (double) relativeErrors.length;
  }

  /** Nearest-rank quantile of sorted values. */
  static double quantile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
  }

  /** Pools several replays' points (the bench's suite-wide distribution). */
  public static ForecastAccuracy pool(List<ForecastAccuracy> parts) {
    int n = 0;
    int c = 0;
    int near = 0;
    int none = 0;
    List<Double> all = new ArrayList<>();
    for (ForecastAccuracy a : parts) {
      n += a.evaluations;
      c += a.censored;
      near += a.nearerThanMinAway;
      none += a.noForecast;
      for (double e : a.relativeErrors) {
        all.add(e);
      }
    }
    return new ForecastAccuracy(n, c, near, none, all.stream().mapToDouble(Double::doubleValue).sorted().toArray());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ForecastAccuracy a && a.evaluations == evaluations && a.censored == censored
        && a.nearerThanMinAway == nearerThanMinAway && a.noForecast == noForecast
        && Arrays.equals(a.relativeErrors, relativeErrors);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(relativeErrors) + evaluations + 7 * censored + 13 * noForecast;
  }

  @Override
  public String toString() {
    return "ForecastAccuracy[evaluations=" + evaluations + ", censored=" + censored + ", nearerThanMinAway="
        + nearerThanMinAway + ", noForecast=" + noForecast + ", judged=" + judged() + "]";
  }
}
