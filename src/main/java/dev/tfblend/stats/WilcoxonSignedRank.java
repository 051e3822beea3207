package dev.tfblend.stats;

import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * The two-sided Wilcoxon signed-rank test of paired differences {@code d_i = a_i - b_i} against
 * a distribution symmetric about zero.
 *
 * <p>Rules, in order:
 *
 * <ol>
 *   <li><b>Zeros</b> ({@code d_i == 0}) are dropped (Wilcoxon's original rule, scipy's default
 *       {@code zero_method="wilcox"}); {@code n} below counts the non-zero differences.
 *   <li><b>Ties</b>: the {@code |d_i|} are ranked 1..n, tied values (exactly equal doubles)
 *       sharing the mean of their ranks (midranks). {@code R+} is the sum of the ranks of the
 *       positive differences.
 *   <li><b>Exact</b> when {@code n <= }{@value #EXACT_MAX_N}: the null distribution of
 *       {@code R+} is the permutation distribution over all {@code 2^n} equally likely sign
 *       assignments of the observed (mid)ranks, counted exactly (a subset-sum count over the
 *       doubled ranks, which are integers); {@code p = min(1, 2 min(P(R+ <= r), P(R+ >= r)))}
 *       for the observed {@code r}. Without zeros and ties this is the classical table and
 *       equals {@code scipy.stats.wilcoxon(a, b)} (scipy 1.10, exact mode). With ties it stays
 *       exact (conditional on the observed ranks), whereas scipy 1.10 truncates {@code R+} to an
 *       integer and uses the untied table, and with zeros scipy switches to the normal
 *       approximation; the p-values then differ from scipy's, on purpose.
 *   <li><b>Approximate</b> when {@code n > }{@value #EXACT_MAX_N}: the normal approximation of
 *       {@code T = min(R+, R-)} with the tie-corrected variance
 *       {@code (n(n+1)(2n+1) - sum(t^3 - t)/2) / 24} and no continuity correction, exactly as
 *       scipy's {@code mode="approx"} with its defaults.
 * </ol>
 *
 * <p>Hand-written because Commons Math 3.6.1's {@code WilcoxonSignedRankTest} does not fit:
 * its exact p-value enumerates {@code 2^n} subsets (refused above {@code n = 30}), assumes
 * integer ranks (wrong with ties) and ranks zero differences instead of dropping them. The count
 * here takes {@code O(n^3)} steps; counts fit a {@code long} and the division by {@code 2^n} is
 * exact, so exact p-values are exact to the last bit of the double.
 */
public final class WilcoxonSignedRank {
  /** Largest number of non-zero differences tested with the exact distribution. */
  public static final int EXACT_MAX_N = 50;

  private WilcoxonSignedRank() {}

  /**
   * The outcome of one test.
   *
   * @param n number of non-zero differences
   * @param rPlus sum of the (mid)ranks of the positive differences
   * @param pValue two-sided p-value; NaN when {@code n = 0} (every difference zero: no test)
   * @param exact whether {@code pValue} comes from the exact distribution
   */
  public record Result(int n, double rPlus, double pValue, boolean exact) {}

  /**
   * Tests the paired differences {@code differences}.
   *
   * @throws IllegalArgumentException when a difference is not finite
   */
  public static Result test(double[] differences) {
    Samples.checkFinite("differences", differences);
    int n = 0;
    for (double d : differences) {
      if (d != 0.0) {
        n++;
      }
    }
    double[] abs = new double[n];
    boolean[] positive = new boolean[n];
    int j = 0;
    for (double d : differences) {
      if (d != 0.0) {
        abs[j] = Math.abs(d);
        positive[j] = d > 0;
        j++;
      }
    }
    if (n == 0) {
      return new Result(0, 0.0, Double.NaN, n <= EXACT_MAX_N);
    }
    int[] doubledRanks = doubledMidranks(abs);
    long rPlus2 = 0;
    for (int i = 0; i < n; i++) {
      if (positive[i]) {
        rPlus2 += doubledRanks[i];
      }
    }
    if (n <= EXACT_MAX_N) {
      return new Result(n, rPlus2 / 2.0, exactP(doubledRanks, rPlus2), true);
    }
    return new Result(n, rPlus2 / 2.0, normalP(n, abs, rPlus2 / 2.0), false);
  }

  /** Twice the midrank of each value (ranks 1..n, ties averaged), which is always an integer. */
  static int[] doubledMidranks(double[] values) {
    int n = values.length;
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (x, y) -> Double.compare(values[x], values[y]));
    int[] r2 = new int[n];
    int start = 0;
    while (start < n) {
      int end = start;
      while (end + 1 < n && values[order[end + 1]] == values[order[start]]) {
        end++;
      }
      // positions start..end (0-based) hold ranks start+1..end+1; twice their mean:
      int doubled = start + end + 2;
      for (int k = start; k <= end; k++) {
        r2[order[k]] = doubled;
      }
      start = end + 1;
    }
    return r2;
  }

  private static double exactP(int[] doubledRanks, long observed2) {
    int total = 0;
    for (int r : doubledRanks) {
      total += r;
    }
    // counts[s]: number of sign assignments whose positive doubled ranks sum to s
    long[] counts = new long[total + 1];
    counts[0] = 1;
    for (int r : doubledRanks) {
      for (int s = total; s >= r; s--) {
        counts[s] += counts[s - r];
      }
    }
    long atMost = 0;
    long atLeast = 0;
    for (int s = 0; s <= total; s++) {
      if (s <= observed2) {
        atMost += counts[s];
      }
      if (s >= observed2) {
        atLeast += counts[s];
      }
    }
    // 2 * min(...) <= 2^(n+1) < 2^53 for n <= 50: exact as a double, and so is the power-of-two division
    double p = 2.0 * Math.min(atMost, atLeast) / Math.pow(2.0, doubledRanks.length);
    return Math.min(1.0, p);
  }

  private static double normalP(int n, double[] abs, double rPlus) {
    double rMinus = n * (n + 1) / 2.0 - rPlus;
    double t = Math.min(rPlus, rMinus);
    double mean = n * (n + 1) / 4.0;
    double var = n * (n + 1.0) * (2.0 * n + 1.0);
    double[] sorted = abs.clone();
    java.util.Arrays.sort(sorted);
    int start = 0;
    while (start < n) {
      int end = start;
      while (end + 1 < n && sorted[end + 1] == sorted[start]) {
        end++;
      }
      double size = end - start + 1;
      if (size > 1) {
        var -= 0.5 * size * (size * size - 1);
      }
      start = end + 1;
    }
    double z = (t - mean) / Math.sqrt(var / 24.0);
    return 2.0 * new NormalDistribution(null, 0.0, 1.0).cumulativeProbability(-Math.abs(z));
  }
}
