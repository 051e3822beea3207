package dev.tfblend.plot;

import dev.tfblend.tune.Distribution;
import dev.tfblend.tune.FloatDistribution;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.IntDistribution;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;

/**
 * How one hyperparameter is laid out on a plot axis, decided as Optuna's visualization helpers
 * decide it ({@code _is_log_scale}, {@code _is_numerical}).
 *
 * <ul>
 *   <li>{@link Scale#LOG}: the parameter's distribution (in the first trial that has it) is a log
 *       float or int distribution; positions are the values, drawn on a log axis.
 *   <li>{@link Scale#LINEAR}: every value is a number (a float or int distribution, or a
 *       categorical one whose choices are all numbers); positions are the values.
 *   <li>{@link Scale#CATEGORICAL}: otherwise; positions are indices into {@link #categories()}
 *       (the distinct values as text, sorted), as Plotly places categories.
 * </ul>
 *
 * @param name the parameter name
 * @param scale how positions map to the axis
 * @param categories the category labels, in axis order; empty unless CATEGORICAL
 * @param min the smallest position among the trials
 * @param max the largest position among the trials
 */
public record ParamAxis(String name, Scale scale, List<String> categories, double min, double max) {

  /** Optuna's padding of contour and slice axes: 5% of the span on each side. */
  public static final double PADDING_RATIO = 0.05;

  /** How positions map to the axis. */
  public enum Scale {
    LINEAR,
    LOG,
    CATEGORICAL
  }

  public ParamAxis {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("axis name must not be blank");
    }
    if (scale == null) {
      throw new IllegalArgumentException("axis " + name + ": scale must not be null");
    }
    categories = List.copyOf(categories == null ? List.of() : categories);
    if (scale == Scale.CATEGORICAL && categories.isEmpty()) {
      throw new IllegalArgumentException("axis " + name + ": a categorical axis needs categories");
    }
    if (!(min <= max)) {
      throw new IllegalArgumentException(
          "axis " + name + ": min must be <= max, got " + min + " > " + max);
    }
    if (scale == Scale.LOG && !(min > 0)) {
      throw new IllegalArgumentException(
          "axis " + name + ": a log axis needs positive values, got min " + min);
    }
  }

  /**
   * The axis of parameter {@code name} over the trials that have it.
   *
   * @throws IllegalArgumentException if no trial has the parameter
   */
  public static ParamAxis of(String name, List<FrozenTrial> trials) {
    Distribution first = null;
    boolean numeric = true;
    List<Object> values = new ArrayList<>();
    for (FrozenTrial t : trials) {
      if (!t.params().containsKey(name)) {
        continue;
      }
      if (first == null) {
        first = t.distributions().get(name);
      }
      Object v = t.params().get(name);
      values.add(v);
      numeric &= v instanceof Number;
    }
    if (first == null) {
      throw new IllegalArgumentException("no trial has parameter '" + name + "'");
    }
    boolean log = first instanceof FloatDistribution f && f.log()
        || first instanceof IntDistribution i && i.log();
    if (numeric) {
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      for (Object v : values) {
        double d = ((Number) v).doubleValue();
        min = Math.min(min, d);
        max = Math.max(max, d);
      }
      return new ParamAxis(name, log ? Scale.LOG : Scale.LINEAR, List.of(), min, max);
    }
    TreeSet<String> distinct = new TreeSet<>();
    for (Object v : values) {
      distinct.add(String.valueOf(v));
    }
    return new ParamAxis(
        name, Scale.CATEGORICAL, new ArrayList<>(distinct), 0, distinct.size() - 1);
  }

  /** The sorted names of all parameters that any of {@code trials} has (Optuna's order). */
  public static List<String> paramNames(List<FrozenTrial> trials) {
    TreeSet<String> names = new TreeSet<>();
    for (FrozenTrial t : trials) {
      names.addAll(t.params().keySet());
    }
    return Collections.unmodifiableList(new ArrayList<>(names));
  }

  /** The position of {@code trial} on this axis; NaN when the trial lacks the parameter. */
  public double position(FrozenTrial trial) {
    if (!trial.params().containsKey(name)) {
      return Double.NaN;
    }
    Object v = trial.params().get(name);
    if (scale == Scale.CATEGORICAL) {
      int index = categories.indexOf(String.valueOf(v));
      if (index < 0) {
        throw new IllegalArgumentException(
            "parameter '" + name + "' value " + v + " is not one of the categories " + categories);
      }
      return index;
    }
    if (!(v instanceof Number n)) {
      throw new IllegalArgumentException(
          "parameter '" + name + "' value " + v + " is not a number on a numeric axis");
    }
    return n.doubleValue();
  }

  /**
   * Where a position lies in display space: {@code log10} of it on a log axis, the position
   * itself otherwise. Distances, grids and normalisation are computed in display space.
   */
  public double toDisplay(double position) {
    return scale == Scale.LOG ? Math.log10(position) : position;
  }

  /** The inverse of {@link #toDisplay(double)}. */
  public double fromDisplay(double display) {
    return scale == Scale.LOG ? Math.pow(10, display) : display;
  }

  /**
   * The axis range with Optuna's padding: {@value #PADDING_RATIO} of the span (in display
   * space) added on each side; a single value gets no padding on a numeric axis. Returns
   * {@code {low, high}} as positions.
   */
  public double[] paddedRange() {
    double lo = toDisplay(min);
    double hi = toDisplay(max);
    double pad = (hi - lo) * PADDING_RATIO;
    return new double[] {fromDisplay(lo - pad), fromDisplay(hi + pad)};
  }

  /** The text of a position: the category label, or the number in 3 significant digits. */
  public String label(double position) {
    if (scale == Scale.CATEGORICAL) {
      int i = (int) Math.round(position);
      return i >= 0 && i < categories.size() ? categories.get(i) : "";
    }
    return formatNumber(position);
  }

  static String formatNumber(double v) {
    if (v == 0) {
      return "0";
    }
    double a = Math.abs(v);
    if (a >= 1e-3 && a < 1e4) {
      String s = String.format(java.util.Locale.ROOT, "%.3g", v);
      if (s.contains(".") && !s.contains("e")) {
        s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
      }
      return s;
    }
    return String.format(java.util.Locale.ROOT, "%.2e", v);
  }

  /** {@code v} as Python's {@code f"{v:.3g}"} writes it (e.g. {@code 0.0001}, {@code 1e-05}). */
  static String formatG3(double v) {
    if (v == 0 || !Double.isFinite(v)) {
      return v == 0 ? "0" : String.valueOf(v);
    }
    java.math.BigDecimal d = new java.math.BigDecimal(v).round(new java.math.MathContext(3));
    int exp = d.precision() - d.scale() - 1;
    if (exp >= -4 && exp < 3) {
      String s = d.setScale(Math.max(0, 2 - exp)).toPlainString();
      return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }
    java.math.BigDecimal mant = d.movePointLeft(exp);
    String m = mant.setScale(2, java.math.RoundingMode.HALF_EVEN).toPlainString()
        .replaceAll("0+$", "").replaceAll("\\.$", "");
    return m + (exp < 0 ? "e-" : "e+") + String.format(java.util.Locale.ROOT, "%02d", Math.abs(exp));
  }
}
