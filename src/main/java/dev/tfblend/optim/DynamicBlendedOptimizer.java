package dev.tfblend.optim;

import dev.tfblend.BadInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * The blended optimizer: a {@link RuleOptimizer} (so a TF-Java {@code Optimizer}) applying the
 * {@link BlendRule} of {@link AdamRule} and {@link MomentumRule} with one global weight per step
 * from an {@link AlphaSource}:
 *
 * <pre>
 *   theta_{t+1} = theta_t + alpha_t * adam_increment_t + (1 - alpha_t) * sgd_increment_t
 * </pre>
 *
 * where each increment carries its own learning rate. Slots are {@code a/m}, {@code a/v} (Adam)
 * and {@code b/momentum} (SGD) per variable; everything else (slots, counter, the order of reads
 * and writes, the look-ahead) is {@link RuleOptimizer}'s.
 *
 * @param <T> the floating type of all variables it updates
 */
public final class DynamicBlendedOptimizer<T extends TFloating> extends RuleOptimizer<T> {
  /** Default graph scope. */
  public static final String DEFAULT_NAME = "blended";

  /**
   * The blend's own hyperparameters ({@code blended} in messages): Adam's as {@code adam_lr},
   * {@code beta1}, {@code beta2}, {@code eps}, then SGD's as {@code sgd_lr}, {@code momentum}
   * (no weight decay, not Nesterov), with the baselines' defaults and domains.
   */
  public static final HyperparameterTable HYPERPARAMETERS = HyperparameterTable.of(DEFAULT_NAME, List.of(
      AdamRule.HYPERPARAMETERS.get("lr").renamed("adam_lr"),
      AdamRule.HYPERPARAMETERS.get("beta1"),
      AdamRule.HYPERPARAMETERS.get("beta2"),
      AdamRule.HYPERPARAMETERS.get("eps"),
      MomentumRule.HYPERPARAMETERS.get("lr").renamed("sgd_lr"),
      MomentumRule.HYPERPARAMETERS.get("momentum")));

  private DynamicBlendedOptimizer(Ops scope, String name, Class<T> type, BlendRule<T> rule, AlphaSource<T> alpha) {
    super(scope, name, type, rule, alpha);
  }

  /**
   * A blend of any two rules whose hyperparameters are operands (for example graph variables, so
   * one graph serves many trials).
   *
   * @param scope ops under the scope this optimizer puts its state and operations in (for example
   *     {@code Ops.create(graph).withSubScope("blended")}, shared with the rules' hyperparameters)
   * @param name the optimizer's name ({@link #getOptimizerName()}), normally the scope's
   */
  public static <T extends TFloating> DynamicBlendedOptimizer<T> create(
      Ops scope, String name, Class<T> type, BlendRule<T> rule, AlphaSource<T> alphaSource) {
    return new DynamicBlendedOptimizer<>(scope, name, type, rule,
        com.google.common.base.Preconditions.checkNotNull(alphaSource, "alphaSource"));
  }

  /**
   * The Adam / momentum-SGD blend reading {@link #HYPERPARAMETERS}' keys from {@code h}, under
   * {@code scope}.
   */
  public static <T extends TFloating> DynamicBlendedOptimizer<T> adamSgd(
      Ops scope, String name, Class<T> type, Hyperparameters<T> h, AlphaSource<T> alphaSource) {
    AdamRule<T> adam = AdamRule.of(h.get("adam_lr"), h.get("beta1"), h.get("beta2"), h.get("eps"));
    MomentumRule<T> sgd = MomentumRule.of(h.get("sgd_lr"), h.get("momentum"), null, false);
    return create(scope, name, type, BlendRule.of(adam, sgd), alphaSource);
  }

  /**
   * The Adam / momentum-SGD blend with constant hyperparameters, under scope
   * {@value #DEFAULT_NAME}.
   */
  public static <T extends TFloating> DynamicBlendedOptimizer<T> adamSgd(
      Graph graph, Class<T> type, Settings settings, AlphaSource<T> alphaSource) {
    Ops scope = Ops.create(graph).withSubScope(DEFAULT_NAME);
    Ops h = scope.withSubScope("hyper");
    AdamRule<T> adam = AdamRule.of(scalar(h, "adam_lr", settings.adamLr(), type),
        scalar(h, "beta1", settings.beta1(), type), scalar(h, "beta2", settings.beta2(), type),
        scalar(h, "eps", settings.eps(), type));
    MomentumRule<T> sgd = MomentumRule.of(scalar(h, "sgd_lr", settings.sgdLr(), type),
        scalar(h, "momentum", settings.momentum(), type), null, false);
    return create(scope, DEFAULT_NAME, type, BlendRule.of(adam, sgd), alphaSource);
  }

  private static <T extends TFloating> Operand<T> scalar(Ops h, String n, double v, Class<T> type) {
    return h.withName(n).dtypes.cast(h.constant(v), type);
  }

  /**
   * Constant hyperparameters of the Adam / momentum-SGD blend, checked at construction against
   * {@link #HYPERPARAMETERS}; a value outside its domain throws {@link BadInputException}.
   *
   * @param adamLr Adam's learning rate
   * @param beta1 Adam's first-moment decay
   * @param beta2 Adam's second-moment decay
   * @param eps Adam's epsilon, added to {@code sqrt(vhat)}
   * @param sgdLr momentum SGD's learning rate
   * @param momentum momentum SGD's {@code mu}
   */
  public record Settings(double adamLr, double beta1, double beta2, double eps, double sgdLr, double momentum) {
    public Settings {
      Map<String, Double> v = new LinkedHashMap<>();
      v.put("adam_lr", adamLr);
      v.put("beta1", beta1);
      v.put("beta2", beta2);
      v.put("eps", eps);
      v.put("sgd_lr", sgdLr);
      v.put("momentum", momentum);
      HYPERPARAMETERS.check(v);
    }

    /** {@link #HYPERPARAMETERS}' defaults (those of the Adam and momentum-SGD baselines). */
    public static Settings defaults() {
      Map<String, Double> d = HYPERPARAMETERS.defaults();
      return new Settings(d.get("adam_lr"), d.get("beta1"), d.get("beta2"), d.get("eps"), d.get("sgd_lr"),
          d.get("momentum"));
    }
  }
}
