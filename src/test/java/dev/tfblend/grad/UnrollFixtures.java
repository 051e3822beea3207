package dev.tfblend.grad;

import dev.tfblend.model.Mlp;
import dev.tfblend.optim.AdamRule;
import dev.tfblend.optim.MomentumRule;
import dev.tfblend.optim.UpdateRule;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TFloating;

/**
 * Shared pieces of the unroll tests: random batches, the MLP loss, and a blended update
 * {@code theta + alpha * adam + (1 - alpha) * momentum} built from the project's plain-op rules,
 * with {@code alpha = sigmoid(gate(features))} where the gate is a tanh MLP reading per-parameter
 * log gradient norms (as the gating network reads gradient statistics).
 */
final class UnrollFixtures {
  private UnrollFixtures() {}

  static Unroll.Batch<TFloat64> batch(Ops tf, Mlp mlp, int rows, SplittableRandom rng) {
    double[][] x = new double[rows][mlp.inputSize()];
    double[][] y = new double[rows][mlp.numClasses()];
    for (int b = 0; b < rows; b++) {
      for (int j = 0; j < mlp.inputSize(); j++) {
        x[b][j] = rng.nextGaussian();
      }
      y[b][rng.nextInt(mlp.numClasses())] = 1.0;
    }
    return new Unroll.Batch<>(tf.constant(x), tf.constant(y));
  }

  static List<Unroll.Batch<TFloat64>> batches(Ops tf, Mlp mlp, int k, int rows, SplittableRandom rng) {
    List<Unroll.Batch<TFloat64>> out = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      out.add(batch(tf, mlp, rows, rng));
    }
    return out;
  }

  static Unroll.Loss<TFloat64> loss(Mlp mlp) {
    return (tf, params, b) -> Mlp.crossEntropyLogSoftmax(tf, mlp.logits(tf, params, b.x()), b.y());
  }

  /** Zero slots for a rule with {@code slots} slots per parameter. */
  static List<Operand<TFloat64>> zeroState(Ops tf, List<Operand<TFloat64>> params, int slots) {
    List<Operand<TFloat64>> s = new ArrayList<>();
    for (int k = 0; k < slots; k++) {
      for (Operand<TFloat64> p : params) {
        s.add(tf.zerosLike(p));
      }
    }
    return s;
  }

  /** Plain SGD with learning rate {@code exp(logLr)}; no state. */
  static Unroll.UpdateFunction<TFloat64> sgd(Operand<TFloat64> logLr) {
    return (tf, params, grads, state, step) -> {
      Operand<TFloat64> lr = tf.math.exp(logLr);
      List<Operand<TFloat64>> next = new ArrayList<>();
      for (int i = 0; i < params.size(); i++) {
        next.add(tf.math.sub(params.get(i), tf.math.mul(lr, grads.get(i))));
      }
      return new Unroll.State<>(next, state);
    };
  }

  /**
   * The blend of {@link AdamRule} ({@code exp(logLrAdam)}) and {@link MomentumRule}
   * ({@code exp(logLrSgd)}, momentum 0.9) with a gate: state is Adam's m, v then momentum, per
   * parameter in that order ({@code 3 * n} operands).
   */
  static <T extends TFloating> Unroll.UpdateFunction<T> blend(Operand<T> logLrAdam, Operand<T> logLrSgd,
      Mlp gate, List<Operand<T>> gateParams) {
    Class<T> type = logLrAdam.type();
    return (tf, params, grads, state, step) -> {
      int n = params.size();
      UpdateRule<T> adam = AdamRule.of(tf.math.exp(logLrAdam), c(tf, 0.9, type), c(tf, 0.999, type),
          c(tf, 1e-8, type));
      UpdateRule<T> sgd = MomentumRule.of(tf.math.exp(logLrSgd), c(tf, 0.9, type), null, false);
      Operand<T> t = c(tf, step, type);
      List<Operand<T>> feats = new ArrayList<>();
      for (Operand<T> g : grads) {
        feats.add(tf.math.log(tf.math.add(
            tf.reduceSum(tf.math.square(tf.reshape(g, tf.constant(new long[] {-1}))), tf.constant(0)),
            c(tf, 1e-12, type))));
      }
      Operand<T> row = tf.reshape(tf.stack(feats), tf.constant(new long[] {1, n}));
      Operand<T> alpha = tf.reshape(tf.math.sigmoid(gate.logits(tf, gateParams, row)), tf.constant(new long[0]));
      Operand<T> one = c(tf, 1.0, type);
      List<Operand<T>> nextParams = new ArrayList<>();
      List<Operand<T>> m = new ArrayList<>();
      List<Operand<T>> v = new ArrayList<>();
      List<Operand<T>> mom = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        UpdateRule.Update<T> a = adam.update(tf, grads.get(i), params.get(i),
            List.of(state.get(i), state.get(n + i)), t);
        UpdateRule.Update<T> b = sgd.update(tf, grads.get(i), params.get(i), List.of(state.get(2 * n + i)), t);
        Operand<T> inc = tf.math.add(tf.math.mul(alpha, a.increment()),
            tf.math.mul(tf.math.sub(one, alpha), b.increment()));
        nextParams.add(tf.math.add(params.get(i), inc));
        m.add(a.nextSlots().get(0));
        v.add(a.nextSlots().get(1));
        mom.add(b.nextSlots().get(0));
      }
      List<Operand<T>> next = new ArrayList<>(m);
      next.addAll(v);
      next.addAll(mom);
      return new Unroll.State<>(nextParams, next);
    };
  }

  static <T extends TFloating> Operand<T> c(Ops tf, double v, Class<T> type) {
    return tf.dtypes.cast(tf.constant(v), type);
  }

  /** {@link #batch} in any floating type. */
  static <T extends TFloating> Unroll.Batch<T> batch(Ops tf, Mlp mlp, int rows, SplittableRandom rng, Class<T> type) {
    Unroll.Batch<TFloat64> b = batch(tf, mlp, rows, rng);
    return new Unroll.Batch<>(tf.dtypes.cast(b.x(), type), tf.dtypes.cast(b.y(), type));
  }

  /** Zero slots in any floating type. */
  static <T extends TFloating> List<Operand<T>> zeros(Ops tf, List<Operand<T>> params, int slots) {
    List<Operand<T>> s = new ArrayList<>();
    for (int k = 0; k < slots; k++) {
      for (Operand<T> p : params) {
        s.add(tf.zerosLike(p));
      }
    }
    return s;
  }
}
