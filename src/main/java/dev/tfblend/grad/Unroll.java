package dev.tfblend.grad;

import com.google.common.base.Preconditions;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * Builds a K-step unrolled meta-loss and its gradient with respect to meta-parameters, for any
 * model, loss and update rule written as plain (non-assigning) ops:
 *
 * <pre>
 *   theta_0, s_0 = initial parameters and optimizer state
 *   g_k          = d loss(theta_{k-1}, train_k) / d theta_{k-1}          k = 1..K
 *   theta_k, s_k = update(theta_{k-1}, g_k, s_{k-1}, k)
 *   L_meta       = loss(theta_K, validation)
 *   meta-gradient = d L_meta / d phi   for the meta-parameters phi the update reads
 * </pre>
 *
 * The meta-gradient is exact: it differentiates through every {@code g_k}, so it holds the
 * second-order terms {@code d g_k / d theta_{k-1}} (Hessian-vector products), which needs
 * {@link SecondOrderGradients#register()} (called here). With {@code firstOrder}, each
 * {@code g_k} passes through {@code StopGradient}: the meta-gradient then ignores how the
 * inner gradients change with the trajectory (cheaper, biased for {@code K > 1}).
 *
 * <p>Nothing is assigned: the graph computes the look-ahead from the current values, and the
 * caller decides what to write. {@code theta_0} must not be raw {@code VariableV2} outputs
 * (second-order gradients through them crashed TF-Java 1.1.0): pass {@code Identity} reads such
 * as {@code ParameterSet.values()}, placeholders or other computed operands. Every
 * meta-parameter must reach the meta-loss (TF-Java throws otherwise).
 *
 * <p>Graph size grows linearly in K; each step adds one forward and backward pass of the loss,
 * and the meta-gradient adds the backward pass of all of it.
 */
public final class Unroll {
  private Unroll() {}

  /** One batch: inputs {@code x} and targets {@code y} (for example one-hot rows). */
  public record Batch<T extends TFloating>(Operand<T> x, Operand<T> y) {}

  /** Parameters and optimizer state at one point of the unroll. */
  public record State<T extends TFloating>(List<Operand<T>> params, List<Operand<T>> optimizerState) {
    public State {
      params = List.copyOf(params);
      optimizerState = List.copyOf(optimizerState);
    }
  }

  /** A scalar loss of the parameters on one batch, built from plain differentiable ops. */
  @FunctionalInterface
  public interface Loss<T extends TFloating> {
    /** Builds the loss of {@code params} on {@code batch} under {@code tf}'s scope. */
    Operand<T> apply(Ops tf, List<Operand<T>> params, Batch<T> batch);
  }

  /**
   * One optimizer step as plain ops: returns the next parameters and state. It must not assign
   * variables; it may read meta-parameters (learning rates, a gate) as operands.
   */
  @FunctionalInterface
  public interface UpdateFunction<T extends TFloating> {
    /**
     * Builds step {@code step} (1-based).
     *
     * @param params {@code theta_{k-1}}
     * @param grads {@code g_k}, one per parameter, same shapes
     * @param state {@code s_{k-1}}
     */
    State<T> apply(Ops tf, List<Operand<T>> params, List<Operand<T>> grads, List<Operand<T>> state, int step);
  }

  /**
   * The built unroll.
   *
   * @param metaLoss {@code L_meta}
   * @param metaGradients {@code d L_meta / d phi}, in the order of the meta-parameters
   * @param trainLosses the training loss at {@code theta_{k-1}} on batch {@code k}, k = 1..K
   * @param last {@code theta_K, s_K}
   */
  public record Result<T extends TFloating>(Operand<T> metaLoss, List<Operand<T>> metaGradients,
      List<Operand<T>> trainLosses, State<T> last) {
    public Result {
      metaGradients = List.copyOf(metaGradients);
      trainLosses = List.copyOf(trainLosses);
    }
  }

  /**
   * Builds the unroll under {@code tf}'s scope ({@code step1/ ... stepK/}, {@code meta_loss/}).
   *
   * @param trainBatches the K training batches, one per step (K = their number, at least 1)
   * @param metaParameters the operands {@code phi} to differentiate with respect to
   * @param firstOrder stop gradients through the inner gradients {@code g_k}
   */
  public static <T extends TFloating> Result<T> build(Ops tf, Graph graph, State<T> initial,
      UpdateFunction<T> update, Loss<T> loss, List<Batch<T>> trainBatches, Batch<T> validation,
      List<? extends Operand<T>> metaParameters, boolean firstOrder) {
    Preconditions.checkArgument(!trainBatches.isEmpty(), "an unroll needs at least one training batch (K >= 1)");
    Preconditions.checkArgument(!initial.params().isEmpty(), "an unroll needs at least one parameter");
    Preconditions.checkArgument(!metaParameters.isEmpty(), "an unroll needs at least one meta-parameter");
    SecondOrderGradients.register();
    State<T> state = initial;
    List<Operand<T>> trainLosses = new ArrayList<>();
    for (int k = 1; k <= trainBatches.size(); k++) {
      Ops step = tf.withSubScope("step" + k);
      Operand<T> l = loss.apply(step.withSubScope("loss"), state.params(), trainBatches.get(k - 1));
      trainLosses.add(l);
      List<Operand<T>> grads = gradients(graph, l, state.params());
      if (firstOrder) {
        List<Operand<T>> stopped = new ArrayList<>();
        for (Operand<T> g : grads) {
          stopped.add(step.stopGradient(g));
        }
        grads = stopped;
      }
      State<T> next = update.apply(step.withSubScope("update"), state.params(), grads, state.optimizerState(), k);
      Preconditions.checkState(next.params().size() == state.params().size(),
          "the update returned %s parameters for %s", next.params().size(), state.params().size());
      state = next;
    }
    Operand<T> metaLoss = loss.apply(tf.withSubScope("meta_loss"), state.params(), validation);
    return new Result<>(metaLoss, gradients(graph, metaLoss, metaParameters), trainLosses, state);
  }

  /** {@code d y / d x_i} for every {@code x_i}, added to {@code graph}. */
  @SuppressWarnings("unchecked")
  public static <T extends TFloating> List<Operand<T>> gradients(
      Graph graph, Operand<? extends TFloating> y, List<? extends Operand<T>> xs) {
    Output<?>[] outs = new Output<?>[xs.size()];
    for (int i = 0; i < outs.length; i++) {
      outs[i] = xs.get(i).asOutput();
    }
    Output<?>[] dys = graph.addGradients(y.asOutput(), outs);
    List<Operand<T>> out = new ArrayList<>();
    for (Output<?> d : dys) {
      out.add((Operand<T>) d);
    }
    return List.copyOf(out);
  }
}
