package dev.tfblend.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.BadInputException;
import dev.tfblend.data.Dataset;
import dev.tfblend.meta.GateFeatures;
import dev.tfblend.model.Activation;
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

/**
 * The blended step with a K-step look-ahead: the unrolled meta-gradient against float64 central
 * differences (exact, and first-order with the inner gradients held fixed), what the model applies
 * (the first step, or all K), and the bad combinations.
 */
class UnrolledBlendedStepTest {
  private static final Mlp SMALL = new Mlp(List.of(40, 16, 10), Activation.RELU);

  private static void passes(GradientCheck.Report r) {
    assertEquals(GradientCheck.DIRECTIONS + GradientCheck.COORDINATES, r.checks().size());
    assertTrue(r.passed() && r.maxRelativeError() < GradientCheck.TOLERANCE, r.toString());
    for (GradientCheck.Check c : r.checks()) {
      assertTrue(c.analytic() != 0 && Double.isFinite(c.numeric()), c.toString());
    }
  }

  @Test
  void exactMetaGradientThroughTwoStepsMatchesFiniteDifferences() {
    GradientCheck.Report r = GradientCheck.run("blended", "flat-gradients", 0, 1e-5, 2, false);
    assertEquals(2, r.unroll());
    assertEquals("exact", r.metaGradient());
    passes(r);
  }

  @Test
  void exactMetaGradientThroughThreeStepsMatchesFiniteDifferences() {
    passes(GradientCheck.run("blended", "flat-gradients", 0, 1e-5, 3, false));
    passes(GradientCheck.run("blended", "gradient-stats", 1, 1e-5, 3, false));
  }

  @Test
  void firstOrderMetaGradientMatchesDifferencesWithInnerGradientsHeld() {
    GradientCheck.Report two = GradientCheck.run("blended", "flat-gradients", 0, 1e-5, 2, true);
    assertEquals("first-order", two.metaGradient());
    passes(two);
    passes(GradientCheck.run("blended", "gradient-stats", 1, 1e-5, 3, true));
  }

  @Test
  void firstOrderMetaGradientDiffersFromTheExactOne() {
    // same seed, same setup: the analytic values of the first check (a random direction) differ
    // once the second-order terms are dropped, and the first-order one misses the full derivative
    GradientCheck.Report exact = GradientCheck.run("blended", "flat-gradients", 0, 1e-5, 3, false);
    GradientCheck.Report first = GradientCheck.run("blended", "flat-gradients", 0, 1e-5, 3, true);
    double a = exact.checks().get(0).analytic();
    double b = first.checks().get(0).analytic();
    assertTrue(Math.abs(a - b) > 1e-3 * Math.abs(a), a + " vs " + b);
    assertTrue(Math.abs(b - exact.checks().get(0).numeric()) > GradientCheck.TOLERANCE * Math.abs(a),
        "the first-order gradient should not match the full finite difference");
  }

  @Test
  void oneStepHorizonIsTheOneStepCheck() {
    GradientCheck.Report one = GradientCheck.run("blended", "flat-gradients", 0, 1e-5, 1, false);
    GradientCheck.Report plain = GradientCheck.run("blended", "flat-gradients", 0, 1e-5);
    assertEquals(plain.checks(), one.checks());
  }

  @Test
  void lossGradientCheckRefusesUnrollOptions() {
    BadInputException e = assertThrows(BadInputException.class, () -> GradientCheck.run("adam", null, 0, 1e-5, 2, false));
    assertTrue(e.getMessage().contains("--unroll"), e.getMessage());
    assertThrows(BadInputException.class, () -> GradientCheck.run("blended", null, 0, 1e-5, 0, false));
  }

  private static TrainingGraph graph(BlendedStep.Horizon h, Dataset train) {
    TrainingGraph g = TrainingGraph.create(SMALL, BlendedStepBuilder.defaults().horizon(h));
    g.loadData(train, TrainerTest.VAL, TrainerTest.TEST);
    g.reinitialize(3, Map.of("meta_lr", 0.01));
    return g;
  }

  private static BlendedStep<TFloat32> step(TrainingGraph g) {
    return ((BlendedStepBuilder.Built) g.step()).step();
  }

  /** Runs one step with fixed feeds, fetching {@code fetch}; returns the fetched values. */
  private static double[][] runOnce(TrainingGraph g, int k, List<Operand<TFloat32>> fetch) {
    Session.Runner r = g.session().runner();
    List<TInt32> fed = new ArrayList<>();
    try {
      TInt32 idx = TInt32.vectorOf(0, 1, 2, 3, 4, 5, 6, 7);
      fed.add(idx);
      r.feed("train_step/batch_indices", idx);
      TInt32 meta = TInt32.vectorOf(5, 6, 7, 8, 9, 10, 11, 12);
      fed.add(meta);
      r.feed("meta_batch/indices", meta);
      for (int j = 2; j <= k; j++) {
        TInt32 a = TInt32.vectorOf(10 * j, 10 * j + 1, 10 * j + 2, 10 * j + 3, 10 * j + 4, 10 * j + 5, 10 * j + 6, 10 * j + 7);
        fed.add(a);
        r.feed("lookahead_batch/indices_" + j, a);
      }
      r.addTarget(step(g).target());
      fetch.forEach(r::fetch);
      double[][] out = new double[fetch.size()][];
      try (Result res = r.run()) {
        for (int i = 0; i < fetch.size(); i++) {
          out[i] = FloatTensors.toDoubles(res.get(i));
        }
      }
      return out;
    } finally {
      fed.forEach(TInt32::close);
    }
  }

