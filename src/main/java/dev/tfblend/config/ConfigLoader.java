package dev.tfblend.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tfblend.BadInputException;
import dev.tfblend.train.Optimizers;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link TrainConfig} from, in increasing precedence: {@link TrainConfig#defaults()}, a
 * JSON file ({@code --config}), explicit command-line options, and {@code --set name=value}
 * overrides. Every problem is a {@link BadInputException} naming the file, field or key.
 *
 * <p>{@code --set} names are either a hyperparameter of the run's optimizer ({@code lr},
 * {@code beta1}, ...; also {@code params.lr}, and for the blended optimizer {@code blend.unroll},
 * {@code blend.first_order}) or a config field path ({@link #FIELDS}). Values
 * are numbers, {@code true}/{@code false} (1/0 for hyperparameters), text, or for
 * {@code model.layers} a comma-separated list.
 */
public final class ConfigLoader {
  /** Config field paths {@code --set} accepts besides hyperparameters. */
  public static final List<String> FIELDS = List.of("optimizer", "epochs", "batch_size", "seed",
      "model.layers", "model.activation", "model.init", "data.source", "data.seed", "data.validation_size",
      "data.validation", "data.split_seed", "data.train", "data.test");

  private static final ObjectMapper MAPPER = JsonConfig.MAPPER;

  private ConfigLoader() {}

  /**
   * Resolves a config.
   *
   * @param file JSON config file, or {@code null}
   * @param options explicit command-line options by config field name (only those the user gave)
   * @param sets {@code name=value} overrides, applied in order
   */
  public static TrainConfig resolve(Path file, Map<String, Object> options, List<String> sets) {
    ObjectNode tree = MAPPER.valueToTree(TrainConfig.defaults());
    String source = "defaults";
    if (file != null) {
      JsonConfig.merge(tree, JsonConfig.snakeKeys(JsonConfig.readFile(file)), java.util.Set.of());
      source = "config " + file;
    }
    for (Map.Entry<String, Object> e : options.entrySet()) {
      tree.set(JsonConfig.snakePath(e.getKey()), MAPPER.valueToTree(e.getValue()));
    }
    JsonConfig.bind(tree, TrainConfig.class, source);
    String optimizer = tree.path("optimizer").asText();
    for (String set : sets) {
      applySet(tree, set, optimizer);
      optimizer = tree.path("optimizer").asText();
      // a value of the wrong type is blamed on the --set that gave it
      JsonConfig.bind(tree, TrainConfig.class, "--set " + set);
    }
    return JsonConfig.bind(tree, TrainConfig.class, source).validated();
  }

  private static void applySet(ObjectNode tree, String set, String optimizer) {
    int eq = set.indexOf('=');
    if (eq <= 0) {
      throw BadInputException.of("--set %s: expected name=value", set);
    }
    String key = JsonConfig.snakePath(set.substring(0, eq).trim());
    String value = set.substring(eq + 1).trim();
    String hyper = key.startsWith("params.") ? key.substring("params.".length())
        : key.startsWith("blend.") ? key.substring("blend.".length()) : key;
    Map<String, Double> known = Optimizers.names().contains(optimizer) ? Optimizers.defaults(optimizer) : Map.of();
    if (known.containsKey(hyper)) {
      tree.withObjectProperty("params").set(hyper, DoubleNode.valueOf(number(key, value)));
      return;
    }
    if (!FIELDS.contains(key)) {
      throw BadInputException.of("--set %s: unknown key %s; expected a hyperparameter of %s (%s) or one of %s",
          set, key, optimizer, String.join(", ", known.keySet()), String.join(", ", FIELDS));
    }
    setPath(tree, set, key, value);
  }

  /**
   * Sets config field {@code key} (a dotted path, {@code model.init}) of {@code tree} to
   * {@code value}: a comma-separated list of integers for {@code model.layers}, of names for
   * {@code optimizers}, otherwise JSON when it parses as JSON (numbers, {@code true}, objects)
   * and text when it does not. {@code set} is the whole {@code name=value} for messages.
   */
  static void setPath(ObjectNode tree, String set, String key, String value) {
    String[] parts = key.split("\\.");
    ObjectNode parent = tree;
    for (int i = 0; i < parts.length - 1; i++) {
      parent = parent.withObjectProperty(parts[i]);
    }
    String leaf = parts[parts.length - 1];
    if (key.equals("model.layers")) {
      ArrayNode arr = MAPPER.createArrayNode();
      for (String p : value.split(",")) {
        try {
          arr.add(Integer.parseInt(p.trim()));
        } catch (NumberFormatException e) {
          throw BadInputException.of("--set %s: model.layers must be comma-separated integers", set);
        }
      }
      parent.set(leaf, arr);
    } else if (key.equals("optimizers")) {
      ArrayNode arr = MAPPER.createArrayNode();
      for (String p : value.split(",")) {
        arr.add(p.trim());
      }
      parent.set(leaf, arr);
    } else {
      JsonNode parsed;
      try {
        parsed = MAPPER.readTree(value);
      } catch (JsonProcessingException e) {
        parsed = null;
      }
      parent.set(leaf, parsed == null || parsed.isMissingNode() ? TextNode.valueOf(value) : parsed);
    }
  }

  private static double number(String key, String value) {
    if (value.equalsIgnoreCase("true")) {
      return 1.0;
    }
    if (value.equalsIgnoreCase("false")) {
      return 0.0;
    }
    try {
      double d = Double.parseDouble(value);
      if (!Double.isFinite(d)) {
        throw BadInputException.of("--set %s=%s: must be a finite number", key, value);
      }
      return d;
    } catch (NumberFormatException e) {
      throw BadInputException.of("--set %s=%s: not a number", key, value);
    }
  }

  /** The config as pretty JSON (what a manifest stores). */
  public static String toJson(TrainConfig config) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The shared mapper settings, for writing results. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }
}
