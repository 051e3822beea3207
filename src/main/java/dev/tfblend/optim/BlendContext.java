package dev.tfblend.optim;

import com.google.common.base.Preconditions;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.types.family.TFloating;

/**
 * What an {@link AlphaSource} may read to choose one step's {@code alpha}: every variable's
 * gradient, value and both blended rules' increments for this step, in the order the variables
 * were given to the optimizer.
 *
 * @param type the variables' floating type
 * @param gradients {@code g_i}
 * @param params {@code theta_i} before the step (reads)
 * @param incrementsA rule {@code a}'s increment of each variable (Adam's {@code -lr*mhat/(sqrt(vhat)+eps)})
 * @param incrementsB rule {@code b}'s increment of each variable (momentum SGD's {@code -lr*buf})
 * @param step the 1-based number of this update, as a scalar
 */
public record BlendContext<T extends TFloating>(
    Class<T> type,
    List<Operand<T>> gradients,
    List<Operand<T>> params,
    List<Operand<T>> incrementsA,
    List<Operand<T>> incrementsB,
    Operand<T> step) {

  public BlendContext {
    gradients = List.copyOf(gradients);
    params = List.copyOf(params);
    incrementsA = List.copyOf(incrementsA);
    incrementsB = List.copyOf(incrementsB);
    Preconditions.checkArgument(params.size() == gradients.size()
        && incrementsA.size() == gradients.size() && incrementsB.size() == gradients.size(),
        "gradients, params and increments must have one entry per variable");
  }

  /** Number of variables. */
  public int size() {
    return gradients.size();
  }
}
