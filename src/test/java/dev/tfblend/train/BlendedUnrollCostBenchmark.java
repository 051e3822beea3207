package dev.tfblend.train;

import dev.tfblend.testing.FreshJvm;
import java.time.Duration;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tfblend.data.Batches;
import dev.tfblend.data.Dataset;
import dev.tfblend.data.GaussianBlobs;
import dev.tfblend.model.Mlp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Cost of one blended train+meta step with a K-step look-ahead ({@code unroll} K = 1, 2, 5, 10,
 * exact and first-order), as {@code tf-blend train --optimizer blended --unroll K} builds and runs
 * it: the {@link TrainingGraph} of the default MLP (40-100-100-10, ReLU, float32) with the default
 * {@code flat-gradients} gate, batch 32, on 3,200 rows of Gaussian blobs (the cost does not depend
 * on the values). Prints, per variant: graph ops, build seconds, milliseconds per step (median of 5
 * x 20 {@link TrainingGraph#trainStep} calls after 10 warm-up steps) and the peak resident set
 * (VmHWM), each variant in a fresh JVM. Prints, never asserts on time or memory.
 * Run with {@code mvn -B test -Pbench -Dtest=BlendedUnrollCostBenchmark}.
 */
@Tag("benchmark")
class BlendedUnrollCostBenchmark {

  @Test
  void printCostPerTrainAndMetaStep() throws IOException, InterruptedException {
    child("1", "false");
    for (String firstOrder : new String[] {"false", "true"}) {
      for (String k : new String[] {"2", "5", "10"}) {
        child(k, firstOrder);
      }
    }
  }

  private static void child(String k, String firstOrder) throws IOException, InterruptedException {
    FreshJvm.Run run = FreshJvm.main(BlendedUnrollCostBenchmark.class.getName(), Duration.ofMinutes(10), k, firstOrder);
    run.output().lines().filter(l -> l.startsWith("COST")).forEach(System.out::println);
    assertEquals(0, run.exitCode(), run.output());
  }

  /** {@code K firstOrder}: measures one variant. */
  public static void main(String[] args) {
    int k = Integer.parseInt(args[0]);
    boolean firstOrder = Boolean.parseBoolean(args[1]);
    Dataset train = GaussianBlobs.generate(3200, 40, 10, 2.0, 1, 0);
    Dataset val = GaussianBlobs.generate(800, 40, 10, 2.0, 1, 1);
    long t0 = System.nanoTime();
    try (TrainingGraph g = TrainingGraph.create(Mlp.defaults(),
        BlendedStepBuilder.defaults().horizon(new BlendedStep.Horizon(k, firstOrder, false)))) {
      double buildSeconds = (System.nanoTime() - t0) / 1e9;
      long ops = 0;
      for (var it = g.graph().operations(); it.hasNext(); it.next()) {
        ops++;
      }
      g.loadData(train, val, val);
      g.reinitialize(1, Map.of());
      int[][] batches = Batches.epochBatches(train.size(), 32, 1, 1).toArray(new int[0][]);
      int b = 0;
      for (int i = 0; i < 10; i++) {
        g.trainStep(batches[b++ % batches.length]);
      }
      double[] ms = new double[5];
      for (int rep = 0; rep < ms.length; rep++) {
        long t1 = System.nanoTime();
        for (int i = 0; i < 20; i++) {
          g.trainStep(batches[b++ % batches.length]);
        }
        ms[rep] = (System.nanoTime() - t1) / 1e6 / 20;
      }
      Arrays.sort(ms);
      System.out.printf(Locale.ROOT,
          "COST unroll K=%d %s: %d ops, build %.2f s, %.2f ms per train+meta step (min %.2f max %.2f), peak RSS %d MB%n",
          k, k == 1 ? "(one step)" : firstOrder ? "first-order" : "exact", ops, buildSeconds, ms[2], ms[0], ms[4],
          status("VmHWM:"));
    }
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
