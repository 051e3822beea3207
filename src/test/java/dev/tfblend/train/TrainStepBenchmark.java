package dev.tfblend.train;

import dev.tfblend.data.Dataset;
import dev.tfblend.data.GaussianBlobs;
import dev.tfblend.model.Mlp;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Prints steps/s of the Adam and momentum-SGD train steps (one session.run per step, data on the
 * graph side, batch indices fed) at batch 32 and 100 on a 4000-row, 40-feature set (MNIST-1D's
 * training size). Median of 5 timed repetitions of 1000 steps after 500 warm-up steps. Prints,
 * never asserts on time. Run with {@code mvn -B test -Pbench -Dtest=TrainStepBenchmark}.
 */
@Tag("benchmark")
class TrainStepBenchmark {
  private static final Dataset TRAIN = GaussianBlobs.generate(4000, 40, 10, 2.0, 1, 0);
  private static final Dataset SMALL = GaussianBlobs.generate(1000, 40, 10, 2.0, 1, 1);

  @Test
  void printStepsPerSecond() {
    bench("adam", () -> Optimizers.stepBuilder("adam", Map.of()));
    bench("sgd", () -> Optimizers.stepBuilder("sgd", Map.of()));
  }

  private static void bench(String name, Supplier<StepBuilder> builder) {
    for (int batch : new int[] {32, 100}) {
      try (TrainingGraph g = TrainingGraph.create(Mlp.defaults(), builder.get())) {
        g.loadData(TRAIN, SMALL, SMALL);
        g.reinitialize(0, Map.of("lr", 1e-3));
        int[] order = dev.tfblend.data.Batches.epochOrder(TRAIN.size(), 0, 1);
        int steps = 1000;
        int[][] batches = new int[steps + 500][];
        for (int i = 0; i < batches.length; i++) {
          int start = (i * batch) % (TRAIN.size() - batch);
          batches[i] = Arrays.copyOfRange(order, start, start + batch);
        }
        for (int i = 0; i < 500; i++) {
          g.trainStep(batches[i]);
        }
        double[] rates = new double[5];
        for (int rep = 0; rep < rates.length; rep++) {
          long t0 = System.nanoTime();
          for (int i = 0; i < steps; i++) {
            g.trainStep(batches[500 + i]);
          }
          rates[rep] = steps / ((System.nanoTime() - t0) / 1e9);
        }
        Arrays.sort(rates);
        System.out.printf("BENCH %s batch %d: %.0f steps/s (median of 5 x %d steps; min %.0f max %.0f)%n",
            name, batch, rates[2], steps, rates[0], rates[4]);
      }
    }
  }
}
