package dev.tfblend.data;

/**
 * The few numpy and scipy routines MNIST-1D uses, written to round exactly as numpy and scipy do:
 * the order of every addition and multiplication follows their C loops.
 */
final class NumpyOps {
  /** numpy's pairwise-summation block: below this, eight interleaved partial sums. */
  private static final int PW_BLOCKSIZE = 128;

  private NumpyOps() {}

  /**
   * {@code np.linspace(start, stop, num)}: {@code i * step + start} with {@code step = (stop -
   * start) / (num - 1)}, the last value set to {@code stop} exactly.
   */
  static double[] linspace(double start, double stop, int num) {
    double[] y = new double[num];
    int div = num - 1;
    double delta = stop - start;
    if (div > 0) {
      double step = delta / div;
      for (int i = 0; i < num; i++) {
        y[i] = step == 0 ? (i / (double) div) * delta + start : i * step + start;
      }
      y[num - 1] = stop;
    } else if (num == 1) {
      y[0] = start;
    }
    return y;
  }

  /**
   * numpy's reduction buffer size in elements ({@code np.getbufsize()}): a reduction's inner loop
   * sees at most this many elements at a time.
   */
  static final int BUFSIZE = 8192;

  /**
   * {@code np.add.reduce} over all of a contiguous float64 array: starting from 0, each block of
   * {@link #BUFSIZE} elements is summed pairwise and added in turn. (The official reference sums
   * agree with this to the last bit and not with one pairwise sum over the whole array.)
   */
  static double sum(double[] a) {
    double s = 0.0;
    for (int from = 0; from < a.length; from += BUFSIZE) {
      s += pairwiseSum(a, from, Math.min(BUFSIZE, a.length - from));
    }
    return s;
  }

  /** numpy's {@code pairwise_sum_DOUBLE} over {@code a[from, from + n)}. */
  static double pairwiseSum(double[] a, int from, int n) {
    if (n < 8) {
      double res = 0.0;
      for (int i = 0; i < n; i++) {
        res += a[from + i];
      }
      return res;
    } else if (n <= PW_BLOCKSIZE) {
      double r0 = a[from];
      double r1 = a[from + 1];
      double r2 = a[from + 2];
      double r3 = a[from + 3];
      double r4 = a[from + 4];
      double r5 = a[from + 5];
      double r6 = a[from + 6];
      double r7 = a[from + 7];
      int i;
      for (i = 8; i < n - (n % 8); i += 8) {
        int b = from + i;
        r0 += a[b];
        r1 += a[b + 1];
        r2 += a[b + 2];
        r3 += a[b + 3];
        r4 += a[b + 4];
        r5 += a[b + 5];
        r6 += a[b + 6];
        r7 += a[b + 7];
      }
      double res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
      for (; i < n; i++) {
        res += a[from + i];
      }
      return res;
    } else {
      int n2 = n / 2;
      n2 -= n2 % 8;
      return pairwiseSum(a, from, n2) + pairwiseSum(a, from + n2, n - n2);
    }
  }

  /** {@code a.mean()}: the pairwise sum divided by the count. */
  static double mean(double[] a) {
    return sum(a) / a.length;
  }

  /**
   * {@code a.std()} (ddof 0) as numpy's {@code _var} computes it: the mean, the squared
   * deviations {@code (a - mean)^2}, their pairwise sum divided by the count, then the square
   * root.
   */
  static double std(double[] a) {
    double m = mean(a);
    double[] sq = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      double d = a[i] - m;
      sq[i] = d * d;
    }
    return Math.sqrt(sum(sq) / a.length);
  }

  /**
   * {@code scipy.interpolate.interp1d(xp, fp, kind='linear')(x)} for increasing {@code xp} and
   * {@code x} inside {@code [xp[0], xp[last]]}. scipy hands 1-D float64 data to {@code np.interp},
   * whose loop gives {@code fp[j]} where {@code x == xp[j]} (and at the right end) and
   * {@code slope * (x - xp[j]) + fp[j]} otherwise, with {@code slope = (fp[j+1] - fp[j]) /
   * (xp[j+1] - xp[j])}.
   */
  static double[] interpLinear(double[] xp, double[] fp, double[] x) {
    int n = xp.length;
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double v = x[i];
      if (v < xp[0] || v > xp[n - 1] || Double.isNaN(v)) {
        throw new IllegalArgumentException("x[" + i + "] = " + v + " is outside the data range");
      }
      int j = upperIndex(xp, v);
      if (j == n - 1) {
        out[i] = fp[n - 1];
      } else if (xp[j] == v) {
        out[i] = fp[j];
      } else {
        double slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
        out[i] = slope * (v - xp[j]) + fp[j];
      }
    }
    return out;
  }

  /** The largest j with {@code xp[j] <= v} (xp increasing, v >= xp[0]). */
  private static int upperIndex(double[] xp, double v) {
    int lo = 0;
    int hi = xp.length - 1;
    if (v >= xp[hi]) {
      return hi;
    }
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (xp[mid] <= v) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * scipy's Gaussian kernel of radius {@code radius}: {@code exp(-0.5 / sigma^2 * k^2)} for
   * {@code k = -radius..radius}, divided by its numpy (pairwise) sum.
   */
  static double[] gaussianKernel(double sigma, int radius) {
    double sigma2 = sigma * sigma;
    double c = -0.5 / sigma2;
    double[] phi = new double[2 * radius + 1];
    for (int k = -radius; k <= radius; k++) {
      phi[k + radius] = CorrectlyRounded.exp(c * ((double) k * k));
    }
    double s = sum(phi);
    for (int i = 0; i < phi.length; i++) {
      phi[i] = phi[i] / s;
    }
    return phi;
  }

  /**
   * {@code scipy.ndimage.gaussian_filter1d(x, sigma, mode='reflect', truncate=truncate)}: radius
   * {@code int(truncate * sigma + 0.5)}, and the correlation loop ndimage runs for a symmetric
   * kernel, {@code out[i] = x[i] w[0] + sum_{j=-r..-1} (x[i+j] + x[i-j]) w[j]} in that order, with
   * the line extended by half-sample reflection ({@code d c b a | a b c d | d c b a}).
   */
  static double[] gaussianFilter1d(double[] x, double sigma, double truncate) {
    int radius = (int) (truncate * sigma + 0.5);
    double[] w = gaussianKernel(sigma, radius);
    int n = x.length;
    double[] ext = new double[n + 2 * radius];
    for (int i = 0; i < ext.length; i++) {
      ext[i] = x[reflectIndex(i - radius, n)];
    }
    double[] out = new double[n];
    if (!isSymmetric(w)) {
      // Unreachable for a Gaussian, kept so a changed kernel cannot silently use the wrong loop.
      throw new IllegalStateException("Gaussian kernel is not symmetric");
    }
    for (int i = 0; i < n; i++) {
      int c = i + radius;
      double acc = ext[c] * w[radius];
      for (int j = -radius; j < 0; j++) {
        acc += (ext[c + j] + ext[c - j]) * w[radius + j];
      }
      out[i] = acc;
    }
    return out;
  }

  private static boolean isSymmetric(double[] w) {
    int r = w.length / 2;
    for (int i = 1; i <= r; i++) {
      if (Math.abs(w[r + i] - w[r - i]) > Math.ulp(1.0)) {
        return false;
      }
    }
    return true;
  }

  /** ndimage's 'reflect' extension: index {@code i} of a line of length {@code n}. */
  static int reflectIndex(int i, int n) {
    int period = 2 * n;
    int m = Math.floorMod(i, period);
    return m < n ? m : period - 1 - m;
  }
}
