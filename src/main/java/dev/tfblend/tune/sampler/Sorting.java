package dev.tfblend.tune.sampler;

import java.util.Arrays;

/** A primitive, stable argsort (ties keep index order), as numpy's stable argsort. */
final class Sorting {
  private Sorting() {}

  /**
   * The indices of {@code keys} in ascending key order; equal keys (including -0.0 and 0.0)
   * keep their index order. Keys must not be NaN.
   */
  static int[] stableArgsort(double[] keys) {
    int n = keys.length;
    double[] sorted = keys.clone();
    Arrays.sort(sorted);
    int[] used = new int[n];
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      int lb = lowerBound(sorted, keys[i]);
      order[lb + used[lb]++] = i;
    }
    return order;
  }

  /** The first index whose value is not below {@code v}. */
  static int lowerBound(double[] sorted, double v) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
