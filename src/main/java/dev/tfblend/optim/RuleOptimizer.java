package dev.tfblend.optim;

import com.google.common.base.Preconditions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.IntFunction;
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
 * A TF-Java {@link Optimizer} that applies any {@link UpdateRule}, and the only writer of the
 * variables it updates, their slots and its step counter:
 *
 * <pre>
 *   theta_{t+1} = theta_t + increment_t          (increment_t from the rule)
 * </pre>
 *
 * <p>With an {@link AlphaSource} the rule is a {@link BlendRule} and each step takes one global
 * weight {@code alpha_t} from the source (or one per variable, when the source gives a vector),
 * chosen after every variable's candidate increments are built ({@link BlendContext}):
 * {@code increment_t = alpha_t * increment_a + (1 - alpha_t) * increment_b}. A constant, a
 * schedule of the step, a learned scalar or a gating network all fit as sources.
 *
 * <p><b>Drop-in use.</b> Build gradients with {@code graph.addGradients} over your variables and
 * call {@link #applyGradients(List, String)}; the returned op performs one step. Slots are created
 * once per variable ({@link #createSlots} is idempotent), named
 * {@code <name>/slots/<var>/<slot>} ({@link #getSlot}{@code (var, slot)} with the rule's slot
 * names, for a blend {@code a/m}, {@code a/v}, {@code b/momentum}), and start at zero through graph
 * initialisers (a {@link Session} runs them before its first run). The step counter is
 * {@code <name>/step}. {@link #reset} zeroes all of this optimizer's state again. Do not use the
 * inherited {@code minimize(loss)} in a graph holding other variables (a gate, slots): it
 * differentiates with respect to every {@code VariableV2} and throws for those the loss does not
 * reach.
 *
 * <p><b>Compute, then write.</b> {@link #computeUpdate} builds the whole step without writing:
 * every variable's increment, next slots and look-ahead {@code theta + increment} from the values
 * before the step. {@link #applyUpdate} then builds the writes: every variable becomes exactly its
 * look-ahead, every assignment waits for every computed value, so no read of the step sees a
 * written value, and whoever differentiates the look-ahead (the meta step) differentiates what is
 * applied. The template methods keep their roles: {@code createSlots} makes the slots,
 * {@code applyDense} writes one variable and its slots, {@code finish} writes the counter and
 * groups everything. A caller that must update other state in the same step (the meta step
 * updating the gate) passes those writes to {@link #applyUpdate}, so they are ordered by the same
 * rule.
 *
 * <p><b>Shared state.</b> A {@link SharedStateRule} also has scalar slots shared by all variables
 * ({@code <name>/shared/<slot>}, {@link #sharedSlot}): read once per step, passed to every
 * variable's update, advanced from all variables' gradients and increments
 * ({@link Step#nextShared()}) and written with the step's other writes.
 *
 * <p>Not thread-safe while building; the built ops are as thread-safe as the session.
 *
 * @param <T> the floating type of all variables it updates
 */
public class RuleOptimizer<T extends TFloating> extends Optimizer {
  private final String name;
  private final Class<T> type;
  private final UpdateRule<T> rule;
  private final BlendRule<T> blend;
  private final AlphaSource<T> alphaSource;
  private final Ops ops;
  private final Variable<T> counter;
  /** Variable op name -> its slot variables in rule slot order. */
  private final Map<String, List<Variable<T>>> slotsByVariable = new LinkedHashMap<>();
  /** The rule's shared slots ({@link SharedStateRule}), or empty. */
  private final List<Variable<T>> sharedSlots;
  private Op resetOp;
  private boolean resetStale = true;
  private int updates;
  private Step<T> pending;
  private Ops pendingWrites;

  /**
   * @param alphaSource {@code null} to apply {@code rule} as is; otherwise {@code rule} must be a
   *     {@link BlendRule} and the source gives its weight each step
   */
  protected RuleOptimizer(Ops scope, String name, Class<T> type, UpdateRule<T> rule, AlphaSource<T> alphaSource) {
    super(graphOf(scope), name);
    this.name = name;
    this.type = Preconditions.checkNotNull(type, "type");
    this.rule = Preconditions.checkNotNull(rule, "rule");
    this.alphaSource = alphaSource;
    if (alphaSource != null) {
      Preconditions.checkArgument(rule instanceof BlendRule, "an alpha source weights a BlendRule, got %s",
          rule.getClass().getSimpleName());
      this.blend = (BlendRule<T>) rule;
    } else {
      this.blend = null;
    }
    this.ops = scope;
    Ops init = ops.withInitScope();
    this.counter = init.withName("step").variable(Shape.scalar(), type);
    init.withName("step_init").assign(counter, zeros(init, Shape.scalar()));
    List<Variable<T>> shared = new ArrayList<>();
    if (rule instanceof SharedStateRule<T> sr) {
      Preconditions.checkArgument(alphaSource == null, "a shared-state rule is not blended by an alpha source");
      Ops sh = init.withSubScope("shared");
      for (String n : sr.sharedSlotNames()) {
        Variable<T> v = sh.withName(n).variable(Shape.scalar(), type);
        sh.withSubScope(n).withName("init").assign(v, zeros(sh, Shape.scalar()));
        shared.add(v);
      }
    }
    this.sharedSlots = List.copyOf(shared);
  }

  private static Graph graphOf(Ops scope) {
    Preconditions.checkArgument(scope.scope().env() instanceof Graph, "the optimizer needs a graph");
    return (Graph) scope.scope().env();
  }

  /**
   * An optimizer applying {@code rule}, whose hyperparameters are operands (for example graph
   * variables, so one graph serves many trials).
   *
   * @param scope ops under the scope this optimizer puts its state and operations in (for example
   *     {@code Ops.create(graph).withSubScope("adam")}, shared with the rule's hyperparameters)
   * @param name the optimizer's name ({@link #getOptimizerName()}), normally the scope's
   */
  public static <T extends TFloating> RuleOptimizer<T> create(Ops scope, String name, Class<T> type,
      UpdateRule<T> rule) {
    return new RuleOptimizer<>(scope, name, type, rule, null);
  }

  /**
   * One step's update, built but not written: what {@link #computeUpdate} returns and what
   * {@link #applyUpdate} writes. Lists are in the order of the variables given.
   *
   * @param alpha the step's blend weight (the {@link AlphaSource}'s operand), or {@code null}
   *     without an alpha source
   * @param step the 1-based number of this update; written to the counter
   * @param variables the variables updated
   * @param gradients their gradients
   * @param params their values before the step (reads)
   * @param increments the increments applied
   * @param lookAhead {@code params + increments}: exactly the values written
   * @param nextSlots each variable's next slot values, in the rule's slot order
   * @param context what the alpha source was given, or {@code null} without an alpha source
   * @param nextShared the shared slots' next values ({@link SharedStateRule}), empty for other rules
   */
  public record Step<T extends TFloating>(
      Operand<T> alpha,
      Operand<T> step,
      List<Output<T>> variables,
      List<Operand<T>> gradients,
      List<Operand<T>> params,
      List<Operand<T>> increments,
      List<Operand<T>> lookAhead,
      List<List<Operand<T>>> nextSlots,
      BlendContext<T> context,
      List<Operand<T>> nextShared) {}

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

  /** The rule applied. */
  public UpdateRule<T> rule() {
    return rule;
  }

  /** The step counter variable (number of updates applied). */
  public Variable<T> stepCounter() {
    return counter;
  }

  /** The shared slot {@code name} of a {@link SharedStateRule}, if the rule has one. */
  public Optional<Variable<T>> sharedSlot(String name) {
    if (rule instanceof SharedStateRule<T> sr) {
      int k = sr.sharedSlotNames().indexOf(name);
      return k < 0 ? Optional.empty() : Optional.of(sharedSlots.get(k));
    }
    return Optional.empty();
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
      // <name>/slots/<var scopes>/<slot scopes> instead and answer getSlot from our own map
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
   * The slot {@code slotName} (one of the rule's {@link UpdateRule#slotNames()}, for example
   * {@code a/m} of a blend) of {@code var}, once {@code applyGradients} has seen it.
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
   * Builds one step for {@code gradsAndVars} without writing anything: every variable's update
   * from the rule (for a blend: both rules' increments of every variable, then one {@code alpha}
   * from all of them, then the blend), and the look-ahead {@code theta + increment}. Creates slots
   * on first sight of a variable.
   */
  public Step<T> computeUpdate(List<GradAndVar<? extends TType>> gradsAndVars) {
    Preconditions.checkArgument(!gradsAndVars.isEmpty(), "no gradients given");
    List<Output<? extends TType>> vars = new ArrayList<>();
    gradsAndVars.forEach(gv -> vars.add(gv.getVariable()));
    createSlots(vars);
    Ops o = ops.withSubScope("update" + (updates == 0 ? "" : "_" + updates));
    updates++;
    List<Output<T>> variables = new ArrayList<>();
    List<Operand<T>> grads = new ArrayList<>();
    for (GradAndVar<? extends TType> gv : gradsAndVars) {
      Output<T> var = typed(gv.getVariable());
      Preconditions.checkArgument(gv.getGradient() != null, "no gradient for variable %s", var.op().name());
      @SuppressWarnings("unchecked")
      Output<T> grad = (Output<T>) gv.getGradient();
      Preconditions.checkArgument(grad.type() == type, "gradient of %s has type %s, expected %s",
          var.op().name(), grad.type().getSimpleName(), type.getSimpleName());
      variables.add(var);
      grads.add(grad);
    }
    List<String> names = variables.stream().map(v -> v.op().name()).toList();
    return buildStep(o, type, rule, alphaSource, names, grads,
        s -> s.identity(counter),
        (s, k) -> s.withName(((SharedStateRule<T>) rule).sharedSlotNames().get(k)).identity(sharedSlots.get(k)),
        (s, i) -> s.withName("read").identity(variables.get(i)),
        i -> new ArrayList<>(slotsByVariable.get(names.get(i))),
        variables);
  }

  /**
   * One step of {@code rule} as plain operations on given values, nothing read from or written to
   * any variable: what {@link #computeUpdate} builds, but for values that are not this
   * optimizer's variables (for example a loop body's inputs carrying them, so that many steps run
   * in one {@code session.run}). The same operations in the same order as
   * {@link #computeUpdate}, so the values are the same bit for bit. Only for a rule applied as is
   * (no {@link AlphaSource}).
   *
   * @param scope where the step's operations go
   * @param rule the rule, built from operands of {@code scope}'s graph
   * @param names one name per variable (its sub-scope, as {@link #computeUpdate} names it: the
   *     variable's op name)
   * @param params the variables' values before the step
   * @param grads their gradients
   * @param slots each variable's slot values, in the rule's slot order
   * @param counter the number of updates applied before this one
   * @param shared the shared slots' values ({@link SharedStateRule}), empty for other rules
   * @return the step; its {@link Step#variables()} is empty
   */
  public static <T extends TFloating> Step<T> computeStep(Ops scope, Class<T> type, UpdateRule<T> rule,
      List<String> names, List<Operand<T>> params, List<Operand<T>> grads, List<List<Operand<T>>> slots,
      Operand<T> counter, List<Operand<T>> shared) {
    Preconditions.checkArgument(!params.isEmpty(), "no parameters given");
    Preconditions.checkArgument(names.size() == params.size() && grads.size() == params.size()
        && slots.size() == params.size(), "%s names, %s gradients and %s slot lists for %s parameters",
        names.size(), grads.size(), slots.size(), params.size());
    int sharedCount = rule instanceof SharedStateRule<T> sr ? sr.sharedSlotNames().size() : 0;
    Preconditions.checkArgument(shared.size() == sharedCount, "%s has %s shared slots, got %s values",
        rule.getClass().getSimpleName(), sharedCount, shared.size());
    return buildStep(scope, type, rule, null, names, grads, s -> counter, (s, k) -> shared.get(k),
        (s, i) -> params.get(i), i -> new ArrayList<>(slots.get(i)), List.of());
  }

  /** The computation shared by {@link #computeUpdate} and {@link #computeStep}, reads built through the given functions. */
  private static <T extends TFloating> Step<T> buildStep(Ops o, Class<T> type, UpdateRule<T> rule,
      AlphaSource<T> alphaSource, List<String> names, List<Operand<T>> grads,
      Function<Ops, Operand<T>> counterRead,
      BiFunction<Ops, Integer, Operand<T>> sharedRead,
      BiFunction<Ops, Integer, Operand<T>> paramRead,
      IntFunction<List<Operand<T>>> slotValues,
      List<Output<T>> variables) {
    BlendRule<T> blend = alphaSource == null ? null : (BlendRule<T>) rule;
    Operand<T> one = o.dtypes.cast(o.constant(1.0f), type);
    Operand<T> t = o.withName("t").math.add(counterRead.apply(o), one);
    List<Operand<T>> reads = new ArrayList<>();
    List<Ops> scopes = new ArrayList<>();
    List<UpdateRule.Update<T>> updates = new ArrayList<>();
    List<BlendRule.Parts<T>> parts = new ArrayList<>();
    SharedStateRule<T> sharedRule = rule instanceof SharedStateRule<T> sr ? sr : null;
    List<Operand<T>> sharedReads = new ArrayList<>();
    int sharedCount = sharedRule == null ? 0 : sharedRule.sharedSlotNames().size();
    for (int k = 0; k < sharedCount; k++) {
      sharedReads.add(sharedRead.apply(o.withSubScope("shared"), k));
    }
    for (int i = 0; i < names.size(); i++) {
      Operand<T> grad = grads.get(i);
      Ops vs = o.withSubScope(names.get(i).replace('/', '_'));
      Operand<T> read = paramRead.apply(vs, i);
      List<Operand<T>> slotReads = slotValues.apply(i);
      if (sharedRule != null) {
        updates.add(sharedRule.update(vs, grad, read, slotReads, t, sharedReads));
      } else if (blend == null) {
        updates.add(rule.update(vs, grad, read, slotReads, t));
      } else {
        parts.add(blend.parts(vs, grad, read, slotReads, t));
      }
      reads.add(read);
      scopes.add(vs);
    }
    Operand<T> alpha = null;
    BlendContext<T> ctx = null;
    if (blend != null) {
      List<Operand<T>> incA = new ArrayList<>();
      List<Operand<T>> incB = new ArrayList<>();
      parts.forEach(p -> {
        incA.add(p.a().increment());
        incB.add(p.b().increment());
      });
      ctx = new BlendContext<>(type, grads, reads, incA, incB, t);
      alpha = alphaSource.alpha(o.withSubScope("alpha"), ctx);
      Preconditions.checkArgument(alpha.type() == type, "alpha has type %s, expected %s",
          alpha.type().getSimpleName(), type.getSimpleName());
      Preconditions.checkArgument(alpha.shape().numDimensions() == 0
          || (alpha.shape().numDimensions() == 1 && alpha.shape().size(0) == names.size()),
          "alpha must be a scalar or have one value per variable (%s), has shape %s", names.size(), alpha.shape());
    }
    Operand<T> alphaVector = alpha;
    List<Operand<T>> increments = new ArrayList<>();
    List<Operand<T>> lookAhead = new ArrayList<>();
    List<List<Operand<T>>> next = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      UpdateRule.Update<T> u = blend == null ? updates.get(i)
          : blend.blend(scopes.get(i), alphaOf(scopes.get(i), alphaVector, i), parts.get(i));
      increments.add(u.increment());
      lookAhead.add(scopes.get(i).withName("look_ahead").math.add(reads.get(i), u.increment()));
      next.add(u.nextSlots());
    }
    List<Operand<T>> nextShared = sharedRule == null ? List.of()
        : sharedRule.nextShared(o.withSubScope("shared_next"), sharedReads, grads, increments, t);
    Preconditions.checkState(nextShared.size() == sharedCount, "%s gave %s shared values for %s slots",
        rule.getClass().getSimpleName(), nextShared.size(), sharedCount);
    return new Step<>(alpha, t, List.copyOf(variables), List.copyOf(grads), List.copyOf(reads),
        List.copyOf(increments), List.copyOf(lookAhead), List.copyOf(next), ctx, List.copyOf(nextShared));
  }

  /** Variable {@code i}'s weight: {@code alpha} itself when it is a scalar, else its element {@code i}. */
  private static <T extends TFloating> Operand<T> alphaOf(Ops tf, Operand<T> alpha, int i) {
    if (alpha.shape().numDimensions() == 0) {
      return alpha;
    }
    return tf.withName("alpha_i").reshape(tf.slice(alpha, tf.constant(new int[] {i}), tf.constant(new int[] {1})),
        tf.constant(new long[0]));
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
    if (step.alpha() != null) {
      computed.add(step.alpha());
    }
    computed.add(step.step());
    computed.addAll(step.lookAhead());
    step.nextSlots().forEach(computed::addAll);
    computed.addAll(step.nextShared());
    computed.addAll(alsoCompute);
    pending = step;
    pendingWrites = ops.withSubScope("write").withControlDependencies(computed);
    List<Op> writes = new ArrayList<>();
    try {
      for (int i = 0; i < step.variables().size(); i++) {
        writes.add(applyDense(pendingWrites, step.gradients().get(i).asOutput(), step.variables().get(i)));
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

  /** One step on {@code gradsAndVars}: {@link #computeUpdate}, then {@link #applyUpdate}. */
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

  /**
   * The slot variables of {@code variable}, in the rule's slot order, once
   * {@link #computeUpdate} (or {@link #createSlots}) has seen it.
   *
   * @throws IllegalArgumentException for a variable without slots
   */
  public List<Variable<T>> slots(Output<?> variable) {
    List<Variable<T>> slots = slotsByVariable.get(variable.op().name());
    Preconditions.checkArgument(slots != null, "variable %s has no slots in %s", variable.op().name(), name);
    return slots;
  }

  /** The shared slots of a {@link SharedStateRule}, in its order; empty for other rules. */
  public List<Variable<T>> sharedSlots() {
    return sharedSlots;
  }

  /**
   * Writes a state reached elsewhere (for example after many steps computed by
   * {@link #computeStep} in a loop): every variable its value, its slots, the counter and the
   * shared slots. All writes wait for every value given.
   *
   * @param variables the variables, each already seen by this optimizer
   * @param values their new values, in the same order
   * @param slots each variable's new slot values, in the rule's slot order
   * @param step the new step counter
   * @param shared the shared slots' new values, in {@link #sharedSlots()} order
   * @return a no-op {@code <scope>/<name>} that completes when every write has happened
   */
  public Op assignState(List<Output<T>> variables, List<Operand<T>> values, List<List<Operand<T>>> slots,
      Operand<T> step, List<Operand<T>> shared, String name) {
    Preconditions.checkArgument(variables.size() == values.size() && variables.size() == slots.size(),
        "%s values and %s slot lists for %s variables", values.size(), slots.size(), variables.size());
    Preconditions.checkArgument(shared.size() == sharedSlots.size(), "%s shared values for %s shared slots",
        shared.size(), sharedSlots.size());
    List<Op> computed = new ArrayList<>(values);
    slots.forEach(computed::addAll);
    computed.add(step);
    computed.addAll(shared);
    Ops w = ops.withSubScope(name + "_write").withControlDependencies(computed);
    List<Op> writes = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      Output<T> var = variables.get(i);
      writes.add(w.assign(var, values.get(i)));
      List<Variable<T>> vs = slots(var);
      Preconditions.checkArgument(vs.size() == slots.get(i).size(), "variable %s has %s slots, got %s values",
          var.op().name(), vs.size(), slots.get(i).size());
      for (int k = 0; k < vs.size(); k++) {
        writes.add(w.assign(vs.get(k), slots.get(i).get(k)));
      }
    }
    writes.add(w.assign(counter, step));
    for (int k = 0; k < sharedSlots.size(); k++) {
      writes.add(w.assign(sharedSlots.get(k), shared.get(k)));
    }
    return ops.withControlDependencies(writes).withName(name).noOp();
  }

  /** Writes the step counter and groups all writes into a no-op {@code <scope>/<name>}. */
  @Override
  protected Op finish(List<Op> updateOperations, String name) {
    List<Op> all = new ArrayList<>(updateOperations);
    all.add(pendingWrites.assign(counter, pending.step()));
    for (int k = 0; k < sharedSlots.size(); k++) {
      all.add(pendingWrites.assign(sharedSlots.get(k), pending.nextShared().get(k)));
    }
    return ops.withControlDependencies(all).withName(name).noOp();
  }

  /** Zeroes every slot, shared slot and the step counter (one session run), for a new trial. */
  public void reset(Session session) {
    session.run(resetOp());
  }

  /** The op that zeroes every slot created so far and the step counter. */
  public synchronized Op resetOp() {
    if (resetStale || resetOp == null) {
      Ops r = ops.withSubScope(String.format(Locale.ROOT, "reset_%d", slotsByVariable.size()));
      List<Op> assigns = new ArrayList<>();
      assigns.add(r.assign(counter, zeros(r, Shape.scalar())));
      for (Variable<T> s : sharedSlots) {
        assigns.add(r.assign(s, zeros(r, Shape.scalar())));
      }
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
