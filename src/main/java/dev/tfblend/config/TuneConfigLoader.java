package dev.tfblend.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tfblend.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
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
    return resolve(file, options, Map.of());
  }

  /**
   * Resolves a config, blaming a bad value on the option that gave it.
   *
   * @param optionNames how the user spells each option, by field name ({@code trials} to
   *     {@code --trials}); a field missing here is named as is
   */
  public static TuneConfig resolve(Path file, Map<String, Object> options, Map<String, String> optionNames) {
    ObjectNode tree = defaultTree();
    String source = "embedded " + DEFAULT_RESOURCE.substring(1);
    if (file != null) {
      // a study's search space is replaced whole, never mixed with the default's
      JsonConfig.merge(tree, JsonConfig.readFile(file), Set.of("space"));
      source = "--config " + file;
    }
    JsonConfig.bind(tree, TuneConfig.class, source).validated(source);
    for (Map.Entry<String, Object> e : options.entrySet()) {
      tree.set(e.getKey(), MAPPER.valueToTree(e.getValue()));
      String option = optionNames.getOrDefault(e.getKey(), e.getKey());
      checkSeedRange(JsonConfig.bind(tree, TuneConfig.class, option).validated(option), option);
    }
    TuneConfig cfg = JsonConfig.bind(tree, TuneConfig.class, source).validated(source);
    checkSeedRange(cfg, source);
    return cfg;
  }

  /** Final run k uses seed {@code seed + 1000 + k}: refuse a seed for which that overflows. */
  private static void checkSeedRange(TuneConfig cfg, String source) {
    long max = Long.MAX_VALUE - 1000 - Math.max(0, cfg.finalSeeds() - 1);
    if (cfg.seed() < 0 || cfg.seed() > max) {
      throw BadInputException.of("%s: seed must be in [0, %d] (final runs use seed + 1000 + k), got %d",
          source, max, cfg.seed());
    }
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
