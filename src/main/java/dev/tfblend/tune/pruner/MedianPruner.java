package dev.tfblend.tune.pruner;

/**
 * Prunes a trial whose best intermediate value is worse than the median of the COMPLETE
 * trials' values at the same step (Optuna's {@code MedianPruner}): {@link PercentilePruner}
 * at the 50th percentile. Defaults as Optuna: {@code nStartupTrials} 5, {@code nWarmupSteps}
 * 0, {@code intervalSteps} 1, {@code nMinTrials} 1.
 */
public final class MedianPruner extends PercentilePruner {

  /** Optuna's defaults. */
  public MedianPruner() {
    this(5, 0, 1);
  }

  public MedianPruner(int nStartupTrials, int nWarmupSteps, int intervalSteps) {
    this(nStartupTrials, nWarmupSteps, intervalSteps, 1);
  }

  public MedianPruner(int nStartupTrials, int nWarmupSteps, int intervalSteps, int nMinTrials) {
    super(50, nStartupTrials, nWarmupSteps, intervalSteps, nMinTrials);
  }
}
