package dev.tfblend.plot;

import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.TrialState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The completed trials of a study as points in parameter space: what Optuna's parallel
 * coordinate, slice and contour plots read.
 *
 * <p>Only COMPLETE trials with a finite value take part (Optuna plots COMPLETE trials; a
 * non-finite value has no place on an axis). Rows are sorted by trial number. {@code
 * positions[i][j]} is trial {@code i}'s position on {@code axes.get(j)} (see {@link
 * ParamAxis#position}), NaN when the trial lacks that parameter.
 *
 * @param axes one per parameter, sorted by name
 * @param numbers trial numbers, ascending
 * @param values objective values, aligned with {@code numbers}
 * @param positions one row per trial, one column per axis
 */
public record TrialPoints(List<ParamAxis> axes, int[] numbers, double[] values, double[][] positions) {

  public TrialPoints {
    axes = List.copyOf(axes);
    if (numbers.length != values.length || numbers.length != positions.length) {
      throw new IllegalArgumentException(
          "numbers, values and positions must have one entry per trial");
    }
    numbers = numbers.clone();
    values = values.clone();
    double[][] copy = new double[positions.length][];
    for (int i = 0; i < positions.length; i++) {
      if (positions[i].length != axes.size()) {
        throw new IllegalArgumentException(
            "positions[" + i + "] has " + positions[i].length + " entries for " + axes.size()
                + " axes");
      }
      if (!Double.isFinite(values[i])) {
        throw new IllegalArgumentException(
            "trial " + numbers[i] + ": value must be finite, got " + values[i]);
      }
      copy[i] = positions[i].clone();
    }
    positions = copy;
  }

  /** The completed trials of {@code trials} over all of their parameters. */
  public static TrialPoints completed(List<FrozenTrial> trials) {
    List<FrozenTrial> done = new ArrayList<>();
    for (FrozenTrial t : trials) {
      if (t.state() == TrialState.COMPLETE && t.value() != null && Double.isFinite(t.value())) {
        done.add(t);
      }
    }
    done.sort(Comparator.comparingInt(FrozenTrial::number));
    List<ParamAxis> axes = new ArrayList<>();
    for (String name : ParamAxis.paramNames(done)) {
      axes.add(ParamAxis.of(name, done));
    }
    int[] numbers = new int[done.size()];
    double[] values = new double[done.size()];
    double[][] positions = new double[done.size()][axes.size()];
    for (int i = 0; i < done.size(); i++) {
      FrozenTrial t = done.get(i);
      numbers[i] = t.number();
      values[i] = t.value();
      for (int j = 0; j < axes.size(); j++) {
        positions[i][j] = axes.get(j).position(t);
      }
    }
    return new TrialPoints(axes, numbers, values, positions);
  }

  /** How many trials there are. */
  public int size() {
    return numbers.length;
  }

  @Override
  public int[] numbers() {
    return numbers.clone();
  }

  @Override
  public double[] values() {
    return values.clone();
  }

  @Override
  public double[][] positions() {
    double[][] copy = new double[positions.length][];
    for (int i = 0; i < positions.length; i++) {
      copy[i] = positions[i].clone();
    }
    return copy;
  }

  /** Trial {@code i}'s position on axis {@code j} (NaN when it lacks the parameter). */
  public double position(int i, int j) {
    return positions[i][j];
  }

  /** Trial {@code i}'s objective value. */
  public double value(int i) {
    return values[i];
  }

  /** Trial {@code i}'s number. */
  public int number(int i) {
    return numbers[i];
  }

  /** The smallest objective value (NaN when there are no trials). */
  public double minValue() {
    double m = Double.NaN;
    for (double v : values) {
      m = Double.isNaN(m) ? v : Math.min(m, v);
    }
    return m;
  }

  /** The largest objective value (NaN when there are no trials). */
  public double maxValue() {
    double m = Double.NaN;
    for (double v : values) {
      m = Double.isNaN(m) ? v : Math.max(m, v);
    }
    return m;
  }
}
