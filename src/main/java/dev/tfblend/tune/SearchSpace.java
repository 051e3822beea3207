package dev.tfblend.tune;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tfblend.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A search space as data: an ordered map from parameter name to {@link Distribution}, usually
 * read from JSON such as
 *
 * <pre>{@code
 * {
 *   "lr":       {"type": "float", "low": 1e-4, "high": 0.1, "log": true},
 *   "momentum": {"type": "float", "low": 0.5, "high": 0.99},
 *   "units":    {"type": "int", "low": 16, "high": 256, "step": 16},
 *   "epochs":   {"type": "int", "low": 1, "high": 64, "log": true},
 *   "opt":      {"type": "categorical", "choices": ["adam", "sgd"]}
 * }
 * }</pre>
 *
 * <p>Fields: {@code type} ({@code float}, {@code int}, {@code categorical}); {@code low} and
 * {@code high} (numbers, inclusive); optional {@code log} (default false) and {@code step}
 * (float: any positive number; int: positive integer, default 1); {@code choices} (a non-empty
 * array of strings, numbers, booleans or null). Anything else is an error that names the
 * source, the parameter and the field ({@link BadInputException}). Suggestion order is the
 * order of the JSON object.
 */
public final class SearchSpace {
  private final Map<String, Distribution> distributions;

  private SearchSpace(Map<String, Distribution> distributions) {
    this.distributions = Collections.unmodifiableMap(new LinkedHashMap<>(distributions));
  }

  /** A search space of the given distributions, in the map's iteration order. */
  public static SearchSpace of(Map<String, ? extends Distribution> distributions) {
    return new SearchSpace(new LinkedHashMap<>(distributions));
  }

