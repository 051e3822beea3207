package dev.tfblend.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tfblend.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a {@link TuneConfig} from, in increasing precedence: the embedded default
 * ({@code configs/seed-experiment.json}, packaged in the jar), a JSON file ({@code --config}),
 * then explicit command-line options. Objects merge key by key; arrays and values replace. Every
 * problem is a {@link BadInputException} naming the file and the field.
 */
public final class TuneConfigLoader {
  /** Classpath location of the default study. */
  public static final String DEFAULT_RESOURCE = "/configs/seed-experiment.json";

  private static final ObjectMapper MAPPER = JsonConfig.MAPPER;

  private TuneConfigLoader() {}

  /** The embedded default study. */
  public static TuneConfig defaults() {
    return resolve(null, Map.of());
  }

  /**
   * Resolves a config.
   *
   * @param file a JSON config, or {@code null} for the embedded default alone
   * @param options explicit options by top-level field name ({@code trials}, {@code epochs},
   *     {@code seed}, {@code optimizers}, ...), only those the user gave
   */
  public static TuneConfig resolve(Path file, Map<String, Object> options) {
    return resolve(file, options, Map.of(), List.of());
  }

  /**
   * Config fields {@code tune --set} accepts by name (the camelCase spellings of older configs,
   * {@code batchSize}, are accepted too); besides these, any path under
   * {@code search.} ({@code search.Adam.fixed.beta1=0.95}, or a JSON value for a whole space).
   */
  public static final List<String> FIELDS = List.of("description", "seed", "trials", "epochs", "batch_size",
      "final_epochs", "final_seeds", "repeats", "jobs", "trial_seeds", "trial_seed_mode", "sampler", "pruner", "optimizers",
      "model.layers", "model.activation", "model.init", "data.source", "data.seed", "data.validation_size",
      "data.split_seed", "data.validation");

  /**
   * Resolves a config, blaming a bad value on the option that gave it.
   *
   * @param optionNames how the user spells each option, by field name ({@code trials} to
   *     {@code --trials}); a field missing here is named as is
   */
  public static TuneConfig resolve(Path file, Map<String, Object> options, Map<String, String> optionNames) {
    return resolve(file, options, optionNames, List.of());
  }

  /** Resolves a config with {@code --set FIELD=VALUE} overrides (see {@link #resolve(Path, Map, Map, List)}). */
  public static TuneConfig resolve(Path file, Map<String, Object> options, List<String> sets) {
    return resolve(file, options, Map.of(), sets);
  }

  /**
   * Resolves a config, blaming a bad value on the option that gave it, then applies
   * {@code --set FIELD=VALUE} overrides in order (after the explicit options). Values parse as in
   * {@code train --set}: JSON when they are JSON, text otherwise, comma-separated lists for
   * {@code model.layers} and {@code optimizers}.
   *
   * @param optionNames how the user spells each option, by field name ({@code trials} to
   *     {@code --trials}); a field missing here is named as is
   * @param sets the {@code FIELD=VALUE} overrides; an unknown field or malformed one is a
   *     {@link BadInputException} naming it
   */
  public static TuneConfig resolve(Path file, Map<String, Object> options, Map<String, String> optionNames,
      List<String> sets) {
    ObjectNode tree = defaultTree();
    String source = "embedded " + DEFAULT_RESOURCE.substring(1);
    if (file != null) {
      // a study's search space is replaced whole, never mixed with the default's
      JsonConfig.merge(tree, JsonConfig.snakeKeys(JsonConfig.readFile(file)), Set.of("space"));
      source = "--config " + file;
    }
    JsonConfig.bind(tree, TuneConfig.class, source).validated(source);
    for (Map.Entry<String, Object> e : options.entrySet()) {
      tree.set(JsonConfig.snakePath(e.getKey()), MAPPER.valueToTree(e.getValue()));
      String option = optionNames.getOrDefault(e.getKey(), e.getKey());
      checkSeedRange(JsonConfig.bind(tree, TuneConfig.class, option).validated(option), option);
    }
    for (String set : sets) {
      int eq = set.indexOf('=');
      if (eq <= 0) {
        throw BadInputException.of("--set %s: expected FIELD=VALUE", set);
      }
      String key = JsonConfig.snakePath(set.substring(0, eq).trim());
      if (!FIELDS.contains(key) && !(key.startsWith("search.") && key.length() > "search.".length())) {
        throw BadInputException.of("--set %s: unknown field %s; expected one of %s or a search.<study>... path",
            set, key, String.join(", ", FIELDS));
      }
      ConfigLoader.setPath(tree, set, key, set.substring(eq + 1).trim());
      String option = "--set " + set;
      checkSeedRange(JsonConfig.bind(tree, TuneConfig.class, option).validated(option), option);
    }
    TuneConfig cfg = JsonConfig.bind(tree, TuneConfig.class, source).validated(source);
    checkSeedRange(cfg, source);
    return cfg;
  }

  /**
   * Repeat r uses study seed {@code seed + r} and its final run k seed {@code seed + r + 1000 + k}:
   * refuse a seed for which that overflows.
   */
  private static void checkSeedRange(TuneConfig cfg, String source) {
    long max = Long.MAX_VALUE - 1000 - Math.max(0, cfg.finalSeeds() - 1) - Math.max(0, cfg.repeats() - 1);
    if (cfg.seed() < 0 || cfg.seed() > max) {
      throw BadInputException.of("%s: seed must be in [0, %d] (final runs use seed + repeat + 1000 + k), got %d",
          source, max, cfg.seed());
    }
  }

  /**
   * A stored config ({@code tune-config.json}, a study's {@code tfblend:config} attribute) with the
   * camelCase keys older versions wrote ({@code batchSize}) in their snake_case form
   * ({@code batch_size}), so it compares equal to {@link #toJson} of the same config.
   */
  public static JsonNode snakeKeys(JsonNode stored) {
    return JsonConfig.snakeKeys(stored);
  }

  /** The config as JSON (what the run manifest and results.json store). */
  public static JsonNode toJson(TuneConfig config) {
    return MAPPER.valueToTree(config);
  }

  private static ObjectNode defaultTree() {
    try (InputStream in = TuneConfigLoader.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the jar lacks " + DEFAULT_RESOURCE);
      }
      return (ObjectNode) MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
