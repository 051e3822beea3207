package dev.tfblend.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.BadInputException;
import dev.tfblend.meta.GateFeatures;
import dev.tfblend.meta.GateWeights;
import dev.tfblend.model.FloatTensors;
import dev.tfblend.model.Mlp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** The blended train+meta step inside a {@link TrainingGraph}. */
class BlendedStepBuilderTest {
  private static final Mlp SMALL = new Mlp(List.of(40, 16, 10), dev.tfblend.model.Activation.RELU);

  private static TrainingGraph graph(Mlp mlp, BlendedStepBuilder b, long seed, Map<String, Double> hp) {
    TrainingGraph g = TrainingGraph.create(mlp, b);
    g.loadData(TrainerTest.TRAIN, TrainerTest.VAL, TrainerTest.TEST);
    g.reinitialize(seed, hp);
    return g;
  }

  private static void appliedStepEqualsLookAhead(GateFeatures.Mode mode) {
    BlendedStepBuilder b = BlendedStepBuilder.defaults().gateInput(mode);
    try (TrainingGraph g = graph(SMALL, b, 4, Map.of("meta_lr", 0.01))) {
      assertTrue(g.usesMetaBatch());
      Session s = g.session();
      List<Operand<TFloat32>> look = ((BlendedStepBuilder.Built) g.step()).step().metaStep().lookAhead();
      assertEquals(((BlendedStepBuilder.Built) g.step()).step().update().lookAhead(), look, "the meta step differentiates the optimizer's own look-ahead");
      for (int step = 0; step < 4; step++) {
        double[][] before = g.parameterValues();
        double[][] gateBefore = ((BlendedStepBuilder.Built) g.step()).step().gate().parameters().read(s);
        Session.Runner r = s.runner();
        try (TInt32 idx = TInt32.vectorOf(step * 32, step * 32 + 1, step * 32 + 2, step * 32 + 3);
            TInt32 meta = TInt32.vectorOf(5, 6, 7, 8)) {
          r.feed("train_step/batch_indices", idx).feed("meta_batch/indices", meta)
              .addTarget(((BlendedStepBuilder.Built) g.step()).step().target());
          look.forEach(r::fetch);
          double[][] fetched = new double[look.size()][];
          try (Result res = r.run()) {
            for (int i = 0; i < look.size(); i++) {
              fetched[i] = FloatTensors.toDoubles(res.get(i));
            }
          }
          double[][] after = g.parameterValues();
          for (int i = 0; i < after.length; i++) {
            assertArrayEquals(fetched[i], after[i], "parameter " + i + " at step " + step);
            assertFalse(java.util.Arrays.equals(before[i], after[i]) && i == 0, "the step moved w1");
          }
          double[][] gateAfter = ((BlendedStepBuilder.Built) g.step()).step().gate().parameters().read(s);
          assertFalse(java.util.Arrays.equals(gateBefore[0], gateAfter[0]), "the meta step moved the gate");
        }
      }
    }
  }

  @Test
  void appliedStepEqualsMetaLookAheadWithFlatGradients() {
    appliedStepEqualsLookAhead(GateFeatures.Mode.FLAT_GRADIENTS);
  }

  @Test
  void appliedStepEqualsMetaLookAheadWithGradientStats() {
    appliedStepEqualsLookAhead(GateFeatures.Mode.GRADIENT_STATS);
  }

