package dev.tfblend.train;

import com.google.common.base.Preconditions;
import dev.tfblend.BadInputException;
import dev.tfblend.meta.GateFeatures;
import dev.tfblend.meta.GateOutput;
import dev.tfblend.meta.GateWeights;
import dev.tfblend.meta.GatingNetwork;
import dev.tfblend.model.Activation;
import dev.tfblend.optim.DynamicBlendedOptimizer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;

/**
 * The {@code blended} optimizer's {@link StepBuilder}: builds the {@link BlendedStep} (gate,
 * {@link DynamicBlendedOptimizer} and meta step) over the training graph's model, in float32.
 * Hyperparameters: {@link BlendedStep#HYPERPARAMETERS} ({@code gate_hidden} is this builder's
 * width). Build-time options: the gate's input mode ({@link #gateInput}, default
 * {@code flat-gradients}, the published method), its hidden width and activation, and a frozen gate
 * ({@link #frozen}: given weights, no meta step, no validation batch) or a trained gate to start
 * meta-learning from ({@link #initialGate}), the meta step's look-ahead horizon ({@link #horizon}:
 * K steps, exact or first-order, applying the first or all K), and the gate's output
 * ({@link #gateOutput}: one alpha per step or per parameter tensor). A fresh gate is initialised with the model's
 * {@link dev.tfblend.model.InitScheme} ({@code model.init}). Immutable: every built step is
 * independent of the builder.
 */
public final class BlendedStepBuilder implements StepBuilder {
  private final GateFeatures.Mode mode;
  private final int gateHidden;
  private final Activation activation;
  /** Given gate weights (frozen or initial), or null for a fresh gate drawn from the seed. */
  private final GateWeights start;
  private final boolean frozen;
  private final BlendedStep.Horizon horizon;
  private final GateOutput output;

  private BlendedStepBuilder(GateFeatures.Mode mode, int gateHidden, Activation activation, GateWeights start,
      boolean frozen) {
    this(mode, gateHidden, activation, start, frozen, BlendedStep.Horizon.ONE, GateOutput.GLOBAL);
  }

  private BlendedStepBuilder(GateFeatures.Mode mode, int gateHidden, Activation activation, GateWeights start,
      boolean frozen, BlendedStep.Horizon horizon, GateOutput output) {
    this.output = Preconditions.checkNotNull(output, "output");
    this.mode = Preconditions.checkNotNull(mode, "mode");
    Preconditions.checkArgument(gateHidden > 0, "gate_hidden must be positive, got %s", gateHidden);
    this.gateHidden = gateHidden;
    this.activation = Preconditions.checkNotNull(activation, "activation");
    this.start = start;
    this.frozen = frozen;
    this.horizon = Preconditions.checkNotNull(horizon, "horizon");
    if (output != GateOutput.GLOBAL && horizon.steps() > 1) {
      throw BadInputException.of("a per-tensor gate looks one step ahead: blended hyperparameter unroll must be 1"
          + " with gate output per-tensor, got %d", horizon.steps());
    }
    if (frozen && horizon.steps() > 1) {
      throw BadInputException.of("--freeze-gate has no meta step to unroll: blended hyperparameter unroll must be 1,"
          + " got %d", horizon.steps());
    }
  }

  /** A trainable {@code flat-gradients} gate with one hidden ReLU layer of 32. */
  public static BlendedStepBuilder defaults() {
    return new BlendedStepBuilder(GateFeatures.Mode.FLAT_GRADIENTS, GatingNetwork.DEFAULT_HIDDEN, Activation.RELU, null, false);
  }

  /** This builder with gate input {@code m}. */
  public BlendedStepBuilder gateInput(GateFeatures.Mode m) {
    Preconditions.checkState(start == null, "the gate's input mode is that of its given weights");
    return new BlendedStepBuilder(m, gateHidden, activation, start, frozen, horizon, output);
  }

  /** This builder with {@code hidden} units in the gate's hidden layer. */
  public BlendedStepBuilder gateHidden(int hidden) {
    Preconditions.checkState(start == null, "the gate's hidden width is that of its given weights");
    return new BlendedStepBuilder(mode, hidden, activation, start, frozen, horizon, output);
  }

