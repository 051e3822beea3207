package dev.tfblend.grad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.model.Activation;
import dev.tfblend.model.FloatTensors;
import dev.tfblend.model.Mlp;
import dev.tfblend.model.ParameterSet;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat64;

/**
 * The unrolled meta-gradient against float64 central differences of the meta-loss, h = 1e-5,
 * for K = 1, 2, 3. Update: a blend of Adam and momentum SGD (the project's plain-op rules) whose
 * weight comes from a tanh gate reading log gradient norms; meta-parameters: both log learning
 * rates and the gate's weights, all fed through placeholders. Checked: each log learning rate,
 * and three random unit directions over all meta-parameters. Pass: max relative error
 * {@code |a - n| / max(|a|, |n|)} below 1e-5 (the project's gradcheck threshold).
 */
class UnrollTest {
  private static final double H = 1e-5;
  private static final double TOL = 1e-5;

  /** A meta-parameter fed from Java. */
  private record Meta(Placeholder<TFloat64> op, long[] shape, double[] value) {}

  @ParameterizedTest(name = "K={0} {1}")
  @CsvSource({"1, tanh", "2, tanh", "3, tanh", "2, relu"})
  void metaGradientMatchesCentralDifferences(int k, String activation) {
    Mlp mlp = new Mlp(List.of(6, 8, 3), Activation.parse(activation));
    Mlp gate = new Mlp(List.of(4, 5, 1), Activation.TANH);
    SplittableRandom rng = new SplittableRandom(100 + k);
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      ParameterSet<TFloat64> model = mlp.parameters(tf.withSubScope("model"), TFloat64.class);
      List<Meta> metas = new ArrayList<>();
      metas.add(meta(tf, "log_lr_adam", new long[0], new double[] {Math.log(0.02)}));
      metas.add(meta(tf, "log_lr_sgd", new long[0], new double[] {Math.log(0.1)}));
      double[][] gateInit = gate.parameters(tf.withSubScope("gate_shape"), TFloat64.class).initialValues(5);
      for (int i = 0; i < gateInit.length; i++) {
        long[] shape = i % 2 == 0 ? new long[] {gate.layerSizes().get(i / 2), gate.layerSizes().get(i / 2 + 1)}
            : new long[] {gate.layerSizes().get(i / 2 + 1)};
        double[] v = gateInit[i].clone();
        for (int j = 0; j < v.length; j++) {
          v[j] += 0.1 * rng.nextGaussian();
        }
        metas.add(meta(tf, "gate" + i, shape, v));
      }
      List<Operand<TFloat64>> gateParams = new ArrayList<>();
      for (int i = 2; i < metas.size(); i++) {
        gateParams.add(metas.get(i).op());
      }
      Unroll.Result<TFloat64> r = Unroll.build(tf.withSubScope("unroll"), g,
          new Unroll.State<>(model.values(), UnrollFixtures.zeroState(tf, model.values(), 3)),
          UnrollFixtures.blend(metas.get(0).op(), metas.get(1).op(), gate, gateParams),
          UnrollFixtures.loss(mlp), UnrollFixtures.batches(tf, mlp, k, 16, rng),
          UnrollFixtures.batch(tf, mlp, 16, rng), metas.stream().map(Meta::op).toList(), false);
      model.initialize(s, 9);

      double[][] analytic = run(s, metas, null, 0, r.metaGradients());
      List<double[][]> directions = new ArrayList<>();
      for (int m = 0; m < 2; m++) {
        double[][] d = zeros(metas);
        d[m][0] = 1;
        directions.add(d);
      }
      for (int n = 0; n < 3; n++) {
        double[][] d = zeros(metas);
        double norm = 0;
        for (double[] di : d) {
          for (int j = 0; j < di.length; j++) {
            di[j] = rng.nextGaussian();
            norm += di[j] * di[j];
          }
        }
        for (double[] di : d) {
          for (int j = 0; j < di.length; j++) {
            di[j] /= Math.sqrt(norm);
          }
        }
        directions.add(d);
      }
      double worst = 0;
      for (double[][] d : directions) {
        double a = 0;
        for (int i = 0; i < d.length; i++) {
          for (int j = 0; j < d[i].length; j++) {
            a += analytic[i][j] * d[i][j];
          }
        }
        double plus = run(s, metas, d, H, List.of(r.metaLoss()))[0][0];
        double minus = run(s, metas, d, -H, List.of(r.metaLoss()))[0][0];
        double numeric = (plus - minus) / (2 * H);
        worst = Math.max(worst, Math.abs(a - numeric) / Math.max(Math.abs(a), Math.abs(numeric)));
      }
      System.out.printf("UNROLL K=%d %s: max relative error %.2e%n", k, activation, worst);
      assertTrue(worst < TOL, "K=" + k + " max relative error " + worst);
    }
  }

  @Test
  void firstOrderIsExactForOneSgdStepAndBiasedForTwo() {
    double[] exact1 = sgdMetaGradient(1, false);
    double[] first1 = sgdMetaGradient(1, true);
    assertEquals(exact1[0], first1[0], 1e-12 * Math.abs(exact1[0]));
    double[] exact2 = sgdMetaGradient(2, false);
    double[] first2 = sgdMetaGradient(2, true);
    double rel = Math.abs(exact2[0] - first2[0]) / Math.abs(exact2[0]);
    System.out.printf("UNROLL K=2 SGD: first-order meta-gradient differs from exact by %.3f%n", rel);
    assertTrue(rel > 1e-3, "second-order terms should matter at K=2, relative difference " + rel);
  }

  @Test
  void rejectsAnEmptyUnroll() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat64> lr = tf.constant(0.0);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Unroll.build(tf, g,
          new Unroll.State<>(List.of(tf.constant(1.0)), List.of()), UnrollFixtures.sgd(lr),
          (t, p, b) -> p.get(0), List.of(), new Unroll.Batch<>(lr, lr), List.of(lr), false));
      assertTrue(e.getMessage().contains("K >= 1"), e.getMessage());
    }
  }

  /** d L_val / d logLr for plain SGD on a tanh MLP, at lr = 0.5. */
  private static double[] sgdMetaGradient(int k, boolean firstOrder) {
    Mlp mlp = new Mlp(List.of(6, 8, 3), Activation.TANH);
    SplittableRandom rng = new SplittableRandom(3);
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      ParameterSet<TFloat64> model = mlp.parameters(tf.withSubScope("model"), TFloat64.class);
      Operand<TFloat64> logLr = tf.constant(Math.log(0.5));
      Unroll.Result<TFloat64> r = Unroll.build(tf, g, new Unroll.State<>(model.values(), List.of()),
          UnrollFixtures.sgd(logLr), UnrollFixtures.loss(mlp), UnrollFixtures.batches(tf, mlp, k, 16, rng),
          UnrollFixtures.batch(tf, mlp, 16, rng), List.of(logLr), firstOrder);
      model.initialize(s, 4);
      try (Result res = s.runner().fetch(r.metaGradients().get(0)).run()) {
        return FloatTensors.toDoubles(res.get(0));
      }
    }
  }

  private static Meta meta(Ops tf, String name, long[] shape, double[] value) {
    return new Meta(tf.withName(name).placeholder(TFloat64.class, Placeholder.shape(Shape.of(shape))), shape, value);
  }

  private static double[][] zeros(List<Meta> metas) {
    double[][] d = new double[metas.size()][];
    for (int i = 0; i < d.length; i++) {
      d[i] = new double[metas.get(i).value().length];
    }
    return d;
  }

  /** Fetches {@code outs} with every meta-parameter fed at {@code value + h * d}. */
  private static double[][] run(Session s, List<Meta> metas, double[][] d, double h, List<Operand<TFloat64>> outs) {
    List<Tensor> fed = new ArrayList<>();
    try {
      Session.Runner r = s.runner();
      for (int i = 0; i < metas.size(); i++) {
        double[] v = metas.get(i).value().clone();
        for (int j = 0; d != null && j < v.length; j++) {
          v[j] += h * d[i][j];
        }
        TFloat64 t = FloatTensors.of(TFloat64.class, metas.get(i).shape(), v);
        fed.add(t);
        r.feed(metas.get(i).op(), t);
      }
      outs.forEach(r::fetch);
      double[][] out = new double[outs.size()][];
      try (Result res = r.run()) {
        for (int i = 0; i < outs.size(); i++) {
          out[i] = FloatTensors.toDoubles(res.get(i));
        }
      }
      return out;
    } finally {
      fed.forEach(Tensor::close);
    }
  }
}
