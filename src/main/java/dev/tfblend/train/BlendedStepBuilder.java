package dev.tfblend.train;

import com.google.common.base.Preconditions;
import dev.tfblend.BadInputException;
import dev.tfblend.meta.GateFeatures;
import dev.tfblend.meta.GateWeights;
import dev.tfblend.meta.GatingNetwork;
import dev.tfblend.meta.MetaStep;
import dev.tfblend.model.Activation;
import dev.tfblend.model.ParameterSet;
import dev.tfblend.optim.AdamRule;
import dev.tfblend.optim.BlendRule;
import dev.tfblend.optim.DynamicBlendedOptimizer;
import dev.tfblend.optim.Hyperparameters;
import dev.tfblend.optim.MomentumRule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.framework.optimizers.Optimizer.GradAndVar;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * The {@code blended} optimizer's {@link StepBuilder}: a {@link DynamicBlendedOptimizer} of
 * {@link AdamRule} and {@link MomentumRule} whose alpha comes from a {@link GatingNetwork}, plus,
 * unless the gate is frozen, the {@link MetaStep} that trains the gate, all in the one
 * {@code train_step} run (see {@link MetaStep} for the order of operations).
 *
 * <p>Hyperparameters ({@link #hyperparameterDefaults()}): {@code adam_lr} (1e-2), {@code beta1}
 * (0.9), {@code beta2} (0.999), {@code eps} (1e-8), {@code sgd_lr} (0.05), {@code momentum} (0.9),
 * {@code meta_lr} (1e-3, the meta Adam's rate), {@code total_steps} (0 = unknown; only the
 * {@code gradient-stats} progress feature reads it) and the structural {@code gate_hidden} (32).
 * The meta Adam uses beta1 0.9, beta2 0.999, eps 1e-8 whatever the model Adam's are.
 * Build-time options: the gate's input mode ({@link #gateInput}, default {@code flat-gradients},
 * the published method), its hidden activation ({@link #gateActivation}, default ReLU) and a
 * frozen gate ({@link #frozen}: given weights, no meta step, no validation batch) or a trained
 * gate to start meta-learning from ({@link #initialGate}). A fresh gate is initialised with the
 * model's {@link dev.tfblend.model.InitScheme} ({@code model.init}).
 *
 * <p>Graph layout under {@code blended/}: {@code hyper/<key>}, {@code gate/w1, b1, w2, b2},
 * optimizer slots {@code slots/model/<param>/a/m|a/v|b/momentum} and counter {@code step}, the
 * update math {@code update/...}, the meta step {@code meta/...} ({@code meta/validation_loss}),
 * the step's {@code alpha} (scalar, fetched every step as the per-step output {@code alpha}) and
 * the target {@code update}.
 */
public final class BlendedStepBuilder implements StepBuilder {
  /** Default meta learning rate. */
  public static final double DEFAULT_META_LR = 1e-3;

  private final GateFeatures.Mode mode;
  private final int gateHidden;
  private final Activation activation;
  /** Given gate weights (frozen or initial), or null for a fresh gate drawn from the seed. */
  private final GateWeights start;
  private final boolean frozen;
  private Built built;

  private BlendedStepBuilder(GateFeatures.Mode mode, int gateHidden, Activation activation, GateWeights start,
      boolean frozen) {
    this.mode = Preconditions.checkNotNull(mode, "mode");
    if (gateHidden <= 0) {
      throw BadInputException.of("gate_hidden must be positive, got %s", gateHidden);
    }
    this.gateHidden = gateHidden;
    this.activation = Preconditions.checkNotNull(activation, "activation");
    this.start = start;
    this.frozen = frozen;
  }

  /** A trainable {@code flat-gradients} gate with one hidden ReLU layer of 32. */
  public static BlendedStepBuilder defaults() {
    return new BlendedStepBuilder(GateFeatures.Mode.FLAT_GRADIENTS, GatingNetwork.DEFAULT_HIDDEN, Activation.RELU, null, false);
  }

  /** This builder with gate input {@code m}. */
  public BlendedStepBuilder gateInput(GateFeatures.Mode m) {
    Preconditions.checkState(start == null, "the gate's input mode is that of its given weights");
    return new BlendedStepBuilder(m, gateHidden, activation, start, frozen);
  }

  /** This builder with {@code hidden} units in the gate's hidden layer. */
  public BlendedStepBuilder gateHidden(int hidden) {
    Preconditions.checkState(start == null, "the gate's hidden width is that of its given weights");
    return new BlendedStepBuilder(mode, hidden, activation, start, frozen);
  }

  /** This builder with the gate's hidden activation {@code a}. */
  public BlendedStepBuilder gateActivation(Activation a) {
    Preconditions.checkState(start == null, "the gate's activation is that of its given weights");
    return new BlendedStepBuilder(mode, gateHidden, a, start, frozen);
  }

  /**
   * This builder with a frozen gate: {@code w} is loaded at every reset and never updated (no
   * meta step). Its mode, hidden width and activation replace this builder's; its input size is
   * checked against the model when the graph is built.
   */
  public BlendedStepBuilder frozen(GateWeights w) {
    return given(w, true);
  }

  /**
   * This builder with a trainable gate that starts from {@code w} (loaded at every reset) instead
   * of fresh weights; the meta step trains it as usual. Its mode, hidden width and activation
   * replace this builder's; its input size is checked against the model when the graph is built.
   */
  public BlendedStepBuilder initialGate(GateWeights w) {
    return given(w, false);
  }

  private BlendedStepBuilder given(GateWeights w, boolean freeze) {
    Preconditions.checkNotNull(w, "gate weights");
    if (w.hidden().size() != 1) {
      throw BadInputException.of("a blended gate has one hidden layer, the weights have %s", w.hidden());
    }
    return new BlendedStepBuilder(w.mode(), w.hidden().get(0), w.activation(), w, freeze);
  }

  /** Whether the gate is frozen. */
  public boolean isFrozen() {
    return frozen;
  }

  /** The given gate weights (frozen or initial), or {@code null} for a gate drawn from the seed. */
  public GateWeights givenGate() {
    return start;
  }

  /** The gate's input mode. */
  public GateFeatures.Mode gateInputMode() {
    return mode;
  }

  @Override
  public String name() {
    return "blended";
  }

  private static Map<String, Double> operandDefaults() {
    Map<String, Double> d = new LinkedHashMap<>();
    d.put("adam_lr", RuleStepBuilder.ADAM_DEFAULT_LR);
    d.put("beta1", AdamRule.DEFAULT_BETA1);
    d.put("beta2", AdamRule.DEFAULT_BETA2);
    d.put("eps", AdamRule.DEFAULT_EPS);
    d.put("sgd_lr", RuleStepBuilder.SGD_DEFAULT_LR);
    d.put("momentum", MomentumRule.DEFAULT_MOMENTUM);
    d.put("meta_lr", DEFAULT_META_LR);
    d.put("total_steps", 0.0);
    return d;
  }

  @Override
  public Map<String, Double> hyperparameterDefaults() {
    Map<String, Double> all = operandDefaults();
    all.put("gate_hidden", (double) gateHidden);
    return Collections.unmodifiableMap(all);
  }

  /** The step built last by {@link #build} (for tests and for reading the gate after training). */
  public Built built() {
    Preconditions.checkState(built != null, "not built yet");
    return built;
  }

  @Override
  public TrainStep build(StepContext ctx) {
    Ops o = ctx.tf().withSubScope(name());
    Hyperparameters<TFloat32> hyper = Hyperparameters.create(o.withSubScope("hyper"), TFloat32.class, operandDefaults());
    ParameterSet<TFloat32> params = ctx.params();
    GateFeatures<TFloat32> features = GateFeatures.of(mode, ctx.loss(), hyper.get("total_steps"));
    int inputSize = features.size(params.totalElements());
    if (start != null && start.inputSize() != inputSize) {
      throw BadInputException.of(
          "the %s gate takes %d inputs but this model (%d parameters) gives %d %s features",
          frozen ? "frozen" : "initial", start.inputSize(), params.totalElements(), inputSize, mode.configName());
    }
    GatingNetwork<TFloat32> gate = GatingNetwork.create(o.withSubScope("gate"), TFloat32.class, features,
        inputSize, List.of(gateHidden), activation, ctx.mlp().init());
    AdamRule<TFloat32> adam = AdamRule.of(hyper.get("adam_lr"), hyper.get("beta1"), hyper.get("beta2"), hyper.get("eps"));
    MomentumRule<TFloat32> sgd = MomentumRule.of(hyper.get("sgd_lr"), hyper.get("momentum"), null, false);
    DynamicBlendedOptimizer<TFloat32> opt =
        DynamicBlendedOptimizer.create(o, name(), TFloat32.class, BlendRule.of(adam, sgd), gate);
    List<GradAndVar<? extends TType>> gv = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      gv.add(new GradAndVar<>(ctx.gradients().get(i).asOutput(), params.variable(i).asOutput()));
    }
    DynamicBlendedOptimizer.Step<TFloat32> step = opt.computeUpdate(gv);
    Operand<TFloat32> alpha = o.withName("alpha").identity(step.alpha());
    MetaStep<TFloat32> meta = null;
    List<Op> extraComputed = new ArrayList<>(List.of(alpha));
    List<DynamicBlendedOptimizer.Writer> extraWrites = new ArrayList<>();
    if (!frozen) {
      StepContext.Batch val = ctx.validationBatch().get();
      Ops m = o.withSubScope("meta");
      meta = MetaStep.build(m, gate, step, theta -> ctx.lossAt(m, theta, val), hyper.get("meta_lr"));
      extraComputed.addAll(meta.computed());
      extraWrites.addAll(meta.writes());
    }
    Op target = opt.applyUpdate(step, extraComputed, extraWrites, "update");
    built = new Built(target, hyper, opt, gate, meta, step, alpha);
    return built;
  }

  /** The built {@code blended} step. */
  public final class Built implements TrainStep {
    private final Op target;
    private final Hyperparameters<TFloat32> hyper;
    private final DynamicBlendedOptimizer<TFloat32> optimizer;
    private final GatingNetwork<TFloat32> gate;
    private final MetaStep<TFloat32> meta;
    private final DynamicBlendedOptimizer.Step<TFloat32> step;
    private final Operand<TFloat32> alpha;

    Built(Op target, Hyperparameters<TFloat32> hyper, DynamicBlendedOptimizer<TFloat32> optimizer,
        GatingNetwork<TFloat32> gate, MetaStep<TFloat32> meta, DynamicBlendedOptimizer.Step<TFloat32> step,
        Operand<TFloat32> alpha) {
      this.target = target;
      this.hyper = hyper;
      this.optimizer = optimizer;
      this.gate = gate;
      this.meta = meta;
      this.step = step;
      this.alpha = alpha;
    }

    @Override
    public Op target() {
      return target;
    }

    @Override
    public Map<String, Operand<?>> perStepOutputs() {
      return Map.of("alpha", alpha);
    }

    /** The optimizer (the only writer of the model, its slots and the gate). */
    public DynamicBlendedOptimizer<TFloat32> optimizer() {
      return optimizer;
    }

    /** The gate. */
    public GatingNetwork<TFloat32> gate() {
      return gate;
    }

    /** The meta step, or {@code null} for a frozen gate. */
    public MetaStep<TFloat32> metaStep() {
      return meta;
    }

    /** The update the step applies (its look-ahead is what the model becomes). */
    public DynamicBlendedOptimizer.Step<TFloat32> update() {
      return step;
    }

    /**
     * Re-initialises the optimizer's slots and counter, the meta-Adam state and the gate: the
     * given (frozen or initial) weights when there are some, else fresh weights drawn from
     * {@code seed}.
     */
    @Override
    public void reset(Session session, long seed) {
      optimizer.reset(session);
      if (start != null) {
        gate.load(session, start);
      } else {
        gate.parameters().initialize(session, seed ^ 0x67617465L);
      }
      if (meta != null) {
        meta.reset(session, seed);
      }
    }

    /**
     * Sets the hyperparameters; non-finite or out-of-range values and unknown keys are a
     * {@link BadInputException} naming the key.
     */
    @Override
    public void setHyperparameters(Session session, Map<String, Double> values) {
      Map<String, Double> operands = new LinkedHashMap<>();
      for (Map.Entry<String, Double> e : values.entrySet()) {
        String k = e.getKey();
        Double v = e.getValue();
        if (k.equals("gate_hidden")) {
          if (v == null || v != gateHidden) {
            throw BadInputException.of("blended hyperparameter gate_hidden is fixed when the graph is built (%d), got %s",
                gateHidden, v);
          }
          continue;
        }
        if (!operandDefaults().containsKey(k)) {
          throw BadInputException.of("unknown blended hyperparameter %s, expected one of %s", k,
              hyperparameterDefaults().keySet());
        }
        if (v == null || !Double.isFinite(v)) {
          throw BadInputException.of("hyperparameter %s must be finite, got %s", k, v);
        }
        operands.put(k, v);
      }
      Map<String, Double> all = operandDefaults();
      all.putAll(operands);
      new DynamicBlendedOptimizer.Settings(all.get("adam_lr"), all.get("beta1"), all.get("beta2"),
          all.get("eps"), all.get("sgd_lr"), all.get("momentum"));
      DynamicBlendedOptimizer.Settings.check("meta_lr", all.get("meta_lr"), all.get("meta_lr") >= 0, ">= 0");
      DynamicBlendedOptimizer.Settings.check("total_steps", all.get("total_steps"), all.get("total_steps") >= 0, ">= 0");
      hyper.set(session, operands);
    }

    /** A copy of the gate's current weights. */
    public GateWeights gateWeights(Session session) {
      return gate.weights(session);
    }
  }
}
