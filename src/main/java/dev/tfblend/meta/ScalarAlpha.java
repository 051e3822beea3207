package dev.tfblend.meta;

import dev.tfblend.model.Init;
import dev.tfblend.model.ParameterSet;
import dev.tfblend.optim.AlphaSource;
import dev.tfblend.optim.BlendContext;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * One learned blend weight with no network and no input: {@code alpha = sigmoid(logit)}, where
 * {@code logit} is a single scalar parameter ({@link #parameters()}, named {@code logit}) that
 * starts at 0 ({@code alpha = 0.5}). Every step gets the same alpha until a meta step
 * ({@link MetaStep}) updates the logit from the look-ahead validation loss: the
 * {@code hypergradient-blend} control, which separates meta-learning alpha from a network reading
 * gradients. Immutable once built.
 *
 * @param <T> the floating type
 */
public final class ScalarAlpha<T extends TFloating> implements AlphaSource<T> {
  private final ParameterSet<T> parameters;

  private ScalarAlpha(ParameterSet<T> parameters) {
    this.parameters = parameters;
  }

  /** Creates the logit variable under {@code scope} ({@code <scope>/logit}). */
  public static <T extends TFloating> ScalarAlpha<T> create(Ops scope, Class<T> type) {
    return new ScalarAlpha<>(ParameterSet.builder(scope, type).add("logit", new long[0], Init.zeros()).build());
  }

  /** The one learned parameter, {@code logit} (a scalar). */
  public ParameterSet<T> parameters() {
    return parameters;
  }

  /** {@code sigmoid(logit)}; reads nothing of {@code step}. */
  @Override
  public Operand<T> alpha(Ops tf, BlendContext<T> step) {
    return tf.withName("alpha").math.sigmoid(parameters.value(0));
  }
}
