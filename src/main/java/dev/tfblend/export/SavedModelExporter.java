package dev.tfblend.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.common.base.Preconditions;
import dev.tfblend.BuildInfo;
import dev.tfblend.io.AtomicFile;
import dev.tfblend.model.Mlp;
import dev.tfblend.model.ParameterSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
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
  public static final String TAG = "serve";

  private SavedModelExporter() {}

  /**
   * Exports {@code mlp} with parameter {@code values} (in {@link Mlp#parameters} order) to
   * {@code dir} (created; must not exist or be empty) and writes {@code dir/manifest.json} with
   * the model, the interface, versions and {@code extra} (for example the run's config).
   */
  public static void export(Mlp mlp, double[][] values, Path dir, Map<String, Object> extra) {
    Preconditions.checkArgument(values.length == 2 * mlp.numLayers(),
        "the MLP has %s parameters, got %s arrays", 2 * mlp.numLayers(), values.length);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x =
          tf.withName(INPUT).placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, mlp.inputSize())));
      ParameterSet<TFloat32> params = mlp.parameters(tf.withSubScope("model"), TFloat32.class);
      Operand<TFloat32> logits = tf.withName(LOGITS).identity(mlp.logits(tf, params, x));
      Operand<TFloat32> probabilities = tf.withName(PROBABILITIES).nn.softmax(logits);
      try (Session s = new Session(g)) {
        params.assign(s, values);
        Signature sig = Signature.builder()
            .key(SIGNATURE_KEY)
            .methodName("tensorflow/serving/predict")
            .input(INPUT, x)
            .output(LOGITS, logits)
            .output(PROBABILITIES, probabilities)
            .build();
        Files.createDirectories(dir.getParent() == null ? dir.toAbsolutePath().getParent() : dir.getParent());
        SavedModelBundle.exporter(dir.toString()).withTags(TAG).withSession(s).withSignature(sig).export();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot export SavedModel to " + dir, e);
    }
    writeJson(dir.resolve("manifest.json"), manifest(mlp, extra));
  }

  /** The manifest's content, in a fixed key order (so identical runs write identical files). */
  static Map<String, Object> manifest(Mlp mlp, Map<String, Object> extra) {
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("format", "tensorflow-saved-model");
    manifest.put("tag", TAG);
    manifest.put("signature", SIGNATURE_KEY);
    manifest.put("inputs", Map.of(INPUT, tensor(mlp.inputSize())));
    Map<String, Object> outputs = new LinkedHashMap<>();
    outputs.put(LOGITS, tensor(mlp.numClasses()));
    outputs.put(PROBABILITIES, tensor(mlp.numClasses()));
    manifest.put("outputs", outputs);
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

  private static Map<String, Object> tensor(int width) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("dtype", "float32");
    spec.put("shape", List.of(-1, width));
    return spec;
  }

  /**
   * Writes {@code value} as indented JSON to {@code file} through {@link AtomicFile}: the file
   * appears complete or not at all, and an earlier file is kept when serialization fails.
   */
  static void writeJson(Path file, Object value) {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    AtomicFile.write(file, "manifest", w -> w.write(mapper.writeValueAsString(value)));
  }
}
