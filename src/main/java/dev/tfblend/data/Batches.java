package dev.tfblend.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Seeded mini-batch order: every epoch visits each sample once in its own shuffled order, the
 * same for the same {@code (n, seed, epoch)} on every run and machine.
 *
 * <p>Epoch {@code e}'s order is {@code np.random.RandomState(epochSeed(seed, e)).permutation(n)},
 * with {@link #epochSeed} a SplitMix64 mix of the two, so any epoch can be computed directly.
 * Batch {@code k} holds positions {@code [k*B, min((k+1)*B, n))} of that order: the last batch is
 * kept even when it is smaller than {@code B}, as PyTorch's {@code DataLoader} does by default
 * ({@code drop_last=False}).
 *
 * <p>Stateless and thread-safe.
 */
public final class Batches {
  private Batches() {}

  /** The 32-bit numpy seed of epoch {@code epoch}: SplitMix64's finaliser of seed and epoch. */
  public static long epochSeed(long seed, int epoch) {
    long z = seed + 0x9E3779B97F4A7C15L * (epoch + 1L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z = z ^ (z >>> 31);
    return z & 0xffffffffL;
  }

  /** A permutation of {@code 0..n-1} for this epoch. */
  public static int[] epochOrder(int n, long seed, int epoch) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, got " + n);
    }
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
    }
    return new LegacyRandomState(epochSeed(seed, epoch)).permutation(n);
  }

  /** Batches per epoch, counting the last partial one: {@code ceil(n / batchSize)}. */
  public static int numBatches(int n, int batchSize) {
    checkBatchSize(batchSize);
    return (n + batchSize - 1) / batchSize;
  }

  /** Batch {@code k} of an epoch's {@code order}: positions {@code [k*B, min((k+1)*B, n))}. */
  public static int[] batch(int[] order, int k, int batchSize) {
    int count = numBatches(order.length, batchSize);
    if (k < 0 || k >= count) {
      throw new IndexOutOfBoundsException("batch " + k + " of " + count);
    }
    int from = k * batchSize;
    return Arrays.copyOfRange(order, from, Math.min(from + batchSize, order.length));
  }

  /** All batches of one epoch, in order. */
  public static List<int[]> epochBatches(int n, int batchSize, long seed, int epoch) {
    int[] order = epochOrder(n, seed, epoch);
    int count = numBatches(n, batchSize);
    List<int[]> out = new ArrayList<>(count);
    for (int k = 0; k < count; k++) {
      out.add(batch(order, k, batchSize));
    }
    return out;
  }

  private static void checkBatchSize(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
  }
}
