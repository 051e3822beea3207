package dev.tfblend.train;

import com.google.common.base.Preconditions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The optimizers a run can name ({@code adam}, {@code sgd}), their hyperparameter keys with
 * defaults, and the {@link StepBuilder} for each.
 *
 * <p>For {@code sgd}, {@code nesterov} (0 or 1) is structural: it selects the graph, so it is
 * read here and fixed for the graph's lifetime.
 */
public final class Optimizers {
  private Optimizers() {}

  /** Known optimizer names. */
  public static List<String> names() {
    return List.of("adam", "sgd");
  }

  /** Hyperparameter keys and defaults of {@code name}, in a stable order. */
  public static Map<String, Double> defaults(String name) {
    return switch (checkName(name)) {
      case "adam" -> RuleStepBuilder.adam().hyperparameterDefaults();
      case "sgd" -> RuleStepBuilder.sgd(false).hyperparameterDefaults();
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

  /** The step builder for {@code name} configured by {@code params} (its structural keys). */
  public static StepBuilder stepBuilder(String name, Map<String, Double> params) {
    return switch (checkName(name)) {
      case "adam" -> RuleStepBuilder.adam();
      case "sgd" -> {
        double n = params.getOrDefault("nesterov", 0.0);
        Preconditions.checkArgument(n == 0.0 || n == 1.0, "sgd hyperparameter nesterov must be 0 or 1, got %s", n);
        yield RuleStepBuilder.sgd(n == 1.0);
      }
      default -> throw new AssertionError(name);
    };
  }

  private static String checkName(String name) {
    Preconditions.checkArgument(names().contains(name), "unknown optimizer %s, expected one of %s", name, names());
    return name;
  }
}
