package dev.tfblend.optim;

import com.google.common.base.Preconditions;

/**
 * One hyperparameter of an optimizer: the key {@code --set}, configs and search spaces use, its
 * default, the values it may take, and what it means.
 *
 * @param name the key ({@code lr}, {@code beta1}, ...)
 * @param defaultValue the value when none is given (inside {@code domain})
 * @param domain the values allowed
 * @param structural whether it selects the graph (fixed when the graph is built, like Nesterov
 *     momentum or the gate's width) rather than being a value fed to the built graph
 * @param description one line for users
 */
public record Hyperparameter(String name, double defaultValue, Domain domain, boolean structural, String description) {

  public Hyperparameter {
    Preconditions.checkNotNull(name, "name");
    Preconditions.checkNotNull(domain, "domain");
    Preconditions.checkArgument(domain.contains(defaultValue), "default of %s (%s) is not %s", name,
        defaultValue, domain);
  }

  /** A value fed to the built graph. */
  public static Hyperparameter of(String name, double defaultValue, Domain domain, String description) {
    return new Hyperparameter(name, defaultValue, domain, false, description);
  }

  /** A value fixed when the graph is built. */
  public static Hyperparameter structural(String name, double defaultValue, Domain domain, String description) {
    return new Hyperparameter(name, defaultValue, domain, true, description);
  }

  /** This hyperparameter under another key (a blend names its parts' learning rates apart). */
  public Hyperparameter renamed(String newName) {
    return new Hyperparameter(newName, defaultValue, domain, structural, description);
  }

  /** This hyperparameter with another default. */
  public Hyperparameter withDefault(double value) {
    return new Hyperparameter(name, value, domain, structural, description);
  }
}
