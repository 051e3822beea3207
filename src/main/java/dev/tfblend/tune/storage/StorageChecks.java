package dev.tfblend.tune.storage;

import dev.tfblend.tune.TrialState;
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
}
