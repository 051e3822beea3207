package dev.tfblend.testing;

import dev.tfblend.optim.Domain;
import dev.tfblend.optim.Hyperparameter;
import dev.tfblend.optim.HyperparameterTable;
import dev.tfblend.optim.UpdateRule;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * A throwaway update rule that exists only in the tests, to show what adding a rule takes: this
 * file (its math and its hyperparameter table) and one registration. Sign SGD:
 *
 * <pre>
 *   increment = -lr * sign(g)
 * </pre>
 *
 * No slots.
 */
public final class SignSgdRule<T extends TFloating> implements UpdateRule<T> {
  /** Its hyperparameters: {@code lr} (1e-3, {@code > 0}). */
  public static final HyperparameterTable HYPERPARAMETERS = HyperparameterTable.of("signsgd", List.of(
      Hyperparameter.of("lr", 1e-3, Domain.POSITIVE, "step length per coordinate")));

  private final Operand<T> learningRate;

  public SignSgdRule(Operand<T> learningRate) {
    this.learningRate = learningRate;
  }

  @Override
  public List<String> slotNames() {
    return List.of();
  }

  @Override
  public Update<T> update(Ops tf, Operand<T> grad, Operand<T> param, List<Operand<T>> slots, Operand<T> step) {
    Ops s = tf.withSubScope("signsgd");
    return new Update<>(s.withName("increment").math.neg(s.math.mul(learningRate, s.math.sign(grad))), List.of());
  }
}
