package dev.tfblend.config;

import dev.tfblend.BadInputException;
import dev.tfblend.model.Activation;
import dev.tfblend.model.Mlp;
import java.util.List;

/**
 * The MLP of a run.
 *
 * @param layers input width, hidden widths, number of classes (default {@code [40, 100, 100, 10]})
 * @param activation {@code relu} (default), {@code tanh}, {@code sigmoid} or {@code softplus}
 */
public record ModelConfig(List<Integer> layers, String activation) {

  /** The MNIST-1D MLP. */
  public static ModelConfig defaults() {
    return new ModelConfig(List.of(40, 100, 100, 10), "relu");
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
    if (activation == null || Activation.parse(activation) == null) {
      throw BadInputException.of("model.activation must be one of relu, tanh, sigmoid, softplus, got %s", activation);
    }
    return this;
  }

  /** The model this describes. */
  public Mlp toMlp() {
    validated();
    return new Mlp(layers, Activation.parse(activation));
  }
}
