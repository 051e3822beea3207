package dev.tfblend.export;

import com.google.common.base.Preconditions;
import dev.tfblend.BuildInfo;
import dev.tfblend.model.Mlp;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Writes one inference-only SavedModel of a trained {@link Mlp}, and a {@code manifest.json}
 * inside the same directory.
 *
 * <p>The exported graph is built fresh: the input placeholder, the model variables (assigned the
 * trained values before export, no initial values stored) and the forward pass; no data, optimizer
 * slots or training ops. Interface (tag {@code serve}):
 * <ul>
 *   <li>signature {@code serving_default} (method {@code tensorflow/serving/predict});
 *   <li>input {@code x}: float32 {@code [-1, inputSize]};
 *   <li>outputs {@code logits} and {@code probabilities} (softmax of the logits): float32
 *       {@code [-1, numClasses]}.
 * </ul>
 * Load with {@code SavedModelBundle.load(dir, "serve")} and call
 * {@code bundle.function("serving_default").call(Map.of("x", tensor))}.
 */
public final class SavedModelExporter {
  /** Signature key. */
  public static final String SIGNATURE_KEY = "serving_default";
  /** Input name. */
  public static final String INPUT = "x";
  /** Output with the logits. */
  public static final String LOGITS = "logits";
  /** Output with the class probabilities. */
  public static final String PROBABILITIES = "probabilities";
  /** The SavedModel tag. */
  public static final String TAG = InferenceExport.TAG;

  private SavedModelExporter() {}

  /**
   * Exports {@code mlp} with parameter {@code values} (in {@link Mlp#parameters} order) to
   * {@code dir} (created; must not exist or be empty) and writes {@code dir/manifest.json} with
   * the model, the interface, versions and {@code extra} (for example the run's config).
   */
  public static void export(Mlp mlp, double[][] values, Path dir, Map<String, Object> extra) {
    Preconditions.checkArgument(values.length == 2 * mlp.numLayers(),
        "the MLP has %s parameters, got %s arrays", 2 * mlp.numLayers(), values.length);
    InferenceExport.export(mlp, values, "model", SIGNATURE_KEY, INPUT, (tf, logits) -> {
      Operand<TFloat32> named = tf.withName(LOGITS).identity(logits);
      Map<String, Operand<TFloat32>> outputs = new LinkedHashMap<>();
      outputs.put(LOGITS, named);
      outputs.put(PROBABILITIES, tf.withName(PROBABILITIES).nn.softmax(named));
      return outputs;
    }, dir);
    InferenceExport.writeJson(dir.resolve(SavedModels.MANIFEST), manifest(mlp, extra));
  }

  /** The manifest's content, in a fixed key order (so identical runs write identical files). */
  static Map<String, Object> manifest(Mlp mlp, Map<String, Object> extra) {
    Map<String, Integer> outputs = new LinkedHashMap<>();
    outputs.put(LOGITS, mlp.numClasses());
    outputs.put(PROBABILITIES, mlp.numClasses());
    Map<String, Object> manifest = InferenceExport.manifestHead(null, SIGNATURE_KEY,
        Map.of(INPUT, mlp.inputSize()), outputs);
    Map<String, Object> model = new LinkedHashMap<>();
    model.put("kind", "mlp");
    model.put("layers", mlp.layerSizes());
    model.put("activation", mlp.activation().configName());
    model.put("parameters", mlp.numParameters());
    manifest.put("model", model);
    manifest.put("build", BuildInfo.asMap());
    manifest.putAll(extra);
    return manifest;
  }
}
