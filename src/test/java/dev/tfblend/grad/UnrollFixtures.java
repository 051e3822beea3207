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
  static Unroll.UpdateFunction<TFloat64> blend(Operand<TFloat64> logLrAdam, Operand<TFloat64> logLrSgd,
      Mlp gate, List<Operand<TFloat64>> gateParams) {
    return (tf, params, grads, state, step) -> {
      int n = params.size();
      UpdateRule<TFloat64> adam = AdamRule.of(tf.math.exp(logLrAdam), tf.constant(0.9), tf.constant(0.999),
          tf.constant(1e-8));
      UpdateRule<TFloat64> sgd = MomentumRule.of(tf.math.exp(logLrSgd), tf.constant(0.9), null, false);
      Operand<TFloat64> t = tf.constant((double) step);
      List<Operand<TFloat64>> feats = new ArrayList<>();
      for (Operand<TFloat64> g : grads) {
        feats.add(tf.math.log(tf.math.add(tf.reduceSum(tf.math.square(tf.reshape(g, tf.constant(new long[] {-1}))), tf.constant(0)), tf.constant(1e-12))));
      }
      Operand<TFloat64> row = tf.reshape(tf.stack(feats), tf.constant(new long[] {1, n}));
      Operand<TFloat64> alpha = tf.reshape(tf.math.sigmoid(gate.logits(tf, gateParams, row)), tf.constant(new long[0]));
      Operand<TFloat64> one = tf.constant(1.0);
      List<Operand<TFloat64>> nextParams = new ArrayList<>();
      List<Operand<TFloat64>> m = new ArrayList<>();
      List<Operand<TFloat64>> v = new ArrayList<>();
      List<Operand<TFloat64>> mom = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        UpdateRule.Update<TFloat64> a = adam.update(tf, grads.get(i), params.get(i),
            List.of(state.get(i), state.get(n + i)), t);
        UpdateRule.Update<TFloat64> b = sgd.update(tf, grads.get(i), params.get(i), List.of(state.get(2 * n + i)), t);
        Operand<TFloat64> inc = tf.math.add(tf.math.mul(alpha, a.increment()),
            tf.math.mul(tf.math.sub(one, alpha), b.increment()));
        nextParams.add(tf.math.add(params.get(i), inc));
        m.add(a.nextSlots().get(0));
        v.add(a.nextSlots().get(1));
        mom.add(b.nextSlots().get(0));
      }
      List<Operand<TFloat64>> next = new ArrayList<>(m);
      next.addAll(v);
      next.addAll(mom);
      return new Unroll.State<>(nextParams, next);
    };
  }
}
