package dev.tfblend.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tfblend.BadInputException;
import dev.tfblend.data.Dataset;
import dev.tfblend.data.GaussianBlobs;
import dev.tfblend.meta.GateFeatures;
import dev.tfblend.meta.GateWeights;
import dev.tfblend.model.Activation;
import dev.tfblend.model.FloatTensors;
import dev.tfblend.model.Mlp;
import dev.tfblend.serve.GateAlphas;
import dev.tfblend.testing.FreshJvm;
import dev.tfblend.train.BlendedStepBuilder;
import dev.tfblend.train.TrainingGraph;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.types.TInt32;

/**
 * The exported gate computes the alpha the gate computed inside training, in this JVM and in a
 * fresh one, and loads back to the same weights.
 */
class GateExporterTest {
  static final Mlp SMALL = new Mlp(List.of(40, 16, 10), Activation.RELU);
  static final Dataset TRAIN = GaussianBlobs.generate(300, 40, 10, 2.0, 5, 0);
  static final Dataset VAL = GaussianBlobs.generate(100, 40, 10, 2.0, 5, 1);
  static final Dataset TEST = GaussianBlobs.generate(100, 40, 10, 2.0, 5, 2);
  /** The per-step gate input inside the blended train step (see {@code GatingNetwork#alpha}). */
  static final String GATE_INPUT = "blended/update/alpha/gate_input";
  static final String ALPHA = "blended/alpha";

  @TempDir Path tmp;

  /** One step's gate input and the alpha training computed from it, and the gate used. */
  record Sample(float[] features, float alpha, GateWeights gate) {}

  /** Trains {@code warmup} meta-learning steps, then records one more step's features and alpha. */
  static Sample trainedSample(GateFeatures.Mode mode, int warmup) {
    BlendedStepBuilder b = BlendedStepBuilder.defaults().gateInput(mode);
    try (TrainingGraph g = TrainingGraph.create(SMALL, b)) {
      g.loadData(TRAIN, VAL, TEST);
      g.reinitialize(7, Map.of("meta_lr", 0.01, "total_steps", 20.0));
      for (int s = 0; s < warmup; s++) {
        g.trainStep(new int[] {s, s + 50, s + 100, s + 150});
      }
      GateWeights before = g.step().gateWeights(g.session()).orElseThrow();
      try (TInt32 idx = TInt32.vectorOf(1, 2, 3, 4, 5); TInt32 meta = TInt32.vectorOf(6, 7, 8, 9, 10);
          Result r = g.session().runner().feed("train_step/batch_indices", idx).feed("meta_batch/indices", meta)
              .addTarget("train_step/run").fetch(GATE_INPUT).fetch(ALPHA).run()) {
        float[] f = FloatTensors.toFloats((org.tensorflow.types.TFloat32) r.get(0));
        return new Sample(f, (float) FloatTensors.scalarValue(r.get(1)), before);
      }
    }
  }

  private static float exportedAlpha(Path dir, float[] features) {
    try (SavedModels m = SavedModels.open(dir, GateExporter.EXPECTED)) {
      return m.call(Map.of(GateExporter.INPUT, new float[][] {features}), List.of(GateExporter.OUTPUT))
          .get(GateExporter.OUTPUT)[0][0];
    }
  }

  private void exportedGateGivesTheTrainingAlpha(GateFeatures.Mode mode) throws Exception {
    Sample s = trainedSample(mode, 3);
    Path dir = tmp.resolve(mode.configName());
    GateExporter.export(s.gate(), SMALL, dir, Map.of("note", "test"));
    assertEquals(s.gate().inputSize(), s.features().length);
    assertEquals(s.alpha(), exportedAlpha(dir, s.features()), 1e-6, mode + " in this JVM");
    // the same computation under serving_default, the key serving tools call when none is named
    try (org.tensorflow.SavedModelBundle b = org.tensorflow.SavedModelBundle.load(dir.toString(), "serve");
        org.tensorflow.types.TFloat32 x = org.tensorflow.types.TFloat32.tensorOf(
            org.tensorflow.ndarray.StdArrays.ndCopyOf(new float[][] {s.features()}));
        Result r = b.function(GateExporter.SERVING_DEFAULT).call(Map.of(GateExporter.INPUT, x))) {
      float viaDefault = ((org.tensorflow.types.TFloat32) r.get(GateExporter.OUTPUT).orElseThrow()).getFloat(0, 0);
      assertEquals(exportedAlpha(dir, s.features()), viaDefault, 0f, mode + " via serving_default");
    }

    GateWeights back = GateExporter.load(dir);
    assertEquals(s.gate().mode(), back.mode());
    assertEquals(s.gate().layerSizes(), back.layerSizes());
    assertEquals(s.gate().activation(), back.activation());
    for (int i = 0; i < back.values().length; i++) {
      assertArrayEquals(s.gate().values()[i], back.values()[i], "gate parameter " + i + " after load");
    }

    // a fresh JVM, through the command line: tf-blend gate --model DIR --input FILE --out FILE
    StringBuilder line = new StringBuilder("[");
    for (int i = 0; i < s.features().length; i++) {
      line.append(i == 0 ? "" : ",").append(Float.toString(s.features()[i]));
    }
    Path input = tmp.resolve(mode.configName() + ".jsonl");
    Files.writeString(input, line.append("]\n").toString());
    Path out = tmp.resolve(mode.configName() + "-alpha.json");
    FreshJvm.Run run = FreshJvm.tfBlend("gate", "--model", dir.toString(), "--input", input.toString(),
        "--out", out.toString());
    assertEquals(0, run.exitCode(), run.output());
    JsonNode result = new ObjectMapper().readTree(out.toFile());
    assertEquals(mode.configName(), result.get("input_mode").asText());
    assertEquals(s.alpha(), result.get("alpha").get(0).asDouble(), 1e-6, mode + " in a fresh JVM");
  }

