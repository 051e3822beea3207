package dev.tfblend.optim;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * The {@code scheduled-blend} control: the Adam / momentum-SGD blend with a weight that follows a
 * fixed schedule of the step instead of a gate,
 *
 * <pre>
 *   p       = (t - 1) / (total_steps - 1), clipped to [0, 1]       (Schedule.endpoints)
 *   w       = p (linear) or (1 - cos(pi p)) / 2 (cosine)
 *   alpha_t = (1 - w) * alpha_start + w * alpha_end
 *   increment = alpha_t * adam_increment + (1 - alpha_t) * sgd_increment
 * </pre>
 *
 * <p>The first update uses exactly {@code alpha_start} and update {@code total_steps} (and any
 * later one) exactly {@code alpha_end}; Adam-to-SGD is {@code 1 -> 0}. {@code cosine} is a fed
 * value (0 linear, 1 cosine), so one built graph tunes both shapes. Slots: the blend's
 * ({@code a/m}, {@code a/v}, {@code b/momentum}). Hyperparameters: {@link #HYPERPARAMETERS};
 * {@code total_steps} 0 means unknown and makes the schedule end after one update ({@code train}
 * and {@code tune} set it to the run's length).
 */
public final class ScheduledBlendRule<T extends TFloating> implements UpdateRule<T> {
  /**
   * {@code scheduled-blend}'s hyperparameters: the blend's, then {@code alpha_start} (1),
   * {@code alpha_end} (0), {@code cosine} (0: linear) and {@code total_steps} (0: set by the run).
   */
  public static final HyperparameterTable HYPERPARAMETERS = DynamicBlendedOptimizer.HYPERPARAMETERS
      .named("scheduled-blend")
      .plus(List.of(
          Hyperparameter.of("alpha_start", 1.0, ConstantBlend.WEIGHT, "the weight on Adam at the first step"),
          Hyperparameter.of("alpha_end", 0.0, ConstantBlend.WEIGHT, "the weight on Adam from step total_steps on"),
          Hyperparameter.of("cosine", 0.0, Domain.FLAG, "the schedule's shape: 0 linear, 1 cosine"),
          Hyperparameter.of("total_steps", 0.0, Domain.NON_NEGATIVE,
              "updates the schedule spans (0: unknown; train and tune set the run's length)")));

  private final BlendRule<T> blend;
  private final Operand<T> alphaStart;
  private final Operand<T> alphaEnd;
  private final Operand<T> cosine;
  private final Operand<T> totalSteps;
  private final Map<Operand<T>, Operand<T>> alphaPerStep = new IdentityHashMap<>();

  private ScheduledBlendRule(BlendRule<T> blend, Operand<T> alphaStart, Operand<T> alphaEnd, Operand<T> cosine,
      Operand<T> totalSteps) {
    this.blend = blend;
    this.alphaStart = alphaStart;
    this.alphaEnd = alphaEnd;
    this.cosine = cosine;
    this.totalSteps = totalSteps;
  }

  /** The rule reading {@link #HYPERPARAMETERS}' keys from {@code h}. */
  public static <T extends TFloating> ScheduledBlendRule<T> of(Hyperparameters<T> h) {
    AdamRule<T> adam = AdamRule.of(h.get("adam_lr"), h.get("beta1"), h.get("beta2"), h.get("eps"));
    MomentumRule<T> sgd = MomentumRule.of(h.get("sgd_lr"), h.get("momentum"), null, false);
    return new ScheduledBlendRule<>(BlendRule.of(adam, sgd), h.get("alpha_start"), h.get("alpha_end"),
        h.get("cosine"), h.get("total_steps"));
  }

  /** True when both blended rules are: {@code alpha_t} is one scalar per step. */
  @Override
  public boolean elementwise() {
    return blend.a().elementwise() && blend.b().elementwise();
  }

  /** True when both blended rules are (measured bit for bit, as {@link BlendRule#repeatsInLoop()}). */
  @Override
  public boolean repeatsInLoop() {
    return blend.a().repeatsInLoop() && blend.b().repeatsInLoop();
  }

  @Override
  public List<String> slotNames() {
    return blend.slotNames();
  }

  /** {@code alpha_t} for the 1-based step {@code step}; built once per step operand. */
  public synchronized Operand<T> alpha(Ops tf, Operand<T> step) {
    return alphaPerStep.computeIfAbsent(step, t -> {
      Ops s = tf.withSubScope("schedule");
      Operand<T> p = Schedule.endpoints(s, t, totalSteps);
      Operand<T> one = Schedule.one(s, p);
      Operand<T> cosW = s.math.sub(one, Schedule.cosineDecay(s, p));
      Operand<T> w = s.math.add(s.math.mul(s.math.sub(one, cosine), p), s.math.mul(cosine, cosW));
      return s.withName("alpha").math.add(s.math.mul(s.math.sub(one, w), alphaStart), s.math.mul(w, alphaEnd));
    });
  }

  @Override
  public Update<T> update(Ops tf, Operand<T> grad, Operand<T> param, List<Operand<T>> slots, Operand<T> step) {
    return blend.blend(tf, alpha(tf, step), blend.parts(tf, grad, param, slots, step));
  }
}
