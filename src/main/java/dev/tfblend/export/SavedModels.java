package dev.tfblend.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.base.Preconditions;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.tfblend.BadInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TFloat32;

/**
 * Opens a SavedModel for inference after checking, without running anything, that it offers
 * what the caller needs.
 *
 * <p>Loading a SavedModel runs its graph (the variable restore op, then whatever the signature
 * computes), so {@link #open} first reads {@code saved_model.pb} as a plain protocol buffer and
 * checks, in this order: the directory exists and holds {@code saved_model.pb}; it parses; it has
 * a meta graph tagged {@value #TAG}; that meta graph declares no init or main op (which the
 * loader would run; tf-blend never exports one); the expected signature key exists (the error
 * lists the available ones); every expected input and output exists with the expected dtype and
 * shape, and the signature has no other inputs. Only then is the bundle loaded with
 * {@code SavedModelBundle.load(dir, "serve")}. These checks catch wrong or corrupt models; they
 * do not make an untrusted graph safe to run: load only models you trust.
 *
 * <p>Every problem is a {@link BadInputException} naming the directory (and the signature when
 * one is involved). {@code manifest.json} beside {@code saved_model.pb} is read when present
 * (a malformed one is an error; a missing one is not).
 *
 * <p>An instance owns the loaded bundle; {@link #close()} releases it. {@link #call} may be used
 * from one thread at a time.
 */
public final class SavedModels implements AutoCloseable {
  /** The tag tf-blend exports and loads. */
  public static final String TAG = "serve";
  /** In an expected shape: any size, known or not (see {@link TensorSpec}). */
  public static final long ANY_SIZE = -2;
  /** The manifest file written beside {@code saved_model.pb}. */
  public static final String MANIFEST = "manifest.json";

  /** Collections and signature keys under which a loader finds ops to run at load time. */
  private static final List<String> INIT_OP_KEYS =
      List.of("saved_model_main_op", "legacy_init_op", "main_op", "init_op", "__saved_model_init_op");

  private static final java.util.Set<String> VARIABLE_OPS =
      java.util.Set.of("VariableV2", "Variable", "VarHandleOp");

  /**
   * A tensor's dtype ({@code float32}, {@code int64}, ...: TensorFlow's names without
   * {@code DT_}, {@code DT_FLOAT} is {@code float32}) and shape ({@code -1}: unknown size;
   * {@code shape == null}: unknown rank).
   *
   * <p>As an expectation, a dimension {@code -1} requires the model's dimension to be unknown
   * (a batch dimension that takes any number of rows), {@link #ANY_SIZE} accepts any size, and
   * a size {@code k >= 0} requires exactly {@code k}.
   */
  public record TensorSpec(String dtype, List<Long> shape) {
    public TensorSpec {
      Preconditions.checkNotNull(dtype, "dtype");
      shape = shape == null ? null : List.copyOf(shape);
    }

    /** A float32 spec of this shape. */
    public static TensorSpec float32(long... shape) {
      return new TensorSpec("float32", Arrays.stream(shape).boxed().toList());
    }

    /** The rank, or -1 when unknown. */
    public int rank() {
      return shape == null ? -1 : shape.size();
    }

    /** Size of dimension {@code i}, -1 when unknown. */
    public long dim(int i) {
      return shape.get(i);
    }

    /** True when {@code actual} satisfies this expectation. */
    public boolean accepts(TensorSpec actual) {
      if (!dtype.equals(actual.dtype)) {
        return false;
      }
      if (shape == null) {
        return true;
      }
      if (actual.shape == null || actual.shape.size() != shape.size()) {
        return false;
      }
      for (int i = 0; i < shape.size(); i++) {
        long want = shape.get(i);
        long got = actual.shape.get(i);
        if (want != ANY_SIZE && want != got) {
          return false;
        }
      }
      return true;
    }

