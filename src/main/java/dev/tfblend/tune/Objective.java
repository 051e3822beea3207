package dev.tfblend.tune;

import java.time.Duration;

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
 *
 * <p>With several trials running at once in one study object ({@link Study#optimizeShared(Objective,
 * int, Duration, java.util.function.Consumer, java.util.List, int) jobs} &gt; 1), {@link #evaluate}
 * runs on several threads at once and must be thread-safe. The study then calls {@link #sample}
 * for one trial at a time, under its sampling lock, right after it starts the trial, so that
 * trials draw their parameters in trial-number order: an objective that suggests everything in
 * {@link #sample} draws exactly what it draws when trials run one after another, as long as the
 * sampler's proposal does not depend on trials still running (a TPE sampler in its random startup
 * phase, a random sampler).
 */
@FunctionalInterface
public interface Objective {
  /** Returns the objective value of this trial's hyperparameters. */
  double evaluate(Trial trial) throws Exception;

  /**
   * Draws the trial's parameters ({@code trial.suggestX(...)}) before {@link #evaluate}; a
   * parameter asked for again in {@link #evaluate} returns the value drawn here. Called once per
   * trial, right after the trial starts and before {@link #evaluate}, on the thread that then
   * evaluates it, while the study holds its sampling lock (no other trial of this study object
   * samples meanwhile). An exception thrown here fails the trial as one thrown by {@link
   * #evaluate} does. The default draws nothing.
   */
  default void sample(Trial trial) throws Exception {}
}
