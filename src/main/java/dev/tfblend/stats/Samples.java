package dev.tfblend.stats;

/** Means and standard deviations with the checks shared by the summaries. */
final class Samples {
  private Samples() {}

  static void checkFinite(String what, double[] values) {
    if (values == null) {
      throw new IllegalArgumentException(what + " must not be null");
    }
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        throw new IllegalArgumentException(what + "[" + i + "] must be finite, got " + values[i]);
      }
    }
  }

  /** Two-pass mean: the sum divided by n, then corrected by the mean residual. */
  static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    double m = s / v.length;
    double r = 0;
    for (double x : v) {
      r += x - m;
    }
    return m + r / v.length;
  }

  /** Sample standard deviation (divisor n - 1) around {@code mean}; n must be at least 2. */
  static double sd(double[] v, double mean) {
    double ss = 0;
    for (double x : v) {
      ss += (x - mean) * (x - mean);
    }
    return Math.sqrt(ss / (v.length - 1));
  }
}
