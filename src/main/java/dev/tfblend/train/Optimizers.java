package dev.tfblend.train;

import com.google.common.base.Preconditions;
import dev.tfblend.BadInputException;
import dev.tfblend.optim.AdamCosineRule;
import dev.tfblend.optim.AdamRule;
import dev.tfblend.optim.ConstantBlend;
import dev.tfblend.optim.HyperparameterTable;
import dev.tfblend.optim.Hyperparameters;
import dev.tfblend.optim.MomentumRule;
import dev.tfblend.optim.ScheduledBlendRule;
import dev.tfblend.optim.SwatsRule;
import dev.tfblend.optim.UpdateRule;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.types.TFloat32;

/**
 * The registry of optimizers a run can name: name to hyperparameter table and step-builder
 * factory. Built in: {@code adam} ({@link AdamRule}), {@code sgd} ({@link MomentumRule}),
 * {@code blended} ({@link BlendedStep}) and the controls {@code constant-blend}
 * ({@link ConstantBlend}), {@code scheduled-blend} ({@link ScheduledBlendRule}),
 * {@code adam-cosine} ({@link AdamCosineRule}), {@code swats} ({@link SwatsRule}) and
 * {@code hypergradient-blend} ({@link HypergradientBlend}). Every check of an optimizer name or hyperparameter
 * ({@code --set}, configs, search spaces, {@code train}, {@code tune}) goes through here and the
 * optimizer's {@link HyperparameterTable}, so all give the same messages.
 *
 * <p>A new update rule needs its {@link UpdateRule} (with its table) and one
 * {@link #registerRule} call; nothing else changes. Thread-safe.
 */
public final class Optimizers {
  private Optimizers() {}

  /** Makes an optimizer's step builder from the run's hyperparameter values and gate options. */
  @FunctionalInterface
  public interface Factory {
    /**
     * @param values the run's hyperparameters (the structural ones select the graph), checked
     * @param blend the gate options (only the {@code blended} optimizer reads them)
     */
    StepBuilder create(Map<String, Double> values, BlendOptions blend);
  }

  /** Makes a rule from its hyperparameter operands and its structural values (keys of its table). */
  @FunctionalInterface
  public interface RuleFactory {
    UpdateRule<TFloat32> create(Hyperparameters<TFloat32> operands, Map<String, Double> structural);
  }

  /** One registered optimizer: its table (whose name is the optimizer's) and factory. */
  public record Spec(HyperparameterTable table, Factory factory) {
    /** The optimizer's name. */
    public String name() {
      return table.optimizer();
    }
  }

  /** Removes a registration when closed. */
  public interface Registration extends AutoCloseable {
    @Override
    void close();
  }

  private static final Map<String, Spec> REGISTRY = new LinkedHashMap<>();

  static {
    registerRule(AdamRule.HYPERPARAMETERS, (h, s) -> AdamRule.of(h.get("lr"), h.get("beta1"), h.get("beta2"),
        h.get("eps")));
    registerRule(MomentumRule.HYPERPARAMETERS, (h, s) -> MomentumRule.of(h.get("lr"), h.get("momentum"),
        h.get("weight_decay"), s.get("nesterov") == 1.0));
    register(new Spec(BlendedStep.HYPERPARAMETERS, Optimizers::blended));
    registerRule(ConstantBlend.HYPERPARAMETERS, (h, s) -> ConstantBlend.rule(h));
    registerRule(ScheduledBlendRule.HYPERPARAMETERS, (h, s) -> ScheduledBlendRule.of(h));
    registerRule(AdamCosineRule.HYPERPARAMETERS, (h, s) -> AdamCosineRule.of(h));
    registerRule(SwatsRule.HYPERPARAMETERS, (h, s) -> SwatsRule.of(h));
    register(new Spec(HypergradientBlend.HYPERPARAMETERS, (values, blend) -> HypergradientBlend.stepBuilder()));
  }

  /**
   * Registers {@code spec} under its name.
   *
   * @throws IllegalArgumentException when the name is taken
   */
  public static synchronized Registration register(Spec spec) {
    Preconditions.checkArgument(!REGISTRY.containsKey(spec.name()), "optimizer %s is already registered",
        spec.name());
    REGISTRY.put(spec.name(), spec);
    return () -> {
      synchronized (Optimizers.class) {
        REGISTRY.remove(spec.name());
      }
    };
  }

  /**
   * Registers an optimizer that applies one update rule to every parameter
   * ({@link RuleStepBuilder}), named after {@code table}.
   */
  public static Registration registerRule(HyperparameterTable table, RuleFactory rule) {
    return register(new Spec(table, (values, blend) -> new RuleStepBuilder(table, rule, values)));
  }

  /** Known optimizer names, in registration order. */
  public static synchronized List<String> names() {
    return List.copyOf(REGISTRY.keySet());
  }

  /**
   * The hyperparameter table of {@code name}.
   *
   * @throws BadInputException for an unknown optimizer
   */
  public static synchronized HyperparameterTable table(String name) {
    Spec s = REGISTRY.get(name);
    if (s == null) {
      throw BadInputException.of("optimizer must be one of %s, got %s", names(), name);
    }
    return s.table();
  }

  /** Hyperparameter keys and defaults of {@code name}, in a stable order. */
  public static Map<String, Double> defaults(String name) {
    return table(name).defaults();
  }

  /**
   * {@link #defaults} overridden by {@code params}, each checked against the table.
   *
   * @throws BadInputException for an unknown key or a value outside its domain
   */
  public static Map<String, Double> effective(String name, Map<String, Double> params) {
    return table(name).effective(params);
  }

  /**
   * The step builder for {@code name} configured by {@code params} (checked; the structural keys
   * select the graph) and, for {@code blended}, by {@code blend} (ignored by the others).
   *
   * @throws BadInputException for an unknown optimizer or key, a value outside its domain, or a
   *     {@code gate_hidden} that differs from the width of a given gate
   */
  public static StepBuilder stepBuilder(String name, Map<String, Double> params, BlendOptions blend) {
    Preconditions.checkNotNull(blend, "blend options");
    HyperparameterTable table = table(name);
    table.check(params);
    Spec spec;
    synchronized (Optimizers.class) {
      spec = REGISTRY.get(name);
    }
    return spec.factory().create(params, blend);
  }

  /** {@link #stepBuilder(String, Map, BlendOptions)} with {@link BlendOptions#defaults()}. */
  public static StepBuilder stepBuilder(String name, Map<String, Double> params) {
    return stepBuilder(name, params, BlendOptions.defaults());
  }

  private static StepBuilder blended(Map<String, Double> params, BlendOptions blend) {
    BlendedStepBuilder b = blend.builder().horizon(BlendedStep.Horizon.of(params));
    Double hidden = params.get("gate_hidden");
    if (hidden == null) {
      return b;
    }
    if (blend.initialGate() == null) {
      return b.gateHidden(hidden.intValue());
    }
    int given = blend.initialGate().hidden().get(0);
    if (hidden.intValue() != given) {
      throw BadInputException.of("blended hyperparameter gate_hidden is %s, but the given gate has %d hidden units",
          hidden, given);
    }
    return b;
  }
}
