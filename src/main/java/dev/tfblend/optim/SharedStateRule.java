package dev.tfblend.optim;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * An {@link UpdateRule} with state shared by all variables: scalar <i>shared slots</i> that every
 * variable's update reads, advanced once per step from every variable's gradient and increment
 * (for example a switch decided from a projection over all parameters, as in SWATS).
 *
 * <p>{@link RuleOptimizer} owns the shared slots like the per-variable ones: scalars of the
 * variables' type, starting at zero, named {@code <optimizer>/shared/<slot>}, zeroed by
 * {@link RuleOptimizer#reset}. In one step it reads them once, builds every variable's update with
 * {@link #update(Ops, Operand, Operand, List, Operand, List)}, then {@link #nextShared} from all
 * of them, and writes the next values with the step's other writes (after every read).
 *
 * <p>A shared-state rule is applied through a {@link RuleOptimizer} only: the five-argument
 * {@link #update(Ops, Operand, Operand, List, Operand)} has no shared values to read and throws.
 *
 * @param <T> the floating type
 */
public interface SharedStateRule<T extends TFloating> extends UpdateRule<T> {

  /** Names of the shared scalar slots, in the order the methods below take and return them. */
  List<String> sharedSlotNames();

  /**
   * One variable's update, reading the shared slots' values from before the step.
   *
   * @param shared the shared slots' current values, in {@link #sharedSlotNames()} order
   */
  Update<T> update(Ops tf, Operand<T> grad, Operand<T> param, List<Operand<T>> slots, Operand<T> step,
      List<Operand<T>> shared);

  /**
   * The shared slots' next values, from their current values and every variable's gradient and
   * increment of this step (in the order the variables were given).
   */
  List<Operand<T>> nextShared(Ops tf, List<Operand<T>> shared, List<Operand<T>> gradients,
      List<Operand<T>> increments, Operand<T> step);

  /** Throws: a shared-state rule needs its shared slots, which only {@link RuleOptimizer} has. */
  @Override
  default Update<T> update(Ops tf, Operand<T> grad, Operand<T> param, List<Operand<T>> slots, Operand<T> step) {
    throw new IllegalStateException(getClass().getSimpleName()
        + " has state shared across variables: apply it through a RuleOptimizer");
  }
}
