package dev.tfblend.grad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.model.FloatTensors;
import dev.tfblend.model.Init;
import dev.tfblend.model.ParameterSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.BiasAdd;
import org.tensorflow.types.TFloat64;

/**
 * Each Java-registered gradient, checked through a Hessian-vector product in float64: for a
 * scalar {@code f} whose first-order gradient graph contains the op (asserted), the product
 * {@code H v = d(<grad f, v>)/d theta} from {@code addGradients} against the central difference
 * {@code (grad f(theta + h v) - grad f(theta - h v)) / 2h}, h = 1e-5. Tolerance: max component
 * error below 1e-7 of the largest component (measured 2e-12 to 2e-9; truncation is O(h^2)).
 * Inputs stay away from non-smooth points (|x| >= 0.2 for ReLU) and from the domain edges.
 */
class SecondOrderGradientsTest {
  private static final double H = 1e-5;
  private static final double TOL = 1e-7;

  /** A test function: builds {@code f} from the parameter reads and a fixed weight per element. */
  private record Case(String op, List<long[]> shapes, boolean positive,
      BiFunction<Ops, List<Operand<TFloat64>>, Operand<TFloat64>> f) {
    @Override
    public String toString() {
      return op;
    }
  }

  private static Operand<TFloat64> weightedSumOfCubes(Ops tf, Operand<TFloat64> y, long[] shape) {
    double[] w = new double[Init.size(shape)];
    SplittableRandom rng = new SplittableRandom(7);
    for (int i = 0; i < w.length; i++) {
      w[i] = 0.5 + rng.nextDouble();
    }
    Operand<TFloat64> c = tf.reshape(tf.constant(w), tf.constant(shape));
    return tf.reduceSum(tf.reshape(tf.math.mul(c, tf.math.mul(y, tf.math.square(y))), tf.constant(new long[] {-1})), tf.constant(0));
  }

  private static Case unary(String op, boolean positive, BiFunction<Ops, Operand<TFloat64>, Operand<TFloat64>> fn) {
    long[] shape = {3, 4};
    return new Case(op, List.of(shape), positive, (tf, p) -> weightedSumOfCubes(tf, fn.apply(tf, p.get(0)), shape));
  }

  static Stream<Arguments> cases() {
    long[] a = {3, 4};
    long[] nchw = {2, 3, 2, 2};
    return Stream.of(
        unary("ReluGrad", false, (tf, x) -> tf.nn.relu(x)),
        new Case("BiasAddGrad", List.of(a, new long[] {4}), false,
            (tf, p) -> weightedSumOfCubes(tf, tf.nn.biasAdd(p.get(0), p.get(1)), a)),
        new Case("BiasAddGrad", List.of(nchw, new long[] {3}), false,
            (tf, p) -> weightedSumOfCubes(tf, tf.nn.biasAdd(p.get(0), p.get(1), BiasAdd.dataFormat("NCHW")), nchw)),
        // the seed of every gradient, d f / d f, is OnesLike(f)
        unary("OnesLike", false, (tf, x) -> tf.math.mul(x, x)),
        unary("SigmoidGrad", false, (tf, x) -> tf.math.sigmoid(x)),
        unary("TanhGrad", false, (tf, x) -> tf.math.tanh(x)),
        unary("SqrtGrad", true, (tf, x) -> tf.math.sqrt(x)),
        unary("RsqrtGrad", true, (tf, x) -> tf.math.rsqrt(x)),
        unary("ReciprocalGrad", true, (tf, x) -> tf.math.reciprocal(x)),
        unary("SoftplusGrad", false, (tf, x) -> tf.math.softplus(x))).map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void hessianVectorProductMatchesCentralDifferences(Case c) {
    SecondOrderGradients.register();
    SplittableRandom rng = new SplittableRandom(c.op().hashCode());
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      ParameterSet.Builder<TFloat64> b = ParameterSet.builder(tf.withSubScope("p"), TFloat64.class);
      for (int i = 0; i < c.shapes().size(); i++) {
        b.add("x" + i, c.shapes().get(i), Init.zeros());
      }
      ParameterSet<TFloat64> p = b.build();
      Operand<TFloat64> f = c.f().apply(tf, p.values());
      Set<String> before = types(g);
      List<Operand<TFloat64>> grad = p.gradients(g, f);
      Set<String> added = types(g);
      added.removeAll(before);
      assertTrue(added.contains(c.op()), "the gradient of f should contain " + c.op() + ", has " + added);

      double[][] theta = new double[p.size()][];
      double[][] v = new double[p.size()][];
      List<Operand<TFloat64>> dots = new ArrayList<>();
      for (int i = 0; i < p.size(); i++) {
        theta[i] = new double[p.numElements(i)];
        v[i] = new double[p.numElements(i)];
        for (int j = 0; j < theta[i].length; j++) {
          theta[i][j] = c.positive() ? 0.5 + 1.5 * rng.nextDouble()
              : (rng.nextBoolean() ? 1 : -1) * (0.2 + rng.nextDouble());
          v[i][j] = rng.nextGaussian();
        }
        Operand<TFloat64> vi = tf.reshape(tf.constant(v[i]), tf.constant(p.shape(i)));
        dots.add(tf.reduceSum(tf.reshape(tf.math.mul(grad.get(i), vi), tf.constant(new long[] {-1})),
            tf.constant(0)));
      }
      Operand<TFloat64> gv = tf.math.addN(dots);
      List<Operand<TFloat64>> hv = p.gradients(g, gv);

      p.assign(s, theta);
      double[][] analytic = FloatTensors.fetch(s, hv);
      p.assign(s, shifted(theta, v, H));
      double[][] plus = FloatTensors.fetch(s, grad);
      p.assign(s, shifted(theta, v, -H));
      double[][] minus = FloatTensors.fetch(s, grad);
      double largest = 0;
      double worst = 0;
      for (int i = 0; i < theta.length; i++) {
        for (int j = 0; j < theta[i].length; j++) {
          double numeric = (plus[i][j] - minus[i][j]) / (2 * H);
          largest = Math.max(largest, Math.abs(numeric));
          worst = Math.max(worst, Math.abs(analytic[i][j] - numeric));
        }
      }
      assertTrue(largest > 1e-3, "the Hessian-vector product should not vanish, got " + largest);
      System.out.printf("HVP %s: relative error %.2e%n", c.op(), worst / largest);
      assertTrue(worst / largest < TOL, c.op() + ": relative error " + worst / largest);
    }
  }

  @Test
  void registerIsIdempotentAndCoversOnlyItsOps() {
    Set<String> first = SecondOrderGradients.register();
    assertEquals(first, SecondOrderGradients.register());
    assertTrue(SecondOrderGradients.opTypes().containsAll(first));
    assertTrue(SecondOrderGradients.opTypes().containsAll(List.of("ReluGrad", "BiasAddGrad", "OnesLike",
        "SigmoidGrad", "TanhGrad", "SqrtGrad", "RsqrtGrad", "ReciprocalGrad")));
  }

  private static Set<String> types(Graph g) {
    Set<String> out = new TreeSet<>();
    for (Iterator<GraphOperation> it = g.operations(); it.hasNext(); ) {
      out.add(it.next().type());
    }
    return out;
  }

  private static double[][] shifted(double[][] theta, double[][] v, double h) {
    double[][] out = new double[theta.length][];
    for (int i = 0; i < theta.length; i++) {
      out[i] = new double[theta[i].length];
      for (int j = 0; j < theta[i].length; j++) {
        out[i][j] = theta[i][j] + h * v[i][j];
      }
    }
    return out;
  }

}
