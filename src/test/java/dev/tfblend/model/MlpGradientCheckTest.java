package dev.tfblend.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/**
 * Gradients of the MLP loss ({@code -mean(sum(y * logSoftmax(logits)))}) from
 * {@code Graph.addGradients} against float64 central differences, along three random directions
 * and on ten single coordinates. Tolerance: relative error below 1e-6 (measured errors are about
 * 1e-9; step h = 1e-5, truncation error O(h^2)). ReLU is checked too: for these inputs no
 * pre-activation lies within h of the kink (one that did would show as a large error).
 */
class MlpGradientCheckTest {
  private static final Mlp SMALL = new Mlp(List.of(6, 8, 7, 4), Activation.TANH);
  private static final int BATCH = 5;
  private static final double H = 1e-5;
  private static final double TOL = 1e-6;

  @ParameterizedTest
  @EnumSource(Activation.class)
  void lossGradientMatchesCentralDifferences(Activation act) {
    Mlp mlp = SMALL.withActivation(act);
    SplittableRandom rng = new SplittableRandom(11);
    double[][] x = new double[BATCH][mlp.inputSize()];
    double[][] y = new double[BATCH][mlp.numClasses()];
    for (int b = 0; b < BATCH; b++) {
      for (int j = 0; j < mlp.inputSize(); j++) {
        x[b][j] = rng.nextGaussian();
      }
      y[b][rng.nextInt(mlp.numClasses())] = 1.0;
    }
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      ParameterSet<TFloat64> params = mlp.parameters(tf.withSubScope("model"), TFloat64.class);
      Operand<TFloat64> loss = Mlp.crossEntropyLogSoftmax(
          tf, mlp.logits(tf, params, tf.constant(x)), tf.constant(y));
      List<Operand<TFloat64>> grads = params.gradients(g, loss);
      double[][] theta = params.initialValues(3);
      // biases away from zero so every term of the gradient is exercised
      for (int i = 1; i < theta.length; i += 2) {
        for (int k = 0; k < theta[i].length; k++) {
          theta[i][k] = 0.1 * rng.nextGaussian();
        }
      }
      params.assign(s, theta);
      double[][] analytic = new double[params.size()][];
      Session.Runner r = s.runner();
      grads.forEach(r::fetch);
      try (Result res = r.run()) {
        for (int i = 0; i < params.size(); i++) {
          analytic[i] = FloatTensors.toDoubles(res.get(i));
        }
      }
      double worst = 0;
      for (int dir = 0; dir < 3; dir++) {
        double[][] d = new double[params.size()][];
        for (int i = 0; i < d.length; i++) {
          d[i] = new double[theta[i].length];
          for (int k = 0; k < d[i].length; k++) {
            d[i][k] = rng.nextGaussian();
          }
        }
        worst = Math.max(worst, check(s, params, loss, theta, d, analytic));
      }
      for (int c = 0; c < 10; c++) {
        double[][] d = new double[params.size()][];
        for (int i = 0; i < d.length; i++) {
          d[i] = new double[theta[i].length];
        }
        int i = rng.nextInt(params.size());
        d[i][rng.nextInt(d[i].length)] = 1.0;
        worst = Math.max(worst, check(s, params, loss, theta, d, analytic));
      }
      System.out.println("gradient check " + act + ": max relative error " + worst);
      assertTrue(worst < TOL, act + ": max relative error " + worst);
    }
  }

  private static double check(Session s, ParameterSet<TFloat64> params, Operand<TFloat64> loss,
      double[][] theta, double[][] d, double[][] analytic) {
    double predicted = 0;
    for (int i = 0; i < d.length; i++) {
      for (int k = 0; k < d[i].length; k++) {
        predicted += analytic[i][k] * d[i][k];
      }
    }
    double plus = lossAt(s, params, loss, theta, d, H);
    double minus = lossAt(s, params, loss, theta, d, -H);
    double numeric = (plus - minus) / (2 * H);
    return Math.abs(numeric - predicted) / Math.max(1e-8, Math.abs(numeric) + Math.abs(predicted));
  }

  private static double lossAt(Session s, ParameterSet<TFloat64> params, Operand<TFloat64> loss,
      double[][] theta, double[][] d, double h) {
    double[][] moved = new double[theta.length][];
    for (int i = 0; i < theta.length; i++) {
      moved[i] = theta[i].clone();
      for (int k = 0; k < moved[i].length; k++) {
        moved[i][k] += h * d[i][k];
      }
    }
    params.assign(s, moved);
    try (Result r = s.runner().fetch(loss).run()) {
      return FloatTensors.scalarValue(r.get(0));
    } finally {
      params.assign(s, theta);
    }
  }

  @Test
  void fusedAndLogSoftmaxCrossEntropyAgreeAndTheFusedOneDifferentiatesInFloat32() {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Mlp mlp = new Mlp(List.of(3, 4, 3), Activation.RELU);
      ParameterSet<TFloat32> params = mlp.parameters(tf.withSubScope("model"), TFloat32.class);
      Operand<TFloat32> logits = mlp.logits(tf, params, tf.constant(new float[][] {{1, -2, 0.5f}, {0, 1, 2}}));
      Operand<TFloat32> y = tf.constant(new float[][] {{0, 1, 0}, {1, 0, 0}});
      Operand<TFloat32> fused = Mlp.crossEntropy(tf, logits, y);
      Operand<TFloat32> plain = Mlp.crossEntropyLogSoftmax(tf, logits, y);
      List<Operand<TFloat32>> grads = params.gradients(g, fused);
      params.initialize(s, 1);
      try (Result r = s.runner().fetch(fused).fetch(plain).fetch(grads.get(0)).run()) {
        assertEquals(FloatTensors.scalarValue(r.get(0)), FloatTensors.scalarValue(r.get(1)), 1e-6);
        assertEquals(12, FloatTensors.toDoubles(r.get(2)).length);
      }
    }
  }
}
