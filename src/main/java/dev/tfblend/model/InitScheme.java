package dev.tfblend.model;

import java.util.Arrays;
import java.util.List;

/**
 * How an {@link Mlp}'s layers are initialised (config field {@code model.init}). For a layer with
 * kernel {@code W [fanIn, fanOut]} and bias {@code b [fanOut]}:
 *
 * <ul>
 *   <li>{@code torch-default}: PyTorch's {@code nn.Linear} default,
 *       {@code W, b ~ U(-1/sqrt(fanIn), 1/sqrt(fanIn))} (kaiming-uniform with {@code a = sqrt(5)}
 *       for the weights, the same bound for the biases);
 *   <li>{@code he-normal}: {@code W ~ N(0, 2/fanIn)} (He et al. 2015), {@code b = 0};
 *   <li>{@code glorot-uniform}: {@code W ~ U(-a, a)}, {@code a = sqrt(6/(fanIn + fanOut))}
 *       (Glorot and Bengio 2010), {@code b = 0}.
 * </ul>
 *
 * <p>Values are drawn on the Java side by {@link Init} from the per-variable streams of
 * {@link ParameterSet#initialValues(long)}, so a scheme and a seed fix the initial weights.
 */
public enum InitScheme {
  /** PyTorch {@code nn.Linear}: kernel and bias {@code U(-1/sqrt(fanIn), 1/sqrt(fanIn))}. */
  TORCH_DEFAULT("torch-default"),
  /** He-normal kernels, zero biases. */
  HE_NORMAL("he-normal"),
  /** Glorot-uniform kernels, zero biases. */
  GLOROT_UNIFORM("glorot-uniform");

  private final String configName;

  InitScheme(String configName) {
    this.configName = configName;
  }

  /** The name used in configs: {@code torch-default}, {@code he-normal}, {@code glorot-uniform}. */
  public String configName() {
    return configName;
  }

  /** The initialiser of a kernel {@code [fanIn, fanOut]}. */
  public Init kernel(long fanIn, long fanOut) {
    return switch (this) {
      case TORCH_DEFAULT -> Init.uniform(1.0 / Math.sqrt(fanIn));
      case HE_NORMAL -> Init.heNormal();
      case GLOROT_UNIFORM -> Init.glorotUniform();
    };
  }

  /** The initialiser of the bias {@code [fanOut]} of a layer with {@code fanIn} inputs. */
  public Init bias(long fanIn) {
    return this == TORCH_DEFAULT ? Init.uniform(1.0 / Math.sqrt(fanIn)) : Init.zeros();
  }

  /**
   * The scheme that keeps activations' scale through {@code a} with zero biases: he-normal for
   * ReLU and softplus, glorot-uniform for tanh and sigmoid (what an {@link Mlp} built without a
   * scheme uses).
   */
  public static InitScheme forActivation(Activation a) {
    return a == Activation.RELU || a == Activation.SOFTPLUS ? HE_NORMAL : GLOROT_UNIFORM;
  }

  /** Parses a config name (exact, lower case); {@code null} when unknown. */
  public static InitScheme parse(String s) {
    for (InitScheme i : values()) {
      if (i.configName.equals(s)) {
        return i;
      }
    }
    return null;
  }

  /** Every config name, in declaration order. */
  public static List<String> configNames() {
    return Arrays.stream(values()).map(InitScheme::configName).toList();
  }
}
