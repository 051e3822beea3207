package dev.tfblend.optim;

import java.util.List;
import org.tensorflow.types.family.TFloating;

/**
 * The {@code constant-blend} control: the Adam / momentum-SGD blend of
 * {@link DynamicBlendedOptimizer} with one fixed weight for the whole run and no gate,
 *
 * <pre>
 *   increment = alpha * adam_increment + (1 - alpha) * sgd_increment      (alpha constant)
 * </pre>
 *
 * <p>With a learning rate per component a constant blend is "Adam plus SGD at rescaled rates":
 * what a meta-learned gate must beat to show that alpha's movement over time matters. At
 * {@code alpha = 1} it is Adam and at {@code alpha = 0} momentum SGD, bit for bit (both rules
 * advance their slots every step, and the other part is multiplied by an exact zero).
 *
 * <p>Hyperparameters: {@link #HYPERPARAMETERS}.
 */
public final class ConstantBlend {
  private ConstantBlend() {}

  /** The domain of a blend weight: {@code 0 <= alpha <= 1}. */
  public static final Domain WEIGHT = new Domain("in [0, 1]", false, v -> v >= 0 && v <= 1);

  /**
   * {@code constant-blend}'s hyperparameters: the blend's ({@link DynamicBlendedOptimizer#HYPERPARAMETERS})
   * and {@code alpha} (default 0.5), the weight on Adam.
   */
  public static final HyperparameterTable HYPERPARAMETERS = DynamicBlendedOptimizer.HYPERPARAMETERS
      .named("constant-blend")
      .plus(List.of(Hyperparameter.of("alpha", 0.5, WEIGHT, "the fixed weight on Adam's increment")));

  /** The rule reading {@link #HYPERPARAMETERS}' keys from {@code h}. */
  public static <T extends TFloating> BlendRule<T> rule(Hyperparameters<T> h) {
    AdamRule<T> adam = AdamRule.of(h.get("adam_lr"), h.get("beta1"), h.get("beta2"), h.get("eps"));
    MomentumRule<T> sgd = MomentumRule.of(h.get("sgd_lr"), h.get("momentum"), null, false);
    return BlendRule.of(adam, sgd, h.get("alpha"));
  }
}
