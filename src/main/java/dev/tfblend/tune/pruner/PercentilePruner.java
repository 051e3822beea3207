package dev.tfblend.tune.pruner;

import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.Study;
import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.TrialState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;

/**
 * Prunes a trial whose best intermediate value so far is worse than the given percentile of
 * the COMPLETE trials' values at the same step (Optuna's {@code PercentilePruner}).
 *
 * <p>At the trial's last reported step {@code s} it prunes when all of these hold: at least
 * {@code nStartupTrials} trials are COMPLETE; {@code s >= nWarmupSteps}; {@code s} is the
 * first report in its interval ({@code intervalSteps} steps counted from the warm-up); at
 * least {@code nMinTrials} COMPLETE trials reported step {@code s}; and the trial's best value
 * over its steps (NaN ignored; all NaN prunes) is worse than the {@code percentile}-th
 * percentile (linear interpolation, NaN ignored; mirrored when maximising) of theirs.
 */
public class PercentilePruner implements Pruner {
  private final double percentile;
  private final int nStartupTrials;
  private final int nWarmupSteps;
  private final int intervalSteps;
  private final int nMinTrials;

  public PercentilePruner(
      double percentile, int nStartupTrials, int nWarmupSteps, int intervalSteps, int nMinTrials) {
    if (!(percentile >= 0 && percentile <= 100)) {
      throw new IllegalArgumentException("percentile must be in [0, 100], got " + percentile);
    }
    if (nStartupTrials < 0 || nWarmupSteps < 0 || intervalSteps < 1 || nMinTrials < 1) {
      throw new IllegalArgumentException(
          String.format(
              "need nStartupTrials >= 0, nWarmupSteps >= 0, intervalSteps >= 1, nMinTrials >= 1;"
                  + " got %d, %d, %d, %d",
              nStartupTrials, nWarmupSteps, intervalSteps, nMinTrials));
    }
    this.percentile = percentile;
    this.nStartupTrials = nStartupTrials;
    this.nWarmupSteps = nWarmupSteps;
    this.intervalSteps = intervalSteps;
    this.nMinTrials = nMinTrials;
  }

  @Override
  public boolean prune(Study study, FrozenTrial trial) {
    List<FrozenTrial> completed = study.trials(EnumSet.of(TrialState.COMPLETE));
    if (completed.isEmpty() || completed.size() < nStartupTrials) {
      return false;
    }
    if (trial.intermediateValues().isEmpty()) {
      return false;
    }
    int step = trial.intermediateValues().lastKey();
    if (step < nWarmupSteps || !isFirstInInterval(step, trial)) {
      return false;
    }
    StudyDirection direction = study.direction();
    double best = bestOverSteps(trial, direction);
    if (Double.isNaN(best)) {
      return true;
    }
    List<Double> atStep = new ArrayList<>();
    for (FrozenTrial t : completed) {
      Double v = t.intermediateValues().get(step);
      if (v != null) {
        atStep.add(v);
      }
    }
    if (atStep.size() < nMinTrials) {
      return false;
    }
    double q = direction == StudyDirection.MAXIMIZE ? 100 - percentile : percentile;
    double p = nanPercentile(atStep, q);
    if (Double.isNaN(p)) {
      return false;
    }
    return direction == StudyDirection.MAXIMIZE ? best < p : best > p;
  }

  private boolean isFirstInInterval(int step, FrozenTrial trial) {
    int nearestLowerPruningStep =
        Math.floorDiv(step - nWarmupSteps, intervalSteps) * intervalSteps + nWarmupSteps;
    int secondLast = -1;
    for (int s : trial.intermediateValues().keySet()) {
      if (s > secondLast && s != step) {
        secondLast = s;
      }
    }
    return secondLast < nearestLowerPruningStep;
  }

  private static double bestOverSteps(FrozenTrial trial, StudyDirection direction) {
    double best = Double.NaN;
    for (double v : trial.intermediateValues().values()) {
      if (Double.isNaN(v)) {
        continue;
      }
      if (Double.isNaN(best) || direction.isBetter(v, best)) {
        best = v;
      }
    }
    return best;
  }

  /** numpy's {@code nanpercentile} with linear interpolation; NaN when all values are NaN. */
  static double nanPercentile(List<Double> values, double q) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).filter(x -> !Double.isNaN(x)).toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    Arrays.sort(v);
    double pos = q / 100 * (v.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, v.length - 1);
    return v[lo] + (pos - lo) * (v[hi] - v[lo]);
  }
}
