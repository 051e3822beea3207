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
import org.tensorflow.Session;
import org.tensorflow.framework.optimizers.Optimizer.GradAndVar;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
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
 * built value. Immutable.
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
    return new Built(target, hyper, optimizer);
  }

  private final class Built implements TrainStep {
    private final Op target;
    private final Hyperparameters<TFloat32> hyper;
    private final RuleOptimizer<TFloat32> optimizer;

    Built(Op target, Hyperparameters<TFloat32> hyper, RuleOptimizer<TFloat32> optimizer) {
      this.target = target;
      this.hyper = hyper;
      this.optimizer = optimizer;
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
