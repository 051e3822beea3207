package dev.tfblend.model;

import com.google.common.base.Preconditions;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TFloating;

/**
 * A fully connected classifier {@code x -> logits}: for layer sizes {@code [n0, n1, ..., nL]},
 * {@code h0 = x}, {@code h_k = act(h_{k-1} W_k + b_k)} for hidden layers and
 * {@code logits = h_{L-1} W_L + b_L} (no activation on the output layer).
 *
 * <p>The default, {@code 40-100-100-10} with ReLU (15,210 parameters), is the MLP of the
 * MNIST-1D paper (Greydanus 2020). Parameters are {@code w1, b1, ..., wL, bL} with kernels
 * {@code [n_{k-1}, n_k]} and biases {@code [n_k]}, initialised per {@code init} (see
 * {@link InitScheme}; built without one, the activation's {@link InitScheme#forActivation}).
 *
 * <p>Biases are added with {@code Add} rather than {@code BiasAdd}: {@code BiasAddGrad} has no
 * registered gradient in TF-Java 1.1.0, and {@code Add} keeps second-order gradients possible.
 *
 * @param layerSizes input width, hidden widths, number of classes (at least two entries)
 * @param activation hidden-layer nonlinearity
 * @param init how the parameters are initialised
 */
public record Mlp(List<Integer> layerSizes, Activation activation, InitScheme init) {

  public Mlp {
    layerSizes = List.copyOf(layerSizes);
    Preconditions.checkArgument(layerSizes.size() >= 2,
        "an MLP needs at least input and output sizes, got %s", layerSizes);
    for (int n : layerSizes) {
      Preconditions.checkArgument(n > 0, "layer sizes must be positive, got %s", layerSizes);
    }
    Preconditions.checkNotNull(activation, "activation");
    Preconditions.checkNotNull(init, "init");
  }

  /** An MLP initialised as suits {@code activation} ({@link InitScheme#forActivation}). */
  public Mlp(List<Integer> layerSizes, Activation activation) {
    this(layerSizes, activation, InitScheme.forActivation(activation));
  }

  /** The MNIST-1D MLP: 40-100-100-10, ReLU. */
  public static Mlp defaults() {
    return new Mlp(List.of(40, 100, 100, 10), Activation.RELU);
  }

  /** This MLP with another activation, initialised as suits it ({@link InitScheme#forActivation}). */
  public Mlp withActivation(Activation a) {
    return new Mlp(layerSizes, a);
  }

  /** This MLP with another initialisation. */
  public Mlp withInit(InitScheme scheme) {
    return new Mlp(layerSizes, activation, scheme);
  }

  /** Input width. */
  public int inputSize() {
    return layerSizes.get(0);
  }

  /** Number of classes (output width). */
  public int numClasses() {
    return layerSizes.get(layerSizes.size() - 1);
  }

  /** Number of weight layers. */
  public int numLayers() {
    return layerSizes.size() - 1;
  }

  /** Total number of scalar parameters. */
  public long numParameters() {
    long n = 0;
    for (int k = 1; k < layerSizes.size(); k++) {
      n += (long) layerSizes.get(k - 1) * layerSizes.get(k) + layerSizes.get(k);
    }
    return n;
  }

  /**
   * Creates this MLP's parameters under {@code tf}'s current scope (callers use
   * {@code tf.withSubScope("model")}): {@code w1, b1, ..., wL, bL}.
   */
  public <T extends TFloating> ParameterSet<T> parameters(Ops tf, Class<T> type) {
    ParameterSet.Builder<T> b = ParameterSet.builder(tf, type);
    for (int k = 1; k <= numLayers(); k++) {
      long in = layerSizes.get(k - 1);
      long out = layerSizes.get(k);
      b.add("w" + k, new long[] {in, out}, init.kernel(in, out));
      b.add("b" + k, new long[] {out}, init.bias(in));
    }
    return b.build();
  }

  /** Logits for a batch {@code x [B, inputSize]} with the current parameter values. */
  public <T extends TFloating> Operand<T> logits(Ops tf, ParameterSet<T> params, Operand<T> x) {
    return logits(tf, params.values(), x);
  }

  /**
   * Logits for {@code x [B, inputSize]} with explicit parameter operands {@code [w1, b1, ...]}
   * (for example look-ahead values {@code theta + delta} that are never assigned).
   */
  public <T extends TFloating> Operand<T> logits(Ops tf, List<Operand<T>> params, Operand<T> x) {
    Preconditions.checkArgument(params.size() == 2 * numLayers(),
        "MLP %s needs %s parameter operands, got %s", layerSizes, 2 * numLayers(), params.size());
    Operand<T> h = x;
    for (int k = 0; k < numLayers(); k++) {
      Ops layer = tf.withSubScope("dense" + (k + 1));
      Operand<T> z = layer.withName("z").math.add(
          layer.linalg.matMul(h, params.get(2 * k)), params.get(2 * k + 1));
      h = k < numLayers() - 1 ? activation.apply(layer, z) : z;
    }
    return h;
  }

  /**
   * Mean softmax cross-entropy with fused {@code SoftmaxCrossEntropyWithLogits}: fast, float32
   * only (its gradient cannot be built in float64 in TF-Java 1.1.0).
   *
   * @param oneHot labels as one-hot rows {@code [B, C]}
   */
  public static Operand<TFloat32> crossEntropy(
      Ops tf, Operand<TFloat32> logits, Operand<TFloat32> oneHot) {
    Operand<TFloat32> perExample = tf.nn.softmaxCrossEntropyWithLogits(logits, oneHot).loss();
    return tf.math.mean(perExample, tf.constant(0));
  }

  /**
   * Mean cross-entropy written as {@code -mean_b(sum_c y_bc * logSoftmax(logits)_bc)}: the same
   * value as {@link #crossEntropy}, differentiable in float64 (used for gradient checks).
   */
  public static <T extends TFloating> Operand<T> crossEntropyLogSoftmax(
      Ops tf, Operand<T> logits, Operand<T> oneHot) {
    Operand<T> perExample =
        tf.math.neg(tf.reduceSum(tf.math.mul(oneHot, tf.nn.logSoftmax(logits)), tf.constant(1)));
    return tf.math.mean(perExample, tf.constant(0));
  }

  /** One-hot rows {@code [B, numClasses]} of type {@code type} for integer labels {@code [B]}. */
  public static <T extends TFloating> Operand<T> oneHot(
      Ops tf, Operand<TInt32> labels, int numClasses, Class<T> type) {
    return tf.oneHot(labels, tf.constant(numClasses),
        tf.dtypes.cast(tf.constant(1.0f), type), tf.dtypes.cast(tf.constant(0.0f), type));
  }

  /** Fraction of rows whose arg-max logit equals the label, as a float32 scalar. */
  public static Operand<TFloat32> accuracy(
      Ops tf, Operand<? extends TFloating> logits, Operand<TInt32> labels) {
    Operand<TInt64> predicted = tf.math.argMax(logits, tf.constant(1));
    Operand<TFloat32> hit =
        tf.dtypes.cast(tf.math.equal(predicted, tf.dtypes.cast(labels, TInt64.class)), TFloat32.class);
    return tf.math.mean(hit, tf.constant(0));
  }
}