    /** For example {@code float32 [-1, 40]}; {@code *} marks {@link #ANY_SIZE}. */
    @Override
    public String toString() {
      if (shape == null) {
        return dtype + " [unknown rank]";
      }
      List<String> dims = new ArrayList<>();
      for (long d : shape) {
        dims.add(d == ANY_SIZE ? "*" : Long.toString(d));
      }
      return dtype + " [" + String.join(", ", dims) + "]";
    }

    /** {@code {"dtype": ..., "shape": [...]}} (shape null for unknown rank). */
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("dtype", dtype);
      m.put("shape", shape);
      return m;
    }
  }

  /**
   * A signature: its key, method name and named inputs and outputs. As an expectation (the
   * argument of {@link #open}) {@code outputs} lists only the outputs the caller reads, and
   * {@code methodName} is ignored.
   */
  public record SignatureSpec(
      String key, String methodName, Map<String, TensorSpec> inputs, Map<String, TensorSpec> outputs) {
    public SignatureSpec {
      Preconditions.checkNotNull(key, "key");
      methodName = methodName == null ? "" : methodName;
      inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
      outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
    }

    /** An expectation: signature {@code key} with these inputs and outputs. */
    public static SignatureSpec expect(
        String key, Map<String, TensorSpec> inputs, Map<String, TensorSpec> outputs) {
      return new SignatureSpec(key, "", inputs, outputs);
    }

    /** {@code {"key", "method_name", "inputs": {name: spec}, "outputs": {name: spec}}}. */
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("key", key);
      m.put("method_name", methodName);
      Map<String, Object> in = new LinkedHashMap<>();
      inputs.forEach((k, v) -> in.put(k, v.toMap()));
      Map<String, Object> out = new LinkedHashMap<>();
      outputs.forEach((k, v) -> out.put(k, v.toMap()));
      m.put("inputs", in);
      m.put("outputs", out);
      return m;
    }
  }

  /**
   * What {@code saved_model.pb} (tag {@value #TAG}) and {@code manifest.json} declare, read
   * without loading or running anything.
   *
   * @param dir the SavedModel directory
   * @param signatures all signatures of the {@value #TAG} meta graph, by key (sorted)
   * @param manifest the parsed {@code manifest.json}, empty when there is none (do not modify)
   */
  public record Inspection(Path dir, Map<String, SignatureSpec> signatures, Optional<JsonNode> manifest) {
    public Inspection {
      signatures = Collections.unmodifiableMap(new TreeMap<>(signatures));
    }

    /**
     * The signature that satisfies {@code expected}: it exists, has exactly the expected inputs
     * with accepted specs, and has every expected output with an accepted spec.
     *
     * @throws BadInputException naming the directory, the signature and what does not match
     */
    public SignatureSpec require(SignatureSpec expected) {
      SignatureSpec actual = signatures.get(expected.key());
      if (actual == null) {
        throw BadInputException.of("%s has no signature '%s' (available: %s)", dir, expected.key(),
            signatures.isEmpty() ? "none" : String.join(", ", signatures.keySet()));
      }
      for (Map.Entry<String, TensorSpec> e : expected.inputs().entrySet()) {
        TensorSpec got = actual.inputs().get(e.getKey());
        if (got == null) {
          throw BadInputException.of("%s signature '%s' has no input '%s' (inputs: %s)",
              dir, expected.key(), e.getKey(), String.join(", ", actual.inputs().keySet()));
        }
        if (!e.getValue().accepts(got)) {
          throw BadInputException.of("%s signature '%s' input '%s' is %s, expected %s",
              dir, expected.key(), e.getKey(), got, e.getValue());
        }
      }
      for (String name : actual.inputs().keySet()) {
        if (!expected.inputs().containsKey(name)) {
          throw BadInputException.of("%s signature '%s' needs input '%s', which tf-blend does not feed"
              + " (expected inputs: %s)", dir, expected.key(), name,
              String.join(", ", expected.inputs().keySet()));
        }
      }
      for (Map.Entry<String, TensorSpec> e : expected.outputs().entrySet()) {
        TensorSpec got = actual.outputs().get(e.getKey());
        if (got == null) {
          throw BadInputException.of("%s signature '%s' has no output '%s' (outputs: %s)",
              dir, expected.key(), e.getKey(), String.join(", ", actual.outputs().keySet()));
        }
        if (!e.getValue().accepts(got)) {
          throw BadInputException.of("%s signature '%s' output '%s' is %s, expected %s",
              dir, expected.key(), e.getKey(), got, e.getValue());
        }
      }
      return actual;
    }
  }

  private final Path dir;
  private final SignatureSpec signature;
  private final Optional<JsonNode> manifest;
  private final SavedModelBundle bundle;
  private final SessionFunction function;

  private SavedModels(Path dir, SignatureSpec signature, Optional<JsonNode> manifest,
      SavedModelBundle bundle) {
    this.dir = dir;
    this.signature = signature;
    this.manifest = manifest;
    this.bundle = bundle;
    this.function = bundle.function(signature.key());
  }

  /**
   * Reads {@code dir/saved_model.pb} and {@code dir/manifest.json} without loading the graph.
   *
   * @throws BadInputException when {@code dir} is missing, is not a SavedModel, does not parse,
   *     has no {@value #TAG} meta graph, declares an init op, or has a malformed manifest
   */
  public static Inspection inspect(Path dir) {
    if (!Files.exists(dir)) {
      throw BadInputException.of("%s: no such directory", dir);
    }
    if (!Files.isDirectory(dir)) {
      throw BadInputException.of("%s is not a SavedModel: not a directory", dir);
    }
    Path pb = dir.resolve("saved_model.pb");
    if (!Files.isRegularFile(pb)) {
      // tf-blend train writes its model to OUT/saved-model: point there when given OUT.
      Path inRun = dir.resolve("saved-model");
      throw BadInputException.of("%s is not a SavedModel: no saved_model.pb%s", dir,
          Files.isRegularFile(inRun.resolve("saved_model.pb")) ? " (did you mean " + inRun + "?)" : "");
    }
    dev.tfblend.InputLimits.checkSize(pb, pb.toString(), dev.tfblend.InputLimits.MAX_GRAPH_BYTES);
    SavedModel proto;
    try {
      proto = SavedModel.parseFrom(Files.readAllBytes(pb));
    } catch (InvalidProtocolBufferException e) {
      throw BadInputException.of("%s is not a SavedModel: saved_model.pb does not parse (%s)",
          dir, e.getMessage());
    } catch (IOException e) {
      throw BadInputException.of("%s: cannot read saved_model.pb (%s)", dir, e.getMessage());
    }
    MetaGraphDef meta = null;
    List<List<String>> tagSets = new ArrayList<>();
    for (MetaGraphDef m : proto.getMetaGraphsList()) {
      tagSets.add(m.getMetaInfoDef().getTagsList());
      if (m.getMetaInfoDef().getTagsList().contains(TAG)) {
        meta = m;
        break;
      }
    }
    if (meta == null) {
      throw BadInputException.of("%s has no meta graph tagged '%s' (tag sets: %s)", dir, TAG, tagSets);
    }
    for (String key : INIT_OP_KEYS) {
      if (meta.getCollectionDefMap().containsKey(key) || meta.getSignatureDefMap().containsKey(key)) {
        throw BadInputException.of("%s declares an op to run at load time ('%s'); tf-blend's"
            + " inference models have none, so it refuses to load this one", dir, key);
      }
    }
    boolean hasVariables = meta.getGraphDef().getNodeList().stream()
        .anyMatch(node -> VARIABLE_OPS.contains(node.getOp()));
    if (hasVariables && !Files.isRegularFile(dir.resolve("variables").resolve("variables.index"))) {
      // TensorFlow would load it, skip the restore and fail later on uninitialised variables.
      throw BadInputException.of("%s is not a complete SavedModel: its graph has variables but there"
          + " is no variables/variables.index", dir);
    }
    Map<String, SignatureSpec> signatures = new TreeMap<>();
    for (Map.Entry<String, SignatureDef> e : meta.getSignatureDefMap().entrySet()) {
      signatures.put(e.getKey(), toSpec(e.getKey(), e.getValue()));
    }
    return new Inspection(dir, signatures, readManifest(dir));
  }

  /**
   * Inspects {@code dir}, requires {@code expected} (see {@link Inspection#require}), and only
   * then loads the bundle with tag {@value #TAG}.
   *
   * @throws BadInputException naming the directory and the signature on any mismatch, or when
   *     TensorFlow cannot load the checked model (for example missing variable files)
   */
  public static SavedModels open(Path dir, SignatureSpec expected) {
    Inspection info = inspect(dir);
    SignatureSpec actual = info.require(expected);
    SavedModelBundle bundle;
    try {
      bundle = SavedModelBundle.load(dir.toString(), TAG);
    } catch (TensorFlowException e) {
      throw BadInputException.of("%s: cannot load the SavedModel for signature '%s': %s",
          dir, expected.key(), firstLine(e.getMessage()));
    }
    try {
      return new SavedModels(dir, actual, info.manifest(), bundle);
    } catch (RuntimeException e) {
      bundle.close();
      throw e;
    }
  }

  /** The directory the model was loaded from. */
  public Path dir() {
    return dir;
  }

  /** The signature as the model declares it (all its outputs, not only the expected ones). */
  public SignatureSpec signature() {
    return signature;
  }

  /** The parsed {@code manifest.json}, empty when there is none (do not modify). */
  public Optional<JsonNode> manifest() {
    return manifest;
  }

  /**
   * Runs the signature on float32 rank-2 inputs and returns the requested float32 rank-2
   * outputs, in the order asked.
   *
   * @param inputs one {@code [rows][width]} array per signature input (all of them); every row
   *     has the input's width
   * @param outputs names of outputs to fetch; each must be float32 of rank 2 when computed
   * @throws IllegalArgumentException when an input is missing, unknown or has rows of the wrong
   *     width (callers check user data first and report it as bad input)
   * @throws BadInputException when an output is not a float32 matrix after running
   */
  public Map<String, float[][]> call(Map<String, float[][]> inputs, List<String> outputs) {
    Preconditions.checkArgument(inputs.keySet().equals(signature.inputs().keySet()),
        "signature '%s' takes inputs %s, got %s", signature.key(), signature.inputs().keySet(),
        inputs.keySet());
    for (String name : outputs) {
      Preconditions.checkArgument(signature.outputs().containsKey(name),
          "signature '%s' has no output '%s'", signature.key(), name);
    }
    Map<String, Tensor> feed = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, float[][]> e : inputs.entrySet()) {
        TensorSpec spec = signature.inputs().get(e.getKey());
        Preconditions.checkArgument(spec.dtype().equals("float32") && spec.rank() == 2,
            "input '%s' is %s, not a float32 matrix", e.getKey(), spec);
        float[][] rows = e.getValue();
        long width = spec.dim(1);
        for (int i = 0; i < rows.length; i++) {
          Preconditions.checkArgument(width < 0 || rows[i].length == width,
              "input '%s' row %s has %s values, the signature takes %s", e.getKey(), i,
              rows[i].length, width);
        }
        feed.put(e.getKey(), rows.length == 0
            ? TFloat32.tensorOf(Shape.of(0, Math.max(width, 0)))
            : TFloat32.tensorOf(StdArrays.ndCopyOf(rows)));
      }
      Map<String, float[][]> result = new LinkedHashMap<>();
      try (org.tensorflow.Result r = function.call(feed)) {
        for (String name : outputs) {
          Tensor t = r.get(name).orElseThrow(() -> BadInputException.of(
              "%s signature '%s' returned no output '%s'", dir, signature.key(), name));
          if (!(t instanceof TFloat32 f) || t.shape().numDimensions() != 2) {
            throw BadInputException.of("%s signature '%s' output '%s' returned %s %s, not a float32"
                + " matrix", dir, signature.key(), name, t.dataType(), t.shape());
          }
          result.put(name, StdArrays.array2dCopyOf(f));
        }
      }
      return result;
    } catch (TensorFlowException e) {
      throw BadInputException.of("%s signature '%s' failed to run: %s", dir, signature.key(),
          firstLine(e.getMessage()));
    } finally {
      feed.values().forEach(Tensor::close);
    }
  }

  /**
   * A copy of the current value of float variable {@code name} (a {@code VariableV2} op of the
   * loaded graph), row-major, as doubles.
   *
   * @throws BadInputException naming the directory and the variable when there is no such
   *     variable op or it is not float32
   */
  public double[] readVariable(String name) {
    org.tensorflow.GraphOperation op = bundle.graph().operation(name);
    if (op == null || !VARIABLE_OPS.contains(op.type()) || op.type().equals("VarHandleOp")) {
      throw BadInputException.of("%s has no variable '%s'%s", dir, name,
          op == null ? "" : " (it is a " + op.type() + " op)");
    }
    if (op.output(0).dataType() != DataType.DT_FLOAT && op.output(0).dataType() != DataType.DT_FLOAT_REF) {
      throw BadInputException.of("%s variable '%s' is %s, expected float32", dir, name,
          dtypeName(op.output(0).dataType()));
    }
    try (org.tensorflow.Result r = bundle.session().runner().fetch(name).run()) {
      return dev.tfblend.model.FloatTensors.toDoubles(r.get(0));
    } catch (TensorFlowException e) {
      throw BadInputException.of("%s: cannot read variable '%s': %s", dir, name, firstLine(e.getMessage()));
    }
  }

  /** Releases the loaded graph and session. */
  @Override
  public void close() {
    bundle.close();
  }

  private static SignatureSpec toSpec(String key, SignatureDef def) {
    Map<String, TensorSpec> in = new TreeMap<>();
    def.getInputsMap().forEach((k, v) -> in.put(k, toSpec(v)));
    Map<String, TensorSpec> out = new TreeMap<>();
    def.getOutputsMap().forEach((k, v) -> out.put(k, toSpec(v)));
    return new SignatureSpec(key, def.getMethodName(), in, out);
  }

  private static TensorSpec toSpec(TensorInfo info) {
    TensorShapeProto s = info.getTensorShape();
    List<Long> shape = null;
    if (info.hasTensorShape() && !s.getUnknownRank()) {
      shape = new ArrayList<>();
      for (TensorShapeProto.Dim d : s.getDimList()) {
        shape.add(d.getSize());
      }
    }
    return new TensorSpec(dtypeName(info.getDtype()), shape);
  }

  /** TensorFlow's dtype names: {@code DT_FLOAT} is {@code float32}, {@code DT_INT64} is {@code int64}. */
  static String dtypeName(DataType t) {
    return switch (t) {
      case DT_FLOAT -> "float32";
      case DT_DOUBLE -> "float64";
      case DT_HALF -> "float16";
      default -> t.name().startsWith("DT_")
          ? t.name().substring(3).toLowerCase(Locale.ROOT)
          : t.name().toLowerCase(Locale.ROOT);
    };
  }

  private static Optional<JsonNode> readManifest(Path dir) {
    Path file = dir.resolve(MANIFEST);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(new ObjectMapper().readTree(file.toFile()));
    } catch (JsonProcessingException e) {
      throw BadInputException.of("%s: malformed JSON at line %d: %s", file,
          e.getLocation() == null ? 0 : e.getLocation().getLineNr(), e.getOriginalMessage());
    } catch (IOException e) {
      throw BadInputException.of("%s: cannot read (%s)", file, e.getMessage());
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "(no message)";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
