package dev.tfblend.train;

import dev.tfblend.meta.GateWeights;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;

/**
 * The built update of a training graph, returned by {@link StepBuilder#build}.
 *
 * <p>{@link TrainingGraph} runs {@link #target()} in the same {@code session.run} as the batch
 * loss fetch, once per step, feeding the batch indices (and, when the step asked for
 * {@link StepContext#validationBatch()}, the meta-batch indices). When the run returns, every
 * assignment of the step must have happened. The values in {@link #perStepOutputs()} are fetched
 * in that same run and recorded per step by {@link Trainer} (the blended optimizer's
 * {@code alpha}).
 */
public interface TrainStep {

  /** The op that performs one update when run. */
  Op target();

  /**
   * Scalar operands to fetch at every step, by name (for example {@code alpha}); they must be
   * values of this step (computed before its assignments). Empty by default.
   */
  default Map<String, Operand<?>> perStepOutputs() {
    return Map.of();
  }

  /**
   * This step as a pure function for a loop of many steps per {@code session.run}, or empty when
   * it runs one step per run only (the default).
   */
  default Optional<LoopStep> loopStep() {
    return Optional.empty();
  }

  /**
   * Resets this step's own state (slots, step counter, any learned optimizer state) to its
   * initial value for a new trial; {@code seed} seeds whatever is random in it.
   */
  void reset(Session session, long seed);

  /**
   * Sets every hyperparameter for the next steps: {@code values} may omit names (they get their
   * defaults); unknown names are rejected with an {@link IllegalArgumentException} naming them.
   */
  void setHyperparameters(Session session, Map<String, Double> values);

  /**
   * The optimizer's state shared across parameters, by name, as it is now (for {@code swats}: its
   * phase, switch step and SGD rate), for the run's record; empty by default.
   */
  default Map<String, Double> sharedState(Session session) {
    return Map.of();
  }

  /**
   * A copy of the current weights of the gate this step learns or applies, or empty for a step
   * without a gate (the default).
   */
  default Optional<GateWeights> gateWeights(Session session) {
    return Optional.empty();
  }
}
