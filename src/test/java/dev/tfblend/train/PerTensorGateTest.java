package dev.tfblend.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.data.Dataset;
import dev.tfblend.data.GaussianBlobs;
import dev.tfblend.meta.GateFeatures;
import dev.tfblend.meta.GateOutput;
import dev.tfblend.model.Activation;
import dev.tfblend.model.FloatTensors;
import dev.tfblend.model.InitScheme;
import dev.tfblend.model.Mlp;
import dev.tfblend.model.ParameterSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat64;

/**
 * The {@code per-tensor} gate output: a gate whose per-tensor outputs are all equal (its last
 * layer's columns copies of a global gate's one column) trains the model exactly as that global
 * gate does; meta-learned, its tensors get different weights.
 */
class PerTensorGateTest {
  private static final Mlp MODEL = new Mlp(List.of(6, 8, 3), Activation.TANH);
  private static final Map<String, Double> VALUES = Map.of("adam_lr", 0.05, "sgd_lr", 0.1, "meta_lr", 0.05,
      "total_steps", 20.0);

  private static Operand<TFloat64> loss(Ops tf, List<Operand<TFloat64>> theta, Dataset d) {
    double[][] x = d.x();
    Operand<TFloat64> xs = tf.constant(x);
    Operand<TFloat64> y = Mlp.oneHot(tf, tf.constant(d.y()), MODEL.numClasses(), TFloat64.class);
    return Mlp.crossEntropyLogSoftmax(tf, MODEL.logits(tf, theta, xs), y);
  }

  /** A built step over a fresh model in {@code g}. */
  private record Built(ParameterSet<TFloat64> params, BlendedStep<TFloat64> step) {}

  private static Built build(Graph g, GateOutput output, boolean meta) {
    Ops tf = Ops.create(g);
    Dataset train = GaussianBlobs.generate(16, 6, 3, 1.0, 4, 0);
    Dataset val = GaussianBlobs.generate(16, 6, 3, 1.0, 4, 1);
    ParameterSet<TFloat64> params = MODEL.parameters(tf.withSubScope("model"), TFloat64.class);
    Operand<TFloat64> l = loss(tf.withSubScope("train"), params.values(), train);
    BlendedStep<TFloat64> step = BlendedStep.build(tf.withSubScope("blended"), TFloat64.class, params, l,
        params.gradients(g, l), new BlendedStep.Gate(GateFeatures.Mode.GRADIENT_STATS, List.of(5), Activation.TANH,
            InitScheme.forActivation(Activation.TANH), output),
        meta ? (m, theta) -> loss(m, theta, val) : null, List.of());
    return new Built(params, step);
  }

  private static double[] fetch(Session s, Operand<TFloat64> x) {
    try (Result r = s.runner().fetch(x).run()) {
      return FloatTensors.toDoubles(r.get(0));
    }
  }

  @Test
  void equalPerTensorOutputsTrainAsTheGlobalGate() {
    try (Graph gg = new Graph(); Session sg = new Session(gg); Graph gp = new Graph(); Session sp = new Session(gp)) {
      Built global = build(gg, GateOutput.GLOBAL, false);
      Built perTensor = build(gp, GateOutput.PER_TENSOR, false);
      int n = global.params().size();
      assertEquals(n, perTensor.step().gate().outputs());
      for (Built b : List.of(global, perTensor)) {
        Session s = b == global ? sg : sp;
        b.step().hyperparameters().set(s, VALUES);
        b.params().initialize(s, 9);
        b.step().reset(s, null, 10);
      }
      // the per-tensor gate: the global gate's weights, its one output column copied n times
      double[][] w = global.step().gate().parameters().read(sg);
      double[][] copy = w.clone();
      int last = w.length - 2;
      int hidden = w[last].length;
      copy[last] = new double[hidden * n];
      for (int h = 0; h < hidden; h++) {
        for (int j = 0; j < n; j++) {
          copy[last][h * n + j] = w[last][h];
        }
      }
      copy[last + 1] = new double[n];
      java.util.Arrays.fill(copy[last + 1], w[last + 1][0]);
      perTensor.step().gate().parameters().assign(sp, copy);
      for (int k = 0; k < 6; k++) {
        double a = fetch(sg, global.step().update().alpha())[0];
        double[] as = fetch(sp, perTensor.step().update().alpha());
        for (double x : as) {
          assertEquals(a, x, 0.0, "step " + k + ": equal outputs give the global alpha");
        }
        sg.run(global.step().target());
        sp.run(perTensor.step().target());
      }
      double[][] pg = global.params().read(sg);
      double[][] pp = perTensor.params().read(sp);
      for (int i = 0; i < n; i++) {
        assertArrayEquals(pg[i], pp[i], 0.0, "parameter " + i);
      }
    }
  }

  @Test
  void metaLearnedPerTensorWeightsDiffer() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Built b = build(g, GateOutput.PER_TENSOR, true);
      b.step().hyperparameters().set(s, VALUES);
      b.params().initialize(s, 9);
      b.step().reset(s, null, 10);
      for (int k = 0; k < 20; k++) {
        s.run(b.step().target());
      }
      double[] a = fetch(s, b.step().update().alpha());
      assertEquals(b.params().size(), a.length);
      double min = java.util.Arrays.stream(a).min().orElseThrow();
      double max = java.util.Arrays.stream(a).max().orElseThrow();
      assertTrue(max - min > 1e-6, "per-tensor alphas: " + java.util.Arrays.toString(a));
      double mean = java.util.Arrays.stream(a).average().orElseThrow();
      assertEquals(mean, fetch(s, b.step().alpha())[0], 1e-15, "the recorded alpha is their mean");
    }
  }
}