  @Test
  void recordsAlphaEveryStepAndSummarisesPerEpoch() {
    try (TrainingGraph g = graph(SMALL, BlendedStepBuilder.defaults().gateInput(GateFeatures.Mode.GRADIENT_STATS), 1, Map.of())) {
      assertEquals(List.of("alpha", AlphaTrace.ADAM_NORM, AlphaTrace.SGD_NORM), g.stepOutputNames());
      Trainer.Result r = Trainer.run(g, new Trainer.Settings(2, 50, 1), e -> {});
      for (String norm : List.of(AlphaTrace.ADAM_NORM, AlphaTrace.SGD_NORM)) {
        double[] v = r.stepOutputs().get(norm);
        assertEquals(r.steps(), v.length, norm);
        for (double x : v) {
          assertTrue(Double.isFinite(x) && x > 0, norm + " " + x);
        }
      }
      AlphaTrace t = AlphaTrace.of(r);
      assertEquals(r.steps(), t.perStep().length);
      assertEquals(2, t.epochs().size());
      for (AlphaTrace.EpochStats e : t.epochs()) {
        assertEquals(12, e.steps());
        assertTrue(0 < e.min() && e.min() <= e.mean() && e.mean() <= e.max() && e.max() < 1, e.toString());
      }
      double sum = 0;
      for (int i = 12; i < 24; i++) {
        sum += t.perStep()[i];
      }
      assertEquals(sum / 12, t.epochs().get(1).mean(), 1e-12);
      assertEquals(2, ((List<?>) t.toJson().get("per_epoch")).size());
      assertEquals(24, ((float[]) t.toJson().get("per_step")).length);
    }
  }

  @Test
  void sameSeedRepeatsTheAlphaTraceBitForBit() {
    double[] a;
    double[] b;
    try (TrainingGraph g = graph(SMALL, BlendedStepBuilder.defaults(), 2, Map.of("meta_lr", 0.01))) {
      a = Trainer.run(g, new Trainer.Settings(1, 40, 2), e -> {}).stepOutputs().get("alpha");
      g.reinitialize(2, Map.of("meta_lr", 0.01));
      b = Trainer.run(g, new Trainer.Settings(1, 40, 2), e -> {}).stepOutputs().get("alpha");
    }
    assertArrayEquals(a, b);
  }

  /**
   * Toy problems where one optimizer clearly wins: with {@code sgd_lr = 1e-5} momentum SGD barely
   * moves, so the validation loss falls fastest with alpha near 1; with {@code adam_lr = 1e-6}
   * Adam barely moves and alpha should fall. Three epochs of 19 steps at {@code meta_lr = 0.01},
   * from the same initial gate. The flat-gradients gate reads raw per-batch gradients, so its
   * alpha is noisy from step to step; the criterion is on the mean of the last 20 steps: at least
   * 0.05 above the run's first alpha when Adam wins, at least 0.05 below it when SGD wins, and the
   * two late means at least 0.3 apart. (Measured with the epoch order of {@code data.Batches},
   * first alpha -> late mean: flat-gradients Adam wins 0.49 -> 0.74, SGD wins 0.49 -> 0.37;
   * gradient-stats 0.85 -> 1.00 and 0.63 -> 0.13.)
   */
  private static double[] alphas(GateFeatures.Mode mode, Map<String, Double> hp) {
    try (TrainingGraph g = graph(Mlp.defaults(), BlendedStepBuilder.defaults().gateInput(mode), 0, hp)) {
      return Trainer.run(g, new Trainer.Settings(3, 32, 0), e -> {}).stepOutputs().get("alpha");
    }
  }

  private static double lateMean(double[] a) {
    double s = 0;
    for (int i = a.length - 20; i < a.length; i++) {
      s += a[i];
    }
    return s / 20;
  }

  @Test
  void metaLearningMovesAlphaTowardTheOptimizerThatWins() {
    List<String> seen = new ArrayList<>();
    for (GateFeatures.Mode mode : GateFeatures.Mode.values()) {
      double[] adamWins = alphas(mode, Map.of("meta_lr", 0.01, "sgd_lr", 1e-5));
      double[] sgdWins = alphas(mode, Map.of("meta_lr", 0.01, "adam_lr", 1e-6));
      double towardAdam = lateMean(adamWins);
      double towardSgd = lateMean(sgdWins);
      seen.add(String.format(java.util.Locale.ROOT, "%s: adam wins %.3f -> %.3f, sgd wins %.3f -> %.3f", mode,
          adamWins[0], towardAdam, sgdWins[0], towardSgd));
      assertTrue(towardAdam > adamWins[0] + 0.05, seen.toString());
      assertTrue(towardSgd < sgdWins[0] - 0.05, seen.toString());
      assertTrue(towardAdam - towardSgd > 0.3, seen.toString());
    }
    System.out.println("late mean alpha: " + seen);
  }

