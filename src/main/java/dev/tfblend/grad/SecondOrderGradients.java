package dev.tfblend.grad;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.op.RawCustomGradient;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/**
 * Gradients, written in Java, for the ops that first-order gradient graphs contain but that
 * TF-Java 1.1.0's native library cannot differentiate. With them registered, a gradient of a
 * gradient (a Hessian-vector product, an unrolled meta-gradient through {@link Unroll}) can be
 * built with {@code Graph.addGradients} for the MLP, its losses and plain-op optimizers.
 *
 * <p>Each gradient is written with plain differentiable ops, so gradients of any order follow.
 * With {@code g} the gradient arriving at the op's output:
 * <ul>
 *   <li>{@code ReluGrad(dy, x) = dy * [x > 0]}: {@code (ReluGrad(g, x), 0)};
 *   <li>{@code BiasAddGrad(dy)} (sum over all but the channel axis): {@code g} broadcast back to
 *       {@code dy}'s shape (channel axis last, or axis 1 for {@code data_format=NCHW});
 *   <li>{@code OnesLike(x)}: {@code 0};
 *   <li>{@code SigmoidGrad(y, dy) = dy y (1 - y)}: {@code (g dy (1 - 2y), g y (1 - y))};
 *   <li>{@code TanhGrad(y, dy) = dy (1 - y^2)}: {@code (-2 g dy y, g (1 - y^2))};
 *   <li>{@code SqrtGrad(y, dy) = dy / (2y)}: {@code (-g dy / (2y^2), g / (2y))};
 *   <li>{@code RsqrtGrad(y, dy) = -dy y^3 / 2}: {@code (-3 g dy y^2 / 2, -g y^3 / 2)};
 *   <li>{@code ReciprocalGrad(y, dy) = -dy y^2}: {@code (-2 g dy y, -g y^2)};
 *   <li>{@code SoftplusGrad(dy, x) = dy sigmoid(x)}: {@code (g sigmoid(x), g dy sigmoid(x)(1 - sigmoid(x)))}.
 * </ul>
 * These are the rules of TensorFlow's Python gradient registry ({@code math_grad.py},
 * {@code nn_grad.py}), which the native library used by TF-Java does not carry.
 *
 * <p>Facts the rest of the code relies on (TF-Java 1.1.0): a registered gradient must never
 * return {@code null} for an input (it returns {@code zerosLike}); a second-order
 * {@code addGradients} through a raw {@code VariableV2} crashed the JVM, so differentiate with
 * respect to {@code Identity} reads of variables ({@code ParameterSet.values()}); the fused
 * {@code SoftmaxCrossEntropyWithLogits} has no float64 gradient, so float64 checks use
 * {@code -sum(y * logSoftmax(logits))} ({@code Mlp.crossEntropyLogSoftmax}).
 *
 * <p>Registration is process-global and permanent (TF-Java offers no way to remove a gradient),
 * must happen before the {@code addGradients} call that needs it, and is done once through
 * {@link #register()}. Thread-safe.
 */
public final class SecondOrderGradients {
  private static final Map<String, RawCustomGradient> GRADIENTS = gradients();
  private static Set<String> registered;

  private SecondOrderGradients() {}

  /** The op types this class gives gradients for, in registration order. */
  public static Set<String> opTypes() {
    return GRADIENTS.keySet();
  }

  /**
   * Registers every gradient of {@link #opTypes()} the native library lacks; later calls do
   * nothing. Call before building a gradient of a gradient.
   *
   * @return the op types registered by this class (those that had no gradient at the first call)
   */
  public static synchronized Set<String> register() {
    if (registered == null) {
      LinkedHashSet<String> done = new LinkedHashSet<>();
      GRADIENTS.forEach((op, grad) -> {
        if (TensorFlow.registerCustomGradient(op, grad)) {
          done.add(op);
        }
      });
      registered = Collections.unmodifiableSet(done);
    }
    return registered;
  }

  private static Map<String, RawCustomGradient> gradients() {
    Map<String, RawCustomGradient> m = new LinkedHashMap<>();
    m.put("ReluGrad", SecondOrderGradients::reluGrad);
    m.put("BiasAddGrad", SecondOrderGradients::biasAddGrad);
    m.put("OnesLike", (tf, op, g) -> List.of(tf.zerosLike(op.input(0))));
    m.put("SigmoidGrad", binary(SecondOrderGradients::sigmoidGrad));
    m.put("TanhGrad", binary(SecondOrderGradients::tanhGrad));
    m.put("SqrtGrad", binary(SecondOrderGradients::sqrtGrad));
    m.put("RsqrtGrad", binary(SecondOrderGradients::rsqrtGrad));
    m.put("ReciprocalGrad", binary(SecondOrderGradients::reciprocalGrad));
    m.put("SoftplusGrad", binary(SecondOrderGradients::softplusGrad));
    return Collections.unmodifiableMap(m);
  }

  @SuppressWarnings("unchecked")
  private static <T extends TNumber> Operand<T> in(GraphOperation op, int i) {
    return (Operand<T>) op.input(i);
  }

  @SuppressWarnings("unchecked")
  private static <T extends TNumber> Operand<T> grad(List<Output<?>> g) {
    return (Operand<T>) g.get(0);
  }

  /** The gradients of a two-input op, from its inputs and the gradient of its output. */
  private interface BinaryGradient {
    List<Operand<?>> of(Ops tf, Operand<TNumber> in0, Operand<TNumber> in1, Operand<TNumber> g);
  }

