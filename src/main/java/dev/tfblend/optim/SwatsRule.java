package dev.tfblend.optim;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TFloating;

/**
 * The {@code swats} control: SWATS (Keskar and Socher 2017, "Improving generalization performance
 * by switching from Adam to SGD", Algorithm 1): Adam, then a one-way switch, for all parameters at
 * once, to SGD with momentum at a learning rate estimated from Adam's own steps.
 *
 * <p>Adam phase, step {@code k}, with {@code p_k} Adam's increment ({@link AdamRule}) and
 * {@code g_k} the gradient, both over all parameters:
 *
 * <pre>
 *   if p_k . g_k != 0:
 *     gamma_k  = (p_k . p_k) / (-p_k . g_k)          (the SGD rate whose step projects onto p_k)
 *     lambda_k = beta2 lambda_{k-1} + (1 - beta2) gamma_k
 *     if k &gt; 1 and |lambda_k / (1 - beta2^k) - gamma_k| &lt; switch_eps:
 *       switch to SGD from step k + 1 with rate Lambda = lambda_k / (1 - beta2^k)
 * </pre>
 *
 * SGD phase: {@code v_k = beta1 v_{k-1} + g_k}, {@code increment = -(1 - beta1) Lambda v_k}, with
 * {@code v} starting at zero at the switch. The switch is never undone; the step at which the
 * criterion held is kept in the shared slot {@code switch_step} (0 while in the Adam phase).
 *
 * <p>Slots per variable: {@code m}, {@code v} (Adam's; they keep advancing after the switch and
 * are then unused) and {@code sgd_momentum}. Shared slots ({@link SharedStateRule}):
 * {@link #SHARED}. Hyperparameters: {@link #HYPERPARAMETERS}; the paper's {@code switch_eps} is
 * 1e-9, which float32 arithmetic meets only when {@code gamma} is nearly constant, so it is a tuned
 * value here.
 */
public final class SwatsRule<T extends TFloating> implements SharedStateRule<T> {
  /** Per-variable slots, in order. */
  public static final List<String> SLOTS = List.of("m", "v", "sgd_momentum");
  /**
   * Shared slots, in order: {@code sgd_phase} (0 Adam, 1 SGD), {@code lambda} (the running average
   * of {@code gamma}), {@code sgd_lr} ({@code Lambda}, set at the switch) and {@code switch_step}.
   */
  public static final List<String> SHARED = List.of("sgd_phase", "lambda", "sgd_lr", "switch_step");

  /** {@code swats}' hyperparameters: Adam's, then {@code switch_eps} (the paper's 1e-9). */
  public static final HyperparameterTable HYPERPARAMETERS = AdamRule.HYPERPARAMETERS.named("swats")
      .plus(List.of(Hyperparameter.of("switch_eps", 1e-9, Domain.POSITIVE,
          "switch when |lambda / (1 - beta2^k) - gamma| falls below it")));

  private final AdamRule<T> adam;
  private final Operand<T> beta1;
  private final Operand<T> beta2;
  private final Operand<T> switchEps;

  private SwatsRule(Hyperparameters<T> h) {
    this.adam = AdamRule.of(h.get("lr"), h.get("beta1"), h.get("beta2"), h.get("eps"));
    this.beta1 = h.get("beta1");
    this.beta2 = h.get("beta2");
    this.switchEps = h.get("switch_eps");
  }

  /** The rule reading {@link #HYPERPARAMETERS}' keys from {@code h}. */
  public static <T extends TFloating> SwatsRule<T> of(Hyperparameters<T> h) {
    return new SwatsRule<>(h);
  }

  /**
   * True: measured bit for bit against one step per run ({@code EpochLoopTest}), the loop applying
   * it parameter by parameter as a step does (its shared slots sum over every parameter).
   */
  @Override
  public boolean repeatsInLoop() {
    return true;
  }

  @Override
  public List<String> slotNames() {
    return SLOTS;
  }

  @Override
  public List<String> sharedSlotNames() {
    return SHARED;
  }

