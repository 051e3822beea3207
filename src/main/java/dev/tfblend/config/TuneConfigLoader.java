package dev.tfblend.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tfblend.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Builds a {@link TuneConfig} from, in increasing precedence: the embedded default
 * ({@code configs/seed-experiment.json}, packaged in the jar), a JSON file ({@code --config}),
 * then explicit command-line options. Objects merge key by key; arrays and values replace. Every
 * problem is a {@link BadInputException} naming the file and the field.
 */
public final class TuneConfigLoader {
  /** Classpath location of the default study. */
  public static final String DEFAULT_RESOURCE = "/configs/seed-experiment.json";

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

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
    ObjectNode tree = defaultTree();
    String source = "embedded " + DEFAULT_RESOURCE.substring(1);
    if (file != null) {
      merge(tree, readFile(file));
      source = "--config " + file;
    }
    for (Map.Entry<String, Object> e : options.entrySet()) {
      tree.set(e.getKey(), MAPPER.valueToTree(e.getValue()));
    }
    try {
      return MAPPER.treeToValue(tree, TuneConfig.class).validated(source);
    } catch (UnrecognizedPropertyException e) {
      throw BadInputException.of("%s: unknown field %s (known: %s)", source, path(e),
          e.getKnownPropertyIds().stream().map(Object::toString).collect(Collectors.joining(", ")));
    } catch (MismatchedInputException e) {
      throw BadInputException.of("%s: field %s has the wrong type: %s", source, path(e),
          e.getOriginalMessage().split("\n")[0]);
    } catch (JsonProcessingException e) {
      throw BadInputException.of("%s: %s", source, e.getOriginalMessage());
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

  private static String path(MismatchedInputException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining(".")).replace(".[", "[");
  }

  private static JsonNode readFile(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw BadInputException.of("--config %s: no such file", file);
    } catch (IOException e) {
      throw BadInputException.of("--config %s: cannot read (%s)", file, e.getMessage());
    }
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

  private static void merge(ObjectNode into, JsonNode from) {
    Iterator<Map.Entry<String, JsonNode>> it = from.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode existing = into.get(e.getKey());
      if (existing instanceof ObjectNode o && e.getValue().isObject() && !e.getKey().equals("space")) {
        merge(o, e.getValue());
      } else {
        into.set(e.getKey(), e.getValue());
      }
    }
  }
}