  /** A custom gradient that hands {@code f} the op's two inputs and the incoming gradient. */
  private static RawCustomGradient binary(BinaryGradient f) {
    return (tf, op, gs) -> f.of(tf, in(op, 0), in(op, 1), grad(gs));
  }

  private static <T extends TNumber> Operand<T> c(Ops tf, double v, Operand<T> like) {
    return tf.dtypes.cast(tf.constant(v), like.type());
  }

  /** ReluGrad(dy, x): d/d dy = ReluGrad(g, x); x only selects, so d/dx = 0. */
  private static List<Operand<?>> reluGrad(Ops tf, GraphOperation op, List<Output<?>> gs) {
    Operand<TNumber> x = in(op, 1);
    Operand<TNumber> g = grad(gs);
    Operand<TNumber> mask = tf.dtypes.cast(tf.math.greater(x, tf.zerosLike(x)), x.type());
    return List.of(tf.math.mul(g, mask), tf.zerosLike(x));
  }

  /** BiasAddGrad(dy) sums dy over all axes but the channel one: broadcast g back. */
  private static List<Operand<?>> biasAddGrad(Ops tf, GraphOperation op, List<Output<?>> gs) {
    Operand<TNumber> dy = in(op, 0);
    Operand<TNumber> g = grad(gs);
    Operand<TInt32> shape = tf.shape(dy);
    Operand<TNumber> channels = g;
    if ("NCHW".equals(op.attributes().getAttrString("data_format"))) {
      // [C] -> [1, C, 1, ..., 1] so that broadcasting lines it up with axis 1
      Operand<TInt32> ones = tf.onesLike(shape);
      Operand<TInt32> rest = tf.slice(ones, tf.constant(new int[] {2}), tf.constant(new int[] {-1}));
      Operand<TInt32> target = tf.concat(List.of(tf.constant(new int[] {1, -1}), rest), tf.constant(0));
      channels = tf.reshape(g, target);
    }
    return List.of(tf.broadcastTo(channels, shape));
  }

  /** SigmoidGrad(y, dy) = dy y (1 - y). */
  private static List<Operand<?>> sigmoidGrad(
      Ops tf, Operand<TNumber> y, Operand<TNumber> dy, Operand<TNumber> g) {
    Operand<TNumber> one = c(tf, 1.0, y);
    Operand<TNumber> dY = tf.math.mul(tf.math.mul(g, dy), tf.math.sub(one, tf.math.mul(c(tf, 2.0, y), y)));
    Operand<TNumber> dDy = tf.math.mul(g, tf.math.mul(y, tf.math.sub(one, y)));
    return List.of(dY, dDy);
  }

  /** TanhGrad(y, dy) = dy (1 - y^2). */
  private static List<Operand<?>> tanhGrad(
      Ops tf, Operand<TNumber> y, Operand<TNumber> dy, Operand<TNumber> g) {
    Operand<TNumber> dY = tf.math.mul(c(tf, -2.0, y), tf.math.mul(tf.math.mul(g, dy), y));
    Operand<TNumber> dDy = tf.math.mul(g, tf.math.sub(c(tf, 1.0, y), tf.math.mul(y, y)));
    return List.of(dY, dDy);
  }

  /** SqrtGrad(y, dy) = dy / (2 y), y = sqrt(x). */
  private static List<Operand<?>> sqrtGrad(
      Ops tf, Operand<TNumber> y, Operand<TNumber> dy, Operand<TNumber> g) {
    Operand<TNumber> half = c(tf, 0.5, y);
    Operand<TNumber> dY = tf.math.neg(tf.math.div(tf.math.mul(half, tf.math.mul(g, dy)), tf.math.mul(y, y)));
    Operand<TNumber> dDy = tf.math.div(tf.math.mul(half, g), y);
    return List.of(dY, dDy);
  }

  /** RsqrtGrad(y, dy) = -dy y^3 / 2, y = 1 / sqrt(x). */
  private static List<Operand<?>> rsqrtGrad(
      Ops tf, Operand<TNumber> y, Operand<TNumber> dy, Operand<TNumber> g) {
    Operand<TNumber> y2 = tf.math.mul(y, y);
    Operand<TNumber> dY = tf.math.mul(c(tf, -1.5, y), tf.math.mul(tf.math.mul(g, dy), y2));
    Operand<TNumber> dDy = tf.math.mul(c(tf, -0.5, y), tf.math.mul(g, tf.math.mul(y2, y)));
    return List.of(dY, dDy);
  }

  /** ReciprocalGrad(y, dy) = -dy y^2, y = 1 / x. */
  private static List<Operand<?>> reciprocalGrad(
      Ops tf, Operand<TNumber> y, Operand<TNumber> dy, Operand<TNumber> g) {
    Operand<TNumber> dY = tf.math.mul(c(tf, -2.0, y), tf.math.mul(tf.math.mul(g, dy), y));
    Operand<TNumber> dDy = tf.math.neg(tf.math.mul(g, tf.math.mul(y, y)));
    return List.of(dY, dDy);
  }

  /** SoftplusGrad(dy, x) = dy sigmoid(x). */
  private static List<Operand<?>> softplusGrad(
      Ops tf, Operand<TNumber> dy, Operand<TNumber> x, Operand<TNumber> g) {
    Operand<TNumber> s = tf.math.sigmoid(x);
    Operand<TNumber> dDy = tf.math.mul(g, s);
    Operand<TNumber> dX = tf.math.mul(tf.math.mul(g, dy), tf.math.mul(s, tf.math.sub(c(tf, 1.0, x), s)));
    return List.of(dDy, dX);
  }
}
