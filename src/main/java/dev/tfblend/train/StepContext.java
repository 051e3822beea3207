package dev.tfblend.train;

import dev.tfblend.model.Mlp;
import dev.tfblend.model.ParameterSet;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * What a {@link StepBuilder} may use to build its update.
 *
 * @param graph the training graph (for {@code addGradients})
 * @param tf ops at the graph's root scope; put your operations and state under
 *     {@code tf.withSubScope(name())} of your builder
 * @param mlp the model, to build its logits at other parameter values (a look-ahead)
 * @param params the model parameters the step updates
 * @param batch the training batch of this step
 * @param loss the mean cross-entropy of the batch at the current parameters
 * @param gradients {@code d loss / d params.value(i)}, in parameter order
 * @param validationBatch on first call creates the {@code meta_batch/indices} placeholder over the
 *     validation split and returns that batch (the same one on every call). Each step then
 *     feeds as many validation rows as the training batch has, drawn uniformly with replacement
 *     by a generator that {@link TrainingGraph#reinitialize} seeds from the trial's seed. Call
 *     it only inside {@link StepBuilder#build}, and only when the step needs it.
 * @param lookAheadBatch {@code k -> } look-ahead training batch {@code k} (2, 3, ...), for a step
 *     that looks more than one step ahead: on first call for {@code k} creates the
 *     {@code lookahead_batch/indices_<k>} placeholder over the training split and returns that
 *     batch (the same one on every call). Each step then feeds as many rows as the training batch
 *     has, drawn uniformly with replacement from the training split by a generator that
 *     {@link TrainingGraph#reinitialize} seeds from the trial's seed (separate from the
 *     validation batch's). Call it only inside {@link StepBuilder#build}, and only when needed.
 * @param beforeUpdate ops that must finish before the step assigns anything: a builder puts
 *     them among the control dependencies of its assignments. Anything else in the step that
 *     reads the parameters (a look-ahead, a validation loss, a fetched statistic) must be here or
 *     feed the update, or it may see half-updated values. Empty from {@link TrainingGraph}; a
 *     builder that wraps another passes its own reads with {@link #withBeforeUpdate}.
 */
public record StepContext(
    Graph graph,
    Ops tf,
    Mlp mlp,
    ParameterSet<TFloat32> params,
    Batch batch,
    Operand<TFloat32> loss,
    List<Operand<TFloat32>> gradients,
    Supplier<Batch> validationBatch,
    IntFunction<Batch> lookAheadBatch,
    List<Op> beforeUpdate) {

  public StepContext {
    gradients = List.copyOf(gradients);
    beforeUpdate = List.copyOf(beforeUpdate);
  }

  /** A context with no {@code beforeUpdate} ops. */
  public StepContext(Graph graph, Ops tf, Mlp mlp, ParameterSet<TFloat32> params, Batch batch,
      Operand<TFloat32> loss, List<Operand<TFloat32>> gradients, Supplier<Batch> validationBatch,
      IntFunction<Batch> lookAheadBatch) {
    this(graph, tf, mlp, params, batch, loss, gradients, validationBatch, lookAheadBatch, List.of());
  }

  /** A context with no look-ahead batches (a step that looks one step ahead at most) and no {@code beforeUpdate} ops. */
  public StepContext(Graph graph, Ops tf, Mlp mlp, ParameterSet<TFloat32> params, Batch batch,
      Operand<TFloat32> loss, List<Operand<TFloat32>> gradients, Supplier<Batch> validationBatch) {
    this(graph, tf, mlp, params, batch, loss, gradients, validationBatch, k -> {
      throw new IllegalStateException("this context has no look-ahead batches");
    }, List.of());
  }

  /** This context with {@code ops} added to {@link #beforeUpdate()}. */
  public StepContext withBeforeUpdate(List<? extends Op> ops) {
    List<Op> all = new java.util.ArrayList<>(beforeUpdate);
    all.addAll(ops);
    return new StepContext(graph, tf, mlp, params, batch, loss, gradients, validationBatch, lookAheadBatch, all);
  }

  /**
   * A batch on the graph side.
   *
   * @param x features {@code [B, inputSize]}
   * @param labels class indices {@code [B]}
   * @param oneHot labels one-hot {@code [B, numClasses]}
   */
  public record Batch(Operand<TFloat32> x, Operand<TInt32> labels, Operand<TFloat32> oneHot) {}

  /** Mean cross-entropy of {@code b} at parameter values {@code paramValues} (e.g. a look-ahead). */
  public Operand<TFloat32> lossAt(Ops tf, List<Operand<TFloat32>> paramValues, Batch b) {
    return Mlp.crossEntropy(tf, mlp.logits(tf, paramValues, b.x()), b.oneHot());
  }
}
