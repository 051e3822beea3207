package dev.tfblend.model;

import java.util.Locale;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * Hidden-layer nonlinearities of {@link Mlp}. ReLU is the default; the smooth ones exist for
 * gradient checks (finite differences across a ReLU kink are meaningless) and experiments.
 * {@link InitScheme#forActivation} gives the initialisation that suits each.
 */
public enum Activation {
  /** {@code max(0, z)}. */
  RELU,
  /** {@code tanh(z)}. */
  TANH,
  /** {@code 1 / (1 + exp(-z))}. */
  SIGMOID,
  /** {@code log(1 + exp(z))}. */
  SOFTPLUS;

  /** Applies the activation. */
  public <T extends TFloating> Operand<T> apply(Ops tf, Operand<T> z) {
    return switch (this) {
      case RELU -> tf.nn.relu(z);
      case TANH -> tf.math.tanh(z);
      case SIGMOID -> tf.math.sigmoid(z);
      case SOFTPLUS -> tf.math.softplus(z);
    };
  }

  /** The lower-case name used in configs ({@code relu}, {@code tanh}, ...). */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a config name, case-insensitively; {@code null} when unknown. */
  public static Activation parse(String s) {
    for (Activation a : values()) {
      if (a.name().equalsIgnoreCase(s)) {
        return a;
      }
    }
    return null;
  }
}
