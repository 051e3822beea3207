package dev.tfblend.stats;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A descriptive summary of one sample (for example one optimizer's test losses over repeats).
 *
 * <p>{@code sd} is the sample standard deviation (divisor {@code n - 1}); {@code ci95} is the
 * two-sided 95% confidence interval of the mean from Student's t with {@code n - 1} degrees of
 * freedom, {@code mean -+ t_{0.975, n-1} * sd / sqrt(n)}. Both are {@code null} (written as JSON
 * {@code null}) when {@code n = 1}.
 *
 * @param n sample size, at least 1
 * @param mean arithmetic mean
 * @param sd sample standard deviation, or {@code null} when {@code n = 1}
 * @param ci95 95% interval of the mean, or {@code null} when {@code n = 1}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Summary(int n, double mean, Double sd, Interval ci95) {

  /**
   * Summarises {@code values}.
   *
   * @throws IllegalArgumentException when {@code values} is empty or holds a non-finite value
   */
  public static Summary of(double... values) {
    Samples.checkFinite("values", values);
    if (values.length == 0) {
      throw new IllegalArgumentException("a summary needs at least one value");
    }
    int n = values.length;
    double mean = Samples.mean(values);
    if (n < 2) {
      return new Summary(n, mean, null, null);
    }
    double sd = Samples.sd(values, mean);
    return new Summary(n, mean, sd, Interval.studentT95(n, mean, sd));
  }
}
