package dev.tfblend.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tfblend.BadInputException;
import dev.tfblend.InputLimits;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The JSON plumbing every config loader shares: a strict mapper (unknown fields, nulls for
 * primitives and floats for ints are errors), reading a {@code --config} file, merging a partial
 * config over defaults, and binding with errors that name the source and the field.
 */
final class JsonConfig {
  static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

  /**
   * Config keys written in camelCase by older configs and runs, by their snake_case name. Keys of
   * these names are renamed wherever they occur, except inside hyperparameter maps
   * ({@code fixed}, {@code space}, {@code params}) and as study names (the keys of {@code search}).
   */
  static final Map<String, String> CAMEL_KEYS = Map.of(
      "budgetPerParameter", "budget_per_parameter",
      "batchSize", "batch_size",
      "finalEpochs", "final_epochs",
      "finalSeeds", "final_seeds",
      "trialSeeds", "trial_seeds",
      "trialSeedMode", "trial_seed_mode",
      "validationSize", "validation_size",
      "splitSeed", "split_seed",
      "gateInput", "gate_input",
      "gateOutput", "gate_output");

  /** Subtrees whose keys are names the user chose (hyperparameters), never renamed. */
  private static final Set<String> OPAQUE = Set.of("fixed", "space", "params");

  private JsonConfig() {}

  /**
   * A copy of config tree {@code node} with every camelCase key of {@link #CAMEL_KEYS} renamed to
   * its snake_case name; a key given in both spellings keeps the snake_case value.
   */
  static JsonNode snakeKeys(JsonNode node) {
    return snakeKeys(node, false);
  }

  private static JsonNode snakeKeys(JsonNode node, boolean studyNames) {
    if (!(node instanceof ObjectNode o)) {
      return node;
    }
    ObjectNode out = MAPPER.createObjectNode();
    for (Map.Entry<String, JsonNode> e : o.properties()) {
      String key = studyNames ? e.getKey() : CAMEL_KEYS.getOrDefault(e.getKey(), e.getKey());
      JsonNode value = OPAQUE.contains(e.getKey()) ? e.getValue()
          : snakeKeys(e.getValue(), e.getKey().equals("search"));
      if (!out.has(key) || key.equals(e.getKey())) {
        out.set(key, value);
      }
    }
    return out;
  }

  /** Dotted field path {@code path} ({@code data.splitSeed}) with each camelCase part in snake_case. */
  static String snakePath(String path) {
    String[] parts = path.split("\\.", -1);
    for (int i = 0; i < parts.length; i++) {
      if (i > 0 && parts[i - 1].equals("search")) {
        continue;
      }
      if (i > 0 && OPAQUE.contains(parts[i - 1])) {
        break;
      }
      parts[i] = CAMEL_KEYS.getOrDefault(parts[i], parts[i]);
    }
    return String.join(".", parts);
  }

  /** Reads {@code file} as a JSON object; errors name the file (and the line for bad JSON). */
  static JsonNode readFile(Path file) {
    String text = InputLimits.readString(file, "--config " + file, InputLimits.MAX_CONFIG_BYTES);
    try {
      JsonNode n = MAPPER.readTree(text);
      if (n == null || !n.isObject()) {
        throw BadInputException.of("--config %s: expected a JSON object", file);
      }
      return n;
    } catch (JsonProcessingException e) {
      throw BadInputException.of("--config %s: not valid JSON at line %s: %s", file,
          e.getLocation() == null ? "?" : e.getLocation().getLineNr(), e.getOriginalMessage());
    }
  }

  /**
   * Merges {@code from} into {@code into}: objects key by key, everything else replaced. Keys in
   * {@code replaceWhole} are replaced even when both sides are objects.
   */
  static void merge(ObjectNode into, JsonNode from, Set<String> replaceWhole) {
    for (Map.Entry<String, JsonNode> e : from.properties()) {
      JsonNode existing = into.get(e.getKey());
      if (existing instanceof ObjectNode o && e.getValue().isObject() && !replaceWhole.contains(e.getKey())) {
        merge(o, e.getValue(), replaceWhole);
      } else {
        into.set(e.getKey(), e.getValue());
      }
    }
  }

  /** Binds {@code tree} to {@code type}; errors are prefixed by {@code source} and name the field. */
  static <T> T bind(JsonNode tree, Class<T> type, String source) {
    try {
      return MAPPER.treeToValue(tree, type);
    } catch (UnrecognizedPropertyException e) {
      throw BadInputException.of("%s: unknown field %s (known: %s)", source, path(e),
          e.getKnownPropertyIds().stream().map(Object::toString).collect(Collectors.joining(", ")));
    } catch (MismatchedInputException e) {
      String field = path(e);
      JsonNode value = tree.at("/" + field.replace(".", "/").replaceAll("\\[(\\d+)]", "/$1"));
      throw BadInputException.of("%s: field %s must be %s%s", source, field, expected(e.getTargetType()),
          value.isMissingNode() ? "" : ", got " + value);
    } catch (JsonProcessingException e) {
      throw BadInputException.of("%s: %s", source, e.getOriginalMessage());
    }
  }

  /** What a value of {@code type} looks like, in the user's terms. */
  private static String expected(Class<?> type) {
    if (type == null) {
      return "of another type";
    }
    if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
      return "an integer (no fraction or exponent)";
    }
    if (type == double.class || type == Double.class || type == float.class || type == Float.class) {
      return "a number";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "a list";
    }
    return "an object";
  }

  private static String path(MismatchedInputException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining(".")).replace(".[", "[");
  }
}
