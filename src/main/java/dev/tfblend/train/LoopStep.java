package dev.tfblend.train;

import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A {@link TrainStep} written as a pure function of its state, so that {@link TrainingGraph} can
 * run many steps in one {@code session.run}: a while loop carries the model parameters and this
 * step's {@link #state()} from step to step, and afterwards {@link #write} assigns the final
 * values once.
 *
 * <p>The parameters travel <em>flat</em>: every parameter flattened and concatenated in parameter
 * order into one vector ({@link dev.tfblend.model.ParameterSet#flatten}), so that the loop carries
 * one value for all of them and an elementwise rule updates them all in one set of operations.
 * {@link #next} also gets them one value per parameter (as the model reads them) and the gradients
 * likewise, so that a step that works parameter by parameter splits nothing again.
 *
 * <p>Call order, all while the graph is built: {@link #state()} and {@link #constants()} once
 * (reads in the training graph: the loop's initial values); {@link #next} once, inside the loop
 * body's own graph, with operands of that graph standing for those values; {@link #write} once,
 * in the training graph, with the loop's outputs.
 *
 * <p>Contract: {@link #next} builds the same operations, in the same order, as the step that
 * {@link TrainStep#target()} runs, so that {@code K} loop steps give the same values, bit for bit,
 * as {@code K} runs of {@link TrainStep#target()} on the same batches; {@link #next}'s
 * {@link Next#outputs()} have the names of {@link TrainStep#perStepOutputs()}. Nothing random,
 * nothing stateful and no variable may appear in {@link #next} (a loop body cannot read the
 * training graph's variables).
 */
public interface LoopStep {

  /** The values this step carries from step to step (slots, counter, ...), read now, in a fixed order. */
  List<Operand<TFloat32>> state();

  /** Values that stay fixed during the loop (hyperparameters), read now, in a fixed order. */
  List<Operand<TFloat32>> constants();

  /**
   * Builds one step in the loop body.
   *
   * @param tf ops of the loop body's graph
   * @param flat the model parameters' values before the step, flat (see above)
   * @param params the same values, one per parameter, in parameter order and shape
   * @param gradients the batch loss's gradients with respect to {@code params}, in their order
   * @param loss the batch loss at {@code params}
   * @param state this step's state before the step, in {@link #state()} order
   * @param constants the values of {@link #constants()}, in their order
   */
  Next next(Ops tf, Operand<TFloat32> flat, List<Operand<TFloat32>> params, List<Operand<TFloat32>> gradients,
      Operand<TFloat32> loss, List<Operand<TFloat32>> state, List<Operand<TFloat32>> constants);

  /**
   * What one step computes.
   *
   * @param params the parameters after the step, flat
   * @param state the state after the step, in {@link #state()} order
   * @param outputs the step's per-step outputs (scalars), named as {@link TrainStep#perStepOutputs()}
   */
  record Next(Operand<TFloat32> params, List<Operand<TFloat32>> state, Map<String, Operand<TFloat32>> outputs) {
    public Next {
      state = List.copyOf(state);
      outputs = Map.copyOf(outputs);
    }
  }

  /**
   * Builds, in the training graph, the op that assigns the loop's final parameters (flat) and state
   * (values of the training graph, in the orders above).
   */
  Op write(Ops tf, Operand<TFloat32> params, List<Operand<TFloat32>> state);
}
