package dev.tfblend.tune;

import dev.tfblend.tune.storage.TrialStorage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A live trial handed to an {@link Objective} (Optuna's {@code Trial}): it asks the study's
 * sampler for hyperparameters, records what the objective reports, and asks the pruner whether
 * to stop.
 *
 * <p>A parameter is sampled once per trial; asking again for the same name returns the same
 * value (the distribution must be compatible). Values enqueued with {@link Study#enqueueTrial}
 * take precedence over the sampler. A trial is used from the thread that runs its objective and
 * only while that objective runs. Suggestions take the study's sampling lock, so trials of one
 * study object that run at once (on several threads) never use the sampler at the same time.
 */
public final class Trial {
  private final Study study;
  private final long trialId;
  private final int number;
  private final Map<String, Double> relativeParams;
  private final Map<String, Distribution> relativeSpace;
  private final Map<String, Object> fixedParams;
  private final Map<String, Object> params = new LinkedHashMap<>();

  Trial(
      Study study,
      long trialId,
      Map<String, Distribution> relativeSpace,
      Map<String, Double> relativeParams) {
    this.study = study;
    this.trialId = trialId;
    FrozenTrial t = study.storage().getTrial(trialId);
    this.number = t.number();
    this.relativeSpace = relativeSpace;
    this.relativeParams = relativeParams;
    Object fixed = t.systemAttrs().get(Study.FIXED_PARAMS);
    @SuppressWarnings("unchecked")
    Map<String, Object> f = fixed instanceof Map ? (Map<String, Object>) fixed : Map.of();
    this.fixedParams = f;
    params.putAll(t.params());
  }

  /** The storage id of this trial. */
  public long trialId() {
    return trialId;
  }

  /** The 0-based number of this trial in its study. */
  public int number() {
    return number;
  }

  /** The study this trial belongs to. */
  public Study study() {
    return study;
  }

  /** The parameters suggested so far (external values), in suggestion order. */
  public Map<String, Object> params() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }

  /** A float in {@code [low, high]} on a linear scale. */
  public double suggestFloat(String name, double low, double high) {
    return suggestFloat(name, low, high, false, null);
  }

  /** A float in {@code [low, high]}, on a log scale when {@code log}. */
  public double suggestFloat(String name, double low, double high, boolean log) {
    return suggestFloat(name, low, high, log, null);
  }

  /**
   * A float in {@code [low, high]}, on a log scale when {@code log}, or on the grid {@code low
   * + k * step} when {@code step} is not null (Optuna's {@code suggest_float}).
   */
  public double suggestFloat(String name, double low, double high, boolean log, Double step) {
    return (Double) suggest(name, new FloatDistribution(low, high, log, step));
  }

  /** An integer in {@code [low, high]}. */
  public int suggestInt(String name, int low, int high) {
    return suggestInt(name, low, high, false, 1);
  }

  /**
   * An integer in {@code [low, high]} on the grid {@code low + k * step}, on a log scale when
   * {@code log} (then step must be 1).
   */
  public int suggestInt(String name, int low, int high, boolean log, int step) {
    return (Integer) suggest(name, new IntDistribution(low, high, log, step));
  }

  /** One of {@code choices} (null, Boolean, Integer, Long, Double or String values). */
  @SuppressWarnings("unchecked")
  public <T> T suggestCategorical(String name, List<T> choices) {
    return (T) suggest(name, new CategoricalDistribution((List<Object>) choices));
  }

  /** One of {@code choices}. */
  @SafeVarargs
  public final <T> T suggestCategorical(String name, T... choices) {
    List<T> list = new ArrayList<>(choices.length);
    for (T c : choices) {
      list.add(c);
    }
    return suggestCategorical(name, list);
  }

  /**
   * The value of parameter {@code name} drawn from {@code distribution}, as its external value
   * ({@code Double}, {@code Integer} or a choice).
   *
   * @throws IllegalArgumentException if {@code name} was suggested before with an incompatible
   *     distribution, or an enqueued value lies outside {@code distribution}
   */
  public Object suggest(String name, Distribution distribution) {
    // the sampler is not thread-safe: one suggestion at a time per study object (reentrant, so
    // a trial drawing all its parameters under the lock in Objective.sample keeps it)
    study.samplingLock().lock();
    try {
      return suggestLocked(name, distribution);
    } finally {
      study.samplingLock().unlock();
    }
  }

  private Object suggestLocked(String name, Distribution distribution) {
    TrialStorage storage = study.storage();
    if (params.containsKey(name)) {
      FrozenTrial t = storage.getTrial(trialId);
      Distribution.checkCompatibility(name, t.distributions().get(name), distribution);
      return params.get(name);
    }
    double internal;
    if (fixedParams.containsKey(name)) {
      internal = distribution.toInternal(fixedParams.get(name));
      if (!distribution.contains(internal)) {
        throw new IllegalArgumentException(
            "enqueued value " + fixedParams.get(name) + " of '" + name + "' is outside "
                + distribution.toJson());
      }
    } else if (distribution.isSingle()) {
      internal = singleValue(distribution);
    } else if (relativeParams.containsKey(name)
        && distribution.equals(relativeSpace.get(name))
        && distribution.contains(relativeParams.get(name))) {
      internal = relativeParams.get(name);
    } else {
      FrozenTrial t = storage.getTrial(trialId);
      internal = study.sampler().sampleIndependent(study, t, name, distribution);
    }
    storage.setTrialParam(trialId, name, internal, distribution);
    Object external = distribution.toExternal(internal);
    params.put(name, external);
    return external;
  }

  private static double singleValue(Distribution d) {
    if (d instanceof FloatDistribution f) {
      return f.low();
    } else if (d instanceof IntDistribution i) {
      return i.low();
    }
    return 0;
  }

  /**
   * Reports the objective's intermediate value at {@code step} (e.g. validation loss after an
   * epoch). A step reported twice keeps its first value, as in Optuna.
   *
   * @throws IllegalArgumentException if {@code step} is negative
   */
  public void report(double value, int step) {
    if (step < 0) {
      throw new IllegalArgumentException("step must be >= 0, got " + step);
    }
    FrozenTrial t = study.storage().getTrial(trialId);
    if (t.intermediateValues().containsKey(step)) {
      study.warn(
          "trial " + number + " already reported step " + step + "; the new value is ignored");
      return;
    }
    study.storage().setTrialIntermediateValue(trialId, step, value);
  }

  /**
   * Stores a user attribute of this trial (Optuna's {@code trial.set_user_attr}); {@code value}
   * is JSON-like (null, Boolean, Number, String, List, Map). A key set again is overwritten.
   */
  public void setUserAttr(String key, Object value) {
    study.storage().setTrialUserAttr(trialId, key, value);
  }

  /** Whether the study's pruner says this trial should stop now. */
  public boolean shouldPrune() {
    return study.pruner().prune(study, study.storage().getTrial(trialId));
  }

  /** A snapshot of this trial as stored now. */
  public FrozenTrial snapshot() {
    return study.storage().getTrial(trialId);
  }
}
