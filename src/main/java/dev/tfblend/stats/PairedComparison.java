package dev.tfblend.stats;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.commons.math3.stat.inference.TTest;

/**
 * Two samples of one metric compared repeat by repeat: value {@code i} of {@code a} and of
 * {@code b} come from the same repeat (same seed), and {@code d_i = a_i - b_i}.
 *
 * <ul>
 *   <li>{@code mean_diff}: the mean of {@code d}; {@code ci95} its two-sided 95% Student-t
 *       interval ({@code n - 1} degrees of freedom), {@code null} when {@code n = 1}.
 *   <li>{@code better} and {@code a_better}: the metric's direction ({@code lower} for losses,
 *       {@code higher} for accuracies) and the number of repeats in which {@code a} is strictly
 *       better than {@code b} in that direction (ties count for neither).
 *   <li>{@code wilcoxon_p}: two-sided Wilcoxon signed-rank p-value of {@code d}, zeros dropped,
 *       exact for up to {@value WilcoxonSignedRank#EXACT_MAX_N} non-zero differences (rules in
 *       {@link WilcoxonSignedRank}); {@code null} when every difference is zero.
 *   <li>{@code sign_p}: exact two-sided sign test: with {@code m} non-zero differences of which
 *       {@code k} favour {@code a}, {@code min(1, 2 P(X <= min(k, m - k)))} for
 *       {@code X ~ Binomial(m, 1/2)} (the same as {@code scipy.stats.binomtest(k, m).pvalue});
 *       {@code null} when {@code m = 0}.
 *   <li>{@code t_p}: two-sided paired t test p-value (Commons Math); {@code null} when
 *       {@code n = 1} or every difference is zero, {@code 0} when the differences are equal and
 *       non-zero (infinite t).
 * </ul>
 *
 * @param a name of the first sample (for example an optimizer)
 * @param b name of the second sample
 * @param metric the metric compared (for example {@code test_loss})
 * @param better the direction in which the metric is better
 * @param n number of pairs
 * @param meanDiff mean of {@code a_i - b_i}
 * @param ci95 95% interval of the mean difference, or {@code null}
 * @param aBetter number of pairs in which {@code a} is strictly better
 * @param wilcoxonP Wilcoxon signed-rank p-value, or {@code null}
 * @param signP sign test p-value, or {@code null}
 * @param tP paired t test p-value, or {@code null}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"a", "b", "metric", "better", "n", "meanDiff", "ci95", "aBetter", "wilcoxonP",
    "signP", "tP"})
public record PairedComparison(String a, String b, String metric, Better better, int n,
    double meanDiff, Interval ci95, int aBetter, Double wilcoxonP, Double signP, Double tP) {

  /**
   * Compares {@code x} (sample {@code a}) with {@code y} (sample {@code b}), pair by pair.
   *
   * @throws IllegalArgumentException when the samples are empty, differ in length or hold a
   *     non-finite value
   */
  public static PairedComparison of(String a, String b, String metric, Better better,
      double[] x, double[] y) {
    Samples.checkFinite(a, x);
    Samples.checkFinite(b, y);
    if (x.length != y.length) {
      throw new IllegalArgumentException(
          "paired samples differ in length: " + a + " has " + x.length + ", " + b + " has " + y.length);
    }
    if (x.length == 0) {
      throw new IllegalArgumentException("a paired comparison needs at least one pair");
    }
    int n = x.length;
    double[] d = new double[n];
    int aBetter = 0;
    int bBetter = 0;
    for (int i = 0; i < n; i++) {
      d[i] = x[i] - y[i];
      if (better.isBetter(x[i], y[i])) {
        aBetter++;
      } else if (better.isBetter(y[i], x[i])) {
        bBetter++;
      }
    }
    double mean = Samples.mean(d);
    Interval ci = null;
    Double tP = null;
    if (n >= 2) {
      double sd = Samples.sd(d, mean);
      ci = Interval.studentT95(n, mean, sd);
      double p = new TTest().pairedTTest(x, y);
      tP = Double.isNaN(p) ? null : p;
    }
    WilcoxonSignedRank.Result w = WilcoxonSignedRank.test(d);
    Double wilcoxonP = Double.isNaN(w.pValue()) ? null : w.pValue();
    return new PairedComparison(a, b, metric, better, n, mean, ci, aBetter, wilcoxonP,
        signTestP(aBetter, aBetter + bBetter), tP);
  }

  /**
   * The exact two-sided sign test p-value for {@code k} of {@code m} non-zero pairs favouring
   * one side; {@code null} when {@code m = 0}. Under the null the count is Binomial(m, 1/2),
   * which is symmetric, so the two-sided p-value is twice the smaller tail.
   */
  static Double signTestP(int k, int m) {
    if (m == 0) {
      return null;
    }
    double tail = new BinomialDistribution(null, m, 0.5).cumulativeProbability(Math.min(k, m - k));
    return Math.min(1.0, 2.0 * tail);
  }
}
