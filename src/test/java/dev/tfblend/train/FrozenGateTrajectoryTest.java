package dev.tfblend.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.export.GateExporter;
import dev.tfblend.export.SavedModels;
import dev.tfblend.meta.GateFeatures;
import dev.tfblend.meta.GateWeights;
import dev.tfblend.model.Activation;
import dev.tfblend.model.FloatTensors;
import dev.tfblend.model.Mlp;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** A frozen gate applies exactly the schedule its weights imply, deterministically. */
class FrozenGateTrajectoryTest {
  private static final Mlp SMALL = new Mlp(List.of(40, 16, 10), Activation.RELU);
  private static final int STEPS = 25;

  @TempDir Path tmp;

  /** A gradient-stats gate meta-trained for one epoch on the small model. */
  private static GateWeights trainedGate() {
    BlendedStepBuilder b = BlendedStepBuilder.defaults().gateInput(GateFeatures.Mode.GRADIENT_STATS);
    try (TrainingGraph g = TrainingGraph.create(SMALL, b)) {
      g.loadData(TrainerTest.TRAIN, TrainerTest.VAL, TrainerTest.TEST);
      g.reinitialize(3, Map.of("meta_lr", 0.02));
      Trainer.run(g, new Trainer.Settings(1, 32, 3), e -> {});
      return g.step().gateWeights(g.session()).orElseThrow();
    }
  }

  /** {@code sigmoid(relu(x W1 + b1) w2 + b2)} in doubles. */
  private static double reference(GateWeights w, float[] x) {
    double[][] v = w.values();
    int n = w.inputSize();
    int h = w.hidden().get(0);
    double logit = v[3][0];
    for (int j = 0; j < h; j++) {
      double z = v[1][j];
      for (int i = 0; i < n; i++) {
        z += x[i] * v[0][i * h + j];
      }
      logit += Math.max(0, z) * v[2][j];
    }
    return 1 / (1 + Math.exp(-logit));
  }

  @Test
  void frozenRunFollowsTheAlphaTheGateImpliesOnAnotherModel() {
    GateWeights w = trainedGate();
    Path dir = tmp.resolve("gate");
    GateExporter.export(w, dir, Map.of());
    BlendedStepBuilder frozen = BlendedStepBuilder.defaults().frozen(GateExporter.load(dir));
    float[][] features = new float[STEPS][];
    float[] alpha = new float[STEPS];
    try (TrainingGraph g = TrainingGraph.create(Mlp.defaults(), frozen)) {
      g.loadData(TrainerTest.TRAIN, TrainerTest.VAL, TrainerTest.TEST);
      g.reinitialize(11, Map.of("total_steps", (double) STEPS));
      for (int s = 0; s < STEPS; s++) {
        try (TInt32 idx = TInt32.vectorOf(s, s + 100, s + 200, s + 300, s + 400);
            Result r = g.session().runner().feed("train_step/batch_indices", idx).addTarget("train_step/run")
                .fetch("blended/update/alpha/gate_input").fetch("blended/alpha").run()) {
          features[s] = FloatTensors.toFloats((TFloat32) r.get(0));
          alpha[s] = (float) FloatTensors.scalarValue(r.get(1));
        }
      }
    }
    float[][] implied;
    try (SavedModels m = SavedModels.open(dir, GateExporter.EXPECTED)) {
      implied = m.call(Map.of(GateExporter.INPUT, features), List.of(GateExporter.OUTPUT)).get(GateExporter.OUTPUT);
    }
    double lo = 1;
    double hi = 0;
    for (int s = 0; s < STEPS; s++) {
      assertEquals(GateFeatures.STATS_SIZE, features[s].length);
      assertEquals(implied[s][0], alpha[s], 1e-6, "step " + s + ": exported gate on the step's features");
      assertEquals(reference(w, features[s]), alpha[s], 1e-5, "step " + s + ": double-precision gate");
      assertEquals((s + 1.0) / STEPS, features[s][8], 1e-6, "progress feature at step " + s);
      lo = Math.min(lo, alpha[s]);
      hi = Math.max(hi, alpha[s]);
    }
    assertTrue(hi - lo > 1e-4, "alpha changes with the features: " + lo + ".." + hi);
  }

  @Test
  void frozenRunIsDeterministic() {
    GateWeights w = trainedGate();
    double[][] traces = new double[3][];
    for (int rep = 0; rep < 2; rep++) {
      try (TrainingGraph g = TrainingGraph.create(Mlp.defaults(), BlendedStepBuilder.defaults().frozen(w))) {
        g.loadData(TrainerTest.TRAIN, TrainerTest.VAL, TrainerTest.TEST);
        g.reinitialize(5, Map.of());
        traces[rep] = Trainer.run(g, new Trainer.Settings(1, 32, 5), e -> {}).stepOutputs().get("alpha");
        if (rep == 1) {
          g.reinitialize(5, Map.of());
          traces[2] = Trainer.run(g, new Trainer.Settings(1, 32, 5), e -> {}).stepOutputs().get("alpha");
        }
      }
    }
    assertArrayEquals(traces[0], traces[1], "two fresh graphs");
    assertArrayEquals(traces[0], traces[2], "the same graph reinitialised");
    assertFalse(traces[0].length == 0);
  }
}
