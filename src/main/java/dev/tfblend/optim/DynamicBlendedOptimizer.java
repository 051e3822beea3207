package dev.tfblend.optim;

import com.google.common.base.Preconditions;
import dev.tfblend.BadInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.framework.optimizers.Optimizer;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TType;

/**
 * A TF-Java {@link Optimizer} that applies a {@link BlendRule} of two update rules (Adam and
 * momentum SGD by default) with one global weight per step taken from an {@link AlphaSource}:
 *
 * <pre>
 *   theta_{t+1} = theta_t + alpha_t * adam_increment_t + (1 - alpha_t) * sgd_increment_t
 * </pre>
 *
 * where each increment carries its own learning rate ({@link AdamRule}, {@link MomentumRule}).
 *
 * <p><b>Drop-in use.</b> Build gradients with {@code graph.addGradients} over your variables and
 * call {@link #applyGradients(List, String)}; the returned op performs one step. Slots are created
 * once per variable ({@link #createSlots} is idempotent), named
 * {@code <name>/slots/<var>/a/m}, {@code .../a/v}, {@code .../b/momentum} for the Adam/SGD blend
 * ({@link #getSlot}{@code (var, "a/m")}), and start at zero through graph initialisers (a
 * {@link Session} runs them before its first run). The step counter is {@code <name>/step}.
 * {@link #reset} zeroes all of this optimizer's state again. Do not use the inherited
 * {@code minimize(loss)} in a graph holding other variables (a gate, slots): it differentiates with
 * respect to every {@code VariableV2} and throws for those the loss does not reach.
 *
 * <p><b>One alpha before any write.</b> {@code applyGradients} is overridden: it first builds,
 * for every variable, both rules' increments and next slots from the values before the step,
 * then asks the {@link AlphaSource} for one {@code alpha} from all of them ({@link BlendContext}),
 * then the blended look-ahead {@code theta + increment} of every variable ({@link #computeUpdate}).
 * Only then are the writes built ({@link #applyUpdate}): every assignment has a control
 * dependency on every computed value, so no read of the step sees a written value. The template
 * methods keep their roles: {@code createSlots} makes the slots, {@code applyDense} writes one
 * variable and its slots, {@code finish} writes the counter and groups everything.
 *
 * <p>This optimizer is the only writer of the variables it updates. A caller that must update
 * other state in the same step (the meta step updating the gate) passes those writes to
 * {@link #applyUpdate}, so they are ordered with the same rule.
 *
 * <p>Not thread-safe while building; the built ops are as thread-safe as the session.
 *
 * @param <T> the floating type of all variables it updates
 */
public final class DynamicBlendedOptimizer<T extends TFloating> extends Optimizer {
  /** Default graph scope. */
  public static final String DEFAULT_NAME = "blended";

  private final String name;
  private final Class<T> type;
  private final BlendRule<T> rule;
  private final AlphaSource<T> alphaSource;
  private final Ops ops;
  private final Variable<T> counter;
  /** Variable op name -> its slot variables in rule slot order. */
  private final Map<String, List<Variable<T>>> slotsByVariable = new LinkedHashMap<>();
  private Op resetOp;
  private boolean resetStale = true;
  private int updates;
  private Step<T> pending;
  private Ops pendingWrites;

  private DynamicBlendedOptimizer(
      Ops scope, String name, Class<T> type, BlendRule<T> rule, AlphaSource<T> alphaSource) {
    super((Graph) scope.scope().env(), name);
    this.name = name;
    this.type = Preconditions.checkNotNull(type, "type");
    this.rule = Preconditions.checkNotNull(rule, "rule");
    this.alphaSource = Preconditions.checkNotNull(alphaSource, "alphaSource");
    this.ops = scope;
    Ops init = ops.withInitScope();
    this.counter = init.withName("step").variable(Shape.scalar(), type);
    init.withName("step_init").assign(counter, zeros(init, Shape.scalar()));
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
    Preconditions.checkArgument(scope.scope().env() instanceof Graph, "the optimizer needs a graph");
    return new DynamicBlendedOptimizer<>(scope, name, type, rule, alphaSource);
  }

