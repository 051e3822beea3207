package dev.tfblend.tune;

/**
 * What a study optimises: scores one {@link Trial}.
 *
 * <p>The study calls {@link #evaluate} once per trial, on the optimising thread. The objective
 * asks the trial for hyperparameters ({@code trial.suggestFloat(...)}), may report intermediate
 * values per step ({@link Trial#report}) and stop early by throwing {@link
 * TrialPrunedException} when {@link Trial#shouldPrune()} says so. A returned NaN or infinity
 * marks the trial {@link TrialState#FAIL} and the study goes on; an exception thrown fails the
 * trial and is re-thrown by {@link Study#optimize} unless its type is among those the caller
 * asked the study to catch.
 */
@FunctionalInterface
public interface Objective {
  /** Returns the objective value of this trial's hyperparameters. */
  double evaluate(Trial trial) throws Exception;
}
