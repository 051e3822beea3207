package dev.tfblend.tune;

import java.math.BigDecimal;

/**
 * A float in {@code [low, high]}, optionally on a log scale or on the grid {@code low + k *
 * step} (Optuna's {@code FloatDistribution}). Internal and external values are the same double.
 *
 * <p>As in Optuna, {@code log} and {@code step} exclude each other, {@code log} needs {@code low
 * > 0}, and when {@code high - low} is not a multiple of {@code step} the constructor lowers
 * {@code high} to the last grid point (computed in decimal, as Optuna does).
 *
 * @param step grid spacing, or null for a continuous range
 */
public record FloatDistribution(double low, double high, boolean log, Double step)
    implements Distribution {

  public FloatDistribution {
    if (Double.isNaN(low) || Double.isNaN(high) || Double.isInfinite(low) || Double.isInfinite(high)) {
      throw new IllegalArgumentException(
          "float range must be finite, got low=" + low + " high=" + high);
    }
    if (log && step != null) {
      throw new IllegalArgumentException("a float distribution cannot have both log and step");
    }
    if (step != null && !(step > 0)) {
      throw new IllegalArgumentException("step must be positive, got " + step);
    }
    if (low > high) {
      throw new IllegalArgumentException("low must be <= high, got low=" + low + " high=" + high);
    }
    if (log && low <= 0) {
      throw new IllegalArgumentException("log scale needs low > 0, got low=" + low);
    }
    if (step != null) {
      high = adjustHigh(low, high, step);
    }
  }

  /** A continuous, linear range. */
  public static FloatDistribution of(double low, double high) {
    return new FloatDistribution(low, high, false, null);
  }

  /** Optuna's {@code _adjust_discrete_uniform_high}, in decimal ({@code Decimal(str(x))}). */
  private static double adjustHigh(double low, double high, double step) {
    BigDecimal dLow = BigDecimal.valueOf(low);
    BigDecimal dStep = BigDecimal.valueOf(step);
    BigDecimal range = BigDecimal.valueOf(high).subtract(dLow);
    BigDecimal[] qr = range.divideAndRemainder(dStep);
    if (qr[1].signum() == 0) {
      return high;
    }
    return qr[0].multiply(dStep).add(dLow).doubleValue();
  }

  @Override
  public double toInternal(Object external) {
    if (!(external instanceof Number n) || external instanceof Boolean) {
      throw new IllegalArgumentException("expected a number for a float parameter, got " + external);
    }
    return n.doubleValue();
  }

  @Override
  public Double toExternal(double internal) {
    return internal;
  }

  @Override
  public boolean contains(double internal) {
    if (!(low <= internal && internal <= high)) {
      return false;
    }
    if (step == null) {
      return true;
    }
    double k = (internal - low) / step;
    return Math.abs(k - Math.rint(k)) < 1e-8;
  }

  @Override
  public boolean isSingle() {
    if (step == null || low == high) {
      return low == high;
    }
    BigDecimal range = BigDecimal.valueOf(high).subtract(BigDecimal.valueOf(low));
    return range.compareTo(BigDecimal.valueOf(step)) < 0;
  }

  @Override
  public String toJson() {
    StringBuilder sb = new StringBuilder("{\"name\":\"FloatDistribution\",\"attributes\":{\"step\":");
    PyJson.appendScalar(sb, step);
    sb.append(",\"low\":").append(PyJson.pyFloat(low));
    sb.append(",\"high\":").append(PyJson.pyFloat(high));
    sb.append(",\"log\":").append(log).append("}}");
    return sb.toString();
  }
}