  /**
   * The Adam / momentum-SGD blend with constant hyperparameters, under scope
   * {@value #DEFAULT_NAME}: {@code a} is {@link AdamRule}, {@code b} is {@link MomentumRule}
   * (not Nesterov, no weight decay).
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
   * Constant hyperparameters of the Adam / momentum-SGD blend, checked at construction.
   *
   * @param adamLr Adam's learning rate ({@code >= 0})
   * @param beta1 Adam's first-moment decay, in {@code [0, 1)}
   * @param beta2 Adam's second-moment decay, in {@code [0, 1)}
   * @param eps Adam's epsilon ({@code > 0}), added to {@code sqrt(vhat)}
   * @param sgdLr momentum SGD's learning rate ({@code >= 0})
   * @param momentum momentum SGD's {@code mu}, in {@code [0, 1]}
   */
  public record Settings(double adamLr, double beta1, double beta2, double eps, double sgdLr, double momentum) {
    public Settings {
      check("adam_lr", adamLr, adamLr >= 0, ">= 0");
      check("beta1", beta1, beta1 >= 0 && beta1 < 1, "in [0, 1)");
      check("beta2", beta2, beta2 >= 0 && beta2 < 1, "in [0, 1)");
      check("eps", eps, eps > 0, "> 0");
      check("sgd_lr", sgdLr, sgdLr >= 0, ">= 0");
      check("momentum", momentum, momentum >= 0 && momentum <= 1, "in [0, 1]");
    }

    /**
     * The defaults of the Adam and momentum-SGD baselines: {@link AdamRule#DEFAULT_LR}
     * (1e-2), beta1 0.9, beta2 0.999, eps 1e-8, {@link MomentumRule#DEFAULT_LR} (0.05),
     * momentum 0.9.
     */
    public static Settings defaults() {
      return new Settings(AdamRule.DEFAULT_LR, AdamRule.DEFAULT_BETA1, AdamRule.DEFAULT_BETA2,
          AdamRule.DEFAULT_EPS, MomentumRule.DEFAULT_LR, MomentumRule.DEFAULT_MOMENTUM);
    }

    /**
     * Checks one hyperparameter: finite and within its range.
     *
     * @throws BadInputException naming the key otherwise
     */
    public static void check(String key, double value, boolean inRange, String range) {
      if (!Double.isFinite(value)) {
        throw BadInputException.of("hyperparameter %s must be finite, got %s", key, value);
      }
      if (!inRange) {
        throw BadInputException.of("hyperparameter %s must be %s, got %s", key, range, value);
      }
    }
  }

  /**
   * One step's update, built but not written: what {@link #computeUpdate} returns and what
   * {@link #applyUpdate} writes. Lists are in the order of the variables given.
   *
   * @param alpha the step's blend weight (the {@link AlphaSource}'s operand)
   * @param step the 1-based number of this update; written to the counter
   * @param variables the variables updated
   * @param params their values before the step (reads)
   * @param increments the blended increments
   * @param lookAhead {@code params + increments}: exactly the values written
   * @param nextSlots each variable's next slot values, in {@link BlendRule#slotNames()} order
   * @param context what the alpha source was given (gradients and both rules' increments)
   */
  public record Step<T extends TFloating>(
      Operand<T> alpha,
      Operand<T> step,
      List<Output<T>> variables,
      List<Operand<T>> params,
      List<Operand<T>> increments,
      List<Operand<T>> lookAhead,
      List<List<Operand<T>>> nextSlots,
      BlendContext<T> context) {}

  /**
   * An extra write to run in the same step as the update ({@link #applyUpdate}): the optimizer
   * calls {@link #build} once, with ops whose control dependencies are every computed value of
   * the step, and groups the returned op with its own writes. Implementations only build the
   * write there (an {@code Assign}, or a fused in-place update such as {@code ApplyAdam} whose
   * result no one differentiates).
   */
  @FunctionalInterface
  public interface Writer {
    /** Builds the write under {@code deps} (which carries the step's control dependencies). */
    Op build(Ops deps);
  }

  /**
   * An extra assignment to run in the same step as the update ({@link #applyUpdate}).
   *
   * @param variable the variable written
   * @param value its new value
   */
  public record Write<V extends TType>(Variable<V> variable, Operand<V> value) implements Writer {
    @Override
    public Op build(Ops deps) {
      return deps.assign(variable, value);
    }
  }

  @Override
  public String getOptimizerName() {
    return name;
  }

  /** The rule blended. */
  public BlendRule<T> rule() {
    return rule;
  }

  /** The step counter variable (number of updates applied). */
  public Variable<T> stepCounter() {
    return counter;
  }