  /**
   * This builder with gate output {@code o}: one alpha per step ({@code global}, the default) or
   * one per parameter tensor ({@code per-tensor}, a fresh meta-learned gate only: given weights
   * have one output).
   */
  public BlendedStepBuilder gateOutput(GateOutput o) {
    Preconditions.checkState(start == null || o == GateOutput.GLOBAL, "given gate weights have one output");
    return new BlendedStepBuilder(mode, gateHidden, activation, start, frozen, horizon, o);
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

  /**
   * This builder with the meta step looking {@code h.steps()} steps ahead (see {@link BlendedStep}).
   *
   * @throws BadInputException for {@code steps > 1} with a frozen gate
   */
  public BlendedStepBuilder horizon(BlendedStep.Horizon h) {
    return new BlendedStepBuilder(mode, gateHidden, activation, start, frozen, h, output);
  }

  /** The look-ahead horizon of the meta step. */
  public BlendedStep.Horizon horizon() {
    return horizon;
  }

  private BlendedStepBuilder given(GateWeights w, boolean freeze) {
    Preconditions.checkNotNull(w, "gate weights");
    if (w.hidden().size() != 1) {
      throw BadInputException.of("a blended gate has one hidden layer, the weights have %s", w.hidden());
    }
    // given weights have one output: the gate is global
    return new BlendedStepBuilder(w.mode(), w.hidden().get(0), w.activation(), w, freeze, horizon, GateOutput.GLOBAL);
  }

  @Override
  public String name() {
    return DynamicBlendedOptimizer.DEFAULT_NAME;
  }

  @Override
  public Map<String, Double> hyperparameterDefaults() {
    Map<String, Double> all = new LinkedHashMap<>(BlendedStep.HYPERPARAMETERS.defaults());
    all.put("gate_hidden", (double) gateHidden);
    all.putAll(horizon.values());
    return Collections.unmodifiableMap(all);
  }

  @Override
  public TrainStep build(StepContext ctx) {
    if (start != null) {
      start.checkFitsModel(frozen ? "the frozen gate" : "the initial gate", null, ctx.mlp());
    }
    // the validation batch is created when the meta step asks for it, so a frozen gate has none
    BlendedStep<TFloat32> step = BlendedStep.build(ctx.tf().withSubScope(name()), TFloat32.class, ctx.params(),
        ctx.loss(), ctx.gradients(), new BlendedStep.Gate(mode, List.of(gateHidden), activation, ctx.mlp().init(), output),
        frozen ? null : (m, theta) -> ctx.lossAt(m, theta, ctx.validationBatch().get()), ctx.beforeUpdate(),
        horizon, horizon.steps() == 1 ? null : (tf, k, theta) -> ctx.lossAt(tf, theta, ctx.lookAheadBatch().apply(k)));
    return new Built(step);
  }

  /**
   * The built {@code blended} step: the {@link BlendedStep} with its gate; per step it reports
   * alpha and the norms of both candidate updates ({@link AlphaTrace}).
   */
  public final class Built implements TrainStep {
    private final BlendedStep<TFloat32> step;

    Built(BlendedStep<TFloat32> step) {
      this.step = step;
    }

    @Override
    public Op target() {
      return step.target();
    }

    @Override
    public Map<String, Operand<?>> perStepOutputs() {
      Map<String, Operand<?>> out = new java.util.LinkedHashMap<>();
      out.put(AlphaTrace.OUTPUT, step.alpha());
      out.put(AlphaTrace.ADAM_NORM, step.adamNorm());
      out.put(AlphaTrace.SGD_NORM, step.sgdNorm());
      return out;
    }

    /** The step as built. */
    public BlendedStep<TFloat32> step() {
      return step;
    }

    /**
     * Re-initialises the optimizer's slots and counter, the meta-Adam state and the gate: the
     * given (frozen or initial) weights when there are some, else fresh weights drawn from
     * {@code seed}.
     */
    @Override
    public void reset(Session session, long seed) {
      step.reset(session, start, seed ^ 0x67617465L);
    }

    /**
     * Sets the hyperparameters, checked against {@link BlendedStep#HYPERPARAMETERS};
     * {@code gate_hidden} must be the built width.
     */
    @Override
    public void setHyperparameters(Session session, Map<String, Double> values) {
      BlendedStep.HYPERPARAMETERS.check(values);
      Map<String, Double> operands = new LinkedHashMap<>(values);
      Double hidden = operands.remove("gate_hidden");
      if (hidden != null && hidden != gateHidden) {
        throw BadInputException.of("blended hyperparameter gate_hidden is fixed when the graph is built (%d), got %s",
            gateHidden, hidden);
      }
      for (Map.Entry<String, Double> e : horizon.values().entrySet()) {
        Double v = operands.remove(e.getKey());
        if (v != null && !v.equals(e.getValue())) {
          throw BadInputException.of("blended hyperparameter %s is fixed when the graph is built (%s), got %s",
              e.getKey(), e.getValue(), v);
        }
      }
      step.hyperparameters().set(session, operands);
    }

    /** The gate's weights; empty for a per-tensor gate (gate exports have one output). */
    @Override
    public Optional<GateWeights> gateWeights(Session session) {
      return step.gate().outputs() == 1 ? Optional.of(step.gate().weights(session)) : Optional.empty();
    }
  }
}
