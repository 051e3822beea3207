package dev.tfblend.optim;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * The {@code adam-cosine} control: {@link AdamRule} with its learning rate decayed to zero by a
 * cosine over the run (PyTorch's {@code CosineAnnealingLR} with {@code T_max = total_steps} and
 * {@code eta_min = 0}, stepped once per update):
 *
 * <pre>
 *   lr_t = lr * (1 + cos(pi (t - 1) / total_steps)) / 2      (t the 1-based update)
 * </pre>
 *
 * <p>The first update uses {@code lr}; the rate would reach 0 at update {@code total_steps + 1}
 * and stays 0 after. It is the step-size explanation of what a one-step gate learns: a gate that
 * shrinks the step over time competes with this schedule. Slots: Adam's ({@code m}, {@code v}).
 * Hyperparameters: {@link #HYPERPARAMETERS} ({@code total_steps} 0 means unknown; {@code train}
 * and {@code tune} set the run's length).
 */
public final class AdamCosineRule<T extends TFloating> implements ElementwiseRule<T> {
  /** {@code adam-cosine}'s hyperparameters: Adam's, then {@code total_steps}. */
  public static final HyperparameterTable HYPERPARAMETERS = AdamRule.HYPERPARAMETERS.named("adam-cosine")
      .plus(List.of(Hyperparameter.of("total_steps", 0.0, Domain.NON_NEGATIVE,
          "updates the decay spans (0: unknown; train and tune set the run's length)")));

  private final Operand<T> lr;
  private final Operand<T> beta1;
  private final Operand<T> beta2;
  private final Operand<T> eps;
  private final Operand<T> totalSteps;
  private final Map<Operand<T>, AdamRule<T>> perStep = new IdentityHashMap<>();

  private AdamCosineRule(Hyperparameters<T> h) {
    this.lr = h.get("lr");
    this.beta1 = h.get("beta1");
    this.beta2 = h.get("beta2");
    this.eps = h.get("eps");
    this.totalSteps = h.get("total_steps");
  }

  /** The rule reading {@link #HYPERPARAMETERS}' keys from {@code h}. */
  public static <T extends TFloating> AdamCosineRule<T> of(Hyperparameters<T> h) {
    return new AdamCosineRule<>(h);
  }

  @Override
  public List<String> slotNames() {
    return AdamRule.SLOTS;
  }

  /** {@code lr_t} of the 1-based step {@code step}. */
  public Operand<T> learningRate(Ops tf, Operand<T> step) {
    Ops s = tf.withSubScope("cosine");
    return s.withName("lr_t").math.mul(lr, Schedule.cosineDecay(s, Schedule.annealing(s, step, totalSteps)));
  }

  /** Adam at this step's rate, built once per step operand (so its shared scalars are too). */
  private synchronized AdamRule<T> adamAt(Ops tf, Operand<T> step) {
    return perStep.computeIfAbsent(step, t -> AdamRule.of(learningRate(tf, t), beta1, beta2, eps));
  }

  @Override
  public Update<T> update(Ops tf, Operand<T> grad, Operand<T> param, List<Operand<T>> slots, Operand<T> step) {
    return adamAt(tf, step).update(tf, grad, param, slots, step);
  }
}
