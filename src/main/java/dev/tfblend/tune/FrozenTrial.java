package dev.tfblend.tune;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An immutable snapshot of one trial, as storages hand it out (Optuna's {@code FrozenTrial}).
 *
 * <p>The constructor makes unmodifiable copies of every map (attribute values that are lists or
 * maps are copied deeply), so a snapshot never changes after it was read, whatever happens to
 * the trial in storage afterwards. Maps keep insertion order; {@code params} and {@code
 * distributions} have the same keys, and every param has its distribution's type (the
 * constructor does not insist on the range: storages check that when params are written).
 *
 * @param trialId storage-wide id ({@code -1} in a template passed to {@code createTrial})
 * @param number 0-based position of the trial in its study ({@code -1} in a template)
 * @param value objective value; null unless COMPLETE, or PRUNED with a reported value; may be
 *     an infinity
 * @param datetimeStart when a worker started it; null while WAITING
 * @param datetimeComplete when it finished; null until then
 * @param params external values by parameter name
 * @param distributions each parameter's distribution
 * @param intermediateValues values reported per step (may hold NaN and infinities)
 * @param userAttrs JSON-like values (null, Boolean, Number, String, List, Map) set by the user
 * @param systemAttrs JSON-like values set by the library (e.g. {@code fail_reason}, {@code
 *     fixed_params})
 */
