package dev.tfblend.plot;

import java.util.ArrayList;
import java.util.List;

/**
 * What a slice plot shows, as Optuna's {@code plot_slice} draws it: one panel per parameter
 * (sorted by name) with the objective value of every completed trial against that parameter's
 * value, markers coloured by trial number, panels sharing the objective axis. Log-scale
 * parameters get a log axis, categorical ones a category axis; each axis is padded by
 * {@value ParamAxis#PADDING_RATIO} of its span as Optuna pads it.
 *
 * @param name what was optimized, shown in the title
 * @param points the completed trials
 */
public record SliceChartData(String name, TrialPoints points) {

  /**
   * One parameter's panel: the trials that have the parameter.
   *
   * @param axis the parameter's axis
   * @param x each trial's position on the axis
   * @param y each trial's objective value
   * @param numbers each trial's number
   */
  public record Panel(ParamAxis axis, double[] x, double[] y, int[] numbers) {
    public Panel {
      x = x.clone();
      y = y.clone();
      numbers = numbers.clone();
    }

    @Override
    public double[] x() {
      return x.clone();
    }

    @Override
    public double[] y() {
      return y.clone();
    }

    @Override
    public int[] numbers() {
      return numbers.clone();
    }
  }

  public SliceChartData {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    if (points == null) {
      throw new IllegalArgumentException("points must not be null");
    }
  }

  /** The chart title: {@code "Slice Plot — <name>"}. */
  public String title() {
    return "Slice Plot \u2014 " + name;
  }

  /** One panel per parameter, in name order; points by trial number. */
  public List<Panel> panels() {
    List<Panel> panels = new ArrayList<>();
    for (int j = 0; j < points.axes().size(); j++) {
      List<Integer> rows = new ArrayList<>();
      for (int i = 0; i < points.size(); i++) {
        if (!Double.isNaN(points.position(i, j))) {
          rows.add(i);
        }
      }
      double[] x = new double[rows.size()];
      double[] y = new double[rows.size()];
      int[] n = new int[rows.size()];
      for (int r = 0; r < rows.size(); r++) {
        x[r] = points.position(rows.get(r), j);
        y[r] = points.value(rows.get(r));
        n[r] = points.number(rows.get(r));
      }
      panels.add(new Panel(points.axes().get(j), x, y, n));
    }
    return panels;
  }
}
