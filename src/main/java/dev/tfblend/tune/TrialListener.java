package dev.tfblend.tune;

/**
 * Told about each trial a study finishes (Optuna's optimize callbacks), e.g. to print progress.
 *
 * <p>Called on the optimising thread right after the trial's final state is stored, with a
 * snapshot of it. An exception thrown here stops {@link Study#optimize}.
 */
@FunctionalInterface
public interface TrialListener {
  void trialFinished(Study study, FrozenTrial trial);
}
