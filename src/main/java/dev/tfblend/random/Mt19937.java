package dev.tfblend.random;

/**
 * The Mersenne Twister MT19937 (Matsumoto and Nishimura, 1998) exactly as numpy's legacy {@code
 * RandomState(seed)} runs it, so that a seeded stream here equals numpy's bit for bit.
 *
 * <p>An integer seed in {@code [0, 2^32)} initialises the 624-word state with {@code init_genrand}
 * (numpy's path for a scalar seed). {@link #nextInt()} is one tempered 32-bit output and {@link
 * #nextDouble()} is numpy's {@code random_sample()}: {@code (a >>> 5) * 2^26 + (b >>> 6)} over
 * {@code 2^53} for two successive outputs {@code a, b}.
 *
 * <p>Not thread-safe: use one generator per thread.
 */
public final class Mt19937 {
  private static final int N = 624;
  private static final int M = 397;
  private static final int MATRIX_A = 0x9908b0df;
  private static final int UPPER_MASK = 0x80000000;
  private static final int LOWER_MASK = 0x7fffffff;

  private final int[] key = new int[N];
  private int pos;

  /**
   * A generator in the state {@code numpy.random.RandomState(seed)} starts in.
   *
   * @throws IllegalArgumentException if {@code seed} is outside {@code [0, 2^32)}, as numpy refuses
   */
  public Mt19937(long seed) {
    if (seed < 0 || seed > 0xffffffffL) {
      throw new IllegalArgumentException("seed must be in [0, 2^32), got " + seed);
    }
    int s = (int) seed;
    for (int i = 0; i < N; i++) {
      key[i] = s;
      s = 1812433253 * (s ^ (s >>> 30)) + i + 1;
    }
    pos = N;
  }

  /** The first {@code n} words of the state key, as numpy's {@code get_state()[1][:n]} shows them. */
  long[] keyHead(int n) {
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      out[i] = key[i] & 0xffffffffL;
    }
    return out;
  }

  private void regenerate() {
    int i = 0;
    int y;
    for (; i < N - M; i++) {
      y = (key[i] & UPPER_MASK) | (key[i + 1] & LOWER_MASK);
      key[i] = key[i + M] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    }
    for (; i < N - 1; i++) {
      y = (key[i] & UPPER_MASK) | (key[i + 1] & LOWER_MASK);
      key[i] = key[i + (M - N)] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    }
    y = (key[N - 1] & UPPER_MASK) | (key[0] & LOWER_MASK);
    key[N - 1] = key[M - 1] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    pos = 0;
  }

  /** The next tempered 32-bit output, as an unsigned value held in an int. */
  public int nextInt() {
    if (pos == N) {
      regenerate();
    }
    int y = key[pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y;
  }

  /** numpy's {@code random_sample()}: a double in [0, 1) with 53 random bits from two outputs. */
  public double nextDouble() {
    int a = nextInt() >>> 5;
    int b = nextInt() >>> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  /** numpy's {@code uniform(low, high)}: {@code low + (high - low) * random_sample()}. */
  public double uniform(double low, double high) {
    return low + (high - low) * nextDouble();
  }
}
