package dev.tfblend.tune.storage;

import dev.tfblend.tune.Distribution;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.TrialState;
import java.util.Map;
import java.util.Objects;

/** Argument checks every {@link TrialStorage} implementation applies the same way. */
final class StorageChecks {
  private StorageChecks() {}

  /**
   * Checks that {@code value} suits a trial in {@code state}: COMPLETE needs a value, FAIL and
   * unfinished states have none, PRUNED may have one, and no value is NaN. Unless {@code
   * allowUnfinished}, only finished states are accepted (what {@code setTrialState} takes).
   */
  static void checkValueFits(TrialState state, Double value, boolean allowUnfinished) {
    Objects.requireNonNull(state, "state");
    if (!allowUnfinished && !state.isFinished()) {
      throw new IllegalArgumentException(
          "setTrialState takes COMPLETE, PRUNED or FAIL, got " + state);
    }
    if (value != null && value.isNaN()) {
      throw new IllegalArgumentException("a trial value cannot be NaN");
    }
    if (state == TrialState.COMPLETE && value == null) {
      throw new IllegalArgumentException("a COMPLETE trial needs a value");
    }
    if ((state == TrialState.FAIL || !state.isFinished()) && value != null) {
      throw new IllegalArgumentException("a " + state + " trial cannot have a value");
    }
  }

  /**
   * Checks a {@code createTrial} template: its state and value fit ({@link #checkValueFits},
   * unfinished states allowed) and every param lies in its distribution.
   */
  static void checkTemplate(FrozenTrial template) {
    Objects.requireNonNull(template, "template");
    checkValueFits(template.state(), template.value(), true);
    for (Map.Entry<String, Distribution> d : template.distributions().entrySet()) {
      if (!d.getValue().contains(template.internalParam(d.getKey()))) {
        throw new IllegalArgumentException(
            "param " + d.getKey() + "=" + template.params().get(d.getKey()) + " is not in "
                + d.getValue().toJson());
      }
    }
  }

  /**
   * Checks a {@code setTrialParam} call: a name, a distribution, and an internal value inside
   * that distribution.
   */
  static void checkParam(String paramName, double internalValue, Distribution distribution) {
    Objects.requireNonNull(paramName, "paramName");
    Objects.requireNonNull(distribution, "distribution");
    if (!distribution.contains(internalValue)) {
      throw new IllegalArgumentException(
          "param " + paramName + ": " + internalValue + " is not in " + distribution.toJson());
    }
  }

  /** Checks {@link TrialStorage#startTrialWithinBudget}'s arguments. */
  static void checkBudget(int budget, java.util.Set<TrialState> counted) {
    Objects.requireNonNull(counted, "counted");
    if (budget < 0) {
      throw new IllegalArgumentException("budget must be >= 0, got " + budget);
    }
    if (counted.contains(TrialState.RUNNING) || counted.contains(TrialState.WAITING)) {
      throw new IllegalArgumentException(
          "counted states are finished states (RUNNING trials always count), got " + counted);
    }
  }
}