  /** Creates the slots of variables that have none yet; idempotent. */
  @Override
  protected void createSlots(List<Output<? extends TType>> variables) {
    Ops init = ops.withInitScope();
    for (Output<? extends TType> v : variables) {
      String key = v.op().name();
      if (slotsByVariable.containsKey(key)) {
        continue;
      }
      Output<T> typed = typed(v);
      Shape shape = typed.shape();
      Preconditions.checkArgument(!shape.isUnknown() && !shape.hasUnknownDimension(),
          "variable %s needs a fully known shape for its slots, has %s", key, shape);
      // the framework's createSlot names slots "<var>-<slot>", which TF-Java rejects for any
      // variable inside a scope ('/' is not allowed in an op name): we create them as
      // <name>/slots/<var scopes>/<a|b>/<slot> instead and answer getSlot from our own map
      Ops scope = init.withSubScope("slots");
      for (String part : key.split("/")) {
        scope = scope.withSubScope(part);
      }
      List<Variable<T>> slots = new ArrayList<>();
      for (String slot : rule.slotNames()) {
        Ops s = scope;
        String[] parts = slot.split("/");
        for (int k = 0; k < parts.length - 1; k++) {
          s = s.withSubScope(parts[k]);
        }
        Variable<T> var = s.withName(parts[parts.length - 1]).variable(shape, type);
        s.withSubScope(parts[parts.length - 1]).withName("init").assign(var, zeros(s, shape));
        slots.add(var);
      }
      slotsByVariable.put(key, List.copyOf(slots));
      resetStale = true;
    }
  }

  /**
   * The slot {@code slotName} ({@link BlendRule#slotNames()}, for example {@code a/m}) of
   * {@code var}, once {@code applyGradients} has seen it.
   */
  @Override
  @SuppressWarnings("unchecked")
  public <V extends TType> Optional<Variable<V>> getSlot(Output<V> var, String slotName) {
    List<Variable<T>> slots = slotsByVariable.get(var.op().name());
    int k = rule.slotNames().indexOf(slotName);
    if (slots == null || k < 0) {
      return Optional.empty();
    }
    return Optional.of((Variable<V>) slots.get(k));
  }

  @SuppressWarnings("unchecked")
  private Output<T> typed(Output<? extends TType> v) {
    Preconditions.checkArgument(v.type() == type, "variable %s has type %s, this optimizer updates %s",
        v.op().name(), v.type().getSimpleName(), type.getSimpleName());
    return (Output<T>) v;
  }

  private Operand<T> zeros(Ops init, Shape shape) {
    return init.zeros(init.constant(shape.asArray()), type);
  }