  /** Reads a JSON file. @throws BadInputException naming the file and field on any error */
  public static SearchSpace load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw BadInputException.of("%s: cannot read search space: %s", file, e.getMessage());
    }
    return parse(text, file.toString());
  }

  /** Parses JSON text; {@code source} names it in error messages (e.g. the file). */
  public static SearchSpace parse(String json, String source) {
    JsonNode root;
    try {
      root = PyJson.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw BadInputException.of(
          "%s: not valid JSON (line %d, column %d): %s",
          source,
          e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
          e.getLocation() == null ? 0 : e.getLocation().getColumnNr(),
          e.getOriginalMessage());
    }
    return fromJson(root, source);
  }

  /**
   * Reads a parsed JSON object (e.g. the {@code searchSpace} node of a larger config); {@code
   * source} prefixes error messages ("configs/tune.json: searchSpace").
   */
  public static SearchSpace fromJson(JsonNode root, String source) {
    if (root == null || !root.isObject()) {
      throw BadInputException.of(
          "%s: a search space must be a JSON object of parameter name -> {\"type\": ...}", source);
    }
    if (root.isEmpty()) {
      throw BadInputException.of("%s: the search space has no parameters", source);
    }
    Map<String, Distribution> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      out.put(e.getKey(), parseParam(e.getKey(), e.getValue(), source));
    }
    return new SearchSpace(out);
  }

  private static Distribution parseParam(String name, JsonNode node, String source) {
    String where = source + ": parameter '" + name + "'";
    if (!node.isObject()) {
      throw BadInputException.of("%s must be an object with a \"type\" field, got %s", where, node);
    }
    JsonNode typeNode = node.get("type");
    if (typeNode == null || !typeNode.isTextual()) {
      throw BadInputException.of(
          "%s: field 'type' is missing or not a string (float, int or categorical)", where);
    }
    String type = typeNode.textValue();
    switch (type) {
      case "float":
        {
          checkFields(node, where, Set.of("type", "low", "high", "log", "step"));
          double low = number(node, "low", where);
          double high = number(node, "high", where);
          boolean log = bool(node, "log", where);
          Double step = node.hasNonNull("step") ? number(node, "step", where) : null;
          try {
            return new FloatDistribution(low, high, log, step);
          } catch (IllegalArgumentException ex) {
            throw BadInputException.of("%s: %s", where, ex.getMessage());
          }
        }
      case "int":
        {
          checkFields(node, where, Set.of("type", "low", "high", "log", "step"));
          int low = integer(node, "low", where);
          int high = integer(node, "high", where);
          boolean log = bool(node, "log", where);
          int step = node.hasNonNull("step") ? integer(node, "step", where) : 1;
          try {
            return new IntDistribution(low, high, log, step);
          } catch (IllegalArgumentException ex) {
            throw BadInputException.of("%s: %s", where, ex.getMessage());
          }
        }
      case "categorical":
        {
          checkFields(node, where, Set.of("type", "choices"));
          JsonNode choices = node.get("choices");
          if (choices == null || !choices.isArray() || choices.isEmpty()) {
            throw BadInputException.of("%s: field 'choices' must be a non-empty array", where);
          }
          List<Object> values = new ArrayList<>();
          int i = 0;
          for (JsonNode c : choices) {
            try {
              values.add(PyJson.toJava(c));
            } catch (IllegalArgumentException ex) {
              throw BadInputException.of("%s: field 'choices[%d]': %s", where, i, ex.getMessage());
            }
            i++;
          }
          return new CategoricalDistribution(values);
        }
      default:
        throw BadInputException.of(
            "%s: field 'type' is '%s'; expected float, int or categorical", where, type);
    }
  }

  private static void checkFields(JsonNode node, String where, Set<String> allowed) {
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      String f = field.getKey();
      if (!allowed.contains(f)) {
        throw BadInputException.of(
            "%s: unknown field '%s' (allowed: %s)", where, f, String.join(", ", allowed.stream().sorted().toList()));
      }
    }
  }

  private static double number(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    if (v == null || !v.isNumber()) {
      throw BadInputException.of("%s: field '%s' is missing or not a number", where, field);
    }
    double d = v.asDouble();
    if (!Double.isFinite(d)) {
      throw BadInputException.of("%s: field '%s' must be finite, got %s", where, field, v);
    }
    return d;
  }

  private static int integer(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
      throw BadInputException.of(
          "%s: field '%s' is missing or not a 32-bit integer, got %s", where, field, v);
    }
    return v.intValue();
  }

  private static boolean bool(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw BadInputException.of("%s: field '%s' must be true or false, got %s", where, field, v);
    }
    return v.booleanValue();
  }

  /** The distributions by parameter name, in order; unmodifiable. */
  public Map<String, Distribution> distributions() {
    return distributions;
  }

  /** Asks {@code trial} for every parameter, in order; returns name -> external value. */
  public Map<String, Object> suggest(Trial trial) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Distribution> e : distributions.entrySet()) {
      out.put(e.getKey(), trial.suggest(e.getKey(), e.getValue()));
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * Whether {@code trial}'s params lie in this space: it has exactly this space's parameter
   * names, and each value is a value of the space's distribution (in range, on the grid, one of
   * the choices), whatever distribution the trial itself recorded. Trials another tool added
   * with other names or out-of-range values are not in the space.
   */
  public boolean admits(FrozenTrial trial) {
    if (!trial.params().keySet().equals(distributions.keySet())) {
      return false;
    }
    for (Map.Entry<String, Distribution> e : distributions.entrySet()) {
      double internal;
      try {
        internal = e.getValue().toInternal(trial.params().get(e.getKey()));
      } catch (IllegalArgumentException | ClassCastException notOne) {
        return false;
      }
      if (!e.getValue().contains(internal)) {
        return false;
      }
    }
    return true;
  }

  /** This space in the JSON format {@link #parse} reads (compact, in order). */
  public String toJson() {
    StringBuilder sb = new StringBuilder("{");
    boolean first = true;
    for (Map.Entry<String, Distribution> e : distributions.entrySet()) {
      if (!first) {
        sb.append(',');
      }
      first = false;
      PyJson.appendString(sb, e.getKey());
      sb.append(':');
      Distribution d = e.getValue();
      if (d instanceof FloatDistribution f) {
        sb.append("{\"type\":\"float\",\"low\":").append(PyJson.pyFloat(f.low()))
            .append(",\"high\":").append(PyJson.pyFloat(f.high()));
        if (f.log()) {
          sb.append(",\"log\":true");
        }
        if (f.step() != null) {
          sb.append(",\"step\":").append(PyJson.pyFloat(f.step()));
        }
        sb.append('}');
      } else if (d instanceof IntDistribution i) {
        sb.append("{\"type\":\"int\",\"low\":").append(i.low()).append(",\"high\":").append(i.high());
        if (i.log()) {
          sb.append(",\"log\":true");
        }
        if (i.step() != 1) {
          sb.append(",\"step\":").append(i.step());
        }
        sb.append('}');
      } else {
        CategoricalDistribution c = (CategoricalDistribution) d;
        sb.append("{\"type\":\"categorical\",\"choices\":[");
        for (int k = 0; k < c.choices().size(); k++) {
          if (k > 0) {
            sb.append(',');
          }
          PyJson.appendScalar(sb, c.choices().get(k));
        }
        sb.append("]}");
      }
    }
    return sb.append('}').toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SearchSpace s && distributions.equals(s.distributions);
  }

  @Override
  public int hashCode() {
    return distributions.hashCode();
  }

  @Override
  public String toString() {
    return toJson();
  }
}
