package dev.tfblend.tune.pruner;

import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.Study;

/**
 * Decides whether a running trial should stop early (Optuna's {@code BasePruner}).
 *
 * <p>Called by {@code Trial.shouldPrune()} on the thread running the trial, typically after
 * each {@code report(value, step)}. It judges from intermediate values only: {@code trial}'s
 * and those of the study's other trials ({@code study.trials(...)}). It never writes storage
 * and must be safe to call from several threads when the study runs trials in parallel.
 */
@FunctionalInterface
public interface Pruner {
  /** True when {@code trial} (RUNNING, a fresh snapshot) should be pruned now. */
  boolean prune(Study study, FrozenTrial trial);
}
