package dev.tfblend.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tfblend.BadInputException;
import dev.tfblend.export.SavedModels;
import dev.tfblend.export.SavedModels.Inspection;
import dev.tfblend.export.SavedModels.SignatureSpec;
import dev.tfblend.export.SavedModels.TensorSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The blend weight {@code alpha} that a trained gating network SavedModel gives for each of a
 * file's feature vectors.
 *
 * <p>A gate SavedModel has tag {@code serve}, signature {@value #SIGNATURE_KEY} with input
 * {@value #INPUT} float32 {@code [-1, n]} and output {@value #OUTPUT} float32 {@code [-1, 1]},
 * and a {@code manifest.json} beside it. From the manifest this class reads {@code input_mode}
 * ({@code flat-gradients} or {@code gradient-stats}) and {@code input_size}, each either at the
 * top level or inside a {@code gate} object; an {@code input_size} that disagrees with the
 * signature's {@code n} is an error. The feature file format is described in {@code FeatureRows}:
 * CSV (optional header) or JSON lines.
 *
 * @param model the gate directory
 * @param inputMode the manifest's input mode, empty when the manifest does not say
 * @param inputSize {@code n}, the width of a feature vector
 * @param alpha one value per feature vector, in file order
 */
public record GateAlphas(Path model, Optional<String> inputMode, int inputSize, float[] alpha) {
  /** The gate's signature key. */
  public static final String SIGNATURE_KEY = "gate";
  /** The gate's input: one feature vector per row. */
  public static final String INPUT = "features";
  /** The gate's output: the blend weight per row. */
  public static final String OUTPUT = "alpha";
  /** What {@code gate} needs from a model. */
  public static final SignatureSpec GATE = SignatureSpec.expect(SIGNATURE_KEY,
      Map.of(INPUT, TensorSpec.float32(-1, SavedModels.ANY_SIZE)),
      Map.of(OUTPUT, TensorSpec.float32(SavedModels.ANY_SIZE, 1)));

  public GateAlphas {
    alpha = alpha.clone();
  }

  /** A copy of the alphas. */
  @Override
  public float[] alpha() {
    return alpha.clone();
  }

  /**
   * Runs the gate in {@code modelDir} on every feature vector of {@code input}.
   *
   * @throws BadInputException when the directory is not a gate SavedModel (naming it and the
   *     signature), or the input is malformed or has vectors of another width than the gate's
   *     (naming the file, the line and both widths)
   */
  public static GateAlphas compute(Path modelDir, Path input) {
    Inspection info = SavedModels.inspect(modelDir);
    SignatureSpec sig = info.require(GATE);
    int n = inputSize(info, sig);
    float[][] rows = FeatureRows.read(input, n);
    float[] alpha = new float[rows.length];
    try (SavedModels m = SavedModels.open(modelDir, GATE)) {
      float[][] out = m.call(Map.of(INPUT, rows), List.of(OUTPUT)).get(OUTPUT);
      if (out.length != rows.length) {
        throw BadInputException.of("%s signature '%s' returned %d rows for %d feature vectors",
            modelDir, SIGNATURE_KEY, out.length, rows.length);
      }
      for (int i = 0; i < out.length; i++) {
        if (out[i].length != 1) {
          throw BadInputException.of("%s signature '%s' output '%s' has %d columns, expected 1",
              modelDir, SIGNATURE_KEY, OUTPUT, out[i].length);
        }
        alpha[i] = out[i][0];
      }
    }
    return new GateAlphas(modelDir, inputMode(info), n, alpha);
  }

  /**
   * {@code {"model": DIR, "input_mode": ..., "input_size": n, "alpha": [...]}}
   * ({@code input_mode} null when unknown; alphas as float32 values).
   */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", model.toString());
    m.put("input_mode", inputMode.orElse(null));
    m.put("input_size", inputSize);
    List<Float> a = new ArrayList<>();
    for (float v : alpha) {
      a.add(v);
    }
    m.put("alpha", a);
    return m;
  }

  /**
   * What {@code gate --describe} prints, read without loading the graph:
   * {@code {"model": DIR, "signature": {...}, "manifest": {...} or null}}.
   *
   * @throws BadInputException when the directory is not a gate SavedModel
   */
  public static Map<String, Object> describe(Path modelDir) {
    Inspection info = SavedModels.inspect(modelDir);
    SignatureSpec sig = info.require(GATE);
    inputSize(info, sig);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", modelDir.toString());
    m.put("signature", sig.toMap());
    m.put("manifest", info.manifest().orElse(null));
    return m;
  }

  private static int inputSize(Inspection info, SignatureSpec sig) {
    long n = sig.inputs().get(INPUT).dim(1);
    if (n <= 0) {
      throw BadInputException.of("%s signature '%s' input '%s' has no fixed width (%s)",
          info.dir(), SIGNATURE_KEY, INPUT, sig.inputs().get(INPUT));
    }
    Optional<JsonNode> declared = manifestField(info, "input_size");
    if (declared.isPresent() && declared.get().asLong(-1) != n) {
      throw BadInputException.of("%s: manifest.json says input_size %s, signature '%s' input '%s'"
          + " takes %d", info.dir(), declared.get(), SIGNATURE_KEY, INPUT, n);
    }
    return (int) n;
  }

  private static Optional<String> inputMode(Inspection info) {
    return manifestField(info, "input_mode").filter(JsonNode::isTextual).map(JsonNode::asText);
  }

  private static Optional<JsonNode> manifestField(Inspection info, String name) {
    return info.manifest().flatMap(m -> {
      JsonNode v = m.get(name);
      if (v == null || v.isNull()) {
        JsonNode gate = m.get("gate");
        v = gate == null ? null : gate.get(name);
      }
      return v == null || v.isNull() ? Optional.empty() : Optional.of(v);
    });
  }
}
