package dev.tfblend.tune.sampler;

import dev.tfblend.random.Mt19937;
import dev.tfblend.tune.CategoricalDistribution;
import dev.tfblend.tune.Distribution;
import dev.tfblend.tune.FloatDistribution;
import dev.tfblend.tune.IntDistribution;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A mixture of product kernels over one or more parameters: TPE's {@code l(x)} or {@code
 * g(x)} (Optuna's {@code _ParzenEstimator}).
 *
 * <p>Kernel {@code k < n} sits on observation {@code k}; kernel {@code n} is the prior. Mixture
 * weights are {@code weights(n)} followed by {@code priorWeight}, normalised. Per parameter:
 *
 * <ul>
 *   <li>Numerical parameters live in a transformed space: {@code log x} on a log scale, with
 *       bounds widened by {@code step/2} for stepped floats and all ints. Kernel {@code k} is a
 *       normal {@code N(mu_k, sigma_k)} truncated to those bounds; the prior has {@code mu} =
 *       the centre and {@code sigma} = the width.
 *   <li>Univariate bandwidths: {@code sigma_k = max(mu_k - left, right - mu_k)} between sorted
 *       neighbours (the prior's centre included, the bounds as outer neighbours), the first
 *       and last taken from their inner neighbour when {@code considerEndpoints} is false;
 *       multivariate: {@code sigma = 0.2 n^(-1/(d+4)) (high - low)}. The magic clip keeps
 *       {@code sigma} in {@code [(high - low) / min(100, n + 2), high - low]}.
 *   <li>Stepped parameters are discrete: a value's probability is the kernel mass of {@code [x
 *       - step/2, x + step/2]} (transformed) over the mass of the widened bounds; samples are
 *       rounded to the grid.
 *   <li>Categorical kernel {@code k} puts {@code priorWeight/(n+1)} on every choice plus 1 on
 *       the observed one, normalised; the prior kernel is uniform.
 * </ul>
 */
final class ParzenEstimator {

  /** TPE's estimator settings (Optuna's {@code _ParzenEstimatorParameters}). */
  record Parameters(
      double priorWeight,
      boolean considerMagicClip,
      boolean considerEndpoints,
      boolean multivariate,
      IntFunction<double[]> weights,
      boolean legacyKernelDensity) {}

  private final Dim[] dims;
  private final double[] logWeights;
  private final double[] weights;
  private final double[] cumWeights;
  private final int nKernels;
  private final boolean hasDiscrete;

  /**
   * @param observations {@code n x d} internal values, rows in trial-number order
   * @param space the {@code d} distributions, in column order
   */
  ParzenEstimator(double[][] observations, List<Distribution> space, Parameters p) {
    int n = observations.length;
    nKernels = n + 1;
    double[] w = new double[nKernels];
    if (n == 0) {
      w[0] = 1;
    } else {
      double[] given = p.weights().apply(n);
      if (given.length < n) {
        throw new IllegalArgumentException("weights(" + n + ") returned " + given.length + " values");
      }
      System.arraycopy(given, 0, w, 0, n);
      w[n] = p.priorWeight();
    }
    double sum = 0;
    for (double v : w) {
      if (!(v >= 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException("kernel weights must be finite and >= 0, got " + v);
      }
      sum += v;
    }
    logWeights = new double[nKernels];
    weights = new double[nKernels];
    cumWeights = new double[nKernels];
    double acc = 0;
    for (int k = 0; k < nKernels; k++) {
      weights[k] = w[k] / sum;
      logWeights[k] = Math.log(weights[k]);
      acc += w[k] / sum;
      cumWeights[k] = acc;
    }
    for (int k = 0; k < nKernels; k++) {
      cumWeights[k] /= acc;
    }
    dims = new Dim[space.size()];
    for (int j = 0; j < dims.length; j++) {
      double[] column = new double[n];
      for (int i = 0; i < n; i++) {
        column[i] = observations[i][j];
      }
      Distribution d = space.get(j);
      dims[j] =
          d instanceof CategoricalDistribution c
              ? new CategoricalDim(column, c.choices().size(), p.priorWeight())
              : new NumericalDim(column, d, p, space.size());
    }
    hasDiscrete = hasDiscrete();
  }

  /**
   * {@code size} joint samples ({@code size x d} internal values) drawn from the mixture, using
   * the random numbers in Optuna's order: {@code size} uniforms choose the kernels (numpy's
   * {@code choice} with probabilities), then, parameter by parameter, {@code size} uniforms give
   * the values by inverse CDF.
   */
  double[][] sample(Mt19937 rng, int size) {
    int[] kernel = new int[size];
    for (int i = 0; i < size; i++) {
      kernel[i] = searchRight(cumWeights, rng.nextDouble());
    }
    double[][] out = new double[size][dims.length];
    for (int j = 0; j < dims.length; j++) {
      for (int i = 0; i < size; i++) {
        out[i][j] = dims[j].sample(kernel[i], rng.nextDouble());
      }
    }
    return out;
  }

  /** numpy's {@code searchsorted(cdf, u, side='right')}, capped at the last index. */
  private static int searchRight(double[] cdf, double u) {
    int lo = 0;
    int hi = cdf.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cdf[mid] <= u) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return Math.min(lo, cdf.length - 1);
  }

