package dev.tfblend.train;

import dev.tfblend.meta.GateFeatures;
import dev.tfblend.meta.GateOutput;
import dev.tfblend.meta.GateWeights;
import dev.tfblend.meta.GatingNetwork;
import dev.tfblend.meta.MetaStep;
import dev.tfblend.model.Activation;
import dev.tfblend.model.InitScheme;
import dev.tfblend.model.ParameterSet;
import dev.tfblend.optim.Domain;
import dev.tfblend.optim.DynamicBlendedOptimizer;
import dev.tfblend.optim.Hyperparameter;
import dev.tfblend.optim.HyperparameterTable;
import dev.tfblend.optim.Hyperparameters;
import dev.tfblend.optim.RuleOptimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.framework.optimizers.Optimizer.GradAndVar;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TType;

/**
 * The blended train step, assembled in this one place for any float type (float32 in training,
 * float64 in {@link GradientCheck}): hyperparameters, gate features, the {@link GatingNetwork},
 * the {@link DynamicBlendedOptimizer} taking its alpha from the gate, and, unless the gate is
 * frozen, the {@link MetaStep} that trains the gate, all written by the optimizer in one op.
 *
 * <p>Order of operations in one run of {@link #target()}: the model gradients (given), both
 * rules' increments and next slots, the features and {@code alpha_t} from the gate before its
 * update, the look-ahead {@code theta'}, the validation loss at {@code theta'} and its gradient
 * with respect to the gate; then every write, each waiting for all of the above: the model
 * becomes {@code theta'}, the slots and counters advance, and the meta Adam updates the gate, so
 * the gate update affects the next step's alpha, not this one's.
 *
 * <p>Graph layout under the scope given (for example {@code blended/}): {@code hyper/<key>},
 * {@code gate/...}, optimizer slots {@code slots/<param>/a/m|a/v|b/momentum} and counter
 * {@code step}, the update math {@code update/...}, the meta step {@code meta/...}
 * ({@code meta/validation_loss}), the step's {@code alpha} and the target {@code update}.
 *
 * <p>Immutable once built; build one per graph.
 *
 * @param target the op that performs one train (and meta) step
 * @param hyperparameters the hyperparameter variables ({@link #HYPERPARAMETERS}' operand keys)
 * @param optimizer the optimizer (the only writer of the model, its slots and the gate)
 * @param gate the gate
 * @param metaStep the meta step, or {@code null} for a frozen gate
 * @param update the update the step applies (its look-ahead is what the model becomes)
 * @param alpha the step's {@code alpha} (a scalar, computed before any write; for a per-tensor
 *     gate the mean of its per-tensor weights, which are {@code update.alpha()})
 * @param <T> the floating type of model, gate and optimizer
 */