  private static void modelBecomes(boolean applyAll) {
    int k = 3;
    try (TrainingGraph g = graph(new BlendedStep.Horizon(k, false, applyAll), TrainerTest.TRAIN)) {
      BlendedStep<TFloat32> s = step(g);
      assertEquals(k, s.alphas().size());
      assertEquals(k - 1, s.innerGradients().size());
      // theta_K (what the meta-loss reads) and the applied look-ahead are one list with apply-all
      assertEquals(applyAll, s.metaStep().lookAhead().equals(s.update().lookAhead()));
      List<Operand<TFloat32>> fetch = new ArrayList<>(s.update().lookAhead());
      if (!applyAll) {
        fetch.addAll(s.metaStep().lookAhead());
      }
      double[][] got = runOnce(g, k, fetch);
      int n = 2 * SMALL.numLayers();
      double[][] after = g.parameterValues();
      for (int i = 0; i < n; i++) {
        assertArrayEquals(got[i], after[i], "parameter " + i + " is the applied look-ahead");
      }
      if (!applyAll) {
        assertTrue(!java.util.Arrays.equals(got[n], after[0]), "theta_K differs from theta_1 in w1");
      }
      try (Result res = g.session().runner().fetch(s.optimizer().stepCounter()).run()) {
        assertEquals(applyAll ? k : 1, FloatTensors.scalarValue(res.get(0)), "step counter");
      }
    }
  }

  @Test
  void defaultAppliesOnlyTheFirstLookAheadStep() {
    modelBecomes(false);
  }

  @Test
  void applyAllMakesTheModelTheKthLookAhead() {
    modelBecomes(true);
  }

  @Test
  void exactUnrollStaysFiniteWhenAnInputIsAlwaysZero() {
    // an input column that is always 0 leaves Adam's v at exactly 0 for the weights it feeds: the
    // meta-gradient through those increments must still be finite
    double[][] x = new double[TrainerTest.TRAIN.size()][];
    for (int i = 0; i < x.length; i++) {
      x[i] = TrainerTest.TRAIN.x()[i].clone();
      x[i][0] = 0.0;
    }
    Dataset zeroed = new Dataset(x, TrainerTest.TRAIN.y(), TrainerTest.TRAIN.numClasses());
    try (TrainingGraph g = graph(new BlendedStep.Horizon(3, false, false), zeroed)) {
      for (int i = 0; i < 3; i++) {
        double[][] grads = runOnce(g, 3, step(g).metaStep().gateGradients());
        for (double[] gr : grads) {
          for (double v : gr) {
            assertTrue(Double.isFinite(v), "meta-gradient component " + v + " at step " + i);
          }
        }
      }
    }
  }

  @Test
  void trainingWithUnrollRecordsOneAlphaPerBatch() {
    try (TrainingGraph g = graph(new BlendedStep.Horizon(2, true, false), TrainerTest.TRAIN)) {
      Trainer.Result r = Trainer.run(g, new Trainer.Settings(1, 100, 3), rec -> { });
      assertEquals(6, r.steps());
      assertEquals(6, r.stepOutputs().get(AlphaTrace.OUTPUT).length);
      assertTrue(Double.isFinite(r.testLoss()));
    }
  }

  @Test
  void frozenGateRefusesAnUnroll() {
    BadInputException e = assertThrows(BadInputException.class,
        () -> Optimizers.stepBuilder("blended", Map.of("unroll", 2.0),
            BlendOptions.fromGate(gateOf(GateFeatures.Mode.GRADIENT_STATS), true)));
    assertTrue(e.getMessage().contains("unroll must be 1"), e.getMessage());
  }

  private static dev.tfblend.meta.GateWeights gateOf(GateFeatures.Mode mode) {
    try (TrainingGraph g = TrainingGraph.create(SMALL, BlendedStepBuilder.defaults().gateInput(mode))) {
      g.loadData(TrainerTest.TRAIN, TrainerTest.VAL, TrainerTest.TEST);
      g.reinitialize(1, Map.of());
      return g.step().gateWeights(g.session()).orElseThrow();
    }
  }

  @Test
  void horizonIsFixedWhenTheGraphIsBuilt() {
    try (TrainingGraph g = graph(new BlendedStep.Horizon(2, false, false), TrainerTest.TRAIN)) {
      assertEquals(2.0, g.hyperparameterDefaults().get("unroll"));
      BadInputException e = assertThrows(BadInputException.class,
          () -> g.reinitialize(1, Map.of("unroll", 3.0)));
      assertTrue(e.getMessage().contains("unroll is fixed when the graph is built"), e.getMessage());
    }
  }
}
