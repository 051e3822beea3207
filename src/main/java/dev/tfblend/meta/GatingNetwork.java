package dev.tfblend.meta;

import com.google.common.base.Preconditions;
import dev.tfblend.BadInputException;
import dev.tfblend.model.Activation;
import dev.tfblend.model.InitScheme;
import dev.tfblend.model.Mlp;
import dev.tfblend.model.ParameterSet;
import dev.tfblend.optim.AlphaSource;
import dev.tfblend.optim.BlendContext;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * The gating network: a small MLP from the step's {@link GateFeatures} to the blend weight,
 *
 * <pre>
 *   alphaLogit = MLP(features)          (layers [n, hidden..., 1], no activation on the last)
 *   alpha      = sigmoid(alphaLogit)    in (0, 1)
 * </pre>
 *
 * with one hidden layer of {@value #DEFAULT_HIDDEN} by default, as in the reference. It owns its
 * own {@link ParameterSet} ({@code <scope>/w1, b1, w2, b2}), which only the meta step updates,
 * and implements {@link AlphaSource}, so {@code DynamicBlendedOptimizer} asks it for each step's
 * {@code alpha}. A gate with frozen (loaded) weights is the same class without a meta step.
 *
 * <p>Immutable once built; {@link #alpha(Ops, BlendContext)} may be called more than once (each
 * call adds its own ops reading the same parameters).
 *
 * @param <T> the floating type
 */
public final class GatingNetwork<T extends TFloating> implements AlphaSource<T> {
  /** Default hidden width. */
  public static final int DEFAULT_HIDDEN = 32;

  private final GateFeatures<T> features;
  private final Mlp mlp;
  private final ParameterSet<T> params;

  private GatingNetwork(GateFeatures<T> features, Mlp mlp, ParameterSet<T> params) {
    this.features = features;
    this.mlp = mlp;
    this.params = params;
  }

  /**
   * Creates the gate's parameters under {@code scope} (callers pass
   * {@code tf.withSubScope("gate")}), initialised as suits {@code activation}
   * ({@link InitScheme#forActivation}).
   *
   * @param inputSize the features' length ({@link GateFeatures#size})
   * @param hidden hidden widths (for example {@code [32]})
   * @param activation the hidden layers' activation
   */
  public static <T extends TFloating> GatingNetwork<T> create(Ops scope, Class<T> type,
      GateFeatures<T> features, int inputSize, List<Integer> hidden, Activation activation) {
    return create(scope, type, features, inputSize, hidden, activation, InitScheme.forActivation(activation));
  }

  /**
   * Creates the gate's parameters under {@code scope}, initialised per {@code init} (the
   * training graphs pass the model's own scheme, so model and gate start under one rule; with
   * {@code torch-default} the output bias is random and {@code alpha} does not start at exactly
   * 0.5).
   *
   * @param inputSize the features' length ({@link GateFeatures#size})
   * @param hidden hidden widths (for example {@code [32]})
   * @param activation the hidden layers' activation
   * @param init how the gate's weights and biases are drawn
   */
  public static <T extends TFloating> GatingNetwork<T> create(Ops scope, Class<T> type,
      GateFeatures<T> features, int inputSize, List<Integer> hidden, Activation activation,
      InitScheme init) {
    return create(scope, type, features, inputSize, hidden, activation, init, 1);
  }

  /**
   * A gate with {@code outputs} output units: 1 gives one alpha per step (a scalar), {@code n > 1}
   * one alpha per parameter tensor (a vector {@code [n]}, in the model's parameter order; see
   * {@link GateOutput#PER_TENSOR}).
   */
  public static <T extends TFloating> GatingNetwork<T> create(Ops scope, Class<T> type,
      GateFeatures<T> features, int inputSize, List<Integer> hidden, Activation activation,
      InitScheme init, int outputs) {
    Preconditions.checkArgument(outputs > 0, "a gate needs an output, got %s", outputs);
    Preconditions.checkArgument(inputSize > 0, "gate input size must be positive, got %s", inputSize);
    for (int h : hidden) {
      if (h <= 0) {
        throw BadInputException.of("gate_hidden must be positive, got %s", hidden);
      }
    }
    List<Integer> sizes = new ArrayList<>();
    sizes.add(inputSize);
    sizes.addAll(hidden);
    sizes.add(outputs);
    Mlp mlp = new Mlp(sizes, activation, init);
    return new GatingNetwork<>(features, mlp, mlp.parameters(scope, type));
  }

  /** The features it reads. */
  public GateFeatures<T> features() {
    return features;
  }

  /** The gate's MLP ({@code [inputSize, hidden..., 1]}). */
  public Mlp mlp() {
    return mlp;
  }

  /** Length of the feature vector it takes. */
  public int inputSize() {
    return mlp.inputSize();
  }

  /** The gate's own parameters: {@code w1, b1, ..., wL, bL}. */
  public ParameterSet<T> parameters() {
    return params;
  }

  /** {@code alphaLogit} (a scalar) for a feature row {@code [1, inputSize]}. */
  public Operand<T> alphaLogit(Ops tf, Operand<T> featureRow) {
    Operand<T> logits = mlp.logits(tf, params, featureRow);
    return tf.withName("alpha_logit").reshape(logits, tf.constant(Shape.scalar().asArray()));
  }

  /** {@code alpha = sigmoid(alphaLogit)} for a feature row {@code [1, inputSize]}. */
  public Operand<T> alpha(Ops tf, Operand<T> featureRow) {
    return tf.withName("alpha").math.sigmoid(alphaLogit(tf, featureRow));
  }

  /**
   * {@code alpha} for a batch of feature rows {@code [B, inputSize]}, as {@code [B, 1]}: the
   * inference form (an exported gate's {@code features -> alpha} signature).
   */
  public Operand<T> alphaBatch(Ops tf, Operand<T> features) {
    return tf.withName("alpha").math.sigmoid(mlp.logits(tf, params, features));
  }

  /**
   * The step's {@code alpha}: builds the features from {@code step} and runs the MLP on them; a
   * scalar, or with several outputs one alpha per variable ({@code [n]}).
   */
  @Override
  public Operand<T> alpha(Ops tf, BlendContext<T> step) {
    Operand<T> row = features.build(tf, step);
    long n = row.shape().numDimensions() == 2 ? row.shape().size(1) : Shape.UNKNOWN_SIZE;
    // whether a gate fits a model is GateWeights.checkFitsModel's question, asked before building
    Preconditions.checkState(n == Shape.UNKNOWN_SIZE || n == inputSize(),
        "the gate takes %s %s features, the step gives %s", inputSize(), features.mode().configName(), n);
    // gradients may come without static shapes: fix the row's shape for the MLP
    Operand<T> fixed = tf.withName("gate_input").reshape(row, tf.constant(new long[] {1, inputSize()}));
    if (outputs() == 1) {
      return alpha(tf, fixed);
    }
    Preconditions.checkState(outputs() == step.size(), "the gate has %s outputs for %s parameter tensors",
        outputs(), step.size());
    return tf.withName("alpha").math.sigmoid(
        tf.reshape(mlp.logits(tf, params, fixed), tf.constant(new long[] {outputs()})));
  }

  /** Number of output units: 1 (one alpha per step) or one per parameter tensor. */
  public int outputs() {
    return mlp.numClasses();
  }

  /** A copy of the gate's weights and what they mean (a one-output gate only). */
  public GateWeights weights(Session session) {
    return new GateWeights(features.mode(), mlp.layerSizes(), mlp.activation(), params.read(session));
  }

  /**
   * Assigns {@code w} to the gate (one session run).
   *
   * @throws BadInputException when {@code w} was trained for other features, another layout or
   *     another input size
   */
  public void load(Session session, GateWeights w) {
    w.checkFits(features.mode(), mlp);
    params.assign(session, w.values());
  }
}
