package dev.tfblend.tune.sampler;

import dev.tfblend.tune.Distribution;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.Study;
import java.util.Map;
import java.util.Optional;

/**
 * Proposes hyperparameter values from a study's history (Optuna's {@code BaseSampler}).
 *
 * <p>Call order, per trial, all on the thread that runs the trial: when the trial starts, the
 * study calls {@link #inferRelativeSearchSpace} and then, if that space is not empty, {@link
 * #sampleRelative} once, to draw the parameters that are sampled jointly. Afterwards each
 * {@code trial.suggestX(name, ...)} whose parameter was not drawn jointly (or whose
 * distribution differs) calls {@link #sampleIndependent}. Values are internal representations
 * (see {@link Distribution}).
 *
 * <p>A sampler reads the study ({@code study.trials(...)}, {@code study.direction()}) and never
 * writes storage. Given its seed and the same sequence of calls on the same history, it returns
 * the same values. Samplers are not required to be thread-safe; a study uses its sampler from
 * one thread at a time.
 */
public interface Sampler {

  /**
   * The parameters to sample jointly for {@code trial}; empty (the default) for samplers that
   * only sample independently.
   */
  default Map<String, Distribution> inferRelativeSearchSpace(Study study, FrozenTrial trial) {
    return Map.of();
  }

  /**
   * Internal values for (a subset of) {@code searchSpace}, drawn jointly; the default returns
   * none.
   */
  default Map<String, Double> sampleRelative(
      Study study, FrozenTrial trial, Map<String, Distribution> searchSpace) {
    return Map.of();
  }

  /** An internal value of {@code distribution} for parameter {@code name} of {@code trial}. */
  double sampleIndependent(Study study, FrozenTrial trial, String name, Distribution distribution);

  /**
   * A one-line notice for a study about to run {@code nTrials} trials, when the sampler behaves
   * differently from what its name suggests for that budget (TPE: the budget is within its
   * random startup); empty otherwise.
   */
  default Optional<String> budgetNotice(int nTrials) {
    return Optional.empty();
  }
}
