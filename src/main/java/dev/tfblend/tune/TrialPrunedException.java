package dev.tfblend.tune;

/**
 * Thrown by an {@link Objective} to stop its trial early, usually after {@link
 * Trial#shouldPrune()} said so. The study then records the trial as {@link TrialState#PRUNED}
 * with the last finite intermediate value it reported (Optuna's {@code TrialPruned}).
 */
public class TrialPrunedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TrialPrunedException() {
    super("trial was pruned");
  }

  public TrialPrunedException(String message) {
    super(message);
  }
}
