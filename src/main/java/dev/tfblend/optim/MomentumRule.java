package dev.tfblend.optim;

import com.google.common.base.Preconditions;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * SGD with momentum, PyTorch semantics ({@code torch.optim.SGD}, dampening 0), as plain ops:
 *
 * <pre>
 *   g'   = g + wd * theta                (weight decay, L2 through the gradient)
 *   buf  = mu * buf + g'
 *   d    = g' + mu * buf   (nesterov)   or   d = buf   (plain)
 *   increment = -lr * d
 * </pre>
 *
 * <p>The momentum buffer starts at zero, so the first step's buffer is {@code g'}, as in PyTorch.
 * With {@code mu = 0} and {@code wd = 0} this is plain gradient descent. Nesterov is a structural
 * choice (it changes the graph); the numbers are operands.
 *
 * <p>Slot: {@code momentum}. Hyperparameters and defaults: {@link #HYPERPARAMETERS}.
 */
public final class MomentumRule<T extends TFloating> implements ElementwiseRule<T> {
  /** Slot names, in order. */
  public static final List<String> SLOTS = List.of("momentum");
  /**
   * Momentum SGD's hyperparameters ({@code sgd} in messages): {@code lr} (0.05), {@code momentum}
   * (0.9), {@code weight_decay} (0) and the structural {@code nesterov} (0 or 1).
   */
  public static final HyperparameterTable HYPERPARAMETERS = HyperparameterTable.of("sgd", List.of(
      Hyperparameter.of("lr", 0.05, Domain.POSITIVE, "learning rate"),
      Hyperparameter.of("momentum", 0.9, Domain.UNIT, "mu, the decay of the momentum buffer"),
      Hyperparameter.of("weight_decay", 0.0, Domain.NON_NEGATIVE, "L2 coefficient added to the gradient"),
      Hyperparameter.structural("nesterov", 0.0, Domain.FLAG, "1 for Nesterov momentum")));

  private final Operand<T> learningRate;
  private final Operand<T> momentum;
  private final Operand<T> weightDecay;
  private final boolean nesterov;

  private MomentumRule(Operand<T> learningRate, Operand<T> momentum, Operand<T> weightDecay, boolean nesterov) {
    this.learningRate = Preconditions.checkNotNull(learningRate, "learningRate");
    this.momentum = Preconditions.checkNotNull(momentum, "momentum");
    this.weightDecay = weightDecay;
    this.nesterov = nesterov;
  }

  /**
   * Momentum SGD with scalar operands of the variables' type.
   *
   * @param weightDecay may be {@code null} for none (no ops are added for it)
   */
  public static <T extends TFloating> MomentumRule<T> of(
      Operand<T> learningRate, Operand<T> momentum, Operand<T> weightDecay, boolean nesterov) {
    return new MomentumRule<>(learningRate, momentum, weightDecay, nesterov);
  }

  @Override
  public List<String> slotNames() {
    return SLOTS;
  }

  @Override
  public Update<T> update(
      Ops tf, Operand<T> grad, Operand<T> param, List<Operand<T>> slots, Operand<T> step) {
    Preconditions.checkArgument(slots.size() == 1, "momentum SGD needs slots [momentum], got %s", slots.size());
    Ops s = tf.withSubScope("momentum");
    Operand<T> g = weightDecay == null ? grad : s.withName("decayed_grad").math.add(grad, s.math.mul(weightDecay, param));
    Operand<T> buf = s.withName("buf_next").math.add(s.math.mul(momentum, slots.get(0)), g);
    Operand<T> direction = nesterov ? s.withName("nesterov").math.add(g, s.math.mul(momentum, buf)) : buf;
    Operand<T> increment = s.withName("increment").math.neg(s.math.mul(learningRate, direction));
    return new Update<>(increment, List.of(buf));
  }
}
