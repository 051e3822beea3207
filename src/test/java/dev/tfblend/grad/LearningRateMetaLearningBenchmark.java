package dev.tfblend.grad;

import dev.tfblend.data.DataSplits;
import dev.tfblend.model.Mlp;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Meta-learns plain SGD's learning rate for the default MNIST-1D MLP (40-100-100-10, ReLU,
 * float64) through a K-step unroll (default 50) at batch 32, with Adam meta-steps of 0.1 on the
 * log learning rate (default 100), from lr = 1e-3 (too small), lr = 1 (too large, still in the
 * smooth region) and lr = 3 (where the 50-step loss is chaotic), and prints the trajectories
 * beside a scan of the meta-loss and its grid minimiser. Asserts only that the first two settle
 * (mean of the last 10 iterates) within 0.25 (natural-log units) of each other. Run with
 * {@code mvn -B test -Pbench -Dtest=LearningRateMetaLearningBenchmark}.
 */
@Tag("benchmark")
class LearningRateMetaLearningBenchmark {
  static final int K = Integer.getInteger("tfblend.lrmeta.unroll", 50);
  static final int META_STEPS = Integer.getInteger("tfblend.lrmeta.steps", 100);

  @Test
  void printTrajectories() {
    DataSplits data = DataSplits.mnist1dDefault();
    long t0 = System.nanoTime();
    try (LearningRateMetaLearning p = LearningRateMetaLearning.create(new LearningRateMetaLearning.Setup(
        Mlp.defaults(), data.train(), data.validation(), K, 32, 0, false))) {
      System.out.printf(Locale.ROOT, "LRMETA K=%d built in %.1f s%n", K, (System.nanoTime() - t0) / 1e9);
      for (double u = -7; u <= 2.001; u += 0.5) {
        double[] lg = p.lossAndGradient(u);
        System.out.printf(Locale.ROOT, "LRMETA scan lr=%.4g logLr=%.2f metaLoss=%.5f dL/dlogLr=%.4g%n",
            Math.exp(u), u, lg[0], lg[1]);
      }
      double best = p.gridMinimiser(-2.0, 0.5, 0.05);
      System.out.printf(Locale.ROOT, "LRMETA grid minimiser (step 0.05): logLr=%.2f lr=%.4g metaLoss=%.5f%n",
          best, Math.exp(best), p.metaLoss(best));
      double[] ends = new double[3];
      double[] starts = {Math.log(1e-3), Math.log(1.0), Math.log(3.0)};
      for (int s = 0; s < starts.length; s++) {
        long t1 = System.nanoTime();
        LearningRateMetaLearning.Trajectory tr = p.metaTrain(starts[s], META_STEPS, 0.1);
        double sec = (System.nanoTime() - t1) / 1e9;
        for (int i = 0; i < META_STEPS; i++) {
          System.out.printf(Locale.ROOT, "LRMETA start=%.4g step=%d logLr=%.4f lr=%.4g metaLoss=%.5f grad=%.4g%n",
              Math.exp(starts[s]), i, tr.logLr()[i], Math.exp(tr.logLr()[i]), tr.metaLoss()[i], tr.metaGradient()[i]);
        }
        ends[s] = tr.settledLogLr(10);
        System.out.printf(Locale.ROOT, "LRMETA start=%.4g settled (mean of last 10) logLr=%.4f lr=%.4g (%.2f s, %.0f ms per meta-step)%n",
            Math.exp(starts[s]), ends[s], Math.exp(ends[s]), sec, 1000 * sec / META_STEPS);
      }
      // the third start (lr = 3) lies where the 50-step loss is chaotic: printed, not asserted
      org.junit.jupiter.api.Assertions.assertTrue(Math.abs(ends[0] - ends[1]) < 0.25,
          "both starts should end near the same learning rate: " + Math.exp(ends[0]) + " vs " + Math.exp(ends[1]));
    }
  }
}
