package dev.tfblend.optim;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * Pure update math for one variable: given its gradient, its current value, its slot values and
 * the step number, builds the increment to <b>add</b> to the variable (already scaled by
 * {@code -learningRate}, as in Optax) and the next slot values, as operands. A rule never
 * assigns anything; {@link RuleOptimizer} owns the slot variables and the step counter and writes
 * {@code theta + increment} and the next slots, and the look-ahead it exposes is exactly what it
 * writes, so a meta step can differentiate the applied update.
 *
 * <p>Adding a rule means writing this interface's two methods and declaring the rule's
 * hyperparameters once, as a {@link HyperparameterTable} beside it; a rule whose step length
 * follows a schedule reads {@code step}, and a weight chosen per step from all variables belongs
 * in an {@link AlphaSource} over a {@link BlendRule}.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #slotNames()} is fixed for the rule's lifetime; slot {@code k} of every variable
 *       starts at zero, has the variable's shape, and is passed to {@link #update} in the order
 *       of {@code slotNames()} (so {@code slots.size() == slotNames().size()}).
 *   <li>{@link #update} may be called any number of times (one per variable, and again for a
 *       look-ahead); it only adds operations to the graph. Its result depends only on its
 *       arguments (an implementation may reuse graph nodes it built for the same {@code step}
 *       operand, as {@link AdamRule} does for its bias corrections).
 *   <li>{@code step} is the 1-based number {@code t} of the update being built (1 for the first
 *       update after initialisation), as a scalar of the variable's type; the caller stores the
 *       counter and passes {@code counter + 1}.
 *   <li>Hyperparameters are operands fixed at construction (constants, placeholders or
 *       variables), so one graph can serve many trials with different values.
 * </ul>
 *
 * <p>Implementations are immutable and may be shared between graphs' builders only through
 * operands of the same graph.
 *
 * @param <T> the floating type of variables, gradients and hyperparameters
 */
public interface UpdateRule<T extends TFloating> {

  /**
   * Whether this rule is elementwise: each element's increment and next slot values depend only on
   * that element's gradient, value and slots, and on scalars shared by all elements (the step,
   * the hyperparameters). Then one {@link #update} of several variables flattened and concatenated
   * gives every variable's update, element for element and bit for bit, in fewer operations.
   * False unless a rule says so.
   */
  default boolean elementwise() {
    return false;
  }

  /**
   * Whether a training loop may run this rule many steps per {@code session.run} (a {@code While}
   * loop body): true where a loop was measured to give one step per run's values bit for bit,
   * with the hyperparameters a study draws. False by default, and for SWATS, whose sums over all
   * parameters came out one ulp off. (The fixed and scheduled blends drifted by one ulp too while
   * the loop body ran as a function called once per step; since the loop is lowered into the
   * training graph's own control flow they repeat bit for bit.)
   */
  default boolean repeatsInLoop() {
    return false;
  }

  /** Names of the per-variable slots, in the order {@link #update} takes and returns them. */
  List<String> slotNames();

  /**
   * Builds one variable's update.
   *
   * @param tf ops under the scope the caller wants the update's operations in
   * @param grad gradient of the loss with respect to {@code param}
   * @param param the variable's current value (a read, not the variable itself)
   * @param slots the current slot values, in {@link #slotNames()} order
   * @param step the 1-based number of this update, as a scalar
   * @return the increment to add and the next slot values
   */
  Update<T> update(Ops tf, Operand<T> grad, Operand<T> param, List<Operand<T>> slots, Operand<T> step);

  /**
   * The result of {@link UpdateRule#update}: {@code theta_next = theta + increment}, and
   * {@code nextSlots} in {@link UpdateRule#slotNames()} order.
   */
  record Update<T extends TFloating>(Operand<T> increment, List<Operand<T>> nextSlots) {
    public Update {
      nextSlots = List.copyOf(nextSlots);
    }
  }
}
