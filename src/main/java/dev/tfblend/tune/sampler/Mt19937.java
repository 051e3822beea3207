package dev.tfblend.tune.sampler;

/**
 * The Mersenne Twister MT19937 (Matsumoto and Nishimura, 1998) as numpy's legacy {@code
 * RandomState(seed)} uses it, so that seeded samplers draw the same numbers as Optuna's: an
 * integer seed initialises the state with {@code init_genrand}, and {@link #nextDouble()} is
 * numpy's {@code random_sample} ({@code (a >> 5, b >> 6)} of two outputs, 53 bits).
 *
 * <p>Not thread-safe.
 */
final class Mt19937 {
  private static final int N = 624;
  private static final int M = 397;
  private final int[] mt = new int[N];
  private int index;

  /** A generator seeded as {@code numpy.random.RandomState(seed)} for {@code 0 <= seed < 2^32}. */
  Mt19937(long seed) {
    if (seed < 0 || seed > 0xffffffffL) {
      throw new IllegalArgumentException("seed must be in [0, 2^32), got " + seed);
    }
    mt[0] = (int) seed;
    for (int i = 1; i < N; i++) {
      mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
    }
    index = N;
  }

  /** The next 32 random bits (tempered), as an unsigned value in an int. */
  int nextInt() {
    if (index >= N) {
      twist();
    }
    int y = mt[index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y;
  }

  private void twist() {
    for (int i = 0; i < N; i++) {
      int y = (mt[i] & 0x80000000) | (mt[(i + 1) % N] & 0x7fffffff);
      int next = mt[(i + M) % N] ^ (y >>> 1);
      if ((y & 1) != 0) {
        next ^= 0x9908b0df;
      }
      mt[i] = next;
    }
    index = 0;
  }

  /** numpy's {@code random_sample()}: a double in [0, 1) with 53 random bits. */
  double nextDouble() {
    long a = (nextInt() >>> 5) & 0xffffffffL;
    long b = (nextInt() >>> 6) & 0xffffffffL;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  /** numpy's {@code uniform(low, high)}: {@code low + (high - low) * random_sample()}. */
  double uniform(double low, double high) {
    return low + (high - low) * nextDouble();
  }
}
