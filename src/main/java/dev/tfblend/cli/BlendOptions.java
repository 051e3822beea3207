package dev.tfblend.cli;

import dev.tfblend.BadInputException;
import dev.tfblend.experiment.TrainExperiment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/**
 * The options of {@code train} that apply to {@code --optimizer blended} only: the gate
 * ({@code --gate-input}, {@code --gate-output}, {@code --gate}, {@code --freeze-gate}, as a
 * {@link TrainExperiment.GateChoice}) and the meta-gradient's look-ahead ({@code --unroll},
 * {@code --first-order}, as the config settings they stand for). A {@code null} or {@code false}
 * field means the user did not give the option.
 */
final class BlendOptions {
  @Option(names = "--gate-input", paramLabel = "MODE",
      description = "blended: what the gate reads, flat-gradients (default) or gradient-stats.")
  String gateInput;

  @Option(names = "--gate-output", paramLabel = "OUTPUT",
      description = "blended: one alpha per step, global (default), or one per parameter tensor, per-tensor.")
  String gateOutput;

  @Option(names = "--gate", paramLabel = "DIR",
      description = "blended: start from this trained gate SavedModel (e.g. a run's gate/).")
  Path gate;

  @Option(names = "--freeze-gate",
      description = "blended: apply the --gate as is (no meta step).")
  boolean freezeGate;

  /** The gate the options choose ({@link TrainExperiment.GateChoice#none()}'s fields where none is given). */
  TrainExperiment.GateChoice gateChoice() {
    return new TrainExperiment.GateChoice(gateInput, gate, freezeGate, gateOutput);
  }

  @Option(names = "--unroll", paramLabel = "K",
      description = "blended: the meta-gradient looks K steps ahead (same as --set unroll=K; default 1).")
  Integer unroll;

  @Option(names = "--first-order",
      description = "blended: drop the second-order terms of the unrolled meta-gradient (same as --set first_order=1).")
  boolean firstOrder;

  /**
   * The config settings {@code --unroll} and {@code --first-order} stand for ({@code blend.unroll=K},
   * {@code blend.first_order=1}), in that order; none when neither is given.
   *
   * @param optimizer the optimizer the run resolves to, asked only when either option is given
   * @throws BadInputException when either is given and the optimizer is not {@code blended}
   */
  List<String> unrollSettings(Supplier<String> optimizer) {
    if ((unroll != null || firstOrder) && !optimizer.get().equals("blended")) {
      throw BadInputException.of("--unroll and --first-order apply to --optimizer blended only");
    }
    List<String> sets = new ArrayList<>();
    if (unroll != null) {
      sets.add("blend.unroll=" + unroll);
    }
    if (firstOrder) {
      sets.add("blend.first_order=1");
    }
    return sets;
  }
}