public record FrozenTrial(
    long trialId,
    int number,
    TrialState state,
    Double value,
    Instant datetimeStart,
    Instant datetimeComplete,
    Map<String, Object> params,
    Map<String, Distribution> distributions,
    SortedMap<Integer, Double> intermediateValues,
    Map<String, Object> userAttrs,
    Map<String, Object> systemAttrs) {

  public FrozenTrial {
    Objects.requireNonNull(state, "state");
    params = freezeMap(params == null ? Map.of() : params);
    distributions =
        Collections.unmodifiableMap(
            new LinkedHashMap<>(distributions == null ? Map.of() : distributions));
    intermediateValues =
        Collections.unmodifiableSortedMap(
            new TreeMap<>(intermediateValues == null ? Map.of() : intermediateValues));
    userAttrs = freezeMap(userAttrs == null ? Map.of() : userAttrs);
    systemAttrs = freezeMap(systemAttrs == null ? Map.of() : systemAttrs);
    if (!params.keySet().equals(distributions.keySet())) {
      throw new IllegalArgumentException(
          "params " + params.keySet() + " and distributions " + distributions.keySet() + " differ");
    }
    for (Map.Entry<String, Object> e : params.entrySet()) {
      // Type check only: a stored trial may hold a value outside its distribution (Optuna
      // keeps enqueued out-of-range values), and a snapshot must still be readable.
      distributions.get(e.getKey()).toInternal(e.getValue());
    }
    if (value != null && value.isNaN()) {
      throw new IllegalArgumentException("a trial value cannot be NaN");
    }
  }

  /**
   * A template for {@code TrialStorage.createTrial(studyId, template)}: ids unset, no
   * intermediate values or datetimes.
   */
  public static FrozenTrial template(
      TrialState state,
      Double value,
      Map<String, Object> params,
      Map<String, Distribution> distributions,
      Map<String, Object> userAttrs,
      Map<String, Object> systemAttrs) {
    return new FrozenTrial(
        -1, -1, state, value, null, null, params, distributions, null, userAttrs, systemAttrs);
  }

  /** The internal (double) representation of param {@code name}. */
  public double internalParam(String name) {
    Distribution d = distributions.get(name);
    if (d == null) {
      throw new IllegalArgumentException("trial " + number + " has no param '" + name + "'");
    }
    return d.toInternal(params.get(name));
  }

  /** The highest step with an intermediate value, if any. */
  public OptionalInt lastStep() {
    return intermediateValues.isEmpty()
        ? OptionalInt.empty()
        : OptionalInt.of(intermediateValues.lastKey());
  }

  /** Shorthand for {@code state().isFinished()}. */
  public boolean isFinished() {
    return state.isFinished();
  }

  /** A copy with another storage id and number. */
  public FrozenTrial withIdentity(long newTrialId, int newNumber) {
    return new FrozenTrial(newTrialId, newNumber, state, value, datetimeStart, datetimeComplete,
        params, distributions, intermediateValues, userAttrs, systemAttrs);
  }

  /** A copy with another state and value (the constructor's value checks apply). */
  public FrozenTrial withState(TrialState newState, Double newValue) {
    return new FrozenTrial(trialId, number, newState, newValue, datetimeStart, datetimeComplete,
        params, distributions, intermediateValues, userAttrs, systemAttrs);
  }

  /** A copy with other start and completion times (either may be null). */
  public FrozenTrial withDatetimes(Instant start, Instant complete) {
    return new FrozenTrial(trialId, number, state, value, start, complete,
        params, distributions, intermediateValues, userAttrs, systemAttrs);
  }

  /**
   * A copy with param {@code name} set to the external value {@code external} of {@code
   * distribution} (added last, or replaced in place).
   */
  public FrozenTrial withParam(String name, Object external, Distribution distribution) {
    Map<String, Object> p = new LinkedHashMap<>(params);
    p.put(name, external);
    Map<String, Distribution> d = new LinkedHashMap<>(distributions);
    d.put(name, distribution);
    return new FrozenTrial(trialId, number, state, value, datetimeStart, datetimeComplete,
        p, d, intermediateValues, userAttrs, systemAttrs);
  }

  /** A copy with the intermediate value at {@code step} set (replacing an earlier one). */
  public FrozenTrial withIntermediateValue(int step, double intermediate) {
    SortedMap<Integer, Double> v = new TreeMap<>(intermediateValues);
    v.put(step, intermediate);
    return new FrozenTrial(trialId, number, state, value, datetimeStart, datetimeComplete,
        params, distributions, v, userAttrs, systemAttrs);
  }

  /** A copy with user attribute {@code key} set to a JSON-like value. */
  public FrozenTrial withUserAttr(String key, Object attr) {
    return new FrozenTrial(trialId, number, state, value, datetimeStart, datetimeComplete,
        params, distributions, intermediateValues, with(userAttrs, key, attr), systemAttrs);
  }

  /** A copy with system attribute {@code key} set to a JSON-like value. */
  public FrozenTrial withSystemAttr(String key, Object attr) {
    return new FrozenTrial(trialId, number, state, value, datetimeStart, datetimeComplete,
        params, distributions, intermediateValues, userAttrs, with(systemAttrs, key, attr));
  }

  private static Map<String, Object> with(Map<String, Object> m, String key, Object v) {
    Map<String, Object> copy = new LinkedHashMap<>(m);
    copy.put(Objects.requireNonNull(key, "attribute key"), v);
    return copy;
  }

  /** Deep, unmodifiable, null-tolerant copy of a JSON-like map. */
  static Map<String, Object> freezeMap(Map<String, ?> m) {
    LinkedHashMap<String, Object> copy = new LinkedHashMap<>();
    for (Map.Entry<String, ?> e : m.entrySet()) {
      copy.put(Objects.requireNonNull(e.getKey(), "attribute key"), freeze(e.getValue()));
    }
    return Collections.unmodifiableMap(copy);
  }

  private static Object freeze(Object v) {
    if (v instanceof Map<?, ?> m) {
      LinkedHashMap<String, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        copy.put(String.valueOf(e.getKey()), freeze(e.getValue()));
      }
      return Collections.unmodifiableMap(copy);
    }
    if (v instanceof List<?> l) {
      List<Object> copy = new ArrayList<>(l.size());
      for (Object o : l) {
        copy.add(freeze(o));
      }
      return Collections.unmodifiableList(copy);
    }
    if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean) {
      return v;
    }
    throw new IllegalArgumentException(
        "attribute values must be JSON-like (null, Boolean, Number, String, List, Map), got "
            + v.getClass().getName());
  }
}
