package dev.tfblend.meta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.BadInputException;
import dev.tfblend.model.Activation;
import dev.tfblend.model.FloatTensors;
import dev.tfblend.optim.DynamicBlendedOptimizer;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.framework.optimizers.Optimizer.GradAndVar;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * A frozen gradient-stats gate as the {@code AlphaSource} of {@link DynamicBlendedOptimizer} on a
 * user's own graph (least squares), through the standard {@code applyGradients} path.
 */
class FrozenGateDropInTest {

  private static GateWeights weights(int hidden, long seed, double outBias) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] w1 = new double[GateFeatures.STATS_SIZE * hidden];
    for (int i = 0; i < w1.length; i++) {
      w1[i] = 0.1 * r.nextGaussian();
    }
    double[] w2 = new double[hidden];
    for (int i = 0; i < w2.length; i++) {
      w2[i] = 0.1 * r.nextGaussian();
    }
    return new GateWeights(GateFeatures.Mode.GRADIENT_STATS, List.of(GateFeatures.STATS_SIZE, hidden, 1),
        Activation.TANH, new double[][] {w1, new double[hidden], w2, {outBias}});
  }

  @Test
  void frozenGateDrivesTheBlendOnAUsersGraph() {
    float[] target = {1f, -2f, 3f};
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> w = tf.withName("w").variable(tf.zeros(tf.constant(new long[] {3}), TFloat32.class));
      Operand<TFloat32> diff = tf.math.sub(tf.identity(w), tf.constant(target));
      Operand<TFloat32> loss = tf.reduceSum(tf.math.square(diff), tf.constant(0));
      Output<?> grad = g.addGradients(loss.asOutput(), new Output<?>[] {w.asOutput()})[0];
      GateWeights frozen = weights(8, 3, 2.0);
      GatingNetwork<TFloat32> gate = GatingNetwork.create(tf.withSubScope("gate"), TFloat32.class,
          GateFeatures.gradientStats(loss, tf.constant(0f)), GateFeatures.STATS_SIZE, List.of(8), Activation.TANH);
      DynamicBlendedOptimizer<TFloat32> opt = DynamicBlendedOptimizer.adamSgd(g, TFloat32.class,
          new DynamicBlendedOptimizer.Settings(0.05, 0.9, 0.999, 1e-8, 0.05, 0.9), gate);
      @SuppressWarnings("unchecked")
      List<GradAndVar<? extends TType>> gv = List.of(new GradAndVar<>((Output<TFloat32>) grad, w.asOutput()));
      Op train = opt.applyGradients(gv, "train");
      gate.load(s, frozen);
      for (int i = 0; i < 300; i++) {
        s.run(train);
      }
      try (Result r = s.runner().fetch(loss).run()) {
        assertTrue(FloatTensors.scalarValue(r.get(0)) < 1e-3, "loss " + FloatTensors.scalarValue(r.get(0)));
      }
      double[][] after = gate.parameters().read(s);
      for (int i = 0; i < after.length; i++) {
        assertArrayEquals(frozen.values()[i], after[i], 1e-7);
      }
      // the exported form reads rows of features
      Operand<TFloat32> rows = gate.alphaBatch(tf, tf.zeros(tf.constant(new long[] {2, GateFeatures.STATS_SIZE}), TFloat32.class));
      try (Result r = s.runner().fetch(rows).run()) {
        assertEquals(List.of(2L, 1L), List.of(r.get(0).shape().size(0), r.get(0).shape().size(1)));
        double expected = 1 / (1 + Math.exp(-2.0));
        assertArrayEquals(new double[] {expected, expected}, FloatTensors.toDoubles(r.get(0)), 1e-6);
      }
    }
  }

  @Test
  void weightsForOtherFeaturesOrSizesAreRejected() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      GatingNetwork<TFloat32> flat = GatingNetwork.create(tf.withSubScope("gate"), TFloat32.class,
          GateFeatures.flatGradients(), 50, List.of(8), Activation.TANH);
      BadInputException e = assertThrows(BadInputException.class, () -> flat.load(s, weights(8, 1, 0)));
      assertTrue(e.getMessage().contains("gradient-stats") && e.getMessage().contains("flat-gradients"), e.getMessage());
    }
    BadInputException e = assertThrows(BadInputException.class, () -> new GateWeights(GateFeatures.Mode.GRADIENT_STATS,
        List.of(9, 4, 1), Activation.TANH, new double[][] {new double[36], new double[4], new double[3], new double[1]}));
    assertTrue(e.getMessage().contains("w2"), e.getMessage());
  }
}
