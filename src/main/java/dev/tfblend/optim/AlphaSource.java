package dev.tfblend.optim;

import dev.tfblend.BadInputException;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * Where a {@link RuleOptimizer} applying a {@link BlendRule} (for example
 * {@link DynamicBlendedOptimizer}) gets its blend weight {@code alpha} for a step.
 *
 * <p>Contract: the optimizer calls {@link #alpha} once per built update (once per
 * {@code applyGradients}), after it has built every variable's gradient and both rules'
 * increments and before it builds any assignment; the returned operand must be a scalar of the
 * variables' type with values in {@code [0, 1]}, or a vector with one such weight per variable, in
 * the order the variables were given (each variable's increments are blended by its own weight). The source may add operations (a gating network
 * does) but must not assign anything. Every assignment of the step runs after {@code alpha} is
 * computed, so an {@code alpha} that reads variables sees their values from before the step.
 *
 * <p>A gating network implements it ({@code meta.GatingNetwork}); a constant, a schedule of
 * {@link BlendContext#step()}, a learned scalar or a frozen gate can stand in. A source with
 * learned parameters is trained by a meta step over those parameters. Implementations are
 * immutable.
 *
 * @param <T> the floating type of the variables
 */
@FunctionalInterface
public interface AlphaSource<T extends TFloating> {

  /** The blend weight of this step, a scalar in {@code [0, 1]}, built from {@code step}. */
  Operand<T> alpha(Ops tf, BlendContext<T> step);

  /**
   * A constant weight.
   *
   * @throws BadInputException when {@code alpha} is not a finite number in {@code [0, 1]}
   */
  static <T extends TFloating> AlphaSource<T> constant(double alpha) {
    if (!(alpha >= 0.0 && alpha <= 1.0)) {
      throw BadInputException.of("alpha must be in [0, 1], got %s", alpha);
    }
    return (tf, step) -> tf.withName("alpha").dtypes.cast(tf.constant(alpha), step.type());
  }
}
