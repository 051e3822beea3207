package dev.tfblend.tune;

/**
 * An integer in {@code [low, high]} on the grid {@code low + k * step}, optionally on a log
 * scale (Optuna's {@code IntDistribution}). The internal value is the integer as a double.
 *
 * <p>As in Optuna, {@code log} needs {@code step == 1} and {@code low >= 1}, and when {@code
 * high - low} is not a multiple of {@code step} the constructor lowers {@code high} to the last
 * grid point.
 */
public record IntDistribution(int low, int high, boolean log, int step) implements Distribution {

  public IntDistribution {
    if (log && step != 1) {
      throw new IllegalArgumentException("a log int distribution needs step 1, got " + step);
    }
    if (step <= 0) {
      throw new IllegalArgumentException("step must be positive, got " + step);
    }
    if (low > high) {
      throw new IllegalArgumentException("low must be <= high, got low=" + low + " high=" + high);
    }
    if (log && low < 1) {
      throw new IllegalArgumentException("log scale needs low >= 1, got low=" + low);
    }
    long range = (long) high - low;
    if (range % step != 0) {
      high = (int) (range / step * step + low);
    }
  }

  /** A linear range with step 1. */
  public static IntDistribution of(int low, int high) {
    return new IntDistribution(low, high, false, 1);
  }

  @Override
  public double toInternal(Object external) {
    if (!(external instanceof Number n) || external instanceof Boolean) {
      throw new IllegalArgumentException("expected an integer for an int parameter, got " + external);
    }
    double d = n.doubleValue();
    if (d != Math.rint(d)) {
      throw new IllegalArgumentException("expected an integer for an int parameter, got " + external);
    }
    return d;
  }

  @Override
  public Integer toExternal(double internal) {
    return (int) Math.round(internal);
  }

  @Override
  public boolean contains(double internal) {
    if (!(low <= internal && internal <= high) || internal != Math.rint(internal)) {
      return false;
    }
    return ((long) internal - low) % step == 0;
  }

  @Override
  public boolean isSingle() {
    if (log) {
      return low == high;
    }
    return low == high || (long) high - low < step;
  }

  @Override
  public String toJson() {
    return "{\"name\":\"IntDistribution\",\"attributes\":{\"log\":"
        + log
        + ",\"step\":"
        + step
        + ",\"low\":"
        + low
        + ",\"high\":"
        + high
        + "}}";
  }
}
