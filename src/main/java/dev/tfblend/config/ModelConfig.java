package dev.tfblend.config;

import dev.tfblend.BadInputException;
import dev.tfblend.model.Activation;
import dev.tfblend.model.InitScheme;
import dev.tfblend.model.Mlp;
import java.util.List;

/**
 * The MLP of a run.
 *
 * @param layers input width, hidden widths, number of classes (default {@code [40, 100, 100, 10]})
 * @param activation {@code relu} (default), {@code tanh}, {@code sigmoid} or {@code softplus}
 * @param init how the model's and the blend gate's weights are drawn: {@code torch-default}
 *     (default, PyTorch's {@code nn.Linear}), {@code he-normal} or {@code glorot-uniform}
 *     (formulas in {@link InitScheme})
 */
public record ModelConfig(List<Integer> layers, String activation, String init) {

  /** The initialisation of {@link #defaults()}. */
  public static final String DEFAULT_INIT = InitScheme.TORCH_DEFAULT.configName();

  /** A model with the default initialisation ({@link #DEFAULT_INIT}). */
  public ModelConfig(List<Integer> layers, String activation) {
    this(layers, activation, DEFAULT_INIT);
  }

  /** The MNIST-1D MLP. */
  public static ModelConfig defaults() {
    return new ModelConfig(List.of(40, 100, 100, 10), "relu", DEFAULT_INIT);
  }

  /** Checks the fields, naming the bad one. */
  public ModelConfig validated() {
    if (layers == null || layers.size() < 2) {
      throw BadInputException.of("model.layers needs at least two sizes (input and classes), got %s", layers);
    }
    for (Integer n : layers) {
      if (n == null || n <= 0) {
        throw BadInputException.of("model.layers must be positive, got %s", layers);
      }
    }
    dev.tfblend.InputLimits.checkModelSize(layers, "model.layers");
    if (activation == null || Activation.parse(activation) == null) {
      throw BadInputException.of("model.activation must be one of relu, tanh, sigmoid, softplus, got %s", activation);
    }
    if (InitScheme.parse(init) == null) {
      throw BadInputException.of("model.init must be one of %s, got %s",
          String.join(", ", InitScheme.configNames()), init);
    }
    return this;
  }

  /** The model this describes. */
  public Mlp toMlp() {
    validated();
    return new Mlp(layers, Activation.parse(activation), InitScheme.parse(init));
  }
}
