package dev.tfblend.train;

import dev.tfblend.meta.MetaStep;
import dev.tfblend.meta.ScalarAlpha;
import dev.tfblend.model.ParameterSet;
import dev.tfblend.optim.Domain;
import dev.tfblend.optim.DynamicBlendedOptimizer;
import dev.tfblend.optim.Hyperparameter;
import dev.tfblend.optim.HyperparameterTable;
import dev.tfblend.optim.Hyperparameters;
import dev.tfblend.optim.RuleOptimizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.framework.optimizers.Optimizer.GradAndVar;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TType;

/**
 * The {@code hypergradient-blend} control: the Adam / momentum-SGD blend of
 * {@link DynamicBlendedOptimizer} whose weight is one learned scalar, {@code alpha =
 * sigmoid(logit)} ({@link ScalarAlpha}), trained by the same one-step meta step as the gate
 * ({@link MetaStep}: the validation loss at the look-ahead, differentiated with respect to the
 * logit, meta Adam at {@code meta_lr}). No network and no input: it tells "meta-learning alpha"
 * from "a network reading gradients". Built for any float type (float32 in training, float64 in
 * {@link GradientCheck}).
 *
 * <p>Order in one run of {@link #target()}: the model gradients (given), both rules' increments,
 * {@code alpha} from the logit before its update, the look-ahead and its validation loss and the
 * logit's meta-gradient; then every write (model, slots, counters, the logit's meta Adam).
 *
 * @param target the op performing one train and meta step
 * @param hyperparameters the hyperparameter variables ({@link #HYPERPARAMETERS}' keys)
 * @param optimizer the optimizer, the only writer
 * @param alphaSource the learned logit
 * @param metaStep the meta step over the logit
 * @param alpha the step's alpha (computed before any write)
 * @param <T> the floating type
 */
public record HypergradientBlend<T extends TFloating>(
    Op target,
    Hyperparameters<T> hyperparameters,
    DynamicBlendedOptimizer<T> optimizer,
    ScalarAlpha<T> alphaSource,
    MetaStep<T> metaStep,
    Operand<T> alpha) {

  /** The optimizer's name and graph scope. */
  public static final String NAME = "hypergradient-blend";

  /** The blend's hyperparameters ({@link DynamicBlendedOptimizer#HYPERPARAMETERS}), then {@code meta_lr}. */
  public static final HyperparameterTable HYPERPARAMETERS = DynamicBlendedOptimizer.HYPERPARAMETERS.named(NAME)
      .plus(List.of(Hyperparameter.of("meta_lr", 1e-3, Domain.NON_NEGATIVE,
          "the meta Adam's learning rate on the logit (0: alpha stays 0.5)")));

  /**
   * Builds the step under {@code o}; call {@code hyperparameters().set} before the first run.
   *
   * @param validationLoss the validation loss at given parameter values, built under the ops given
   * @param beforeUpdate ops that must finish before any write
   */
  public static <T extends TFloating> HypergradientBlend<T> build(Ops o, Class<T> type, ParameterSet<T> params,
      List<Operand<T>> gradients, BiFunction<Ops, List<Operand<T>>, Operand<T>> validationLoss,
      List<? extends Op> beforeUpdate) {
    Hyperparameters<T> hyper = Hyperparameters.create(o.withSubScope("hyper"), type,
        HYPERPARAMETERS.operandDefaults());
    ScalarAlpha<T> source = ScalarAlpha.create(o.withSubScope("alpha_logit"), type);
    DynamicBlendedOptimizer<T> opt = DynamicBlendedOptimizer.adamSgd(o, NAME, type, hyper, source);
    List<GradAndVar<? extends TType>> gv = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      gv.add(new GradAndVar<>(gradients.get(i).asOutput(), params.variable(i).asOutput()));
    }
    RuleOptimizer.Step<T> step = opt.computeUpdate(gv);
    Operand<T> alpha = o.withName("alpha").identity(step.alpha());
    Ops m = o.withSubScope("meta");
    MetaStep<T> meta = MetaStep.build(m, source.parameters(), step, theta -> validationLoss.apply(m, theta),
        hyper.get("meta_lr"));
    List<Op> computed = new ArrayList<>(List.of(alpha));
    computed.addAll(beforeUpdate);
    computed.addAll(meta.computed());
    Op target = opt.applyUpdate(step, computed, meta.writes(), "update");
    return new HypergradientBlend<>(target, hyper, opt, source, meta, alpha);
  }

  /** Zeroes the optimizer's slots and counter, the logit ({@code alpha = 0.5}) and the meta Adam. */
  public void reset(Session session, long seed) {
    optimizer.reset(session);
    alphaSource.parameters().initialize(session, seed);
    metaStep.reset(session, seed);
  }

  /** The {@link StepBuilder} of the float32 training graph. */
  public static StepBuilder stepBuilder() {
    return new StepBuilder() {
      @Override
      public String name() {
        return NAME;
      }

      @Override
      public Map<String, Double> hyperparameterDefaults() {
        return HYPERPARAMETERS.defaults();
      }

      @Override
      public TrainStep build(StepContext ctx) {
        HypergradientBlend<TFloat32> step = HypergradientBlend.build(ctx.tf().withSubScope(NAME), TFloat32.class,
            ctx.params(), ctx.gradients(), (m, theta) -> ctx.lossAt(m, theta, ctx.validationBatch().get()),
            ctx.beforeUpdate());
        return new TrainStep() {
          @Override
          public Op target() {
            return step.target();
          }

          @Override
          public Map<String, Operand<?>> perStepOutputs() {
            return Map.of(AlphaTrace.OUTPUT, step.alpha());
          }

          @Override
          public void reset(Session session, long seed) {
            step.reset(session, seed);
          }

          @Override
          public void setHyperparameters(Session session, Map<String, Double> values) {
            HYPERPARAMETERS.check(values);
            step.hyperparameters().set(session, new LinkedHashMap<>(values));
          }
        };
      }
    };
  }
}