  /**
   * The mixture's log density (log probability for discrete parameters) at each row.
   *
   * <p>Discrete kernels need two normal CDFs per (row, kernel), which dominates the cost. A
   * kernel whose cheap upper bound lies more than 40 below the exact term of the most promising
   * kernel adds less than {@code e^-40} relative to the sum and is skipped.
   */
  double[] logPdf(double[][] x) {
    if (dims.length == 1 && dims[0] instanceof CategoricalDim c) {
      // One categorical: log of the weighted sum of kernel probabilities, summed directly as
      // Optuna does (same value as the log-sum-exp below, and the same rounding, which decides
      // between choices whose scores tie).
      double[] out = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        out[i] = Math.log(c.mixtureProbability((int) x[i][0], weights));
      }
      return out;
    }
    double[] out = new double[x.length];
    double[] terms = new double[nKernels];
    double[] upper = hasDiscrete ? new double[nKernels] : null;
    rows:
    for (int i = 0; i < x.length; i++) {
      // Discrete candidates often repeat; a repeated row has the same density.
      for (int r = 0; r < i; r++) {
        if (Arrays.equals(x[r], x[i])) {
          out[i] = out[r];
          continue rows;
        }
      }
      System.arraycopy(logWeights, 0, terms, 0, nKernels);
      for (int j = 0; j < dims.length; j++) {
        if (!dims[j].isDiscrete()) {
          dims[j].addLogPdf(x[i][j], terms);
        }
      }
      if (hasDiscrete) {
        System.arraycopy(terms, 0, upper, 0, nKernels);
        for (int j = 0; j < dims.length; j++) {
          if (dims[j].isDiscrete()) {
            dims[j].addUpperBound(x[i][j], upper);
          }
        }
        int best = 0;
        for (int k = 1; k < nKernels; k++) {
          if (upper[k] > upper[best]) {
            best = k;
          }
        }
        double cut = exactTerm(best, x[i], terms[best]) - 40;
        for (int k = 0; k < nKernels; k++) {
          terms[k] = upper[k] < cut ? Double.NEGATIVE_INFINITY : exactTerm(k, x[i], terms[k]);
        }
      }
      out[i] = logSumExp(terms);
    }
    return out;
  }

  private boolean hasDiscrete() {
    for (Dim d : dims) {
      if (d.isDiscrete()) {
        return true;
      }
    }
    return false;
  }

  /** {@code partial} (weights and non-discrete dims) plus the discrete dims' exact terms. */
  private double exactTerm(int k, double[] row, double partial) {
    double t = partial;
    for (int j = 0; j < dims.length; j++) {
      if (dims[j].isDiscrete()) {
        t += dims[j].logPdfAt(k, row[j]);
      }
    }
    return t;
  }

  private static double logSumExp(double[] terms) {
    double max = Double.NEGATIVE_INFINITY;
    for (double t : terms) {
      max = Math.max(max, t);
    }
    if (max == Double.NEGATIVE_INFINITY) {
      return max;
    }
    // Terms more than 40 below the maximum add less than 1e-17 relative: skip their exp.
    double cut = max - 40;
    double s = 0;
    for (double t : terms) {
      if (t > cut) {
        s += Math.exp(t - max);
      }
    }
    return max + Math.log(s);
  }

  /** One parameter's kernels. */
  private interface Dim {
    /** The value of kernel {@code kernel} at uniform quantile {@code u}. */
    double sample(int kernel, double u);

    /** Adds {@code log p_k(x)} to {@code terms[k]} for every kernel. */
    void addLogPdf(double x, double[] terms);

    /** Whether kernel terms are costly (then the three methods below are used instead). */
    default boolean isDiscrete() {
      return false;
    }

    /** Adds an upper bound of {@code log p_k(x)} to {@code upper[k]} for every kernel. */
    default void addUpperBound(double x, double[] upper) {
      throw new UnsupportedOperationException();
    }

    /** {@code log p_k(x)} of one kernel. */
    default double logPdfAt(int k, double x) {
      throw new UnsupportedOperationException();
    }
  }

  private static final class CategoricalDim implements Dim {
    private final double[][] cum;
    private final double[][] probs;
    private final double[][] logProbs;

    CategoricalDim(double[] observed, int nChoices, double priorWeight) {
      int n = observed.length;
      int nk = n + 1;
      cum = new double[nk][nChoices];
      probs = new double[nk][nChoices];
      logProbs = new double[nk][nChoices];
      for (int k = 0; k < nk; k++) {
        double[] row = new double[nChoices];
        if (n == 0) {
          Arrays.fill(row, 1.0 / nChoices);
        } else {
          Arrays.fill(row, priorWeight / nk);
          if (k < n) {
            row[(int) observed[k]] += 1;
          }
        }
        double sum = 0;
        for (double v : row) {
          sum += v;
        }
        double acc = 0;
        for (int c = 0; c < nChoices; c++) {
          double pr = sum == 0 ? 0 : row[c] / sum;
          probs[k][c] = pr;
          logProbs[k][c] = Math.log(pr);
          acc += pr;
          cum[k][c] = acc;
        }
        cum[k][nChoices - 1] = 1;
      }
    }

    @Override
    public double sample(int kernel, double u) {
      double[] c = cum[kernel];
      int i = 0;
      while (i < c.length - 1 && c[i] < u) {
        i++;
      }
      return i;
    }

    @Override
    public void addLogPdf(double x, double[] terms) {
      int c = (int) x;
      for (int k = 0; k < terms.length; k++) {
        terms[k] += logProbs[k][c];
      }
    }

    /** {@code sum_k w_k p_k(choice)}. */
    double mixtureProbability(int choice, double[] w) {
      double s = 0;
      for (int k = 0; k < w.length; k++) {
        s += probs[k][choice] * w[k];
      }
      return s;
    }
  }

  private static final class NumericalDim implements Dim {
    private final boolean log;
    private final double step; // 0 when continuous
    private final double low;
    private final double high;
    private final double lowT;
    private final double highT;
    private final double[] mu;
    private final double[] sigma;
    /**
     * Per kernel: log of the truncation mass, plus {@code log(sigma sqrt(2 pi))} for continuous
     * densities.
     */
    private final double[] logNorm;

    private final double[] invSigma;
    private final double[] logSigma;

    NumericalDim(double[] observed, Distribution d, Parameters p, int nParams) {
      double s;
      if (d instanceof FloatDistribution f) {
        low = f.low();
        high = f.high();
        log = f.log();
        s = f.step() == null ? 0 : f.step();
      } else {
        IntDistribution i = (IntDistribution) d;
        low = i.low();
        high = i.high();
        log = i.log();
        s = i.step();
      }
      step = s;
      double lo = low - step / 2;
      double hi = high + step / 2;
      lowT = log ? Math.log(lo) : lo;
      highT = log ? Math.log(hi) : hi;
      int n = observed.length;
      mu = new double[n + 1];
      for (int i = 0; i < n; i++) {
        mu[i] = log ? Math.log(observed[i]) : observed[i];
      }
      mu[n] = 0.5 * (lowT + highT);
      sigma = new double[n + 1];
      computeSigmas(n, p, nParams);
      sigma[n] = highT - lowT;
      logNorm = new double[n + 1];
      invSigma = new double[n + 1];
      logSigma = new double[n + 1];
      for (int k = 0; k <= n; k++) {
        logSigma[k] = Math.log(sigma[k]);
        double m = Gaussian.logMass((lowT - mu[k]) / sigma[k], (highT - mu[k]) / sigma[k]);
        // Optuna <= 3.4 left out log(sigma) here (optuna#5109); legacyKernelDensity mimics it.
        double densityLogSigma = p.legacyKernelDensity() ? 0 : logSigma[k];
        logNorm[k] = step == 0 ? m + densityLogSigma + Gaussian.LOG_SQRT_2PI : m;
        invSigma[k] = 1 / sigma[k];
      }
      if (step != 0) {
        groupKernels();
      }
    }

    private void computeSigmas(int n, Parameters p, int nParams) {
      double width = highT - lowT;
      if (p.multivariate()) {
        double s = 0.2 * Math.pow(Math.max(n, 1), -1.0 / (nParams + 4)) * width;
        Arrays.fill(sigma, 0, n, s);
      } else if (n > 0) {
        // Sort observations and the prior centre together; bounds act as outer neighbours.
        // Ties keep observation order (a stable argsort).
        int m = n + 1;
        int[] order = Sorting.stableArgsort(Arrays.copyOf(mu, m));
        double[] sortedMu = new double[m];
        int[] position = new int[m];
        for (int r = 0; r < m; r++) {
          sortedMu[r] = mu[order[r]];
          position[order[r]] = r;
        }
        double[] e = new double[m + 2];
        e[0] = lowT;
        System.arraycopy(sortedMu, 0, e, 1, m);
        e[m + 1] = highT;
        double[] sorted = new double[m];
        for (int i = 0; i < m; i++) {
          sorted[i] = Math.max(e[i + 1] - e[i], e[i + 2] - e[i + 1]);
        }
        if (!p.considerEndpoints() && e.length >= 4) {
          sorted[0] = e[2] - e[1];
          sorted[m - 1] = e[m] - e[m - 1];
        }
        for (int i = 0; i < n; i++) {
          sigma[i] = sorted[position[i]];
        }
      }
      double maxSigma = width;
      double minSigma = p.considerMagicClip() ? width / Math.min(100.0, 1.0 + (n + 1)) : 1e-12;
      for (int i = 0; i < n; i++) {
        sigma[i] = Math.min(Math.max(sigma[i], minSigma), maxSigma);
      }
    }

    @Override
    public double sample(int k, double u) {
      double z = Gaussian.truncatedPpf(u, (lowT - mu[k]) / sigma[k], (highT - mu[k]) / sigma[k]);
      double t = mu[k] + sigma[k] * z;
      double x = log ? Math.exp(t) : t;
      if (step != 0) {
        x = low + Math.rint((x - low) / step) * step;
      }
      return Math.min(Math.max(x, low), high);
    }

    @Override
    public void addLogPdf(double x, double[] terms) {
      if (step == 0) {
        double t = log ? Math.log(x) : x;
        for (int k = 0; k < terms.length; k++) {
          double z = (t - mu[k]) * invSigma[k];
          terms[k] -= 0.5 * z * z + logNorm[k];
        }
      } else {
        for (int k = 0; k < terms.length; k++) {
          terms[k] += logPdfAt(k, x);
        }
      }
    }

    @Override
    public boolean isDiscrete() {
      return step != 0;
    }

    /**
     * The kernel mass of {@code [x - step/2, x + step/2]} is at most the interval's width times
     * the largest density on it: {@code phi(d) (b - a)} with {@code d} the standardised
     * distance from the kernel centre to the interval (0 when it holds the centre).
     */
    @Override
    public void addUpperBound(double x, double[] upper) {
      double a = log ? Math.log(x - step / 2) : x - step / 2;
      double b = log ? Math.log(x + step / 2) : x + step / 2;
      double logWidth = Math.log(b - a) - Gaussian.LOG_SQRT_2PI;
      for (int k = 0; k < upper.length; k++) {
        double za = (a - mu[k]) * invSigma[k];
        double zb = (b - mu[k]) * invSigma[k];
        double d = za > 0 ? za : (zb < 0 ? -zb : 0);
        double bound = Math.min(0, logWidth - logSigma[k] - 0.5 * d * d);
        upper[k] += bound - logNorm[k];
      }
    }

    @Override
    public double logPdfAt(int k, double x) {
      if (Double.doubleToRawLongBits(x) != Double.doubleToRawLongBits(cachedX)) {
        Arrays.fill(cache, Double.NaN);
        cachedX = x;
      }
      int g = group[k];
      double v = cache[g];
      if (Double.isNaN(v)) {
        double a = log ? Math.log(x - step / 2) : x - step / 2;
        double b = log ? Math.log(x + step / 2) : x + step / 2;
        v = Gaussian.logMass((a - mu[k]) * invSigma[k], (b - mu[k]) * invSigma[k]) - logNorm[k];
        cache[g] = v;
      }
      return v;
    }

    // Discrete observations repeat, and so do their kernels: kernels with equal (mu, sigma)
    // share one group, whose term is computed once per evaluated value x.
    private int[] group;
    private double[] cache;
    private double cachedX = Double.NaN;

    private void groupKernels() {
      group = new int[mu.length];
      HashMap<List<Double>, Integer> ids = new HashMap<>();
      for (int k = 0; k < mu.length; k++) {
        Integer id = ids.putIfAbsent(List.of(mu[k], sigma[k]), ids.size());
        group[k] = id == null ? ids.size() - 1 : id;
      }
      cache = new double[ids.size()];
    }
  }
}
