package dev.tfblend.train;

import com.google.common.base.Preconditions;
import dev.tfblend.BadInputException;
import dev.tfblend.meta.GateFeatures;
import dev.tfblend.meta.GateOutput;
import dev.tfblend.meta.GateWeights;

/**
 * Build-time choices of the {@code blended} optimizer's gate that are not numeric
 * hyperparameters (see {@link Optimizers#stepBuilder(String, java.util.Map, BlendOptions)}):
 *
 * <ul>
 *   <li>{@code gateInput}: what the gate reads ({@code flat-gradients}, the published method, or
 *       {@code gradient-stats});
 *   <li>{@code initialGate}: trained gate weights to start from instead of a gate drawn from the
 *       run's seed, or {@code null}; their input mode must be {@code gateInput};
 *   <li>{@code freezeGate}: apply {@code initialGate} as is, with no meta step (needs an
 *       {@code initialGate}).
 * </ul>
 *
 * Ignored by the other optimizers. Immutable.
 *
 * @param gateInput the gate's input mode (not null)
 * @param initialGate weights to start from, or {@code null}
 * @param freezeGate whether the given gate is frozen
 * @param gateOutput one alpha per step ({@code global}, the published method) or per parameter
 *     tensor ({@code per-tensor}; a fresh gate only)
 */
public record BlendOptions(GateFeatures.Mode gateInput, GateWeights initialGate, boolean freezeGate,
    GateOutput gateOutput) {

  /**
   * @throws BadInputException when {@code freezeGate} has no gate to freeze, or the initial gate
   *     reads other features than {@code gateInput}
   */
  public BlendOptions {
    Preconditions.checkNotNull(gateInput, "gateInput");
    gateOutput = gateOutput == null ? GateOutput.GLOBAL : gateOutput;
    if (initialGate != null && gateOutput != GateOutput.GLOBAL) {
      throw BadInputException.of("a given gate (--gate) has one output; --gate-output per-tensor needs a fresh gate");
    }
    if (freezeGate && initialGate == null) {
      throw BadInputException.of("freezing the gate (--freeze-gate) needs a trained gate (--gate DIR)");
    }
    if (initialGate != null && initialGate.mode() != gateInput) {
      throw BadInputException.of("the given gate reads %s features, but the gate input is %s",
          initialGate.mode().configName(), gateInput.configName());
    }
  }

  /** Options with a {@code global} gate output. */
  public BlendOptions(GateFeatures.Mode gateInput, GateWeights initialGate, boolean freezeGate) {
    this(gateInput, initialGate, freezeGate, GateOutput.GLOBAL);
  }

  /** A fresh, meta-learned gate reading {@code mode} with output {@code output}. */
  public static BlendOptions of(GateFeatures.Mode mode, GateOutput output) {
    return new BlendOptions(mode, null, false, output);
  }

  /** A fresh {@code flat-gradients} gate, meta-learned (the published method). */
  public static BlendOptions defaults() {
    return new BlendOptions(GateFeatures.Mode.FLAT_GRADIENTS, null, false);
  }

  /** A fresh, meta-learned gate reading {@code mode}. */
  public static BlendOptions of(GateFeatures.Mode mode) {
    return new BlendOptions(mode, null, false);
  }

  /** The trained gate {@code w}, frozen or as the start of meta-learning; its mode is the input. */
  public static BlendOptions fromGate(GateWeights w, boolean freeze) {
    Preconditions.checkNotNull(w, "gate weights");
    return new BlendOptions(w.mode(), w, freeze);
  }

  /** The step builder these options describe, before any structural hyperparameter. */
  BlendedStepBuilder builder() {
    if (initialGate == null) {
      return BlendedStepBuilder.defaults().gateInput(gateInput).gateOutput(gateOutput);
    }
    return freezeGate ? BlendedStepBuilder.defaults().frozen(initialGate)
        : BlendedStepBuilder.defaults().initialGate(initialGate);
  }
}
