package dev.tfblend.tune;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One of a fixed list of choices (Optuna's {@code CategoricalDistribution}). The internal value
 * is the 0-based index of the choice.
 *
 * <p>Choices are what Optuna stores as JSON: {@code null}, {@code Boolean}, {@code Integer} or
 * {@code Long}, {@code Double}, {@code String}. Floats become doubles and longs that fit become
 * integers, so equal JSON gives equal distributions. The list is an unmodifiable copy that may
 * hold {@code null}.
 */
public record CategoricalDistribution(List<Object> choices) implements Distribution {

  public CategoricalDistribution {
    if (choices == null || choices.isEmpty()) {
      throw new IllegalArgumentException("a categorical distribution needs at least one choice");
    }
    List<Object> copy = new ArrayList<>(choices.size());
    for (Object c : choices) {
      copy.add(normalise(c));
    }
    choices = Collections.unmodifiableList(copy);
  }

  /** The distribution over the given choices. */
  public static CategoricalDistribution of(Object... choices) {
    return new CategoricalDistribution(Arrays.asList(choices));
  }

  private static Object normalise(Object c) {
    if (c == null || c instanceof Boolean || c instanceof String || c instanceof Integer) {
      return c;
    }
    if (c instanceof Long l) {
      return l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE ? (Object) l.intValue() : l;
    }
    if (c instanceof Short || c instanceof Byte) {
      return ((Number) c).intValue();
    }
    if (c instanceof Double || c instanceof Float) {
      return ((Number) c).doubleValue();
    }
    throw new IllegalArgumentException(
        "categorical choices must be null, Boolean, Integer, Long, Double or String, got "
            + c.getClass().getName());
  }

  @Override
  public double toInternal(Object external) {
    Object key;
    try {
      key = normalise(external);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(external + " is not one of the choices " + choices, e);
    }
    int i = choices.indexOf(key);
    if (i < 0) {
      throw new IllegalArgumentException(external + " is not one of the choices " + choices);
    }
    return i;
  }

  @Override
  public Object toExternal(double internal) {
    int i = (int) internal;
    if (i != internal || i < 0 || i >= choices.size()) {
      throw new IllegalArgumentException(
          "categorical index " + internal + " not in [0, " + choices.size() + ")");
    }
    return choices.get(i);
  }

  @Override
  public boolean contains(double internal) {
    int i = (int) internal;
    return i == internal && i >= 0 && i < choices.size();
  }

  @Override
  public boolean isSingle() {
    return choices.size() == 1;
  }

  @Override
  public String toJson() {
    StringBuilder sb =
        new StringBuilder("{\"name\":\"CategoricalDistribution\",\"attributes\":{\"choices\":[");
    for (int i = 0; i < choices.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      PyJson.appendScalar(sb, choices.get(i));
    }
    return sb.append("]}}").toString();
  }
}
