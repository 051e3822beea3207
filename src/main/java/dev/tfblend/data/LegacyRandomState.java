package dev.tfblend.data;

import dev.tfblend.random.Mt19937;

/**
 * numpy's legacy {@code RandomState} for the calls MNIST-1D makes, reproducing numpy's streams bit
 * for bit: the {@link Mt19937} generator seeded as {@code np.random.seed(int)} seeds it, {@code
 * rand} as its 53-bit doubles, {@code randn} as the Marsaglia polar method that caches its second
 * value, bounded integers by masked rejection, and the legacy Fisher-Yates {@code permutation}.
 *
 * <p>Not thread-safe: one generator per thread, like numpy's global state under its lock.
 */
final class LegacyRandomState {
  private Mt19937 mt;
  private boolean hasGauss;
  private double gauss;

  /** A generator in the state {@code np.random.RandomState(seed)} starts in. */
  LegacyRandomState(long seed) {
    seed(seed);
  }

  /** Re-seeds like {@code np.random.seed(seed)}: {@code seed} must be in {@code [0, 2^32)}. */
  void seed(long seed) {
    mt = new Mt19937(seed);
    hasGauss = false;
    gauss = 0.0;
  }

  /** The next tempered 32-bit output, as an unsigned value held in an int. */
  int nextInt32() {
    return mt.nextInt();
  }

  /** {@code rand()}: a double in [0, 1) with 53 random bits, {@code (a*2^26 + b) / 2^53}. */
  double rand() {
    return mt.nextDouble();
  }

  /**
   * {@code randn()}: a standard normal by the polar method. Each accepted pair {@code (x1, x2)}
   * gives {@code f*x2} now and caches {@code f*x1} for the next call, with {@code f =
   * sqrt(-2 log(r2) / r2)}; re-seeding drops the cached value.
   */
  double randn() {
    if (hasGauss) {
      hasGauss = false;
      double g = gauss;
      gauss = 0.0;
      return g;
    }
    double x1;
    double x2;
    double r2;
    do {
      x1 = 2.0 * rand() - 1.0;
      x2 = 2.0 * rand() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    double f = Math.sqrt(-2.0 * CorrectlyRounded.log(r2) / r2);
    gauss = f * x1;
    hasGauss = true;
    return f * x2;
  }

  /** {@code randn(n)}: {@code n} successive {@link #randn()} values. */
  double[] randn(int n) {
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = randn();
    }
    return out;
  }

  /**
   * {@code randint(low, high)} for the default int64 dtype: uniform in {@code [low, high)} by
   * masked rejection on 32-bit draws (ranges up to 2^32, all MNIST-1D needs).
   */
  long randint(long low, long high) {
    if (high <= low) {
      throw new IllegalArgumentException("randint needs low < high, got " + low + ", " + high);
    }
    long rng = high - 1 - low;
    if (rng == 0) {
      return low;
    }
    if (rng > 0xffffffffL) {
      throw new IllegalArgumentException("randint ranges above 2^32 are not supported: " + rng);
    }
    if (rng == 0xffffffffL) {
      return low + (nextInt32() & 0xffffffffL);
    }
    long mask = mask(rng);
    long v;
    do {
      v = nextInt32() & mask;
    } while (v > rng);
    return low + v;
  }

  /** {@code choice(n)} for an int {@code n > 0}: {@code randint(0, n)}. */
  int choice(int n) {
    if (n <= 0) {
      throw new IllegalArgumentException("choice needs n > 0, got " + n);
    }
    return (int) randint(0, n);
  }

  /** {@code random_interval(max)}: uniform in {@code [0, max]} by masked rejection. */
  long interval(long max) {
    if (max == 0) {
      return 0;
    }
    long mask = mask(max);
    long v;
    if (max <= 0xffffffffL) {
      do {
        v = nextInt32() & mask;
      } while (v > max);
    } else {
      do {
        v = ((((long) nextInt32()) << 32) | (nextInt32() & 0xffffffffL)) & mask;
      } while (Long.compareUnsigned(v, max) > 0);
    }
    return v;
  }

  private static long mask(long max) {
    long m = max;
    m |= m >>> 1;
    m |= m >>> 2;
    m |= m >>> 4;
    m |= m >>> 8;
    m |= m >>> 16;
    m |= m >>> 32;
    return m;
  }

  /** The legacy in-place shuffle: for i = n-1 down to 1, swap a[i] with a[interval(i)]. */
  void shuffle(int[] a) {
    for (int i = a.length - 1; i >= 1; i--) {
      int j = (int) interval(i);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /** {@code permutation(n)}: {@code arange(n)} shuffled by {@link #shuffle(int[])}. */
  int[] permutation(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    shuffle(a);
    return a;
  }
}
