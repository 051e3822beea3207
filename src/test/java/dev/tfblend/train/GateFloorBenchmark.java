package dev.tfblend.train;

import dev.tfblend.meta.GatingNetwork;
import dev.tfblend.model.Mlp;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * The least time the flat-gradients gate's own work can take per blended step on this machine,
 * and so an upper bound on the blended step's steps/s whatever the rest of the graph does.
 *
 * <p>The gate reads the flattened gradient of the default MLP (n = 15,210 values) through a
 * {@code [n, 32]} first layer: 486,720 weights. Every train+meta step must, at the least, read
 * them for alpha ({@code [1, n] x [n, 32]}), form their meta-gradient (the outer product of the
 * features and the hidden layer's error, {@code [n, 32]}) and apply the meta Adam to them and to
 * their two slots (TensorFlow's fused {@code ApplyAdam}, the kernel training uses). This
 * benchmark times exactly those three ops in a graph of their own, on the session settings
 * training uses (one intra-op thread, ops on the calling thread), and prints each and their sum.
 * A plain-op Adam (the form a whole-epoch loop body would need) is timed beside the fused one.
 * The three ops must move nine arrays of that size through memory per step (about 17.5 MB: alpha
 * reads the weights, the outer product writes their gradient, Adam reads weights, both slots and
 * the gradient and writes the first three), far more than a core's own caches hold; the benchmark
 * prints that figure, the bandwidth it implies, and one core's bandwidth measured with a plain
 * Java triad, which together show that the gate's update is bound by memory bandwidth, not by
 * arithmetic or by TensorFlow's per-op overhead.
 * Prints; never asserts on time. Run with {@code mvn -B test -Pbench -Dtest=GateFloorBenchmark}.
 */
@Tag("benchmark")
class GateFloorBenchmark {
  private static final int RUNS = 2000;

  @Test
  void gateWorkPerStep() {
    int n = (int) Mlp.defaults().numParameters();
    int h = GatingNetwork.DEFAULT_HIDDEN;
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> w = variable(tf, n, h);
      Variable<TFloat32> m = variable(tf, n, h);
      Variable<TFloat32> v = variable(tf, n, h);
      Variable<TFloat32> x = variable(tf, 1, n);
      Op init = tf.withControlDependencies(java.util.List.of(
          tf.assign(w, tf.fill(tf.constant(new int[] {n, h}), tf.constant(0.01f))),
          tf.assign(m, tf.fill(tf.constant(new int[] {n, h}), tf.constant(0f))),
          tf.assign(v, tf.fill(tf.constant(new int[] {n, h}), tf.constant(0f))),
          tf.assign(x, tf.fill(tf.constant(new int[] {1, n}), tf.constant(0.5f))))).noOp();
      Op nothing = tf.withName("nothing").noOp();
      Operand<TFloat32> hidden = tf.linalg.matMul(x, w);
      Operand<TFloat32> forward = tf.reduceSum(hidden, tf.constant(new int[] {0, 1}));
      Operand<TFloat32> delta = tf.math.mul(hidden, tf.constant(1e-3f));
      Operand<TFloat32> outer = tf.linalg.matMul(x, delta, MatMul.transposeA(true));
      Operand<TFloat32> outerSum = tf.reduceSum(outer, tf.constant(new int[] {0, 1}));
      Op fused = tf.train.applyAdam(w, m, v, tf.constant(0.1f), tf.constant(0.1f), tf.constant(1e-3f),
          tf.constant(0.9f), tf.constant(0.999f), tf.constant(1e-8f), outer);
      // Algorithm 1 as plain ops, written back: what a loop body would carry instead of ApplyAdam
      Operand<TFloat32> m1 = tf.math.add(tf.math.mul(tf.constant(0.9f), m), tf.math.mul(tf.constant(0.1f), outer));
      Operand<TFloat32> v1 = tf.math.add(tf.math.mul(tf.constant(0.999f), v),
          tf.math.mul(tf.constant(0.001f), tf.math.square(outer)));
      Operand<TFloat32> step = tf.math.div(tf.math.mul(tf.constant(1e-3f), tf.math.div(m1, tf.constant(0.1f))),
          tf.math.add(tf.math.sqrt(tf.math.div(v1, tf.constant(0.001f))), tf.constant(1e-8f)));
      Op plain = tf.withControlDependencies(java.util.List.of(tf.assign(m, m1), tf.assign(v, v1),
          tf.assignSub(w, step))).noOp();
      ConfigProto config = ConfigProto.newBuilder()
          .setIntraOpParallelismThreads(TrainingGraph.INTRA_OP_THREADS)
          .setInterOpParallelismThreads(TrainingGraph.INTER_OP_THREADS).build();
      try (Session s = new Session(g, config)) {
        s.runner().addTarget(init).run();
        double empty = time(s, null, nothing);
        double fwd = time(s, forward, null) - empty;
        double both = time(s, outerSum, null) - empty;
        double adam = time(s, null, fused) - empty;
        double adamPlain = time(s, null, plain) - empty;
        // the fused Adam's inputs include the outer product, which includes alpha's product
        double gate = adam;
        System.out.printf(Locale.ROOT, "gate first layer: %d x %d = %,d weights%n", n, h, (long) n * h);
        System.out.printf(Locale.ROOT, "  empty session.run            %7.1f us%n", empty);
        System.out.printf(Locale.ROOT, "  alpha's product [1,n]x[n,%d]  %7.1f us%n", h, fwd);
        System.out.printf(Locale.ROOT, "  + meta-gradient outer product %7.1f us%n", both - fwd);
        System.out.printf(Locale.ROOT, "  + fused ApplyAdam (all three) %7.1f us  -> at most %,.0f blended steps/s%n",
            gate, 1e6 / gate);
        System.out.printf(Locale.ROOT, "  the same with a plain-op Adam %7.1f us  -> at most %,.0f blended steps/s%n",
            adamPlain, 1e6 / adamPlain);
        // bytes the three ops must move: alpha reads w; the outer product writes g; the fused Adam
        // reads w, m, v and g and writes w, m and v: 9 arrays of n x h floats
        double bytes = 9.0 * n * h * Float.BYTES;
        double triad = javaTriadBytesPerSecond(n * h);
        System.out.printf(Locale.ROOT, "  memory the three ops move per step: %.1f MB (%.1f GB/s at the time above)%n",
            bytes / 1e6, bytes / (gate * 1e-6) / 1e9);
        System.out.printf(Locale.ROOT, "  one core's memory bandwidth, Java triad a = b + s*c on arrays of %,d floats:"
            + " %.1f GB/s -> moving %.1f MB takes %.0f us%n", n * h, triad / 1e9, bytes / 1e6, bytes / triad * 1e6);
      }
    }
  }

  /**
   * Bytes per second of {@code a[i] = b[i] + s * c[i]} on one thread over three arrays of
   * {@code size} floats each (read b and c, write a: 12 bytes per element, not counting the
   * write's read for ownership), the median of five rounds after a warm-up: the memory bandwidth
   * one training thread can use, for arrays too large for the core's own caches.
   */
  private static double javaTriadBytesPerSecond(int size) {
    float[][] a = new float[4][size];
    float[][] b = new float[4][size];
    float[][] c = new float[4][size];
    for (float[] x : b) {
      java.util.Arrays.fill(x, 1.5f);
    }
    for (float[] x : c) {
      java.util.Arrays.fill(x, 0.25f);
    }
    int reps = 200;
    double[] rounds = new double[5];
    float sink = 0;
    for (int r = -1; r < rounds.length; r++) {
      long t0 = System.nanoTime();
      for (int k = 0; k < reps; k++) {
        // four sets in turn, so that one set is out of the caches when it comes round again
        float[] x = a[k & 3];
        float[] y = b[k & 3];
        float[] z = c[k & 3];
        float scale = 1.0f + k * 1e-6f;
        for (int i = 0; i < size; i++) {
          x[i] = y[i] + scale * z[i];
        }
        sink += x[k % size];
      }
      if (r >= 0) {
        rounds[r] = 12.0 * size * reps / ((System.nanoTime() - t0) / 1e9);
      }
    }
    if (sink == 42) {
      System.out.print("");
    }
    java.util.Arrays.sort(rounds);
    return rounds[rounds.length / 2];
  }

  private static Variable<TFloat32> variable(Ops tf, int rows, int cols) {
    return tf.variable(Shape.of(rows, cols), TFloat32.class);
  }

  /** Median microseconds per run of five rounds of {@value #RUNS} runs (after one warm-up round). */
  private static double time(Session s, Operand<?> fetch, Op target) {
    double[] rounds = new double[5];
    for (int r = -1; r < rounds.length; r++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < RUNS; i++) {
        Session.Runner runner = s.runner();
        if (fetch != null) {
          runner.fetch(fetch);
        }
        if (target != null) {
          runner.addTarget(target);
        }
        try (Result res = runner.run()) {
          // timing only
        }
      }
      if (r >= 0) {
        rounds[r] = (System.nanoTime() - t0) / 1e3 / RUNS;
      }
    }
    java.util.Arrays.sort(rounds);
    return rounds[rounds.length / 2];
  }
}
