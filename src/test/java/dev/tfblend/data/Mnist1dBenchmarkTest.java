package dev.tfblend.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Prints the time to generate the default data set ({@code mvn -B test -Pbench}). */
@Tag("benchmark")
class Mnist1dBenchmarkTest {
  @Test
  void generateDefaultSet() {
    int runs = 5;
    long best = Long.MAX_VALUE;
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      Mnist1dData d = Mnist1d.generate(Mnist1dConfig.defaults());
      best = Math.min(best, System.nanoTime() - t0);
      assertEquals(4000, d.train().size());
    }
    System.out.printf("MNIST-1D default set (5000 x 40): best of %d runs %.1f ms%n", runs, best / 1e6);
  }
}
