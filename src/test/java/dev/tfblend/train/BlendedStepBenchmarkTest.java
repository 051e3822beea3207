package dev.tfblend.train;

import dev.tfblend.data.Dataset;
import dev.tfblend.data.GaussianBlobs;
import dev.tfblend.meta.GateFeatures;
import dev.tfblend.model.Mlp;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Steps per second of the blended train+meta step (one {@code session.run} per step) on the
 * default 40-100-100-10 MLP, at batch 32 and 100, for both gate input modes, next to Adam.
 * Prints; never asserts on time. Run with {@code mvn -B test -Pbench -Dtest=BlendedStepBenchmarkTest}.
 */
@Tag("benchmark")
class BlendedStepBenchmarkTest {
  private static final Dataset TRAIN = GaussianBlobs.generate(4000, 40, 10, 2.0, 7, 0);
  private static final Dataset VAL = GaussianBlobs.generate(1000, 40, 10, 2.0, 7, 1);
  private static final Dataset TEST = GaussianBlobs.generate(500, 40, 10, 2.0, 7, 2);

  private static double median(StepBuilder b, int batch) {
    try (TrainingGraph g = TrainingGraph.create(Mlp.defaults(), b)) {
      g.loadData(TRAIN, VAL, TEST);
      g.reinitialize(0, Map.of());
      int[] idx = new int[batch];
      double[] rates = new double[7];
      for (int rep = -2; rep < rates.length; rep++) {
        int steps = 300;
        long t0 = System.nanoTime();
        for (int s = 0; s < steps; s++) {
          for (int i = 0; i < batch; i++) {
            idx[i] = (s * batch + i) % TRAIN.size();
          }
          g.trainStep(idx);
        }
        double rate = steps / ((System.nanoTime() - t0) / 1e9);
        if (rep >= 0) {
          rates[rep] = rate;
        }
      }
      Arrays.sort(rates);
      return rates[rates.length / 2];
    }
  }

  private static dev.tfblend.meta.GateWeights initialGate(GateFeatures.Mode mode) {
    BlendedStepBuilder b = BlendedStepBuilder.defaults().gateInput(mode);
    try (TrainingGraph g = TrainingGraph.create(Mlp.defaults(), b)) {
      g.loadData(TRAIN, VAL, TEST);
      g.reinitialize(0, Map.of());
      return g.step().gateWeights(g.session()).orElseThrow();
    }
  }

  @Test
  void printsStepsPerSecond() {
    for (int batch : new int[] {32, 100}) {
      double adam = median(Optimizers.stepBuilder("adam", Map.of()), batch);
      double stats = median(BlendedStepBuilder.defaults().gateInput(GateFeatures.Mode.GRADIENT_STATS), batch);
      double flat = median(BlendedStepBuilder.defaults().gateInput(GateFeatures.Mode.FLAT_GRADIENTS), batch);
      System.out.printf(Locale.ROOT,
          "BENCH batch %d: adam %.0f steps/s, blended+meta gradient-stats %.0f steps/s, blended+meta flat-gradients %.0f steps/s%n",
          batch, adam, stats, flat);
      double frozenStats = median(BlendedStepBuilder.defaults().frozen(initialGate(GateFeatures.Mode.GRADIENT_STATS)), batch);
      double frozenFlat = median(BlendedStepBuilder.defaults().frozen(initialGate(GateFeatures.Mode.FLAT_GRADIENTS)), batch);
      System.out.printf(Locale.ROOT,
          "BENCH batch %d: blended frozen gate (no meta step) gradient-stats %.0f steps/s, flat-gradients %.0f steps/s%n",
          batch, frozenStats, frozenFlat);
    }
  }
}
