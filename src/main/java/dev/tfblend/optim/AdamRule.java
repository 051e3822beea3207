package dev.tfblend.optim;

import com.google.common.base.Preconditions;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * Adam (Kingma and Ba 2015, Algorithm 1) as plain ops, with bias correction on an explicit step
 * counter:
 *
 * <pre>
 *   m_t   = beta1 * m_{t-1} + (1 - beta1) * g
 *   v_t   = beta2 * v_{t-1} + (1 - beta2) * g^2
 *   mhat  = m_t / (1 - beta1^t)
 *   vhat  = v_t / (1 - beta2^t)
 *   increment = -lr * mhat / (sqrt(vhat) + eps)
 * </pre>
 *
 * <p><b>Where epsilon goes.</b> This is Algorithm 1 of the paper, with {@code eps} added to
 * {@code sqrt(vhat)}: the form of PyTorch's {@code torch.optim.Adam} and Optax's
 * {@code scale_by_adam}. TF-Java's {@code Adam}/{@code ApplyAdam} use the paper's "epsilon hat"
 * form {@code lr_t * m_t / (sqrt(v_t) + eps_hat)} with {@code lr_t = lr*sqrt(1-beta2^t)/(1-beta1^t)},
 * which differs whenever {@code eps} is not negligible next to {@code sqrt(v)}. The framework's
 * {@code Adam} is not used: its {@code finish()} updates the beta powers with no control
 * dependency on the {@code ApplyAdam} ops, so the bias correction races with the update.
 *
 * <p>Slots: {@code m}, {@code v}. Hyperparameters and defaults: {@link #HYPERPARAMETERS}.
 */
public final class AdamRule<T extends TFloating> implements ElementwiseRule<T> {
  /** Slot names, in order. */
  public static final List<String> SLOTS = List.of("m", "v");
  /** Default {@code beta1}. */
  public static final double DEFAULT_BETA1 = 0.9;
  /** Default {@code beta2}. */
  public static final double DEFAULT_BETA2 = 0.999;
  /** Default {@code eps}. */
  public static final double DEFAULT_EPS = 1e-8;
  /**
   * Adam's hyperparameters ({@code adam} in messages): {@code lr} (1e-2, the MNIST-1D reference
   * protocol's rate), {@code beta1}, {@code beta2}, {@code eps}.
   */
  public static final HyperparameterTable HYPERPARAMETERS = HyperparameterTable.of("adam", List.of(
      Hyperparameter.of("lr", 1e-2, Domain.POSITIVE, "learning rate"),
      Hyperparameter.of("beta1", DEFAULT_BETA1, Domain.UNIT, "decay of the first moment m"),
      Hyperparameter.of("beta2", DEFAULT_BETA2, Domain.UNIT, "decay of the second moment v"),
      Hyperparameter.of("eps", DEFAULT_EPS, Domain.POSITIVE, "added to sqrt(vhat)")));

  private final Operand<T> learningRate;
  private final Operand<T> beta1;
  private final Operand<T> beta2;
  private final Operand<T> epsilon;

  private AdamRule(Operand<T> learningRate, Operand<T> beta1, Operand<T> beta2, Operand<T> epsilon) {
    this.learningRate = Preconditions.checkNotNull(learningRate, "learningRate");
    this.beta1 = Preconditions.checkNotNull(beta1, "beta1");
    this.beta2 = Preconditions.checkNotNull(beta2, "beta2");
    this.epsilon = Preconditions.checkNotNull(epsilon, "epsilon");
  }

  /** Adam with hyperparameters given as scalar operands of the variables' type. */
  public static <T extends TFloating> AdamRule<T> of(
      Operand<T> learningRate, Operand<T> beta1, Operand<T> beta2, Operand<T> epsilon) {
    return new AdamRule<>(learningRate, beta1, beta2, epsilon);
  }

  @Override
  public List<String> slotNames() {
    return SLOTS;
  }

  /** Per-step scalars shared by all variables of one step: built once per step operand. */
  private record StepScalars<T extends TFloating>(
      Operand<T> oneMinusBeta1, Operand<T> oneMinusBeta2, Operand<T> biasCorrection1,
      Operand<T> biasCorrection2, Operand<T> negLearningRate) {}

  private final Map<Operand<T>, StepScalars<T>> perStep = new IdentityHashMap<>();

  private synchronized StepScalars<T> scalars(Ops tf, Operand<T> step) {
    return perStep.computeIfAbsent(step, t -> {
      Ops a = tf.withSubScope("adam_scalars");
      Operand<T> one = a.dtypes.cast(a.constant(1.0f), learningRate.type());
      return new StepScalars<>(
          a.math.sub(one, beta1),
          a.math.sub(one, beta2),
          a.withName("bias_correction1").math.sub(one, a.math.pow(beta1, t)),
          a.withName("bias_correction2").math.sub(one, a.math.pow(beta2, t)),
          a.math.neg(learningRate));
    });
  }

  @Override
  public Update<T> update(
      Ops tf, Operand<T> grad, Operand<T> param, List<Operand<T>> slots, Operand<T> step) {
    Preconditions.checkArgument(slots.size() == 2, "Adam needs slots [m, v], got %s", slots.size());
    // The step-only scalars (1 - beta^t, -lr) are built once per step operand and shared by all
    // variables: fewer ops per train step, same values.
    StepScalars<T> k = scalars(tf, step);
    Ops a = tf.withSubScope("adam");
    Operand<T> m = a.withName("m_next").math.add(
        a.math.mul(beta1, slots.get(0)), a.math.mul(k.oneMinusBeta1(), grad));
    Operand<T> v = a.withName("v_next").math.add(
        a.math.mul(beta2, slots.get(1)), a.math.mul(k.oneMinusBeta2(), a.math.square(grad)));
    Operand<T> mhat = a.withName("m_hat").math.div(m, k.biasCorrection1());
    Operand<T> vhat = a.withName("v_hat").math.div(v, k.biasCorrection2());
    Operand<T> direction = a.math.div(mhat, a.math.add(a.math.sqrt(vhat), epsilon));
    Operand<T> increment = a.withName("increment").math.mul(k.negLearningRate(), direction);
    return new Update<>(increment, List.of(m, v));
  }
}
