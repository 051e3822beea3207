package dev.tfblend.train;

import java.util.SplittableRandom;

/** Seeded per-epoch permutations of the training rows (Fisher-Yates over a SplittableRandom). */
final class EpochOrder {
  private EpochOrder() {}

  /** A permutation of {@code 0..n-1} that depends only on {@code seed} and {@code epoch}. */
  static int[] permutation(int n, long seed, int epoch) {
    SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch + 0x5348554646L);
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
