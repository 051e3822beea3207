package dev.tfblend.plot;

import dev.tfblend.tune.StudyDirection;
import java.util.ArrayList;
import java.util.List;

/**
 * What a parallel coordinate plot shows, as Optuna's {@code plot_parallel_coordinate} draws it:
 * one vertical axis for the objective value, then one per parameter (sorted by name), and one
 * line per completed trial through its objective value and parameter values, coloured by the
 * objective (dark is best).
 *
 * <p>As in Optuna, a trial that lacks any of the parameters is left out ({@link #skipped()});
 * log-scale parameters are placed by {@code log10} of their value with ticks at the powers of
 * ten inside the range; categorical parameters by the index of their category.
 *
 * @param name what was optimized, shown in the title
 * @param direction the study's direction (the colour scale is reversed when minimizing)
 * @param points the completed trials
 */
public record ParallelCoordinateChartData(String name, StudyDirection direction, TrialPoints points) {

  /** The label of the objective's axis (Optuna's default {@code target_name}). */
  public static final String OBJECTIVE_LABEL = "Objective Value";

  /**
   * One vertical axis, in display space (log10 for log-scale parameters).
   *
   * @param label the axis title
   * @param low the bottom of the axis
   * @param high the top of the axis
   * @param ticks tick positions, in display space
   * @param tickLabels the text of each tick
   */
  public record Dimension(String label, double low, double high, double[] ticks, List<String> tickLabels) {
    public Dimension {
      ticks = ticks.clone();
      tickLabels = List.copyOf(tickLabels);
      if (ticks.length != tickLabels.size()) {
        throw new IllegalArgumentException(label + ": one label per tick");
      }
    }

    @Override
    public double[] ticks() {
      return ticks.clone();
    }

    /** Where {@code display} lies between {@code low} (0) and {@code high} (1); 0.5 if flat. */
    public double normalize(double display) {
      return high == low ? 0.5 : (display - low) / (high - low);
    }
  }

  /**
   * One trial's line.
   *
   * @param number the trial number
   * @param value the objective value
   * @param coordinates the trial's place on each dimension, in display space
   */
  public record Line(int number, double value, double[] coordinates) {
    public Line {
      coordinates = coordinates.clone();
    }

    @Override
    public double[] coordinates() {
      return coordinates.clone();
    }
  }

  public ParallelCoordinateChartData {
    ChartArgs.checkTrialChart(name, direction, points);
  }

  /** The chart title: {@code "Parallel Coordinate Plot — <name>"}. */
  public String title() {
    return "Parallel Coordinate Plot \u2014 " + name;
  }

  /** The lines of the trials that have every parameter, by trial number. */
  public List<Line> lines() {
    List<Line> lines = new ArrayList<>();
    int k = points.axes().size();
    for (int i = 0; i < points.size(); i++) {
      double[] c = new double[k + 1];
      c[0] = points.value(i);
      boolean complete = true;
      for (int j = 0; j < k; j++) {
        double p = points.position(i, j);
        complete &= !Double.isNaN(p);
        c[j + 1] = points.axes().get(j).toDisplay(p);
      }
      if (complete) {
        lines.add(new Line(points.number(i), points.value(i), c));
      }
    }
    return lines;
  }

  /** How many completed trials were left out because they lack a parameter. */
  public int skipped() {
    return points.size() - lines().size();
  }

  /** The objective's axis, then one per parameter, each spanning the plotted lines. */
  public List<Dimension> dimensions() {
    List<Line> lines = lines();
    List<Dimension> dims = new ArrayList<>();
    int k = points.axes().size();
    for (int d = 0; d <= k; d++) {
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      for (Line l : lines) {
        lo = Math.min(lo, l.coordinates[d]);
        hi = Math.max(hi, l.coordinates[d]);
      }
      if (lines.isEmpty()) {
        lo = 0;
        hi = 1;
      }
      if (d == 0) {
        dims.add(linear(OBJECTIVE_LABEL, lo, hi));
        continue;
      }
      ParamAxis axis = points.axes().get(d - 1);
      switch (axis.scale()) {
        case LOG -> dims.add(logDimension(axis.name(), lo, hi));
        case CATEGORICAL -> {
          double[] ticks = new double[axis.categories().size()];
          for (int i = 0; i < ticks.length; i++) {
            ticks[i] = i;
          }
          dims.add(new Dimension(axis.name(), 0, ticks.length - 1, ticks, axis.categories()));
        }
        default -> dims.add(linear(axis.name(), lo, hi));
      }
    }
    return dims;
  }

  private static Dimension linear(String label, double lo, double hi) {
    int n = lo == hi ? 1 : 5;
    double[] ticks = new double[n];
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ticks[i] = n == 1 ? lo : lo + (hi - lo) * i / (n - 1);
      labels.add(ParamAxis.formatNumber(ticks[i]));
    }
    return new Dimension(label, lo, hi, ticks, labels);
  }

  /**
   * Optuna's log ticks: the integer exponents in {@code [ceil(lo), ceil(hi))}, with either end
   * added where it is not among them, labelled {@code 10^x} in 3 significant digits.
   */
  private static Dimension logDimension(String label, double lo, double hi) {
    List<Double> ticks = new ArrayList<>();
    for (double e = Math.ceil(lo); e < Math.ceil(hi); e++) {
      ticks.add(e);
    }
    if (!ticks.contains(lo)) {
      ticks.add(0, lo);
    }
    if (!ticks.contains(hi)) {
      ticks.add(hi);
    }
    double[] t = new double[ticks.size()];
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < t.length; i++) {
      t[i] = ticks.get(i);
      labels.add(ParamAxis.formatG3(Math.pow(10, t[i])));
    }
    return new Dimension(label, lo, hi, t, labels);
  }
}
