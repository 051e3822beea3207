package dev.tfblend.grad;

import dev.tfblend.testing.FreshJvm;
import java.time.Duration;
import dev.tfblend.model.Activation;
import dev.tfblend.model.Mlp;
import dev.tfblend.model.ParameterSet;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Cost of one meta-step (K-step unrolled meta-gradient) for K = 1, 2, 5, 10, exact and
 * first-order: the default MLP (40-100-100-10, ReLU, float32 as in training), batch 32, a blended
 * update of Adam and momentum whose weight comes from a tanh gate [6, 32, 1] reading the six parameter tensors'
 * log gradient norms; the meta-gradient is taken with respect to the gate's weights. Prints, per
 * variant: graph ops, build seconds, milliseconds per meta-step (median of 5 x 50 runs after 20
 * warm-up runs, one session.run each, intra/inter threads default), and the
 * peak resident set (VmHWM) of the JVM, each variant in a fresh JVM (a baseline line gives the
 * JVM with TensorFlow loaded). Prints, never asserts on time or memory.
 * Run with {@code mvn -B test -Pbench -Dtest=UnrollCostBenchmark}.
 */
@Tag("benchmark")
class UnrollCostBenchmark {

  @Test
  void printCostPerMetaStep() throws IOException, InterruptedException {
    child("0", "false");
    for (String firstOrder : new String[] {"false", "true"}) {
      for (String k : new String[] {"1", "2", "5", "10"}) {
        child(k, firstOrder);
      }
    }
  }

  /** One measurement in a fresh JVM, so that its peak RSS is its own. */
  private static void child(String k, String firstOrder) throws IOException, InterruptedException {
    FreshJvm.Run run = FreshJvm.main(UnrollCostBenchmark.class.getName(), Duration.ofMinutes(10), k, firstOrder);
    run.output().lines().filter(l -> l.startsWith("COST")).forEach(System.out::println);
    assertEquals(0, run.exitCode(), run.output());
  }

  /** {@code K firstOrder}: measures one variant; K = 0 prints the baseline (TensorFlow loaded, one run). */
  public static void main(String[] args) {
    int k = Integer.parseInt(args[0]);
    if (k == 0) {
      try (Graph g = new Graph(); Session s = new Session(g)) {
        Ops tf = Ops.create(g);
        s.runner().fetch(tf.math.add(tf.constant(1f), tf.constant(2f))).run().close();
      }
      System.out.printf(Locale.ROOT, "COST baseline (JVM + TensorFlow, one run): peak RSS %d MB%n", status("VmHWM:"));
      return;
    }
    measure(k, Boolean.parseBoolean(args[1]));
  }

  private static void measure(int k, boolean firstOrder) {
    Mlp mlp = Mlp.defaults();
    Mlp gate = new Mlp(List.of(6, 32, 1), Activation.TANH);
    SplittableRandom rng = new SplittableRandom(k);
    long t0 = System.nanoTime();
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      ParameterSet<TFloat32> model = mlp.parameters(tf.withSubScope("model"), TFloat32.class);
      ParameterSet<TFloat32> gp = gate.parameters(tf.withSubScope("gate"), TFloat32.class);
      List<Unroll.Batch<TFloat32>> batches = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        batches.add(UnrollFixtures.batch(tf, mlp, 32, rng, TFloat32.class));
      }
      Unroll.Result<TFloat32> r = Unroll.build(tf.withSubScope("unroll"), g,
          new Unroll.State<>(model.values(), UnrollFixtures.zeros(tf, model.values(), 3)),
          UnrollFixtures.blend(UnrollFixtures.c(tf, Math.log(1e-3), TFloat32.class),
              UnrollFixtures.c(tf, Math.log(0.05), TFloat32.class), gate, gp.values()),
          (t, p, b) -> Mlp.crossEntropyLogSoftmax(t, mlp.logits(t, p, b.x()), b.y()),
          batches, UnrollFixtures.batch(tf, mlp, 32, rng, TFloat32.class), gp.values(), firstOrder);
      double buildSeconds = (System.nanoTime() - t0) / 1e9;
      long ops = 0;
      for (var it = g.operations(); it.hasNext(); it.next()) {
        ops++;
      }
      model.initialize(s, 1);
      gp.initialize(s, 2);
      for (int i = 0; i < 20; i++) {
        run(s, r.metaGradients());
      }
      double[] ms = new double[5];
      for (int rep = 0; rep < ms.length; rep++) {
        long t1 = System.nanoTime();
        for (int i = 0; i < 50; i++) {
          run(s, r.metaGradients());
        }
        ms[rep] = (System.nanoTime() - t1) / 1e6 / 50;
      }
      Arrays.sort(ms);
      System.out.printf(Locale.ROOT,
          "COST K=%d %s: %d ops, build %.2f s, %.2f ms per meta-step (min %.2f max %.2f), peak RSS %d MB%n",
          k, firstOrder ? "first-order" : "exact", ops, buildSeconds, ms[2], ms[0], ms[4], status("VmHWM:"));
    }
  }

  private static void run(Session s, List<Operand<TFloat32>> outs) {
    Session.Runner r = s.runner();
    outs.forEach(r::fetch);
    r.run().close();
  }

  /** A {@code /proc/self/status} figure in MB (Linux), -1 where there is none. */
  private static long status(String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(key)) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