  private static <T extends TFloating> Operand<T> c(Ops tf, double v, Operand<T> like) {
    return tf.dtypes.cast(tf.constant(v), like.type());
  }

  private static <T extends TFloating> Operand<TBool> inSgd(Ops tf, Operand<T> phase) {
    return tf.math.greater(phase, c(tf, 0.5, phase));
  }

  @Override
  public Update<T> update(Ops tf, Operand<T> grad, Operand<T> param, List<Operand<T>> slots, Operand<T> step,
      List<Operand<T>> shared) {
    Update<T> a = adam.update(tf, grad, param, slots.subList(0, 2), step);
    Ops s = tf.withSubScope("swats");
    Operand<TBool> sgd = inSgd(s, shared.get(0));
    Operand<T> buf = slots.get(2);
    Operand<T> bufNext = s.withName("sgd_momentum_next").select(sgd,
        s.math.add(s.math.mul(beta1, buf), grad), buf);
    Operand<T> sgdIncrement = s.math.mul(s.math.neg(s.math.mul(s.math.sub(c(s, 1.0, beta1), beta1), shared.get(2))),
        bufNext);
    Operand<T> increment = s.withName("increment").select(sgd, sgdIncrement, a.increment());
    return new Update<>(increment, List.of(a.nextSlots().get(0), a.nextSlots().get(1), bufNext));
  }

  @Override
  public List<Operand<T>> nextShared(Ops tf, List<Operand<T>> shared, List<Operand<T>> gradients,
      List<Operand<T>> increments, Operand<T> step) {
    Operand<T> phase = shared.get(0);
    Operand<T> lambda = shared.get(1);
    Operand<T> lr = shared.get(2);
    Operand<T> switchStep = shared.get(3);
    Operand<T> zero = c(tf, 0.0, phase);
    Operand<T> one = c(tf, 1.0, phase);
    // in the Adam phase the increment applied is Adam's p_k
    Operand<T> pg = zero;
    Operand<T> pp = zero;
    for (int i = 0; i < increments.size(); i++) {
      Operand<T> p = increments.get(i);
      pg = tf.math.add(pg, tf.reduceSum(tf.math.mul(p, gradients.get(i)), tf.constant(allAxes(p))));
      pp = tf.math.add(pp, tf.reduceSum(tf.math.square(p), tf.constant(allAxes(p))));
    }
    Operand<TBool> sgd = inSgd(tf, phase);
    Operand<TBool> projects = tf.math.notEqual(pg, zero);
    Operand<T> safePg = tf.select(projects, pg, one);
    Operand<T> gamma = tf.withName("gamma").select(projects, tf.math.div(pp, tf.math.neg(safePg)), zero);
    Operand<T> lambdaNext = tf.select(projects,
        tf.math.add(tf.math.mul(beta2, lambda), tf.math.mul(tf.math.sub(one, beta2), gamma)), lambda);
    Operand<T> corrected = tf.withName("lambda_corrected").math.div(lambdaNext,
        tf.math.sub(one, tf.math.pow(beta2, step)));
    Operand<TBool> criterion = tf.math.logicalAnd(tf.math.logicalAnd(projects, tf.math.greater(step, one)),
        tf.math.less(tf.math.abs(tf.math.sub(corrected, gamma)), switchEps));
    Operand<TBool> switches = tf.withName("switches").math.logicalAnd(tf.math.logicalNot(sgd), criterion);
    return List.of(
        tf.withName("sgd_phase").select(tf.math.logicalOr(sgd, switches), one, zero),
        tf.withName("lambda").select(sgd, lambda, lambdaNext),
        tf.withName("sgd_lr").select(switches, corrected, lr),
        tf.withName("switch_step").select(switches, step, switchStep));
  }

  private static int[] allAxes(Operand<?> x) {
    int rank = x.shape().numDimensions();
    int[] axes = new int[rank];
    for (int i = 0; i < rank; i++) {
      axes[i] = i;
    }
    return axes;
  }
}
