package dev.tfblend.plot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The blend weight {@code alpha} (weight on Adam) used at each training step, and how steps group
 * into epochs.
 *
 * <p>Step {@code k} (1-based) is the {@code k}-th update; epoch {@code e} (1-based) covers steps
 * {@code (e-1)*stepsPerEpoch+1 .. e*stepsPerEpoch}, and the last epoch may be shorter. Values
 * must lie in [0, 1]; NaN is accepted (a broken run) and left out of the statistics and the
 * drawing.
 *
 * @param title the chart title
 * @param alpha alpha per step, at least one
 * @param stepsPerEpoch training steps in one epoch, at least 1
 */
public record AlphaTrajectoryChartData(String title, double[] alpha, int stepsPerEpoch) {

  /** Title used by the factories that take none. */
  public static final String DEFAULT_TITLE = "DynamicBlended: blend weight alpha per training step";

  /**
   * Statistics of alpha over one epoch's steps; NaN values are skipped, and min, mean and max are
   * NaN when the whole epoch is NaN.
   *
   * @param epoch the epoch, 1-based
   * @param firstStep its first step, 1-based
   * @param lastStep its last step, inclusive
   * @param min the smallest alpha in the epoch
   * @param mean the mean alpha in the epoch
   * @param max the largest alpha in the epoch
   */
  public record EpochBand(int epoch, int firstStep, int lastStep, double min, double mean,
      double max) {}

  public AlphaTrajectoryChartData {
    if (title == null || title.isBlank()) {
      throw new IllegalArgumentException("title must not be blank");
    }
    if (alpha == null || alpha.length == 0) {
      throw new IllegalArgumentException("alpha must not be empty");
    }
    if (stepsPerEpoch < 1) {
      throw new IllegalArgumentException("stepsPerEpoch must be >= 1, got " + stepsPerEpoch);
    }
    for (int i = 0; i < alpha.length; i++) {
      double a = alpha[i];
      if (!Double.isNaN(a) && !(a >= 0.0 && a <= 1.0)) {
        throw new IllegalArgumentException("alpha[" + i + "] must be in [0,1], got " + a);
      }
    }
    alpha = alpha.clone();
  }

  /** Alpha per step as recorded (float), with the {@link #DEFAULT_TITLE}. */
  public static AlphaTrajectoryChartData of(float[] alpha, int stepsPerEpoch) {
    return of(DEFAULT_TITLE, alpha, stepsPerEpoch);
  }

  /** Alpha per step as recorded (float). */
  public static AlphaTrajectoryChartData of(String title, float[] alpha, int stepsPerEpoch) {
    if (alpha == null) {
      throw new IllegalArgumentException("alpha must not be empty");
    }
    double[] d = new double[alpha.length];
    for (int i = 0; i < alpha.length; i++) {
      d[i] = alpha[i];
    }
    return new AlphaTrajectoryChartData(title, d, stepsPerEpoch);
  }

  /** Alpha per step, with the {@link #DEFAULT_TITLE}. */
  public static AlphaTrajectoryChartData of(double[] alpha, int stepsPerEpoch) {
    return new AlphaTrajectoryChartData(DEFAULT_TITLE, alpha, stepsPerEpoch);
  }

  @Override
  public double[] alpha() {
    return alpha.clone();
  }

  /** Number of steps. */
  public int steps() {
    return alpha.length;
  }

  /** Number of epochs, counting a shorter last one. */
  public int epochs() {
    return (alpha.length + stepsPerEpoch - 1) / stepsPerEpoch;
  }

  /** Min, mean and max of alpha per epoch, in epoch order. */
  public List<EpochBand> epochBands() {
    List<EpochBand> bands = new ArrayList<>(epochs());
    for (int e = 0; e < epochs(); e++) {
      int from = e * stepsPerEpoch;
      int to = Math.min(alpha.length, from + stepsPerEpoch);
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      double sum = 0;
      int n = 0;
      for (int i = from; i < to; i++) {
        double a = alpha[i];
        if (!Double.isNaN(a)) {
          min = Math.min(min, a);
          max = Math.max(max, a);
          sum += a;
          n++;
        }
      }
      bands.add(n == 0
          ? new EpochBand(e + 1, from + 1, to, Double.NaN, Double.NaN, Double.NaN)
          : new EpochBand(e + 1, from + 1, to, min, sum / n, max));
    }
    return Collections.unmodifiableList(bands);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AlphaTrajectoryChartData d
        && title.equals(d.title)
        && stepsPerEpoch == d.stepsPerEpoch
        && Arrays.equals(alpha, d.alpha);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * title.hashCode() + Arrays.hashCode(alpha)) + stepsPerEpoch;
  }

  @Override
  public String toString() {
    return "AlphaTrajectoryChartData[title=" + title + ", steps=" + alpha.length
        + ", stepsPerEpoch=" + stepsPerEpoch + "]";
  }
}
