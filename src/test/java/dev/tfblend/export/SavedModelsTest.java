package dev.tfblend.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.BadInputException;
import dev.tfblend.export.SavedModels.Inspection;
import dev.tfblend.export.SavedModels.SignatureSpec;
import dev.tfblend.export.SavedModels.TensorSpec;
import dev.tfblend.model.Activation;
import dev.tfblend.model.Mlp;
import dev.tfblend.model.ParameterSet;
import dev.tfblend.testing.ModelFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

class SavedModelsTest {
  static final Mlp MLP = new Mlp(List.of(4, 3, 2), Activation.TANH);
  static final SignatureSpec CLASSIFIER = SignatureSpec.expect("serving_default",
      Map.of("x", TensorSpec.float32(-1, 4)),
      Map.of("probabilities", TensorSpec.float32(SavedModels.ANY_SIZE, 2)));

  @TempDir static Path shared;
  static Path model;
  static double[][] values;

  @TempDir Path tmp;

  @BeforeAll
  static void export() {
    try (Graph g = new Graph()) {
      ParameterSet<TFloat32> p = MLP.parameters(Ops.create(g), TFloat32.class);
      values = p.initialValues(3);
    }
    model = shared.resolve("mlp");
    SavedModelExporter.export(MLP, values, model, Map.of("note", "fixture"));
  }

  @Test
  void inspectReadsSignaturesAndManifestWithoutLoading() {
    Inspection info = SavedModels.inspect(model);
    assertEquals(List.of("serving_default"), List.copyOf(info.signatures().keySet()));
    SignatureSpec sig = info.signatures().get("serving_default");
    assertEquals(TensorSpec.float32(-1, 4), sig.inputs().get("x"));
    assertEquals(TensorSpec.float32(-1, 2), sig.outputs().get("logits"));
    assertEquals(TensorSpec.float32(-1, 2), sig.outputs().get("probabilities"));
    assertEquals("tensorflow/serving/predict", sig.methodName());
    assertEquals("fixture", info.manifest().orElseThrow().get("note").asText());
    assertEquals("float32 [-1, *]", TensorSpec.float32(-1, SavedModels.ANY_SIZE).toString());
  }

  @Test
  void openedModelComputesTheSoftmaxOfTheMlp() {
    float[][] x = {{0.5f, -1f, 2f, 0f}, {1f, 1f, 1f, 1f}, {0f, 0f, 0f, 0f}};
    try (SavedModels m = SavedModels.open(model, CLASSIFIER)) {
      Map<String, float[][]> out = m.call(Map.of("x", x), List.of("probabilities", "logits"));
      assertEquals(List.of("probabilities", "logits"), List.copyOf(out.keySet()));
      for (int i = 0; i < x.length; i++) {
        double[] h = new double[3];
        for (int k = 0; k < 3; k++) {
          double z = values[1][k];
          for (int j = 0; j < 4; j++) {
            z += x[i][j] * values[0][j * 3 + k];
          }
          h[k] = Math.tanh(z);
        }
        double[] logit = new double[2];
        for (int c = 0; c < 2; c++) {
          logit[c] = values[3][c];
          for (int k = 0; k < 3; k++) {
            logit[c] += h[k] * values[2][k * 2 + c];
          }
        }
        double p1 = 1 / (1 + Math.exp(logit[0] - logit[1]));
        assertEquals(logit[0], out.get("logits")[i][0], 1e-5);
        assertEquals(p1, out.get("probabilities")[i][1], 1e-6);
        assertEquals(1 - p1, out.get("probabilities")[i][0], 1e-6);
      }
    }
  }

