package dev.tfblend.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.meta.GateFeatures;
import dev.tfblend.model.Activation;
import dev.tfblend.model.Init;
import dev.tfblend.model.InitScheme;
import dev.tfblend.model.ParameterSet;
import dev.tfblend.train.BlendedStep;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Example (run by the test suite): the meta-learned blend of Adam and SGD-momentum training a
 * model written directly in TF-Java, not the built-in MLP.
 *
 * <p>The model is a one-hidden-layer regression network {@code y = tanh(x W1 + b1) W2 + b2}
 * fitted to {@code sin(3x)} by mean squared error. {@link BlendedStep#build} wires the {@code
 * DynamicBlendedOptimizer} (Adam and SGD-momentum blended by {@code alpha}), the gate that
 * computes {@code alpha} from the gradients, and the {@code MetaStep} that trains the gate on
 * the validation loss at the look-ahead parameters. What the user supplies: the parameters (a
 * {@link ParameterSet}), the training loss and its gradients, and a function that builds the
 * validation loss at given parameter values.
 */
class OwnModelBlendExampleTest {
  private static final int HIDDEN = 16;

  /** The user's model: {@code tanh(x W1 + b1) W2 + b2}, parameters in the order W1, b1, W2, b2. */
  static Operand<TFloat32> predict(Ops tf, List<Operand<TFloat32>> p, Operand<TFloat32> x) {
    Operand<TFloat32> h = tf.math.tanh(tf.math.add(tf.linalg.matMul(x, p.get(0)), p.get(1)));
    return tf.math.add(tf.linalg.matMul(h, p.get(2)), p.get(3));
  }

  /** Mean squared error of the model at parameters {@code p} on {@code (x, y)}. */
  static Operand<TFloat32> mse(Ops tf, List<Operand<TFloat32>> p, Operand<TFloat32> x, Operand<TFloat32> y) {
    Operand<TFloat32> d = tf.math.sub(predict(tf, p, x), y);
    return tf.math.mean(tf.math.square(d), tf.constant(new int[] {0, 1}));
  }

  /** {@code n} points {@code (x, sin(3x))} with x uniform in [-1, 1]. */
  static float[][][] sine(int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[][] x = new float[n][1];
    float[][] y = new float[n][1];
    for (int i = 0; i < n; i++) {
      x[i][0] = (float) rng.nextDouble(-1, 1);
      y[i][0] = (float) Math.sin(3 * x[i][0]);
    }
    return new float[][][] {x, y};
  }

  @Test
  void theBlendTrainsAUserWrittenModelAndItsGate() {
    float[][][] train = sine(256, 1);
    float[][][] validation = sine(128, 2);
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      ParameterSet<TFloat32> params = ParameterSet.builder(tf.withSubScope("model"), TFloat32.class)
          .add("w1", new long[] {1, HIDDEN}, Init.glorotUniform())
          .add("b1", new long[] {HIDDEN}, Init.zeros())
          .add("w2", new long[] {HIDDEN, 1}, Init.glorotUniform())
          .add("b2", new long[] {1}, Init.zeros())
          .build();
      Operand<TFloat32> xTrain = tf.constant(StdArrays.ndCopyOf(train[0]));
      Operand<TFloat32> yTrain = tf.constant(StdArrays.ndCopyOf(train[1]));
      Operand<TFloat32> xVal = tf.constant(StdArrays.ndCopyOf(validation[0]));
      Operand<TFloat32> yVal = tf.constant(StdArrays.ndCopyOf(validation[1]));
      Operand<TFloat32> loss = mse(tf.withSubScope("train"), params.values(), xTrain, yTrain);
      Operand<TFloat32> valLoss = mse(tf.withSubScope("eval"), params.values(), xVal, yVal);

      // the blend: gate (reads the flattened gradients), optimizer and meta step, as one train op
      BlendedStep<TFloat32> step = BlendedStep.build(tf.withSubScope("blended"), TFloat32.class, params, loss,
          params.gradients(g, loss),
          new BlendedStep.Gate(GateFeatures.Mode.FLAT_GRADIENTS, List.of(8), Activation.TANH,
              InitScheme.forActivation(Activation.TANH)),
          (meta, theta) -> mse(meta, theta, xVal, yVal), List.of());

      step.hyperparameters().set(s, Map.of("adam_lr", 0.01, "sgd_lr", 0.05, "meta_lr", 0.001));
      params.initialize(s, 42);
      step.reset(s, null, 43);
      double[][] gateBefore = step.gate().parameters().read(s);

      double before = scalar(s, valLoss);
      double firstAlpha = Double.NaN;
      double lastAlpha = Double.NaN;
      for (int i = 0; i < 300; i++) {
        try (Result r = s.runner().addTarget(step.target()).fetch(step.alpha()).run()) {
          lastAlpha = ((TFloat32) r.get(0)).getFloat();
        }
        if (i == 0) {
          firstAlpha = lastAlpha;
        }
      }
      double after = scalar(s, valLoss);
      double[][] gateAfter = step.gate().parameters().read(s);

      assertTrue(after < 0.25 * before, "validation MSE " + before + " -> " + after);
      assertTrue(firstAlpha > 0 && firstAlpha < 1 && lastAlpha > 0 && lastAlpha < 1,
          "alpha is a weight in (0, 1): " + firstAlpha + ", " + lastAlpha);
      assertTrue(!java.util.Arrays.deepEquals(gateBefore, gateAfter), "the meta step trained the gate");
    }
  }

  private static double scalar(Session s, Operand<TFloat32> op) {
    try (Result r = s.runner().fetch(op).run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }
}