  /**
   * Builds one step for {@code gradsAndVars} without writing anything: both rules' increments of
   * every variable, then one {@code alpha} from all of them, then the blended look-ahead. Creates
   * slots on first sight of a variable.
   */
  public Step<T> computeUpdate(List<GradAndVar<? extends TType>> gradsAndVars) {
    Preconditions.checkArgument(!gradsAndVars.isEmpty(), "no gradients given");
    List<Output<? extends TType>> vars = new ArrayList<>();
    gradsAndVars.forEach(gv -> vars.add(gv.getVariable()));
    createSlots(vars);
    Ops o = ops.withSubScope("update" + (updates == 0 ? "" : "_" + updates));
    updates++;
    Operand<T> one = o.dtypes.cast(o.constant(1.0f), type);
    Operand<T> t = o.withName("t").math.add(o.identity(counter), one);
    List<Output<T>> variables = new ArrayList<>();
    List<Operand<T>> grads = new ArrayList<>();
    List<Operand<T>> reads = new ArrayList<>();
    List<BlendRule.Parts<T>> parts = new ArrayList<>();
    List<Ops> scopes = new ArrayList<>();
    for (GradAndVar<? extends TType> gv : gradsAndVars) {
      Output<T> var = typed(gv.getVariable());
      Preconditions.checkArgument(gv.getGradient() != null, "no gradient for variable %s", var.op().name());
      @SuppressWarnings("unchecked")
      Output<T> grad = (Output<T>) gv.getGradient();
      Preconditions.checkArgument(grad.type() == type, "gradient of %s has type %s, expected %s",
          var.op().name(), grad.type().getSimpleName(), type.getSimpleName());
      Ops vs = o.withSubScope(var.op().name().replace('/', '_'));
      Operand<T> read = vs.withName("read").identity(var);
      List<Operand<T>> slotReads = new ArrayList<>();
      for (Variable<T> s : slotsByVariable.get(var.op().name())) {
        slotReads.add(s);
      }
      parts.add(rule.parts(vs, grad, read, slotReads, t));
      variables.add(var);
      grads.add(grad);
      reads.add(read);
      scopes.add(vs);
    }
    List<Operand<T>> incA = new ArrayList<>();
    List<Operand<T>> incB = new ArrayList<>();
    parts.forEach(p -> {
      incA.add(p.a().increment());
      incB.add(p.b().increment());
    });
    BlendContext<T> ctx = new BlendContext<>(type, grads, reads, incA, incB, t);
    Operand<T> alpha = alphaSource.alpha(o.withSubScope("alpha"), ctx);
    Preconditions.checkArgument(alpha.type() == type, "alpha has type %s, expected %s",
        alpha.type().getSimpleName(), type.getSimpleName());
    List<Operand<T>> increments = new ArrayList<>();
    List<Operand<T>> lookAhead = new ArrayList<>();
    List<List<Operand<T>>> next = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      UpdateRule.Update<T> u = rule.blend(scopes.get(i), alpha, parts.get(i));
      increments.add(u.increment());
      lookAhead.add(scopes.get(i).withName("look_ahead").math.add(reads.get(i), u.increment()));
      next.add(u.nextSlots());
    }
    return new Step<>(alpha, t, List.copyOf(variables), List.copyOf(reads), List.copyOf(increments),
        List.copyOf(lookAhead), List.copyOf(next), ctx);
  }

  /**
   * Writes {@code step}: every variable becomes its look-ahead, its slots their next values, the
   * counter {@code step.step()}, and {@code alsoWrite} are built. Every write waits for every
   * value of {@code step} and for {@code alsoCompute}, so all of them are computed from the state
   * before the step. An in-place write (a fused update) must list in {@code alsoCompute}
   * every op that reads what it overwrites, or that op may see the new value.
   *
   * @return a no-op {@code <scope>/<name>} that completes when every write has happened
   */
  public Op applyUpdate(Step<T> step, List<? extends Op> alsoCompute, List<? extends Writer> alsoWrite, String name) {
    List<Op> computed = new ArrayList<>();
    computed.add(step.alpha());
    computed.add(step.step());
    computed.addAll(step.lookAhead());
    step.nextSlots().forEach(computed::addAll);
    computed.addAll(alsoCompute);
    pending = step;
    pendingWrites = ops.withSubScope("write").withControlDependencies(computed);
    List<Op> writes = new ArrayList<>();
    try {
      for (int i = 0; i < step.variables().size(); i++) {
        writes.add(applyDense(pendingWrites, step.context().gradients().get(i).asOutput(), step.variables().get(i)));
      }
      for (Writer w : alsoWrite) {
        writes.add(w.build(pendingWrites));
      }
      return finish(writes, name);
    } finally {
      pending = null;
      pendingWrites = null;
    }
  }

  /** One step of the blend on {@code gradsAndVars}: {@link #computeUpdate}, then {@link #applyUpdate}. */
  @Override
  public Op applyGradients(List<GradAndVar<? extends TType>> gradsAndVars, String name) {
    return applyUpdate(computeUpdate(gradsAndVars), List.of(), List.of(), name);
  }

  /**
   * Writes one variable's look-ahead and next slots of the step being applied; {@code deps}
   * carries the control dependencies on every computed value of the step.
   */
  @Override
  protected <V extends TType> Op applyDense(Ops deps, Output<V> gradient, Output<V> variable) {
    Preconditions.checkState(pending != null, "applyDense runs only inside applyGradients/applyUpdate");
    int i = pending.variables().indexOf(variable);
    Preconditions.checkArgument(i >= 0, "variable %s is not part of this step", variable.op().name());
    Output<T> var = pending.variables().get(i);
    List<Op> assigns = new ArrayList<>();
    assigns.add(deps.assign(var, pending.lookAhead().get(i)));
    List<Variable<T>> slots = slotsByVariable.get(var.op().name());
    for (int k = 0; k < slots.size(); k++) {
      assigns.add(deps.assign(slots.get(k), pending.nextSlots().get(i).get(k)));
    }
    return deps.withControlDependencies(assigns).noOp();
  }

  /** Writes the step counter and groups all writes into a no-op {@code <scope>/<name>}. */
  @Override
  protected Op finish(List<Op> updateOperations, String name) {
    List<Op> all = new ArrayList<>(updateOperations);
    all.add(pendingWrites.assign(counter, pending.step()));
    return ops.withControlDependencies(all).withName(name).noOp();
  }

  /** Zeroes every slot and the step counter (one session run), for a new trial. */
  public void reset(Session session) {
    session.run(resetOp());
  }

  /** The op that zeroes every slot created so far and the step counter. */
  public Op resetOp() {
    if (resetStale || resetOp == null) {
      Ops r = ops.withSubScope(String.format(Locale.ROOT, "reset_%d", slotsByVariable.size()));
      List<Op> assigns = new ArrayList<>();
      assigns.add(r.assign(counter, zeros(r, Shape.scalar())));
      for (List<Variable<T>> slots : slotsByVariable.values()) {
        for (Variable<T> s : slots) {
          assigns.add(r.assign(s, zeros(r, s.shape())));
        }
      }
      resetOp = r.withControlDependencies(assigns).withName("all").noOp();
      resetStale = false;
    }
    return resetOp;
  }
}
