package dev.tfblend.optim;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * Progress through a run of {@code total_steps} updates as graph math, for rules whose values
 * follow a schedule of the 1-based step {@code t} (the {@code step} operand an {@link UpdateRule}
 * is given). Values are clipped to {@code [0, 1]}; a {@code total_steps} of 0 (unknown) counts as 1.
 */
public final class Schedule {
  private Schedule() {}

  /**
   * {@code (t - 1) / (total_steps - 1)}, clipped: 0 at the first update and 1 at update
   * {@code total_steps}, so a schedule between two end points hits both.
   */
  public static <T extends TFloating> Operand<T> endpoints(Ops tf, Operand<T> step, Operand<T> totalSteps) {
    Operand<T> one = one(tf, step);
    return clip(tf, tf.math.div(tf.math.sub(step, one), tf.math.maximum(tf.math.sub(totalSteps, one), one)));
  }

  /**
   * {@code (t - 1) / total_steps}, clipped: 0 at the first update and 1 after the last, the
   * convention of PyTorch's {@code CosineAnnealingLR} with {@code T_max = total_steps} (the last of
   * {@code total_steps} updates still moves).
   */
  public static <T extends TFloating> Operand<T> annealing(Ops tf, Operand<T> step, Operand<T> totalSteps) {
    Operand<T> one = one(tf, step);
    return clip(tf, tf.math.div(tf.math.sub(step, one), tf.math.maximum(totalSteps, one)));
  }

  /** {@code (1 + cos(pi p)) / 2}: 1 at {@code p = 0}, 0 at {@code p = 1}. */
  public static <T extends TFloating> Operand<T> cosineDecay(Ops tf, Operand<T> p) {
    Operand<T> half = tf.dtypes.cast(tf.constant(0.5), p.type());
    Operand<T> pi = tf.dtypes.cast(tf.constant(Math.PI), p.type());
    return tf.math.mul(half, tf.math.add(one(tf, p), tf.math.cos(tf.math.mul(pi, p))));
  }

  private static <T extends TFloating> Operand<T> clip(Ops tf, Operand<T> x) {
    Operand<T> zero = tf.dtypes.cast(tf.constant(0.0), x.type());
    return tf.math.minimum(tf.math.maximum(x, zero), one(tf, x));
  }

  static <T extends TFloating> Operand<T> one(Ops tf, Operand<T> like) {
    return tf.dtypes.cast(tf.constant(1.0), like.type());
  }
}
