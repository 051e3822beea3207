package dev.tfblend.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tfblend.io.AtomicFile;
import dev.tfblend.model.Mlp;
import dev.tfblend.model.ParameterSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * The one recipe for exporting a trained {@link Mlp} as an inference-only SavedModel: a fresh
 * graph with a float32 input placeholder {@code [-1, inputSize]}, the network's variables under
 * one scope (assigned the trained values; no initial values stored), the caller's outputs built
 * from the logits, and one signature (method {@code tensorflow/serving/predict}) under tag
 * {@value #TAG}. Also writes the manifest's common head and the manifest file itself.
 */
final class InferenceExport {
  /** The SavedModel tag of every export. */
  static final String TAG = "serve";

  private InferenceExport() {}

  /** Builds the named outputs (float32, {@code [-1, width]}) from the network's logits. */
  @FunctionalInterface
  interface Outputs {
    Map<String, Operand<TFloat32>> build(Ops tf, Operand<TFloat32> logits);
  }

  /**
   * Exports {@code net} with parameter {@code values} (in {@link Mlp#parameters} order) to
   * {@code dir} (created with its parents; must not exist or be empty).
   *
   * @param scope the graph scope of the variables ({@code model}, {@code gate})
   * @return the variable names, in {@code w1, b1, ...} order
   */
  static List<String> export(Mlp net, double[][] values, String scope, String signatureKey, String input,
      Outputs outputs, Path dir) {
    return export(net, values, scope, List.of(signatureKey), input, outputs, dir);
  }

  /**
   * As {@link #export(Mlp, double[][], String, String, String, Outputs, Path)}, with the same
   * inputs and outputs under each of {@code signatureKeys} (for example a named signature and
   * {@code serving_default}, the key TensorFlow Serving and Keras pick by default).
   */
  static List<String> export(Mlp net, double[][] values, String scope, List<String> signatureKeys, String input,
      Outputs outputs, Path dir) {
    List<String> variables = new ArrayList<>();
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x =
          tf.withName(input).placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, net.inputSize())));
      ParameterSet<TFloat32> params = net.parameters(tf.withSubScope(scope), TFloat32.class);
      params.variables().forEach(v -> variables.add(v.op().name()));
      Map<String, Operand<TFloat32>> outs = outputs.build(tf, net.logits(tf, params, x));
      try (Session s = new Session(g)) {
        params.assign(s, values);
        SavedModelBundle.Exporter exporter = SavedModelBundle.exporter(dir.toString()).withTags(TAG).withSession(s);
        for (String key : signatureKeys) {
          Signature.Builder sig = Signature.builder()
              .key(key)
              .methodName("tensorflow/serving/predict")
              .input(input, x);
          outs.forEach(sig::output);
          exporter = exporter.withSignature(sig.build());
        }
        Files.createDirectories(dir.toAbsolutePath().getParent());
        exporter.export();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot export a SavedModel to " + dir, e);
    }
    return variables;
  }

  /**
   * The manifest keys every export starts with: {@code format}, then {@code kind} when not null,
   * {@code tag}, {@code signature}, {@code inputs} and {@code outputs} (each name to its
   * {@code dtype} and {@code shape} {@code [-1, width]}).
   */
  static Map<String, Object> manifestHead(String kind, String signatureKey, Map<String, Integer> inputs,
      Map<String, Integer> outputs) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", "tensorflow-saved-model");
    if (kind != null) {
      m.put("kind", kind);
    }
    m.put("tag", TAG);
    m.put("signature", signatureKey);
    m.put("inputs", tensors(inputs));
    m.put("outputs", tensors(outputs));
    return m;
  }

  private static Map<String, Object> tensors(Map<String, Integer> widths) {
    Map<String, Object> out = new LinkedHashMap<>();
    widths.forEach((name, width) -> {
      Map<String, Object> spec = new LinkedHashMap<>();
      spec.put("dtype", "float32");
      spec.put("shape", List.of(-1, width));
      out.put(name, spec);
    });
    return out;
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