  @Test
  void notADirectoryOrNoSavedModelPbIsNamed() throws Exception {
    BadInputException e = assertThrows(BadInputException.class,
        () -> SavedModels.open(tmp.resolve("absent"), CLASSIFIER));
    assertTrue(e.getMessage().contains("absent: no such directory"), e.getMessage());
    Files.createDirectories(tmp.resolve("empty"));
    e = assertThrows(BadInputException.class, () -> SavedModels.open(tmp.resolve("empty"), CLASSIFIER));
    assertEquals(tmp.resolve("empty") + " is not a SavedModel: no saved_model.pb", e.getMessage());
    Path run = tmp.resolve("run");
    copyTree(model, run.resolve("saved-model"));
    e = assertThrows(BadInputException.class, () -> SavedModels.open(run, CLASSIFIER));
    assertEquals(run + " is not a SavedModel: no saved_model.pb (did you mean " + run.resolve("saved-model")
        + "?)", e.getMessage());
    Path garbage = Files.createDirectories(tmp.resolve("garbage"));
    Files.writeString(garbage.resolve("saved_model.pb"), "this is not a protocol buffer\n");
    e = assertThrows(BadInputException.class, () -> SavedModels.open(garbage, CLASSIFIER));
    assertTrue(e.getMessage().startsWith(garbage + " is not a SavedModel: saved_model.pb does not parse"),
        e.getMessage());
  }

  @Test
  void missingSignatureListsTheAvailableOnes() {
    SignatureSpec gate = SignatureSpec.expect("gate", Map.of("features", TensorSpec.float32(-1, 4)),
        Map.of("alpha", TensorSpec.float32(-1, 1)));
    BadInputException e = assertThrows(BadInputException.class, () -> SavedModels.open(model, gate));
    assertEquals(model + " has no signature 'gate' (available: serving_default)", e.getMessage());
  }