  @Test
  void frozenGateKeepsItsWeightsAndNeedsNoValidationBatch() {
    BlendedStepBuilder trained = BlendedStepBuilder.defaults().gateInput(GateFeatures.Mode.GRADIENT_STATS);
    GateWeights w;
    try (TrainingGraph g = graph(SMALL, trained, 3, Map.of("meta_lr", 0.01))) {
      Trainer.run(g, new Trainer.Settings(1, 32, 3), e -> {});
      w = g.step().gateWeights(g.session()).orElseThrow();
    }
    // a frozen gate reuses a gradient-stats gate on a model of another size
    BlendedStepBuilder frozen = BlendedStepBuilder.defaults().frozen(w);
    try (TrainingGraph g = graph(Mlp.defaults(), frozen, 5, Map.of())) {
      assertFalse(g.usesMetaBatch());
      Trainer.Result r = Trainer.run(g, new Trainer.Settings(1, 32, 5), e -> {});
      assertTrue(r.testAccuracy() > 0.5, "accuracy " + r.testAccuracy());
      double[][] after = ((BlendedStepBuilder.Built) g.step()).step().gate().parameters().read(g.session());
      for (int i = 0; i < after.length; i++) {
        assertArrayEquals(w.values()[i], after[i], 1e-7, "gate parameter " + i);
      }
    }
  }

  @Test
  void frozenFlatGradientGateOfAnotherModelIsBadInput() {
    BlendedStepBuilder trained = BlendedStepBuilder.defaults();
    GateWeights w;
    try (TrainingGraph g = graph(SMALL, trained, 3, Map.of())) {
      w = g.step().gateWeights(g.session()).orElseThrow();
    }
    BadInputException e = assertThrows(BadInputException.class,
        () -> TrainingGraph.create(Mlp.defaults(), BlendedStepBuilder.defaults().frozen(w)).close());
    assertTrue(e.getMessage().contains("the frozen gate is a flat-gradients gate for a model with layers unknown (" + SMALL.numParameters() + " parameters)"), e.getMessage());
    assertTrue(e.getMessage().contains(Long.toString(Mlp.defaults().numParameters())), e.getMessage());
  }

  @Test
  void nonFiniteOrUnknownHyperparametersAreBadInputNamingTheKey() {
    try (TrainingGraph g = TrainingGraph.create(SMALL, BlendedStepBuilder.defaults())) {
      g.loadData(TrainerTest.TRAIN, TrainerTest.VAL, TrainerTest.TEST);
      BadInputException e = assertThrows(BadInputException.class, () -> g.reinitialize(0, Map.of("meta_lr", Double.NaN)));
      assertTrue(e.getMessage().contains("meta_lr") && e.getMessage().contains("finite"), e.getMessage());
      e = assertThrows(BadInputException.class, () -> g.reinitialize(0, Map.of("adam_lr", Double.POSITIVE_INFINITY)));
      assertTrue(e.getMessage().contains("adam_lr"), e.getMessage());
      e = assertThrows(BadInputException.class, () -> g.reinitialize(0, Map.of("beta1", 1.5)));
      assertTrue(e.getMessage().contains("beta1"), e.getMessage());
      e = assertThrows(BadInputException.class, () -> g.reinitialize(0, Map.of("lr", 0.1)));
      assertTrue(e.getMessage().contains("blended has no hyperparameter lr"), e.getMessage());
      e = assertThrows(BadInputException.class, () -> g.reinitialize(0, Map.of("gate_hidden", 8.0)));
      assertTrue(e.getMessage().contains("gate_hidden"), e.getMessage());
    }
  }

  @Test
  void unknownGateInputModeIsBadInput() {
    BadInputException e = assertThrows(BadInputException.class, () -> GateFeatures.Mode.parse("raw"));
    assertTrue(e.getMessage().contains("'raw'") && e.getMessage().contains("gradient-stats"), e.getMessage());
  }
}
