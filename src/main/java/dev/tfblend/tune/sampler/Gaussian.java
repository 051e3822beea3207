package dev.tfblend.tune.sampler;

/**
 * Standard normal and truncated normal functions in double precision, written for TPE's
 * Parzen estimator (the role of Optuna's {@code _truncnorm}).
 *
 * <p>Lower-tail probabilities are kept in log space so that kernels far from a bound neither
 * underflow nor lose their relative precision: {@code Phi(x) = exp(-x^2/2) erfcx(-x/sqrt 2) / 2}
 * for {@code x <= 0}, with the scaled complementary error function {@code erfcx} from a
 * Chebyshev series fitted for this class. Upper tails come by symmetry, {@code Phi(x) = 1 -
 * Phi(-x)}.
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

  /**
   * Chebyshev coefficients of {@code f(u) = (1 + 2z) erfcx(z)} with {@code z = 2 (1 + u) / (1 -
   * u)}, i.e. {@code u = (z - 2) / (z + 2)}, which maps {@code z >= 0} onto {@code [-1, 1)}.
   * Computed for this class with mpmath at 40 digits from the function's values at the 29
   * Chebyshev nodes ({@code c_j = (2 - [j = 0]) / n * sum_k f(cos(pi (k + 1/2) / n)) cos(pi j (k
   * + 1/2) / n)}); the relative error of the series is below 2.3e-16 on a 4001-point grid.
   */
  private static final double[] ERFCX_CHEBYSHEV = {
    1.1760066555883004,
    0.025779673870048207,
    -0.10659315067778503,
    0.03880887957448382,
    -0.005414899930893725,
    -0.00040815257282372384,
    0.00019843768248553527,
    9.842532776048127e-06,
    -7.763265561062859e-06,
    -7.174001457529682e-07,
    3.140694955581843e-07,
    6.188423669546144e-08,
    -9.890619934492214e-09,
    -4.59539962251018e-09,
    -7.180587728177086e-11,
    2.6296183336364065e-10,
    4.867734056607991e-11,
    -8.02680419375802e-12,
    -4.779133570850242e-12,
    -4.347012648127299e-13,
    2.4123142733169985e-13,
    8.610900530601008e-14,
    2.594765783203272e-15,
    -5.872252149616473e-15,
    -1.701934186958259e-15,
    1.3844962687900812e-17,
    1.4083349642414196e-16,
    3.841413585454971e-17,
    2.8114882554739123e-19
  };

  /** The scaled complementary error function {@code erfcx(z) = exp(z^2) erfc(z)}, {@code z >= 0}. */
  static double erfcx(double z) {
    double u = (z - 2) / (z + 2);
    double b1 = 0;
    double b2 = 0;
    for (int k = ERFCX_CHEBYSHEV.length - 1; k >= 1; k--) {
      double b0 = ERFCX_CHEBYSHEV[k] + 2 * u * b1 - b2;
      b2 = b1;
      b1 = b0;
    }
    double f = ERFCX_CHEBYSHEV[0] + u * b1 - b2;
    return f / (1 + 2 * z);
  }

  private static final double INV_SQRT2 = 1 / Math.sqrt(2);

  /** {@code log Phi(x)}, accurate in the lower tail. */
  static double logCdf(double x) {
    if (x > 0) {
      return log1p(-lowerCdf(-x));
    }
    if (x == Double.NEGATIVE_INFINITY) {
      return Double.NEGATIVE_INFINITY;
    }
    double z = -x * INV_SQRT2;
    return -z * z + Math.log(0.5 * erfcx(z));
  }

  /** {@code Phi(x)}. */
  static double cdf(double x) {
    return x > 0 ? 1 - lowerCdf(-x) : lowerCdf(x);
  }

  /** {@code Phi(x) = erfc(-x / sqrt 2) / 2} for {@code x <= 0}. */
  private static double lowerCdf(double x) {
    if (x == Double.NEGATIVE_INFINITY) {
      return 0;
    }
    double z = -x * INV_SQRT2;
    return 0.5 * Math.exp(-z * z) * erfcx(z);
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
      return lb + log1p(-Math.exp(la - lb));
    }
    if (a >= 0) {
      return logMass(-b, -a);
    }
    return log1p(-lowerCdf(a) - lowerCdf(-b));
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

  /**
   * {@code log(1 + y)} to a few ulps, via {@code log(u) * y / (u - 1)} with {@code u = 1 + y}
   * (Goldberg's correction). JDK 17's {@code Math.log1p} is not an intrinsic and dominated
   * TPE's time on discrete parameters; {@code Math.log} is.
   */
  static double log1p(double y) {
    double u = 1 + y;
    if (u == 1) {
      return y;
    }
    if (u == Double.POSITIVE_INFINITY || u <= 0) {
      return Math.log(u);
    }
    return Math.log(u) * (y / (u - 1));
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
    return m + log1p(Math.exp(-Math.abs(x - y)));
  }
}
