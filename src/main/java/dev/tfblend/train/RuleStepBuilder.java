package dev.tfblend.train;

import dev.tfblend.BadInputException;
import dev.tfblend.model.ParameterSet;
import dev.tfblend.optim.Hyperparameter;
import dev.tfblend.optim.HyperparameterTable;
import dev.tfblend.optim.Hyperparameters;
import dev.tfblend.optim.RuleOptimizer;
import dev.tfblend.optim.SharedStateRule;
import dev.tfblend.optim.UpdateRule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.framework.optimizers.Optimizer.GradAndVar;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * A {@link StepBuilder} that applies one {@link UpdateRule} to every model parameter through a
 * {@link RuleOptimizer} (the Adam and momentum-SGD baselines, and any rule registered with
 * {@link Optimizers#registerRule}).
 *
 * <p>Graph layout under {@code <name>/} (for example {@code adam/}): hyperparameters in
 * {@code hyper/<key>} ({@link Hyperparameters}), and the optimizer's slots
 * {@code slots/<param>/<slot>}, counter {@code step}, update math {@code update/...}, writes
 * {@code write/...} and target {@code update}. Structural keys (momentum's {@code nesterov}) are
 * fixed when the graph is built; {@link TrainStep#setHyperparameters} accepts them only with the
 * built value. The built step of a rule that {@linkplain UpdateRule#repeatsInLoop() repeats in a
 * loop} also runs as a loop body ({@link TrainStep#loopStep()}): many steps per {@code session.run},
 * the same values bit for bit.
 * Immutable.
 */
public final class RuleStepBuilder implements StepBuilder {
  private final HyperparameterTable table;
  private final Optimizers.RuleFactory ruleFactory;
  private final Map<String, Double> structural;

  /**
   * @param table the optimizer's hyperparameters; its name is the graph scope
   * @param ruleFactory makes the rule from the hyperparameter operands and the structural values
   * @param values the run's values, of which the structural ones are read (defaults for the rest)
   */
  RuleStepBuilder(HyperparameterTable table, Optimizers.RuleFactory ruleFactory, Map<String, Double> values) {
    this.table = table;
    this.ruleFactory = ruleFactory;
    Map<String, Double> s = new LinkedHashMap<>();
    for (Hyperparameter h : table.entries()) {
      if (h.structural()) {
        Double v = values.getOrDefault(h.name(), h.defaultValue());
        table.check(h.name(), v);
        s.put(h.name(), v);
      }
    }
    this.structural = Collections.unmodifiableMap(s);
  }

  @Override
  public String name() {
    return table.optimizer();
  }

  @Override
  public Map<String, Double> hyperparameterDefaults() {
    Map<String, Double> all = new LinkedHashMap<>(table.defaults());
    all.putAll(structural);
    return Collections.unmodifiableMap(all);
  }

  @Override
  public TrainStep build(StepContext ctx) {
    Ops o = ctx.tf().withSubScope(name());
    Hyperparameters<TFloat32> hyper =
        Hyperparameters.create(o.withSubScope("hyper"), TFloat32.class, table.operandDefaults());
    RuleOptimizer<TFloat32> optimizer =
        RuleOptimizer.create(o, name(), TFloat32.class, ruleFactory.create(hyper, structural));
    ParameterSet<TFloat32> params = ctx.params();
    List<GradAndVar<? extends TType>> gv = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      gv.add(new GradAndVar<>(ctx.gradients().get(i).asOutput(), params.variable(i).asOutput()));
    }
    Op target = optimizer.applyUpdate(optimizer.computeUpdate(gv), ctx.beforeUpdate(), List.of(), "update");
    return new Built(target, hyper, optimizer, new Loop(o, hyper, optimizer, params));
  }

  /**
   * The step as a loop body, for a rule that {@linkplain UpdateRule#repeatsInLoop() repeats in a
   * loop}. The state is each slot of all parameters flat ({@link ParameterSet#flatten}), then the
   * step counter, then (for a {@link SharedStateRule}) its shared slots stacked into one vector. An
   * {@linkplain UpdateRule#elementwise() elementwise} rule without shared state is applied once to
   * the flat parameters and gradients the loop gives it (fewer operations per step); any other
   * rule (SWATS: its shared slots sum over every parameter, parameter by parameter) gets them split
   * back into one value per parameter, so that its operations are exactly the per-step ones. Either
   * way the values are the same bit for bit. The constants are the hyperparameters in table order.
   * The body builds the rule again from the constants and runs {@link RuleOptimizer#computeStep},
   * the operations of the step's {@link RuleOptimizer#computeUpdate};
   * {@link RuleOptimizer#assignState} writes the result.
   */
  private final class Loop implements LoopStep {
    private final Ops reads;
    private final Hyperparameters<TFloat32> hyper;
    private final RuleOptimizer<TFloat32> optimizer;
    private final ParameterSet<TFloat32> params;
    private final int slotCount;
    private final int sharedCount;

    Loop(Ops o, Hyperparameters<TFloat32> hyper, RuleOptimizer<TFloat32> optimizer, ParameterSet<TFloat32> params) {
      this.reads = o.withSubScope("loop_read");
      this.hyper = hyper;
      this.optimizer = optimizer;
      this.params = params;
      this.slotCount = optimizer.rule().slotNames().size();
      this.sharedCount = optimizer.sharedSlots().size();
    }

    /** Whether the body applies the rule once to all parameters flat. */
    private boolean flat(UpdateRule<TFloat32> rule) {
      return rule.elementwise() && !(rule instanceof SharedStateRule);
    }

    @Override
    public List<Operand<TFloat32>> state() {
      List<Operand<TFloat32>> out = new ArrayList<>();
      for (int k = 0; k < slotCount; k++) {
        List<Operand<TFloat32>> parts = new ArrayList<>();
        for (Variable<TFloat32> v : params.variables()) {
          parts.add(reads.identity(optimizer.slots(v.asOutput()).get(k)));
        }
        out.add(params.flatten(reads, parts));
      }
      out.add(reads.identity(optimizer.stepCounter()));
      if (sharedCount > 0) {
        List<Operand<TFloat32>> shared = new ArrayList<>();
        optimizer.sharedSlots().forEach(v -> shared.add(reads.identity(v)));
        out.add(reads.withName("shared").stack(shared));
      }
      return out;
    }

    @Override
    public List<Operand<TFloat32>> constants() {
      return List.copyOf(hyper.reads().values());
    }

    @Override
    public Next next(Ops tf, Operand<TFloat32> flatValues, List<Operand<TFloat32>> values,
        List<Operand<TFloat32>> gradients, Operand<TFloat32> loss, List<Operand<TFloat32>> state,
        List<Operand<TFloat32>> constants) {
      Map<String, Operand<TFloat32>> named = new LinkedHashMap<>();
      List<String> keys = List.copyOf(hyper.reads().keySet());
      for (int k = 0; k < keys.size(); k++) {
        named.put(keys.get(k), constants.get(k));
      }
      UpdateRule<TFloat32> rule = ruleFactory.create(Hyperparameters.view(TFloat32.class, named), structural);
      Ops own = tf.withSubScope(name());
      Operand<TFloat32> counter = state.get(slotCount);
      List<Operand<TFloat32>> shared = sharedCount == 0 ? List.of() : unstack(own, state.get(slotCount + 1));
      List<Operand<TFloat32>> next = new ArrayList<>();
      RuleOptimizer.Step<TFloat32> step;
      Operand<TFloat32> nextValues;
      if (flat(rule)) {
        step = RuleOptimizer.computeStep(own.withSubScope("update"), TFloat32.class, rule, List.of("all"),
            List.of(flatValues), List.of(params.flatten(own.withSubScope("gradients"), gradients)),
            List.of(state.subList(0, slotCount)), counter, shared);
        next.addAll(step.nextSlots().get(0));
        nextValues = step.lookAhead().get(0);
      } else {
        step = RuleOptimizer.computeStep(own.withSubScope("update"), TFloat32.class, rule, params.names(), values,
            gradients, slotsByParameter(own.withSubScope("split"), state), counter, shared);
        Ops j = own.withSubScope("join");
        for (int k = 0; k < slotCount; k++) {
          List<Operand<TFloat32>> slot = new ArrayList<>();
          for (List<Operand<TFloat32>> parameterSlots : step.nextSlots()) {
            slot.add(parameterSlots.get(k));
          }
          next.add(params.flatten(j, slot));
        }
        nextValues = params.flatten(j, step.lookAhead());
      }
      next.add(step.step());
      if (sharedCount > 0) {
        next.add(own.withName("shared_next").stack(step.nextShared()));
      }
      return new Next(nextValues, next, Map.of());
    }

    @Override
    public Op write(Ops tf, Operand<TFloat32> values, List<Operand<TFloat32>> state) {
      Ops f = tf.withSubScope(name()).withSubScope("loop_split");
      List<List<Operand<TFloat32>>> slots = slotsByParameter(f, state);
      List<Operand<TFloat32>> shared = sharedCount == 0 ? List.of() : unstack(f, state.get(slotCount + 1));
      List<Output<TFloat32>> vars = params.variables().stream().map(Variable::asOutput).toList();
      return optimizer.assignState(vars, params.split(f, values), slots, state.get(slotCount), shared, "loop_update");
    }

    /** The flat slots at the head of {@code state} split back: each parameter's slot values, in slot order. */
    private List<List<Operand<TFloat32>>> slotsByParameter(Ops tf, List<Operand<TFloat32>> state) {
      List<List<Operand<TFloat32>>> bySlot = new ArrayList<>();
      for (int k = 0; k < slotCount; k++) {
        bySlot.add(params.split(tf, state.get(k)));
      }
      List<List<Operand<TFloat32>>> out = new ArrayList<>();
      for (int i = 0; i < params.size(); i++) {
        List<Operand<TFloat32>> own = new ArrayList<>();
        for (int k = 0; k < slotCount; k++) {
          own.add(bySlot.get(k).get(i));
        }
        out.add(own);
      }
      return out;
    }

    private List<Operand<TFloat32>> unstack(Ops tf, Operand<TFloat32> stacked) {
      List<Operand<TFloat32>> out = new ArrayList<>();
      tf.withName("shared").unstack(stacked, (long) sharedCount).output().forEach(out::add);
      return out;
    }
  }

  private final class Built implements TrainStep {
    private final Op target;
    private final Hyperparameters<TFloat32> hyper;
    private final RuleOptimizer<TFloat32> optimizer;
    private final Loop loop;

    Built(Op target, Hyperparameters<TFloat32> hyper, RuleOptimizer<TFloat32> optimizer, Loop loop) {
      this.target = target;
      this.hyper = hyper;
      this.optimizer = optimizer;
      this.loop = loop;
    }

    /**
     * The loop body, for the rules that {@linkplain UpdateRule#repeatsInLoop() repeat in a loop}
     * (Adam, SGD-momentum, Adam with cosine decay, the fixed and scheduled blends, SWATS); the
     * others run one step per run.
     */
    @Override
    public Optional<LoopStep> loopStep() {
      UpdateRule<TFloat32> rule = optimizer.rule();
      return rule.repeatsInLoop() ? Optional.of(loop) : Optional.empty();
    }

    @Override
    public Op target() {
      return target;
    }

    @Override
    public void reset(Session session, long seed) {
      optimizer.reset(session);
    }

    /** The values of the rule's shared slots ({@link SharedStateRule}), in their order. */
    @Override
    public Map<String, Double> sharedState(Session session) {
      Map<String, Double> state = new LinkedHashMap<>();
      if (optimizer.rule() instanceof SharedStateRule<TFloat32> sr) {
        for (String n : sr.sharedSlotNames()) {
          try (TFloat32 t = (TFloat32) session.runner().fetch(optimizer.sharedSlot(n).orElseThrow()).run().get(0)) {
            state.put(n, (double) t.getFloat());
          }
        }
      }
      return state;
    }

    @Override
    public void setHyperparameters(Session session, Map<String, Double> values) {
      table.check(values);
      Map<String, Double> operands = new LinkedHashMap<>();
      for (Map.Entry<String, Double> e : values.entrySet()) {
        if (structural.containsKey(e.getKey())) {
          if (!structural.get(e.getKey()).equals(e.getValue())) {
            throw BadInputException.of("%s hyperparameter %s is fixed when the graph is built (%s), got %s",
                name(), e.getKey(), structural.get(e.getKey()), e.getValue());
          }
        } else {
          operands.put(e.getKey(), e.getValue());
        }
      }
      hyper.set(session, operands);
    }
  }
}
