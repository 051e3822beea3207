package dev.tfblend.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.base.Preconditions;
import dev.tfblend.BadInputException;
import dev.tfblend.BuildInfo;
import dev.tfblend.meta.GateFeatures;
import dev.tfblend.meta.GateWeights;
import dev.tfblend.model.Activation;
import dev.tfblend.model.Mlp;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes a trained gating network as an inference-only SavedModel with its
 * {@code manifest.json}, and reads the weights back ({@link #load}).
 *
 * <p>The exported graph is built fresh: the input placeholder, the gate's variables
 * ({@code gate/w1, b1, ..., wL, bL}, assigned the trained values before export; no initial
 * values stored) and {@code alpha = sigmoid(MLP(features))}, the same computation as the gate in
 * training ({@code GatingNetwork}); no model, slots, meta step or training ops. Interface (tag
 * {@value #TAG}):
 * <ul>
 *   <li>signature {@value #SIGNATURE_KEY} (method {@code tensorflow/serving/predict}), and the
 *       same inputs and outputs under {@value #SERVING_DEFAULT} (the key TensorFlow Serving,
 *       {@code saved_model_cli} and Keras' {@code TFSMLayer} use when none is named);
 *   <li>input {@value #INPUT}: float32 {@code [-1, n]}, one feature vector per row;
 *   <li>output {@value #OUTPUT}: float32 {@code [-1, 1]}, the blend weight per row.
 * </ul>
 *
 * <p>{@code manifest.json} keys: {@code format}, {@code kind} ({@code "gate"}), {@code tag},
 * {@code signature}, {@code signatures} (both keys), {@code inputs}, {@code outputs} (dtype and shape), {@code input_mode}
 * ({@code flat-gradients} or {@code gradient-stats}), {@code input_size} ({@code n}), {@code gate}
 * ({@code layers}, {@code hidden}, {@code activation}, {@code output_activation},
 * {@code variables}: the variable names in {@code w1, b1, ...} order, {@code parameters}),
 * {@code features} ({@code mode}; for {@code gradient-stats} the {@code names} and
 * {@code definitions} of the {@value GateFeatures#STATS_SIZE} features; for
 * {@code flat-gradients} the {@code definition} and the {@code model} it belongs to:
 * {@code layers}, {@code activation}, {@code parameters}, or {@code null} when not given),
 * {@code build} (versions and git commit), then every entry of the caller's
 * {@code manifestExtra} (for example the config, seed and hyperparameters of the run).
 */
public final class GateExporter {
  /** Signature key. */
  public static final String SIGNATURE_KEY = "gate";
  /** The second signature key, with the same inputs and outputs. */
  public static final String SERVING_DEFAULT = "serving_default";
  /** Input name. */
  public static final String INPUT = "features";
  /** Output name. */
  public static final String OUTPUT = "alpha";
  /** The SavedModel tag. */
  public static final String TAG = InferenceExport.TAG;
  /** Graph scope of the gate's variables. */
  public static final String SCOPE = "gate";
  /** What {@link #load} requires of a gate SavedModel. */
  public static final SavedModels.SignatureSpec EXPECTED = SavedModels.SignatureSpec.expect(SIGNATURE_KEY,
      Map.of(INPUT, SavedModels.TensorSpec.float32(-1, SavedModels.ANY_SIZE)),
      Map.of(OUTPUT, SavedModels.TensorSpec.float32(SavedModels.ANY_SIZE, 1)));

  private GateExporter() {}

  /**
   * Exports {@code weights} to {@code dir} (created; must not exist or be empty) with
   * {@code manifest.json}. For a {@code flat-gradients} gate the manifest's
   * {@code features.model} is {@code null}: use {@link #export(GateWeights, Mlp, Path, Map)} to
   * record the model it belongs to.
   */
  public static void export(GateWeights weights, Path dir, Map<String, Object> manifestExtra) {
    export(weights, null, dir, manifestExtra);
  }

  /**
   * Exports {@code weights} to {@code dir} (created; must not exist or be empty) with
   * {@code manifest.json}, recording for a {@code flat-gradients} gate the {@code model} it
   * belongs to.
   *
   * @param model the model whose gradients the gate reads, or {@code null} when unknown (ignored
   *     for {@code gradient-stats} gates)
   * @throws IllegalArgumentException when {@code model} is given for a {@code flat-gradients}
   *     gate and its parameter count is not the gate's input size
   */
  public static void export(GateWeights weights, Mlp model, Path dir, Map<String, Object> manifestExtra) {
    Preconditions.checkNotNull(weights, "weights");
    Preconditions.checkNotNull(manifestExtra, "manifestExtra");
    boolean flat = weights.mode() == GateFeatures.Mode.FLAT_GRADIENTS;
    if (model != null) {
      weights.checkFitsModel("the gate exported", null, model);
    }
    Mlp gate = new Mlp(weights.layerSizes(), weights.activation());
    List<String> variables = InferenceExport.export(gate, weights.values(), SCOPE,
        List.of(SIGNATURE_KEY, SERVING_DEFAULT), INPUT,
        (tf, logits) -> Map.of(OUTPUT, tf.withName(OUTPUT).math.sigmoid(logits)), dir);
    Map<String, Object> m = InferenceExport.manifestHead("gate", SIGNATURE_KEY, Map.of(INPUT, weights.inputSize()),
        Map.of(OUTPUT, 1));
    m.put("signatures", List.of(SIGNATURE_KEY, SERVING_DEFAULT));
    m.put("input_mode", weights.mode().configName());
    m.put("input_size", weights.inputSize());
    Map<String, Object> g = new LinkedHashMap<>();
    g.put("layers", weights.layerSizes());
    g.put("hidden", weights.hidden());
    g.put("activation", weights.activation().configName());
    g.put("output_activation", "sigmoid");
    g.put("variables", variables);
    g.put("parameters", gate.numParameters());
    m.put("gate", g);
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("mode", weights.mode().configName());
    if (flat) {
      f.put("definition", GateFeatures.FLAT_DEFINITION);
      Map<String, Object> belongs = null;
      if (model != null) {
        belongs = new LinkedHashMap<>();
        belongs.put("layers", model.layerSizes());
        belongs.put("activation", model.activation().configName());
        belongs.put("parameters", model.numParameters());
      }
      f.put("model", belongs);
    } else {
      f.put("names", GateFeatures.STATS_NAMES);
      f.put("definitions", GateFeatures.STATS_DEFINITIONS);
    }
    m.put("features", f);
    m.put("build", BuildInfo.asMap());
    m.putAll(manifestExtra);
    InferenceExport.writeJson(dir.resolve(SavedModels.MANIFEST), m);
  }

  /**
   * Reads a gate's weights back from a SavedModel written by {@link #export}: checks the model
   * first ({@link SavedModels#open} with {@link #EXPECTED}: tag, signature, dtypes, shapes, no
   * load-time op), reads the input mode, layers, activation and variable names from
   * {@code manifest.json}, then fetches the variables from the loaded session.
   *
   * @throws BadInputException naming the directory when it is not a gate SavedModel, has no or an
   *     incomplete manifest, or its variables do not match the manifest's layers
   */
  public static GateWeights load(Path dir) {
    try (SavedModels model = SavedModels.open(dir, EXPECTED)) {
      JsonNode m = model.manifest().orElseThrow(() -> BadInputException.of(
          "%s has no %s: tf-blend needs it to know the gate's input mode and layers", dir, SavedModels.MANIFEST));
      GateFeatures.Mode mode;
      try {
        mode = GateFeatures.Mode.parse(text(dir, m, "input_mode"));
      } catch (BadInputException e) {
        throw BadInputException.of("%s: manifest input_mode: %s", dir, e.getMessage());
      }
      JsonNode gate = m.path("gate");
      List<Integer> layers = new ArrayList<>();
      for (JsonNode n : gate.path("layers")) {
        if (!n.canConvertToInt() || !n.isIntegralNumber()) {
          throw BadInputException.of("%s: manifest gate.layers must be integers, got %s", dir, gate.get("layers"));
        }
        layers.add(n.asInt());
      }
      if (layers.size() < 2) {
        throw BadInputException.of("%s: manifest gate.layers is missing or too short (%s)", dir, gate.get("layers"));
      }
      long width = model.signature().inputs().get(INPUT).dim(1);
      if (width != layers.get(0)) {
        throw BadInputException.of("%s: manifest gate.layers starts with %d inputs, signature '%s' input '%s' takes %d",
            dir, layers.get(0), SIGNATURE_KEY, INPUT, width);
      }
      String act = text(dir, gate, "activation");
      Activation activation = Activation.parse(act);
      if (activation == null) {
        throw BadInputException.of("%s: manifest gate.activation '%s' is not one of relu, tanh, sigmoid, softplus",
            dir, act);
      }
      List<String> names = new ArrayList<>();
      for (JsonNode n : gate.path("variables")) {
        names.add(n.asText());
      }
      int expected = 2 * (layers.size() - 1);
      if (names.size() != expected) {
        throw BadInputException.of("%s: manifest gate.variables lists %d names, layers %s need %d",
            dir, names.size(), layers, expected);
      }
      double[][] values = new double[expected][];
      for (int i = 0; i < expected; i++) {
        values[i] = model.readVariable(names.get(i));
      }
      try {
        return new GateWeights(mode, layers, activation, values);
      } catch (BadInputException e) {
        throw BadInputException.of("%s: %s", dir, e.getMessage());
      }
    }
  }

  /**
   * The layer sizes of the model a {@code flat-gradients} gate in {@code dir} belongs to, as its
   * manifest records them ({@code features.model.layers}); empty when the manifest does not say.
   * Reads the manifest only.
   */
  public static Optional<List<Integer>> modelLayers(Path dir) {
    Optional<JsonNode> m = SavedModels.inspect(dir).manifest();
    JsonNode layers = m.map(n -> n.path("features").path("model").path("layers")).orElse(null);
    if (layers == null || !layers.isArray() || layers.isEmpty()) {
      return Optional.empty();
    }
    List<Integer> out = new ArrayList<>();
    layers.forEach(n -> out.add(n.asInt()));
    return Optional.of(List.copyOf(out));
  }

  private static String text(Path dir, JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual()) {
      throw BadInputException.of("%s: manifest field %s is missing or not text", dir, field);
    }
    return v.asText();
  }
}
