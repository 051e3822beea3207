package dev.tfblend.meta;

import com.google.common.base.Preconditions;
import dev.tfblend.BadInputException;
import dev.tfblend.model.Activation;
import dev.tfblend.model.Mlp;
import java.util.List;

/**
 * A gate's trained weights with what they mean, for reuse (a frozen gate) or export: the input
 * mode, the MLP's layer sizes and activation, and the values of {@code w1, b1, ..., wL, bL}
 * (row-major). Values are copied in and out; instances are immutable.
 *
 * @param mode the features the gate was trained on
 * @param layerSizes {@code [inputSize, hidden..., 1]}
 * @param activation hidden-layer activation
 * @param values one array per parameter, in {@link Mlp#parameters} order
 */
public record GateWeights(GateFeatures.Mode mode, List<Integer> layerSizes, Activation activation, double[][] values) {

  public GateWeights {
    Preconditions.checkNotNull(mode, "mode");
    layerSizes = List.copyOf(layerSizes);
    Preconditions.checkNotNull(activation, "activation");
    Mlp mlp = new Mlp(layerSizes, activation);
    if (layerSizes.get(layerSizes.size() - 1) != 1) {
      throw BadInputException.of("a gate has one output, these weights have %s", layerSizes.get(layerSizes.size() - 1));
    }
    if (values.length != 2 * mlp.numLayers()) {
      throw BadInputException.of("gate weights for layers %s need %d arrays, got %d",
          layerSizes, 2 * mlp.numLayers(), values.length);
    }
    double[][] copy = new double[values.length][];
    for (int k = 0; k < mlp.numLayers(); k++) {
      int in = layerSizes.get(k);
      int out = layerSizes.get(k + 1);
      check("w" + (k + 1), values[2 * k], (long) in * out);
      check("b" + (k + 1), values[2 * k + 1], out);
    }
    for (int i = 0; i < values.length; i++) {
      copy[i] = values[i].clone();
    }
    values = copy;
  }

  private static void check(String name, double[] v, long n) {
    if (v == null || v.length != n) {
      throw BadInputException.of("gate weight %s needs %d values, got %s", name, n, v == null ? "none" : v.length);
    }
    for (int i = 0; i < v.length; i++) {
      if (!Double.isFinite(v[i])) {
        throw BadInputException.of("gate weight %s[%d] is not finite (%s)", name, i, v[i]);
      }
    }
  }

  /** The feature length these weights take. */
  public int inputSize() {
    return layerSizes.get(0);
  }

  /** Hidden widths. */
  public List<Integer> hidden() {
    return layerSizes.subList(1, layerSizes.size() - 1);
  }

  /** A copy of the values. */
  @Override
  public double[][] values() {
    double[][] copy = new double[values.length][];
    for (int i = 0; i < values.length; i++) {
      copy[i] = values[i].clone();
    }
    return copy;
  }

  /**
   * Checks that these weights fit a gate reading {@code expectedMode} with MLP {@code gate}.
   *
   * @throws BadInputException naming the mismatch
   */
  public void checkFits(GateFeatures.Mode expectedMode, Mlp gate) {
    if (mode != expectedMode) {
      throw BadInputException.of("the gate weights were trained on %s features, this gate reads %s",
          mode.configName(), expectedMode.configName());
    }
    if (inputSize() != gate.inputSize()) {
      throw BadInputException.of(
          "the frozen gate takes %d inputs but this model gives %d %s features (%s)", inputSize(),
          gate.inputSize(), mode.configName(), mode == GateFeatures.Mode.FLAT_GRADIENTS
              ? "flat-gradients gates fit only models with the parameter count they were trained on"
              : "gate sizes differ");
    }
    if (!layerSizes.equals(gate.layerSizes()) || activation != gate.activation()) {
      throw BadInputException.of("the gate weights have layers %s (%s), this gate has %s (%s)",
          layerSizes, activation.configName(), gate.layerSizes(), gate.activation().configName());
    }
  }
}
