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
   * The one check that this gate fits a model: a {@code flat-gradients} gate reads every model
   * gradient, so it fits only a model with as many parameters as its input (and, when
   * {@code trainedOn} is known, the same layers); a {@code gradient-stats} gate reads
   * {@value GateFeatures#STATS_SIZE} statistics and fits any model.
   *
   * @param what how the message names the gate (for example {@code --gate runs/x/gate})
   * @param trainedOn the layers of the model the gate was trained with, or {@code null} if unknown
   * @param model the model the gate is to drive
   * @throws BadInputException naming both shapes otherwise
   */
  public void checkFitsModel(String what, List<Integer> trainedOn, Mlp model) {
    if (mode == GateFeatures.Mode.FLAT_GRADIENTS) {
      if ((trainedOn != null && !trainedOn.equals(model.layerSizes())) || inputSize() != model.numParameters()) {
        throw BadInputException.of("%s is a flat-gradients gate for a model with layers %s (%d parameters);"
            + " this run's model has layers %s (%d parameters). A flat-gradients gate fits only the model shape"
            + " it was trained on (a gradient-stats gate transfers to other shapes)", what,
            trainedOn == null ? "unknown" : trainedOn, inputSize(), model.layerSizes(), model.numParameters());
      }
    } else if (inputSize() != GateFeatures.STATS_SIZE) {
      throw BadInputException.of("%s is a gradient-stats gate with %d inputs; gradient-stats features are %d",
          what, inputSize(), GateFeatures.STATS_SIZE);
    }
  }

  /**
   * Checks that these weights have the layout of {@code gate}, a gate reading
   * {@code expectedMode} (whether the gate fits the model is {@link #checkFitsModel}'s question).
   *
   * @throws BadInputException naming the mismatch
   */
  public void checkFits(GateFeatures.Mode expectedMode, Mlp gate) {
    if (mode != expectedMode) {
      throw BadInputException.of("the gate weights were trained on %s features, this gate reads %s",
          mode.configName(), expectedMode.configName());
    }
    if (!layerSizes.equals(gate.layerSizes()) || activation != gate.activation()) {
      throw BadInputException.of("the gate weights have layers %s (%s), this gate has %s (%s)",
          layerSizes, activation.configName(), gate.layerSizes(), gate.activation().configName());
    }
  }
}
