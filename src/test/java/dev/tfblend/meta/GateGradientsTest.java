package dev.tfblend.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.tfblend.model.Activation;
import dev.tfblend.model.FloatTensors;
import dev.tfblend.optim.AdamRule;
import dev.tfblend.optim.BlendContext;
import dev.tfblend.optim.BlendRule;
import dev.tfblend.optim.MomentumRule;
import dev.tfblend.optim.UpdateRule;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat64;

/**
 * {@code addGradients} on every graph function the meta step differentiates: the gate's alpha
 * with respect to its parameters (both input modes) and the blended increment with respect to
 * alpha, checked against their closed forms; plus the documented gradient-stats features.
 */
class GateGradientsTest {
  private static final double[] G1 = {0.3, -0.4, 1.2, 0.05};
  private static final double[] G2 = {-0.7, 0.2};
  private static final double[] A1 = {0.01, -0.02, 0.0, 0.03};
  private static final double[] A2 = {-0.01, 0.005};
  private static final double[] B1 = {0.02, 0.01, -0.05, 0.0};
  private static final double[] B2 = {0.004, -0.003};

  private static BlendContext<TFloat64> context(Ops tf) {
    return new BlendContext<>(TFloat64.class,
        List.of(tf.constant(G1), tf.constant(G2)),
        List.of(tf.constant(new double[4]), tf.constant(new double[2])),
        List.of(tf.constant(A1), tf.constant(A2)),
        List.of(tf.constant(B1), tf.constant(B2)),
        tf.constant(3.0));
  }

  /** d alpha / d b2 = alpha (1 - alpha): the output bias enters alphaLogit with weight 1. */
  private static void alphaGradient(GateFeatures.Mode mode) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      GateFeatures<TFloat64> f = GateFeatures.of(mode, tf.constant(0.8), tf.constant(10.0));
      GatingNetwork<TFloat64> gate = GatingNetwork.create(tf.withSubScope("gate"), TFloat64.class, f,
          f.size(6), List.of(5), Activation.TANH);
      Operand<TFloat64> alpha = gate.alpha(tf, context(tf));
      List<Operand<TFloat64>> grads = gate.parameters().gradients(g, alpha);
      grads.forEach(x -> assertNotNull(x));
      gate.parameters().initialize(s, 7);
      try (Result r = s.runner().fetch(alpha).fetch(grads.get(3)).run()) {
        double a = FloatTensors.scalarValue(r.get(0));
        assertEquals(a * (1 - a), FloatTensors.scalarValue(r.get(1)), 1e-15);
      }
    }
  }

  @Test
  void alphaOfFlatGradientGateHasGradientsForEveryGateParameter() {
    alphaGradient(GateFeatures.Mode.FLAT_GRADIENTS);
  }

  @Test
  void alphaOfGradientStatsGateHasGradientsForEveryGateParameter() {
    alphaGradient(GateFeatures.Mode.GRADIENT_STATS);
  }

  @Test
  void blendedIncrementDifferentiatesToTheDifferenceOfTheRules() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat64> alpha = tf.identity(tf.constant(0.3));
      BlendRule<TFloat64> rule = BlendRule.of(
          AdamRule.of(tf.constant(0.1), tf.constant(0.9), tf.constant(0.999), tf.constant(1e-8)),
          MomentumRule.of(tf.constant(0.05), tf.constant(0.9), null, false));
      Operand<TFloat64> grad = tf.constant(G1);
      List<Operand<TFloat64>> slots = List.of(tf.constant(A1), tf.constant(B1), tf.constant(B1));
      BlendRule.Parts<TFloat64> parts = rule.parts(tf, grad, tf.constant(new double[4]), slots, tf.constant(2.0));
      UpdateRule.Update<TFloat64> u = rule.blend(tf, alpha, parts);
      Operand<TFloat64> total = tf.reduceSum(u.increment(), tf.constant(0));
      Output<?> d = g.addGradients(total.asOutput(), new Output<?>[] {alpha.asOutput()})[0];
      try (Result r = s.runner().fetch(d).fetch(parts.a().increment()).fetch(parts.b().increment()).run()) {
        double[] a = FloatTensors.toDoubles(r.get(1));
        double[] b = FloatTensors.toDoubles(r.get(2));
        double expected = 0;
        for (int i = 0; i < a.length; i++) {
          expected += a[i] - b[i];
        }
        assertEquals(expected, FloatTensors.scalarValue(r.get(0)), 1e-15);
      }
    }
  }

  private static double lg(double x) {
    return Math.log10(x + 1e-12);
  }

  private static double norm(double[]... xs) {
    double s = 0;
    for (double[] x : xs) {
      for (double v : x) {
        s += v * v;
      }
    }
    return Math.sqrt(s);
  }

  @Test
  void gradientStatsFeaturesAreTheDocumentedNumbers() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      GateFeatures<TFloat64> f = GateFeatures.gradientStats(tf.constant(0.8), tf.constant(10.0));
      Operand<TFloat64> row = f.build(tf, context(tf));
      try (Result r = s.runner().fetch(row).run()) {
        double[] v = FloatTensors.toDoubles(r.get(0));
        assertEquals(GateFeatures.STATS_SIZE, v.length);
        double l1 = lg(norm(G1) / 2);
        double l2 = lg(norm(G2) / Math.sqrt(2));
        double na = norm(A1, A2);
        double nb = norm(B1, B2);
        double dot = 0;
        double[] a = {A1[0], A1[1], A1[2], A1[3], A2[0], A2[1]};
        double[] b = {B1[0], B1[1], B1[2], B1[3], B2[0], B2[1]};
        for (int i = 0; i < a.length; i++) {
          dot += a[i] * b[i];
        }
        double[] expected = {lg(norm(G1, G2)), Math.min(l1, l2), (l1 + l2) / 2, Math.max(l1, l2),
            lg(na), lg(nb), dot / (na * nb + 1e-12), lg(0.8), 0.3};
        for (int i = 0; i < expected.length; i++) {
          assertEquals(expected[i], v[i], 1e-12, GateFeatures.STATS_NAMES.get(i));
        }
      }
    }
  }

  @Test
  void flatGradientFeaturesConcatenateTheGradients() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat64> row = GateFeatures.<TFloat64>flatGradients().build(tf, context(tf));
      try (Result r = s.runner().fetch(row).run()) {
        assertEquals(List.of(1L, 6L), List.of(r.get(0).shape().size(0), r.get(0).shape().size(1)));
        org.junit.jupiter.api.Assertions.assertArrayEquals(
            new double[] {G1[0], G1[1], G1[2], G1[3], G2[0], G2[1]}, FloatTensors.toDoubles(r.get(0)));
      }
    }
  }
}