  @Test
  void wrongWidthOrOutputIsNamedBeforeLoading() throws Exception {
    // A checkpoint TensorFlow cannot read makes loading fail: the signature checks must fail first.
    Path corrupt = tmp.resolve("corrupt");
    copyTree(model, corrupt);
    try (var files = Files.list(corrupt.resolve("variables"))) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.writeString(f, "corrupt");
      }
    }
    SignatureSpec wide = SignatureSpec.expect("serving_default",
        Map.of("x", TensorSpec.float32(-1, 40)), Map.of("probabilities", TensorSpec.float32(-1, 2)));
    BadInputException e = assertThrows(BadInputException.class, () -> SavedModels.open(corrupt, wide));
    assertEquals(corrupt + " signature 'serving_default' input 'x' is float32 [-1, 4], expected float32 [-1, 40]",
        e.getMessage());

    SignatureSpec noOut = SignatureSpec.expect("serving_default",
        Map.of("x", TensorSpec.float32(-1, 4)), Map.of("scores", TensorSpec.float32(-1, 2)));
    e = assertThrows(BadInputException.class, () -> SavedModels.open(corrupt, noOut));
    assertEquals(corrupt + " signature 'serving_default' has no output 'scores' (outputs: logits, probabilities)",
        e.getMessage());

    SignatureSpec otherInput = SignatureSpec.expect("serving_default",
        Map.of("features", TensorSpec.float32(-1, 4)), Map.of());
    e = assertThrows(BadInputException.class, () -> SavedModels.open(corrupt, otherInput));
    assertTrue(e.getMessage().contains("has no input 'features' (inputs: x)"), e.getMessage());

    // With a fitting expectation, loading is attempted and its failure names the signature.
    e = assertThrows(BadInputException.class, () -> SavedModels.open(corrupt, CLASSIFIER));
    assertTrue(e.getMessage().startsWith(corrupt + ": cannot load the SavedModel for signature 'serving_default'"),
        e.getMessage());
  }

  @Test
  void missingCheckpointIsNamed() throws Exception {
    // TensorFlow itself would load this, skip the restore and fail at the first call.
    Path broken = tmp.resolve("broken");
    copyTree(model, broken);
    dev.tfblend.io.OutputDir.deleteTree(broken.resolve("variables"));
    BadInputException e = assertThrows(BadInputException.class, () -> SavedModels.open(broken, CLASSIFIER));
    assertEquals(broken + " is not a complete SavedModel: its graph has variables but there is no"
        + " variables/variables.index", e.getMessage());
  }

  @Test
  void float64InputIsRejected() throws Exception {
    Path dir = tmp.resolve("f64");
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat64> x = tf.withName("x").placeholder(TFloat64.class, Placeholder.shape(Shape.of(-1, 4)));
      Operand<TFloat64> p = tf.withName("probabilities").nn.softmax(x);
      try (Session s = new Session(g)) {
        SavedModelBundle.exporter(dir.toString()).withSession(s)
            .withSignature(Signature.builder().input("x", x).output("probabilities", p).build()).export();
      }
    }
    BadInputException e = assertThrows(BadInputException.class, () -> SavedModels.open(dir, CLASSIFIER));
    assertEquals(dir + " signature 'serving_default' input 'x' is float64 [-1, 4], expected float32 [-1, 4]",
        e.getMessage());
  }

  @Test
  void otherTagOrBadManifestIsNamed() throws Exception {
    Path dir = tmp.resolve("train-tag");
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 4)));
      Variable<TFloat32> v = tf.variable(Shape.of(4), TFloat32.class);
      try (Session s = new Session(g)) {
        s.runner().addTarget(tf.assign(v, tf.constant(new float[4]))).run();
        SavedModelBundle.exporter(dir.toString()).withTags("train").withSession(s)
            .withSignature(Signature.builder().input("x", x).output("probabilities", tf.math.add(x, v)).build())
            .export();
      }
    }
    BadInputException e = assertThrows(BadInputException.class, () -> SavedModels.inspect(dir));
    assertEquals(dir + " has no meta graph tagged 'serve' (tag sets: [[train]])", e.getMessage());

    Path bad = tmp.resolve("bad-manifest");
    copyTree(model, bad);
    Files.writeString(bad.resolve("manifest.json"), "{\n  \"format\": tensorflow\n}\n");
    e = assertThrows(BadInputException.class, () -> SavedModels.inspect(bad));
    assertTrue(e.getMessage().startsWith(bad.resolve("manifest.json") + ": malformed JSON at line 2"),
        e.getMessage());

    Path none = tmp.resolve("no-manifest");
    copyTree(model, none);
    Files.delete(none.resolve("manifest.json"));
    assertFalse(SavedModels.inspect(none).manifest().isPresent());
  }

  @Test
  void aModelWithALoadTimeOpIsRefused() throws Exception {
    Path dir = tmp.resolve("init-op");
    copyTree(model, dir);
    Path pb = dir.resolve("saved_model.pb");
    org.tensorflow.proto.SavedModel proto = org.tensorflow.proto.SavedModel.parseFrom(Files.readAllBytes(pb));
    org.tensorflow.proto.MetaGraphDef meta = proto.getMetaGraphs(0).toBuilder()
        .putCollectionDef("legacy_init_op", org.tensorflow.proto.CollectionDef.newBuilder()
            .setNodeList(org.tensorflow.proto.CollectionDef.NodeList.newBuilder().addValue("model/init"))
            .build())
        .build();
    Files.write(pb, proto.toBuilder().setMetaGraphs(0, meta).build().toByteArray());
    BadInputException e = assertThrows(BadInputException.class, () -> SavedModels.open(dir, CLASSIFIER));
    assertTrue(e.getMessage().startsWith(dir + " declares an op to run at load time ('legacy_init_op')"),
        e.getMessage());
  }

  @Test
  void gateFixtureHasTheGateInterface() throws Exception {
    Path dir = tmp.resolve("gate");
    ModelFixtures.gate(dir, new float[][] {{1f}, {2f}}, new float[] {0f}, new float[] {1f}, 0f, null);
    SignatureSpec sig = SavedModels.inspect(dir).signatures().get("gate");
    assertEquals(TensorSpec.float32(-1, 2), sig.inputs().get("features"));
    assertEquals(TensorSpec.float32(-1, 1), sig.outputs().get("alpha"));
  }

  static void copyTree(Path from, Path to) throws Exception {
    try (var walk = Files.walk(from)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
