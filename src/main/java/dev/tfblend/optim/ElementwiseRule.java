package dev.tfblend.optim;

import org.tensorflow.types.family.TFloating;

/**
 * An {@link UpdateRule} that is {@linkplain UpdateRule#elementwise() elementwise} and that a
 * training loop may {@linkplain UpdateRule#repeatsInLoop() repeat} many steps per
 * {@code session.run}: both answer true. A rule implements this interface, instead of the plain
 * {@link UpdateRule}, only when every operation of its update is elementwise with scalar
 * hyperparameters and step scalars, and a loop of it gives one step per run's values bit for bit
 * ({@code EpochLoopTest}).
 *
 * @param <T> the floating type of variables, gradients and hyperparameters
 */
public interface ElementwiseRule<T extends TFloating> extends UpdateRule<T> {

  /** True: every operation is elementwise, with scalar hyperparameters and step scalars. */
  @Override
  default boolean elementwise() {
    return true;
  }

  /** True: a loop of this rule gives one step per run's values bit for bit. */
  @Override
  default boolean repeatsInLoop() {
    return true;
  }
}
