package dev.tfblend.data;

import com.google.common.base.Preconditions;
import java.util.SplittableRandom;

/**
 * A synthetic classification set for smoke tests and benchmarks that must not depend on
 * MNIST-1D: {@code numClasses} centres drawn from {@code N(0, I)} in {@code numFeatures}
 * dimensions, and each sample its class's centre plus {@code N(0, noise^2 I)}. Labels cycle
 * through the classes ({@code y[i] = i % numClasses}). Deterministic in {@code seed}.
 */
public final class GaussianBlobs {
  private GaussianBlobs() {}

  /**
   * Draws {@code n} samples. The centres depend only on {@code seed}, so sets drawn with the same
   * {@code seed} and different {@code sampleSeed}s share the classes (train/validation/test).
   */
  public static Dataset generate(int n, int numFeatures, int numClasses, double noise, long seed,
      long sampleSeed) {
    Preconditions.checkArgument(n > 0 && numFeatures > 0 && numClasses > 0,
        "n, numFeatures and numClasses must be positive, got %s, %s, %s", n, numFeatures, numClasses);
    SplittableRandom centreRng = new SplittableRandom(seed);
    double[][] centres = new double[numClasses][numFeatures];
    for (double[] c : centres) {
      for (int j = 0; j < numFeatures; j++) {
        c[j] = centreRng.nextGaussian();
      }
    }
    SplittableRandom rng = new SplittableRandom(seed * 31 + sampleSeed + 1);
    double[][] x = new double[n][numFeatures];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % numClasses;
      for (int j = 0; j < numFeatures; j++) {
        x[i][j] = centres[y[i]][j] + noise * rng.nextGaussian();
      }
    }
    return new Dataset(x, y, numClasses);
  }
}