  @Test
  void exportedGradientStatsGateGivesTheTrainingAlpha() throws Exception {
    exportedGateGivesTheTrainingAlpha(GateFeatures.Mode.GRADIENT_STATS);
  }

  @Test
  void exportedFlatGradientsGateGivesTheTrainingAlpha() throws Exception {
    exportedGateGivesTheTrainingAlpha(GateFeatures.Mode.FLAT_GRADIENTS);
  }

  @Test
  void manifestDescribesTheGateItsFeaturesAndTheCallersExtras() throws Exception {
    Sample stats = trainedSample(GateFeatures.Mode.GRADIENT_STATS, 0);
    Path dir = tmp.resolve("stats");
    GateExporter.export(stats.gate(), dir, Map.of("seed", 7, "config", Map.of("epochs", 3)));
    JsonNode m = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
    assertEquals("gate", m.get("kind").asText());
    assertEquals("gate", m.get("signature").asText());
    assertEquals("[\"gate\",\"serving_default\"]", m.get("signatures").toString());
    assertEquals("gradient-stats", m.get("input_mode").asText());
    assertEquals(GateFeatures.STATS_SIZE, m.get("input_size").asInt());
    assertEquals(List.of(9, 32, 1), toInts(m.at("/gate/layers")));
    assertEquals("relu", m.at("/gate/activation").asText());
    assertEquals(GateFeatures.STATS_NAMES.size(), m.at("/features/names").size());
    assertEquals("progress", m.at("/features/names/8").asText());
    assertEquals(GateFeatures.STATS_SIZE, m.at("/features/definitions").size());
    assertTrue(m.at("/build/tf_blend").isTextual(), m.toString());
    assertEquals(7, m.get("seed").asInt());
    assertEquals(3, m.at("/config/epochs").asInt());
    // what tf-blend gate --describe reads
    Map<String, Object> d = GateAlphas.describe(dir);
    assertEquals(dir.toString(), d.get("model"));

    Sample flat = trainedSample(GateFeatures.Mode.FLAT_GRADIENTS, 0);
    Path fdir = tmp.resolve("flat");
    GateExporter.export(flat.gate(), SMALL, fdir, Map.of());
    JsonNode fm = new ObjectMapper().readTree(fdir.resolve("manifest.json").toFile());
    assertEquals((int) SMALL.numParameters(), fm.get("input_size").asInt());
    assertEquals(SMALL.layerSizes(), toInts(fm.at("/features/model/layers")));
    assertEquals(SMALL.layerSizes(), GateExporter.modelLayers(fdir).orElseThrow());
    assertTrue(GateExporter.modelLayers(dir).isEmpty());
  }

  @Test
  void loadingSomethingElseIsBadInputNamingTheDirectory() throws Exception {
    Path classifier = tmp.resolve("classifier");
    SavedModelExporter.export(SMALL, new double[][] {new double[40 * 16], new double[16], new double[16 * 10],
        new double[10]}, classifier, Map.of());
    BadInputException e = assertThrows(BadInputException.class, () -> GateExporter.load(classifier));
    assertTrue(e.getMessage().contains(classifier.toString()) && e.getMessage().contains("'gate'"), e.getMessage());
    e = assertThrows(BadInputException.class, () -> GateExporter.load(tmp.resolve("nothing")));
    assertTrue(e.getMessage().contains("nothing"), e.getMessage());

    Sample s = trainedSample(GateFeatures.Mode.GRADIENT_STATS, 0);
    Path dir = tmp.resolve("no-manifest");
    GateExporter.export(s.gate(), dir, Map.of());
    Files.delete(dir.resolve("manifest.json"));
    e = assertThrows(BadInputException.class, () -> GateExporter.load(dir));
    assertTrue(e.getMessage().contains("manifest.json"), e.getMessage());
  }

  private static List<Integer> toInts(JsonNode a) {
    List<Integer> out = new ArrayList<>();
    a.forEach(n -> out.add(n.asInt()));
    return out;
  }
}