public record BlendedStep<T extends TFloating>(
    Op target,
    Hyperparameters<T> hyperparameters,
    DynamicBlendedOptimizer<T> optimizer,
    GatingNetwork<T> gate,
    MetaStep<T> metaStep,
    RuleOptimizer.Step<T> update,
    Operand<T> alpha) {
  /**
   * The {@code blended} optimizer's hyperparameters: {@link DynamicBlendedOptimizer#HYPERPARAMETERS},
   * then {@code meta_lr}, {@code total_steps} and the structural {@code gate_hidden}. The meta Adam
   * uses beta1 0.9, beta2 0.999, eps 1e-8 whatever the model Adam's are.
   */
  public static final HyperparameterTable HYPERPARAMETERS = DynamicBlendedOptimizer.HYPERPARAMETERS.plus(List.of(
      Hyperparameter.of("meta_lr", 1e-3, Domain.NON_NEGATIVE, "the meta Adam's learning rate (0: the gate stays)"),
      Hyperparameter.of("total_steps", 0.0, Domain.NON_NEGATIVE,
          "steps of the run, read by the gradient-stats progress feature (0: unknown)"),
      Hyperparameter.structural("gate_hidden", GatingNetwork.DEFAULT_HIDDEN, Domain.POSITIVE_INTEGER,
          "units in the gate's hidden layer")));

  /**
   * The gate's build-time shape.
   *
   * @param mode what the gate reads
   * @param hidden the hidden layer widths
   * @param activation the hidden activation
   * @param init how the gate's parameters are drawn (training passes the model's scheme)
   * @param output one alpha per step ({@code global}) or per parameter tensor ({@code per-tensor})
   */
  public record Gate(GateFeatures.Mode mode, List<Integer> hidden, Activation activation, InitScheme init,
      GateOutput output) {
    public Gate {
      hidden = List.copyOf(hidden);
      output = output == null ? GateOutput.GLOBAL : output;
    }

    /** A {@code global} gate (one alpha per step). */
    public Gate(GateFeatures.Mode mode, List<Integer> hidden, Activation activation, InitScheme init) {
      this(mode, hidden, activation, init, GateOutput.GLOBAL);
    }
  }

  /**
   * Builds the step under {@code o}. Its hyperparameters start unassigned: call
   * {@code hyperparameters().set} before the first run.
   *
   * @param params the model parameters the step updates
   * @param loss the training batch loss (the gradient-stats features read it)
   * @param gradients {@code d loss / d params}, in parameter order
   * @param validationLoss builds, under the meta step's scope, the validation loss at given
   *     parameter values; {@code null} for a frozen gate (no meta step)
   * @param beforeUpdate ops that must finish before any write
   */
  public static <T extends TFloating> BlendedStep<T> build(Ops o, Class<T> type, ParameterSet<T> params,
      Operand<T> loss, List<Operand<T>> gradients, Gate shape,
      BiFunction<Ops, List<Operand<T>>, Operand<T>> validationLoss, List<? extends Op> beforeUpdate) {
    Hyperparameters<T> hyper = Hyperparameters.create(o.withSubScope("hyper"), type,
        HYPERPARAMETERS.operandDefaults());
    GateFeatures<T> features = GateFeatures.of(shape.mode(), loss, hyper.get("total_steps"));
    GatingNetwork<T> gate = GatingNetwork.create(o.withSubScope("gate"), type, features,
        features.size(params.totalElements()), shape.hidden(), shape.activation(), shape.init(),
        shape.output() == GateOutput.PER_TENSOR ? params.size() : 1);
    DynamicBlendedOptimizer<T> opt =
        DynamicBlendedOptimizer.adamSgd(o, DynamicBlendedOptimizer.DEFAULT_NAME, type, hyper, gate);
    List<GradAndVar<? extends TType>> gv = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      gv.add(new GradAndVar<>(gradients.get(i).asOutput(), params.variable(i).asOutput()));
    }
    RuleOptimizer.Step<T> step = opt.computeUpdate(gv);
    // a per-tensor gate's step alpha is recorded as the mean of its per-tensor weights
    Operand<T> alpha = step.alpha().shape().numDimensions() == 0 ? o.withName("alpha").identity(step.alpha())
        : o.withName("alpha").math.mean(step.alpha(), o.constant(0));
    MetaStep<T> meta = null;
    List<Op> extraComputed = new ArrayList<>(List.of(alpha));
    extraComputed.addAll(beforeUpdate);
    List<RuleOptimizer.Writer> extraWrites = new ArrayList<>();
    if (validationLoss != null) {
      Ops m = o.withSubScope("meta");
      meta = MetaStep.build(m, gate.parameters(), step, theta -> validationLoss.apply(m, theta), hyper.get("meta_lr"));
      extraComputed.addAll(meta.computed());
      extraWrites.addAll(meta.writes());
    }
    Op target = opt.applyUpdate(step, extraComputed, extraWrites, "update");
    return new BlendedStep<>(target, hyper, opt, gate, meta, step, alpha);
  }

  /**
   * Re-initialises the optimizer's slots and counter, the meta-Adam state and the gate: {@code start}
   * when given, else fresh weights drawn from {@code gateSeed}.
   */
  public void reset(Session session, GateWeights start, long gateSeed) {
    optimizer.reset(session);
    if (start != null) {
      gate.load(session, start);
    } else {
      gate.parameters().initialize(session, gateSeed);
    }
    if (metaStep != null) {
      metaStep.reset(session, gateSeed);
    }
  }
}
