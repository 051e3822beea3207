package dev.tfblend.stats;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Holm's step-down correction for a family of {@code m} tests (Holm 1979): with the raw
 * p-values sorted ascending, {@code p_(1) <= ... <= p_(m)}, the adjusted values are
 *
 * <pre>
 *   q_(i) = min(1, max_{j &lt;= i} (m - j + 1) p_(j))
 * </pre>
 *
 * and test {@code i} is rejected at level {@code alpha} when {@code q_i < alpha}. This controls
 * the family-wise error rate at {@code alpha} under any dependence between the tests, and rejects
 * everything Bonferroni rejects. Equal raw p-values get equal adjusted values. (The same
 * values as {@code statsmodels.stats.multitest.multipletests(p, method="holm")} and R's
 * {@code p.adjust(p, "holm")}.)
 */
public final class Holm {
  private Holm() {}

  /**
   * The Holm-adjusted p-values of {@code p}, in the order of {@code p}.
   *
   * @throws IllegalArgumentException when a p-value is not in [0, 1]
   */
  public static double[] adjust(double... p) {
    for (int i = 0; i < p.length; i++) {
      if (!(p[i] >= 0 && p[i] <= 1)) {
        throw new IllegalArgumentException("p-value " + i + " must be in [0, 1], got " + p[i]);
      }
    }
    int m = p.length;
    Integer[] order = IntStream.range(0, m).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble(i -> p[i]));
    double[] adjusted = new double[m];
    double running = 0;
    for (int j = 0; j < m; j++) {
      running = Math.max(running, Math.min(1.0, (m - j) * p[order[j]]));
      adjusted[order[j]] = running;
    }
    return adjusted;
  }
}
