package dev.tfblend.plot;

import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.TrialState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What an intermediate values plot shows, as Optuna's {@code plot_intermediate_values} draws it:
 * one line per trial through the values it reported per step (for tf-blend, the validation loss
 * after each epoch), so pruned trials show where they stopped.
 *
 * <p>Like Optuna, only trials that are COMPLETE, PRUNED or RUNNING and reported at least one
 * value take part. Curves are sorted by trial number, steps within a curve ascend.
 *
 * @param name what was optimized, shown in the title
 * @param curves one per trial, by trial number
 */
public record IntermediateValuesChartData(String name, List<Curve> curves) {

  /**
   * One trial's reported values.
   *
   * @param number the trial number
   * @param state the trial's state
   * @param steps the steps, ascending
   * @param values the value reported at each step (may be non-finite: the chart leaves such
   *     points out)
   */
  public record Curve(int number, TrialState state, int[] steps, double[] values) {
    public Curve {
      if (state == null) {
        throw new IllegalArgumentException("trial " + number + ": state must not be null");
      }
      if (steps == null || values == null || steps.length != values.length || steps.length == 0) {
        throw new IllegalArgumentException(
            "trial " + number + ": steps and values must be non-empty and of equal length");
      }
      steps = steps.clone();
      values = values.clone();
      for (int i = 1; i < steps.length; i++) {
        if (steps[i] <= steps[i - 1]) {
          throw new IllegalArgumentException(
              "trial " + number + ": steps must ascend, got " + steps[i - 1] + " then " + steps[i]);
        }
      }
    }

    @Override
    public int[] steps() {
      return steps.clone();
    }

    @Override
    public double[] values() {
      return values.clone();
    }
  }

  public IntermediateValuesChartData {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    if (curves == null) {
      throw new IllegalArgumentException("curves must not be null (use an empty list)");
    }
    List<Curve> sorted = new ArrayList<>(curves);
    sorted.sort(Comparator.comparingInt(Curve::number));
    curves = List.copyOf(sorted);
  }

  /** The curves of the trials Optuna would plot. */
  public static IntermediateValuesChartData fromTrials(String name, List<FrozenTrial> trials) {
    List<Curve> curves = new ArrayList<>();
    for (FrozenTrial t : trials) {
      boolean shown = t.state() == TrialState.COMPLETE || t.state() == TrialState.PRUNED
          || t.state() == TrialState.RUNNING;
      if (!shown || t.intermediateValues().isEmpty()) {
        continue;
      }
      int n = t.intermediateValues().size();
      int[] steps = new int[n];
      double[] values = new double[n];
      int i = 0;
      for (Map.Entry<Integer, Double> e : t.intermediateValues().entrySet()) {
        steps[i] = e.getKey();
        values[i] = e.getValue();
        i++;
      }
      curves.add(new Curve(t.number(), t.state(), steps, values));
    }
    return new IntermediateValuesChartData(name, curves);
  }

  /** The chart title: {@code "Intermediate Values Plot — <name>"}. */
  public String title() {
    return "Intermediate Values Plot \u2014 " + name;
  }
}
