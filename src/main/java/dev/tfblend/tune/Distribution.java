package dev.tfblend.tune;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The domain of one hyperparameter, as in Optuna: {@link FloatDistribution}, {@link
 * IntDistribution} or {@link CategoricalDistribution}.
 *
 * <p>Every value has two representations. The <em>external</em> one is what the objective sees
 * (a {@code Double}, an {@code Integer}, or one of the categorical choices); the <em>internal</em>
 * one is a {@code double} that samplers and storages work with (the float itself, the integer
 * as a double, the 0-based index of a choice). {@link #toJson()} writes Optuna's {@code
 * distribution_json} and {@link #fromJson(String)} reads it (including Optuna's legacy
 * distribution names), so params round-trip through Optuna's database schema.
 *
 * <p>Distributions are immutable values; equal distributions are {@code equals}.
 */
public sealed interface Distribution
    permits FloatDistribution, IntDistribution, CategoricalDistribution {

  /** The internal double of an external value; throws IllegalArgumentException if not one. */
  double toInternal(Object external);

  /** The external value of an internal double. */
  Object toExternal(double internal);

  /** Whether {@code internal} is a value of this distribution (in range, on the step grid). */
  boolean contains(double internal);

  /** Whether the distribution holds exactly one value (samplers then return it directly). */
  boolean isSingle();

  /**
   * Optuna's {@code distribution_json}: compact JSON {@code {"name":...,"attributes":{...}}},
   * attributes in Optuna's order, floats written as Python writes them.
   */
  String toJson();

  /**
   * Reads Optuna's {@code distribution_json} (any key order and whitespace; legacy names such as
   * {@code UniformDistribution} are converted as Optuna converts them).
   *
   * @throws IllegalArgumentException if the text is not a distribution
   */
  static Distribution fromJson(String json) {
    JsonNode root;
    try {
      root = PyJson.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("not a distribution JSON: " + json, e);
    }
    if (root == null || !root.isObject() || !root.has("name") || !root.has("attributes")) {
      throw new IllegalArgumentException("distribution JSON needs name and attributes: " + json);
    }
    String name = root.get("name").asText();
    JsonNode a = root.get("attributes");
    switch (name) {
      case "FloatDistribution":
        {
          JsonNode step = a.get("step");
          return new FloatDistribution(
              number(a, "low", json),
              number(a, "high", json),
              a.path("log").asBoolean(false),
              step == null || step.isNull() ? null : step.asDouble());
        }
      case "IntDistribution":
        return new IntDistribution(
            integer(a, "low", json),
            integer(a, "high", json),
            a.path("log").asBoolean(false),
            a.has("step") && !a.get("step").isNull() ? integer(a, "step", json) : 1);
      case "CategoricalDistribution":
        {
          JsonNode choices = a.get("choices");
          if (choices == null || !choices.isArray()) {
            throw new IllegalArgumentException("CategoricalDistribution needs choices: " + json);
          }
          List<Object> out = new ArrayList<>();
          for (JsonNode c : choices) {
            out.add(PyJson.toJava(c));
          }
          return new CategoricalDistribution(out);
        }
      case "UniformDistribution":
        return new FloatDistribution(number(a, "low", json), number(a, "high", json), false, null);
      case "LogUniformDistribution":
        return new FloatDistribution(number(a, "low", json), number(a, "high", json), true, null);
      case "DiscreteUniformDistribution":
        return new FloatDistribution(
            number(a, "low", json), number(a, "high", json), false, number(a, "q", json));
      case "IntUniformDistribution":
        return new IntDistribution(
            integer(a, "low", json),
            integer(a, "high", json),
            false,
            a.has("step") ? integer(a, "step", json) : 1);
      case "IntLogUniformDistribution":
        return new IntDistribution(integer(a, "low", json), integer(a, "high", json), true, 1);
      default:
        throw new IllegalArgumentException("unknown distribution name '" + name + "' in " + json);
    }
  }

  /**
   * Optuna's {@code check_distribution_compatibility}: a parameter name keeps its distribution
   * kind and log flag across the trials of a study, and a categorical keeps its choices.
   *
   * @throws IllegalArgumentException naming the difference
   */
  static void checkCompatibility(String paramName, Distribution old, Distribution now) {
    if (old.getClass() != now.getClass()) {
      throw new IllegalArgumentException(
          String.format(
              "parameter '%s' was a %s and is now a %s",
              paramName, old.getClass().getSimpleName(), now.getClass().getSimpleName()));
    }
    if (old instanceof FloatDistribution f && f.log() != ((FloatDistribution) now).log()
        || old instanceof IntDistribution i && i.log() != ((IntDistribution) now).log()) {
      throw new IllegalArgumentException(
          "parameter '" + paramName + "' cannot change its log setting within a study");
    }
    if (old instanceof CategoricalDistribution c
        && !c.equals(now)) {
      throw new IllegalArgumentException(
          "parameter '" + paramName + "' cannot change its categorical choices within a study");
    }
  }

  private static double number(JsonNode attributes, String field, String json) {
    JsonNode n = attributes.get(field);
    if (n == null || !n.isNumber()) {
      throw new IllegalArgumentException("distribution attribute '" + field + "' missing: " + json);
    }
    return n.asDouble();
  }

  private static int integer(JsonNode attributes, String field, String json) {
    JsonNode n = attributes.get(field);
    if (n == null || !n.isNumber() || !n.canConvertToInt()) {
      throw new IllegalArgumentException(
          "distribution attribute '" + field + "' is not an int: " + json);
    }
    double d = n.asDouble();
    if (d != Math.rint(d)) {
      throw new IllegalArgumentException(
          "distribution attribute '" + field + "' is not an int: " + json);
    }
    return (int) d;
  }
}
