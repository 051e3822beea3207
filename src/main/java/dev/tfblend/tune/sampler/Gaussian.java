package dev.tfblend.tune.sampler;

/**
 * Standard normal and truncated normal functions in double precision, written for TPE's
 * Parzen estimator (the role of Optuna's {@code _truncnorm}).
 *
 * <p>Lower-tail probabilities are kept in log space so that kernels far from a bound neither
 * underflow nor lose their relative precision: {@code log Phi(x)} uses Marsaglia's series for
 * {@code -3 <= x <= 0} and the continued fraction of Mills' ratio below. Upper tails are
 * obtained by symmetry, {@code Phi(x) = 1 - Phi(-x)}.
 */
final class Gaussian {
  static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

  /** Beyond this many standard deviations a tail's mass (below 1.2e-19) is negligible. */
  private static final double WIDE = 9;

  private Gaussian() {}

  /** {@code log phi(z)}, the standard normal log density. */
  static double logPdf(double z) {
    return -0.5 * z * z - LOG_SQRT_2PI;
  }

  /** {@code log Phi(x)}, accurate in the lower tail. */
  static double logCdf(double x) {
    if (x > 0) {
      return Math.log1p(-lowerCdf(-x));
    }
    if (x >= -3) {
      return Math.log(marsaglia(x));
    }
    if (x == Double.NEGATIVE_INFINITY) {
      return Double.NEGATIVE_INFINITY;
    }
    return logPdf(x) + Math.log(millsRatio(-x));
  }

  /** {@code Phi(x)}. */
  static double cdf(double x) {
    return x > 0 ? 1 - lowerCdf(-x) : lowerCdf(x);
  }

  /** {@code Phi(x)} for {@code x <= 0}. */
  private static double lowerCdf(double x) {
    if (x >= -3) {
      return marsaglia(x);
    }
    if (x == Double.NEGATIVE_INFINITY) {
      return 0;
    }
    return Math.exp(logPdf(x)) * millsRatio(-x);
  }

  /** Marsaglia (2004): {@code Phi(x) = 1/2 + phi(x) (x + x^3/3 + x^5/(3*5) + ...)}. */
  private static double marsaglia(double x) {
    double sum = x;
    double term = x;
    double x2 = x * x;
    for (int i = 3; i < 400; i += 2) {
      term *= x2 / i;
      double next = sum + term;
      if (next == sum) {
        break;
      }
      sum = next;
    }
    return 0.5 + sum * Math.exp(logPdf(x));
  }

  /**
   * Mills' ratio {@code R(t) = (1 - Phi(t)) / phi(t)} for {@code t >= 3}, from the continued
   * fraction {@code 1/(t+ 1/(t+ 2/(t+ 3/(t+ ...))))} evaluated with the modified Lentz method.
   */
  private static double millsRatio(double t) {
    final double tiny = 1e-300;
    double f = t;
    double c = t;
    double d = 0;
    for (int k = 1; k < 500; k++) {
      d = t + k * d;
      d = d == 0 ? tiny : d;
      c = t + k / c;
      c = c == 0 ? tiny : c;
      d = 1 / d;
      double delta = c * d;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) {
        break;
      }
    }
    return 1 / f;
  }

  /** {@code log(Phi(b) - Phi(a))} for {@code a <= b}, precise in both tails. */
  static double logMass(double a, double b) {
    if (a >= b) {
      return Double.NEGATIVE_INFINITY;
    }
    if (a <= -WIDE && b >= WIDE) {
      // Both tails below 1e-19: the mass is 1 to double precision.
      return 0;
    }
    if (b <= 0) {
      double lb = logCdf(b);
      double la = logCdf(a);
      return lb + Math.log1p(-Math.exp(la - lb));
    }
    if (a >= 0) {
      return logMass(-b, -a);
    }
    return Math.log1p(-lowerCdf(a) - lowerCdf(-b));
  }

  /**
   * The standard normal quantile {@code Phi^-1(p)}: Acklam's rational approximation refined
   * by Halley steps.
   */
  static double ppf(double p) {
    if (p <= 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (p >= 1) {
      return Double.POSITIVE_INFINITY;
    }
    if (p > 0.5) {
      return -ppf(1 - p);
    }
    double x = acklam(p);
    for (int i = 0; i < 2; i++) {
      double e = lowerCdf(x) - p;
      double u = e * Math.exp(-logPdf(x));
      x = x - u / (1 + x * u / 2);
    }
    return x;
  }

  /** {@code Phi^-1(exp(logP))} for {@code logP <= log(1/2)}, also where {@code exp} underflows. */
  static double ppfFromLog(double logP) {
    if (logP > -700) {
      return ppf(Math.exp(logP));
    }
    double x = -Math.sqrt(-2 * logP);
    for (int i = 0; i < 50; i++) {
      double lc = logCdf(x);
      double step = (lc - logP) * Math.exp(lc - logPdf(x));
      x -= step;
      if (Math.abs(step) < 1e-14 * Math.abs(x)) {
        break;
      }
    }
    return x;
  }

  private static final double[] A = {
    -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
    1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00
  };
  private static final double[] B = {
    -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
    6.680131188771972e+01, -1.328068155288572e+01
  };
  private static final double[] C = {
    -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
    -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00
  };
  private static final double[] D = {
    7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00
  };

  /** Acklam's approximation (relative error about 1e-9) for {@code p <= 1/2}. */
  private static double acklam(double p) {
    if (p < 0.02425) {
      double q = Math.sqrt(-2 * Math.log(p));
      return (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
          / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
    }
    double q = p - 0.5;
    double r = q * q;
    return (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
        / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
  }

  /**
   * The {@code q}-quantile of the standard normal truncated to {@code [a, b]} (inverse-CDF
   * sampling with uniform {@code q}), as Optuna's {@code _truncnorm.ppf}.
   */
  static double truncatedPpf(double q, double a, double b) {
    if (a >= b) {
      return a;
    }
    if (a >= 0) {
      return -truncatedPpf(1 - q, -b, -a);
    }
    double x;
    if (b <= 0) {
      double la = logCdf(a);
      double lm = logMass(a, b);
      double logP = logAddExp(la, Math.log(q) + lm);
      x = ppfFromLog(logP);
    } else {
      double pa = lowerCdf(a);
      double pb = lowerCdf(-b);
      double mass = 1 - pa - pb;
      double p = pa + q * mass;
      x = p <= 0.5 ? ppf(p) : -ppf(pb + (1 - q) * mass);
    }
    return Math.min(Math.max(x, a), b);
  }

  /** {@code log(exp(x) + exp(y))}. */
  static double logAddExp(double x, double y) {
    if (x == Double.NEGATIVE_INFINITY) {
      return y;
    }
    if (y == Double.NEGATIVE_INFINITY) {
      return x;
    }
    double m = Math.max(x, y);
    return m + Math.log1p(Math.exp(-Math.abs(x - y)));
  }
}
