package dev.tfblend.stats;

import org.apache.commons.math3.distribution.TDistribution;

/** Student's t quantiles from Commons Math, for the 95% intervals. */
final class StudentT {
  private static final double QUANTILE_ACCURACY = 1e-14;

  private StudentT() {}

  /** The 0.975 quantile of Student's t with {@code df} degrees of freedom. */
  static double quantile975(int df) {
    // no RandomGenerator: the distribution is only used for its quantile, never sampled. The
    // quantile is found by a root solver whose default absolute accuracy (1e-9) would show in
    // the interval's 9th digit; 1e-14 is a few ulps of a quantile near 2.
    return new TDistribution(null, df, QUANTILE_ACCURACY).inverseCumulativeProbability(0.975);
  }
}
