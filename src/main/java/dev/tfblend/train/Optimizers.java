package dev.tfblend.train;

import com.google.common.base.Preconditions;
import dev.tfblend.BadInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The optimizers a run can name ({@code adam}, {@code sgd}, {@code blended}), their
 * hyperparameter keys with defaults, and the {@link StepBuilder} for each.
 *
 * <p>Structural keys select the graph, so they are read here and fixed for the graph's lifetime:
 * for {@code sgd}, {@code nesterov} (0 or 1); for {@code blended}, {@code gate_hidden} (a
 * positive integer; a given gate fixes it to its own width). The {@code blended} optimizer's
 * other build-time choices (gate input, a trained gate, freezing it) are {@link BlendOptions}.
 */
public final class Optimizers {
  private Optimizers() {}

  /** Known optimizer names. */
  public static List<String> names() {
    return List.of("adam", "sgd", "blended");
  }

  /** Hyperparameter keys and defaults of {@code name}, in a stable order. */
  public static Map<String, Double> defaults(String name) {
    return switch (checkName(name)) {
      case "adam" -> RuleStepBuilder.adam().hyperparameterDefaults();
      case "sgd" -> RuleStepBuilder.sgd(false).hyperparameterDefaults();
      case "blended" -> BlendedStepBuilder.defaults().hyperparameterDefaults();
      default -> throw new AssertionError(name);
    };
  }

  /** {@link #defaults} overridden by {@code params} (which must use known keys). */
  public static Map<String, Double> effective(String name, Map<String, Double> params) {
    Map<String, Double> all = new LinkedHashMap<>(defaults(name));
    for (Map.Entry<String, Double> e : params.entrySet()) {
      Preconditions.checkArgument(all.containsKey(e.getKey()),
          "unknown %s hyperparameter %s, expected one of %s", name, e.getKey(), all.keySet());
      all.put(e.getKey(), e.getValue());
    }
    return all;
  }

  /**
   * The step builder for {@code name} configured by {@code params} (its structural keys); a
   * {@code blended} one gets {@link BlendOptions#defaults()}.
   */
  public static StepBuilder stepBuilder(String name, Map<String, Double> params) {
    return stepBuilder(name, params, BlendOptions.defaults());
  }

  /**
   * The step builder for {@code name} configured by {@code params} (its structural keys) and,
   * for {@code blended}, by {@code blend} (ignored by the other optimizers).
   *
   * @throws dev.tfblend.BadInputException when {@code gate_hidden} is not a positive integer or
   *     differs from the width of a given gate
   */
  public static StepBuilder stepBuilder(String name, Map<String, Double> params, BlendOptions blend) {
    Preconditions.checkNotNull(blend, "blend options");
    return switch (checkName(name)) {
      case "adam" -> RuleStepBuilder.adam();
      case "sgd" -> {
        double n = params.getOrDefault("nesterov", 0.0);
        Preconditions.checkArgument(n == 0.0 || n == 1.0, "sgd hyperparameter nesterov must be 0 or 1, got %s", n);
        yield RuleStepBuilder.sgd(n == 1.0);
      }
      case "blended" -> blended(params, blend);
      default -> throw new AssertionError(name);
    };
  }

  private static BlendedStepBuilder blended(Map<String, Double> params, BlendOptions blend) {
    BlendedStepBuilder b = blend.builder();
    Double hidden = params.get("gate_hidden");
    if (hidden == null) {
      return b;
    }
    if (!(hidden >= 1) || hidden != Math.rint(hidden) || hidden > Integer.MAX_VALUE) {
      throw BadInputException.of("blended hyperparameter gate_hidden must be a positive integer, got %s", hidden);
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

  private static String checkName(String name) {
    Preconditions.checkArgument(names().contains(name), "unknown optimizer %s, expected one of %s", name, names());
    return name;
  }
}
