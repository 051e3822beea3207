package dev.tfblend.plot;

import java.util.ArrayList;
import java.util.List;

/**
 * Alpha (the blend's weight on Adam) at every training step of several runs of one optimizer,
 * one line per run: for a {@code tune --repeats N} run, the final run of each repeat. Step
 * {@code k} (1-based) is the {@code k}-th update. Values must lie in [0, 1]; NaN is accepted (a
 * broken run) and left out of the drawing. Runs may differ in length (a run stopped early).
 * Immutable.
 *
 * @param title the chart title (not blank)
 * @param lines one per run, in display order (at least one)
 */
public record AlphaRepeatsChartData(String title, List<Line> lines) {

  /**
   * One run's alpha per step.
   *
   * @param label its legend label (for example {@code repeat 3})
   * @param alpha alpha per step, at least one (a copy is kept and returned)
   */
  public record Line(String label, double[] alpha) {
    public Line {
      if (label == null || label.isBlank()) {
        throw new IllegalArgumentException("label must not be blank");
      }
      if (alpha == null || alpha.length == 0) {
        throw new IllegalArgumentException("line '" + label + "': alpha must not be empty");
      }
      for (int i = 0; i < alpha.length; i++) {
        if (!Double.isNaN(alpha[i]) && !(alpha[i] >= 0.0 && alpha[i] <= 1.0)) {
          throw new IllegalArgumentException("line '" + label + "': alpha[" + i + "] must be in [0,1], got "
              + alpha[i]);
        }
      }
      alpha = alpha.clone();
    }

    @Override
    public double[] alpha() {
      return alpha.clone();
    }

    /** Alpha per step as recorded (float32). */
    public static Line of(String label, float[] alpha) {
      if (alpha == null) {
        throw new IllegalArgumentException("line '" + label + "': alpha must not be empty");
      }
      double[] d = new double[alpha.length];
      for (int i = 0; i < alpha.length; i++) {
        d[i] = alpha[i];
      }
      return new Line(label, d);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Line l && label.equals(l.label) && java.util.Arrays.equals(alpha, l.alpha);
    }

    @Override
    public int hashCode() {
      return 31 * label.hashCode() + java.util.Arrays.hashCode(alpha);
    }

    @Override
    public String toString() {
      return "Line[label=" + label + ", steps=" + alpha.length + "]";
    }
  }

  public AlphaRepeatsChartData {
    if (title == null || title.isBlank()) {
      throw new IllegalArgumentException("title must not be blank");
    }
    if (lines == null || lines.isEmpty()) {
      throw new IllegalArgumentException("lines must not be empty");
    }
    lines = List.copyOf(lines);
  }

  /** The title of optimizer {@code optimizer}'s chart over the repeats of a tune run. */
  public static String repeatsTitle(String optimizer) {
    return optimizer + ": alpha per training step, final run of each repeat";
  }

  /**
   * Every finite alpha of every line, for the axis range (an empty array when every value is
   * NaN).
   */
  double[] allFinite() {
    List<Double> all = new ArrayList<>();
    for (Line l : lines) {
      for (double a : l.alpha) {
        if (Double.isFinite(a)) {
          all.add(a);
        }
      }
    }
    return all.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** The longest line's number of steps. */
  public int maxSteps() {
    return lines.stream().mapToInt(l -> l.alpha.length).max().orElseThrow();
  }
}
