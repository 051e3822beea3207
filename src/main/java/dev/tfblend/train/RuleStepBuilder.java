package dev.tfblend.train;

import com.google.common.base.Preconditions;
import dev.tfblend.BadInputException;
import dev.tfblend.model.Init;
import dev.tfblend.model.ParameterSet;
import dev.tfblend.optim.AdamRule;
import dev.tfblend.optim.Hyperparameters;
import dev.tfblend.optim.MomentumRule;
import dev.tfblend.optim.UpdateRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoublePredicate;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A {@link StepBuilder} that applies one {@link UpdateRule} to every model parameter: the Adam
 * and momentum-SGD baselines.
 *
 * <p>Graph layout under {@code <name>/} (for example {@code adam/}): hyperparameters in
 * {@code <name>/hyper/<key>} ({@link Hyperparameters}), slots in
 * {@code <name>/slots/<param>/<slot>}, the step counter {@code <name>/step} (float32, number of
 * updates applied), the per-parameter update math in {@code <name>/<param>/...}, and the target
 * {@code <name>/update}. Every assignment has a control dependency on every computed increment,
 * next slot, the next counter and {@link StepContext#beforeUpdate()}, so all reads of the step
 * see the values from before it.
 *
 * <p>Some keys are structural (momentum's {@code nesterov}): fixed when the graph is built;
 * {@link TrainStep#setHyperparameters} accepts them only with the built value.
 *
 * <p>Values are range-checked ({@link #checkHyperparameters}) before they are set: for
 * {@link #adam()}, {@code lr > 0}, {@code beta1} and {@code beta2} in {@code [0, 1)},
 * {@code eps > 0}; for {@link #sgd}, {@code lr > 0}, {@code momentum} in {@code [0, 1)},
 * {@code weightDecay >= 0}, {@code nesterov} 0 or 1; every value must be finite.
 */
public final class RuleStepBuilder implements StepBuilder {
  /** Default Adam learning rate: {@link AdamRule#DEFAULT_LR}. */
  public static final double ADAM_DEFAULT_LR = AdamRule.DEFAULT_LR;
  /** Default momentum-SGD learning rate: {@link MomentumRule#DEFAULT_LR}. */
  public static final double SGD_DEFAULT_LR = MomentumRule.DEFAULT_LR;

  private final String name;
  private final Map<String, Double> defaults;
  private final Map<String, Double> structural;
  private final Function<Hyperparameters<TFloat32>, UpdateRule<TFloat32>> ruleFactory;
  private final Map<String, Range> ranges;

  /** The allowed values of one hyperparameter: a test and its wording for messages. */
  private record Range(String wording, DoublePredicate test) {}

  private static final Range POSITIVE = new Range("> 0", v -> v > 0);
  private static final Range NON_NEGATIVE = new Range(">= 0", v -> v >= 0);
  private static final Range UNIT = new Range("in [0, 1)", v -> v >= 0 && v < 1);
  private static final Range FLAG = new Range("0 or 1", v -> v == 0 || v == 1);

  /**
   * A builder whose values are only checked to be finite.
   *
   * @param name optimizer name and graph scope
   * @param defaults operand hyperparameters and their defaults, in order
   * @param structural keys fixed at build time, with their built values
   * @param ruleFactory makes the rule from the hyperparameter operands
   */
  public RuleStepBuilder(String name, Map<String, Double> defaults, Map<String, Double> structural,
      Function<Hyperparameters<TFloat32>, UpdateRule<TFloat32>> ruleFactory) {
    this(name, defaults, structural, ruleFactory, Map.of());
  }

  private RuleStepBuilder(String name, Map<String, Double> defaults, Map<String, Double> structural,
      Function<Hyperparameters<TFloat32>, UpdateRule<TFloat32>> ruleFactory, Map<String, Range> ranges) {
    this.name = name;
    this.defaults = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(defaults));
    this.structural = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(structural));
    this.ruleFactory = ruleFactory;
    this.ranges = Map.copyOf(ranges);
  }

  /**
   * Adam ({@link AdamRule}) with {@code lr = 1e-2}, {@code beta1 = 0.9}, {@code beta2 = 0.999},
   * {@code eps = 1e-8}.
   */
  public static RuleStepBuilder adam() {
    Map<String, Double> d = new LinkedHashMap<>();
    d.put("lr", ADAM_DEFAULT_LR);
    d.put("beta1", AdamRule.DEFAULT_BETA1);
    d.put("beta2", AdamRule.DEFAULT_BETA2);
    d.put("eps", AdamRule.DEFAULT_EPS);
    return new RuleStepBuilder("adam", d, Map.of(), AdamRule::of,
        Map.of("lr", POSITIVE, "beta1", UNIT, "beta2", UNIT, "eps", POSITIVE));
  }

  /**
   * Momentum SGD ({@link MomentumRule}) with {@code lr = 0.05}, {@code momentum = 0.9},
   * {@code weightDecay = 0}; {@code nesterov} is structural.
   */
  public static RuleStepBuilder sgd(boolean nesterov) {
    Map<String, Double> d = new LinkedHashMap<>();
    d.put("lr", SGD_DEFAULT_LR);
    d.put("momentum", MomentumRule.DEFAULT_MOMENTUM);
    d.put("weightDecay", 0.0);
    return new RuleStepBuilder("sgd", d, Map.of("nesterov", nesterov ? 1.0 : 0.0),
        h -> MomentumRule.of(h, nesterov),
        Map.of("lr", POSITIVE, "momentum", UNIT, "weightDecay", NON_NEGATIVE, "nesterov", FLAG));
  }

  /**
   * Checks hyperparameter values of the {@code adam} or {@code sgd} baseline (the ranges in the
   * class comment) without building anything; {@code train} calls it before it writes.
   *
   * @param optimizer {@code adam} or {@code sgd}
   * @throws BadInputException naming the optimizer, key, allowed range and value of the first
   *     value out of range or not finite
   */
  public static void checkHyperparameters(String optimizer, Map<String, Double> values) {
    RuleStepBuilder b = switch (optimizer) {
      case "adam" -> adam();
      case "sgd" -> sgd(false);
      default -> throw new IllegalArgumentException("not a baseline optimizer: " + optimizer);
    };
    b.checkHyperparameters(values);
  }

  /**
   * Checks values for this builder's keys: finite, and within the key's range where it has one.
   * Keys this builder does not know are left to {@link TrainStep#setHyperparameters}.
   *
   * @throws BadInputException naming the optimizer, key, allowed range and value
   */
  public void checkHyperparameters(Map<String, Double> values) {
    for (Map.Entry<String, Double> e : values.entrySet()) {
      String key = e.getKey();
      if (!defaults.containsKey(key) && !structural.containsKey(key)) {
        continue;
      }
      Double v = e.getValue();
      Range range = ranges.get(key);
      if (v == null || !Double.isFinite(v)) {
        throw BadInputException.of("%s hyperparameter %s must be a finite number%s, got %s", name, key,
            range == null ? "" : " " + range.wording(), v);
      }
      if (range != null && !range.test().test(v)) {
        throw BadInputException.of("%s hyperparameter %s must be %s, got %s", name, key, range.wording(), v);
      }
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Map<String, Double> hyperparameterDefaults() {
    Map<String, Double> all = new LinkedHashMap<>(defaults);
    all.putAll(structural);
    return java.util.Collections.unmodifiableMap(all);
  }

  @Override
  public TrainStep build(StepContext ctx) {
    Ops o = ctx.tf().withSubScope(name);
    Hyperparameters<TFloat32> hyper =
        Hyperparameters.create(o.withSubScope("hyper"), TFloat32.class, defaults);
    UpdateRule<TFloat32> rule = ruleFactory.apply(hyper);
    ParameterSet<TFloat32> params = ctx.params();
    ParameterSet.Builder<TFloat32> sb = ParameterSet.builder(o.withSubScope("slots"), TFloat32.class);
    for (int i = 0; i < params.size(); i++) {
      for (String slot : rule.slotNames()) {
        sb.add(params.names().get(i) + "/" + slot, params.shape(i), Init.zeros());
      }
    }
    ParameterSet<TFloat32> slots = sb.build();
    ParameterSet<TFloat32> counter =
        ParameterSet.builder(o, TFloat32.class).add("step", new long[0], Init.zeros()).build();
    Operand<TFloat32> t = o.withName("t").math.add(counter.value(0), o.constant(1.0f));

    int nSlots = rule.slotNames().size();
    List<Op> computed = new ArrayList<>();
    List<UpdateRule.Update<TFloat32>> updates = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      List<Operand<TFloat32>> current = slots.values().subList(i * nSlots, (i + 1) * nSlots);
      UpdateRule.Update<TFloat32> u = rule.update(o.withSubScope(params.names().get(i)),
          ctx.gradients().get(i), params.value(i), current, t);
      updates.add(u);
      computed.add(u.increment());
      computed.addAll(u.nextSlots());
    }
    computed.add(t);
    computed.addAll(ctx.beforeUpdate());
    Ops after = o.withSubScope("assign").withControlDependencies(computed);
    List<Op> assigns = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      UpdateRule.Update<TFloat32> u = updates.get(i);
      assigns.add(after.assignAdd(params.variable(i), u.increment()));
      for (int k = 0; k < nSlots; k++) {
        assigns.add(after.assign(slots.variable(i * nSlots + k), u.nextSlots().get(k)));
      }
    }
    assigns.add(after.assign(counter.variable(0), t));
    Op target = o.withControlDependencies(assigns).withName("update").noOp();
    return new Built(target, hyper, slots, counter);
  }

  private final class Built implements TrainStep {
    private final Op target;
    private final Hyperparameters<TFloat32> hyper;
    private final ParameterSet<TFloat32> slots;
    private final ParameterSet<TFloat32> counter;

    Built(Op target, Hyperparameters<TFloat32> hyper, ParameterSet<TFloat32> slots,
        ParameterSet<TFloat32> counter) {
      this.target = target;
      this.hyper = hyper;
      this.slots = slots;
      this.counter = counter;
    }

    @Override
    public Op target() {
      return target;
    }

    @Override
    public void reset(Session session, long seed) {
      slots.initialize(session, seed);
      counter.initialize(session, seed);
    }

    @Override
    public void setHyperparameters(Session session, Map<String, Double> values) {
      checkHyperparameters(values);
      Map<String, Double> operands = new HashMap<>();
      for (Map.Entry<String, Double> e : values.entrySet()) {
        if (structural.containsKey(e.getKey())) {
          Preconditions.checkArgument(structural.get(e.getKey()).equals(e.getValue()),
              "%s hyperparameter %s is fixed when the graph is built (%s), got %s",
              name, e.getKey(), structural.get(e.getKey()), e.getValue());
        } else {
          Preconditions.checkArgument(defaults.containsKey(e.getKey()),
              "unknown %s hyperparameter %s, expected one of %s", name, e.getKey(),
              hyperparameterDefaults().keySet());
          operands.put(e.getKey(), e.getValue());
        }
      }
      hyper.set(session, operands);
    }
  }
}
