package dev.tfblend.stats;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A closed interval {@code [lo, hi]}, serialised to JSON as the two-element array
 * {@code [lo, hi]}.
 *
 * @param lo lower end
 * @param hi upper end, {@code >= lo}
 */
@JsonFormat(shape = JsonFormat.Shape.ARRAY)
@JsonPropertyOrder({"lo", "hi"})
public record Interval(double lo, double hi) {

  public Interval {
    if (!(lo <= hi)) {
      throw new IllegalArgumentException("interval needs lo <= hi, got [" + lo + ", " + hi + "]");
    }
  }

  /**
   * The two-sided 95% confidence interval of a mean from Student's t distribution:
   * {@code mean -+ t_{0.975, n-1} * sd / sqrt(n)}; {@code null} when {@code n < 2}.
   */
  static Interval studentT95(int n, double mean, double sd) {
    if (n < 2) {
      return null;
    }
    double half = StudentT.quantile975(n - 1) * sd / Math.sqrt(n);
    return new Interval(mean - half, mean + half);
  }
}
