package dev.tfblend.data;

/**
 * Correctly rounded {@code log} and {@code exp} for finite arguments, computed in double-double
 * arithmetic (about 100 bits) and rounded once.
 *
 * <p>Why: numpy's legacy Gaussian calls the C library's {@code log}, and numpy's {@code exp} makes
 * scipy's Gaussian kernel. glibc's versions are correctly rounded in all but vanishingly rare
 * cases, whereas Java's {@code StrictMath} (fdlibm) is off by one ulp in a few percent of calls and
 * {@code Math}'s intrinsics depend on the JVM and CPU. Rounding the exact value reproduces the C
 * results on every platform, except where the C library itself is off (glibc's log is within
 * 0.52 ulp, so an argument whose log lies within about 0.02 ulp of a midpoint may come out the
 * other way there; about 1 in 1300 of the polar method's arguments on this generator).
 */
final class CorrectlyRounded {
  private static final double LN2_HI = Double.longBitsToDouble(0x3FE62E42FEFA39EFL);
  private static final double LN2_LO = Double.longBitsToDouble(0x3C7ABC9E3B39803FL);
  private static final int LOG_TERMS = 17;
  /** 1/(2k+1) as double-double pairs, for the atanh series of log. */
  private static final double[] INV_ODD_HI = new double[LOG_TERMS];
  private static final double[] INV_ODD_LO = new double[LOG_TERMS];
  private static final int EXP_TERMS = 14;
  private static final double[] INV_FACT_HI = new double[EXP_TERMS];
  private static final double[] INV_FACT_LO = new double[EXP_TERMS];
  private static final int EXP_SQUARINGS = 8;

  static {
    for (int k = 0; k < LOG_TERMS; k++) {
      double[] q = div(1.0, 0.0, 2 * k + 1, 0.0);
      INV_ODD_HI[k] = q[0];
      INV_ODD_LO[k] = q[1];
    }
    double fh = 1.0;
    double fl = 0.0;
    for (int n = 0; n < EXP_TERMS; n++) {
      if (n > 0) {
        double[] f = mul(fh, fl, n, 0.0);
        fh = f[0];
        fl = f[1];
      }
      double[] q = div(1.0, 0.0, fh, fl);
      INV_FACT_HI[n] = q[0];
      INV_FACT_LO[n] = q[1];
    }
  }

  private CorrectlyRounded() {}

  /**
   * The natural logarithm rounded to nearest. With {@code x = 2^e m}, {@code m} in
   * {@code [sqrt(1/2), sqrt(2))}: {@code log x = e ln2 + 2 atanh(s)}, {@code s = (m-1)/(m+1)},
   * {@code atanh(s) = s (1 + s^2/3 + s^4/5 + ...)}; {@code |s| < 0.172}, so 17 terms pass 2^-106.
   */
  static double log(double x) {
    if (!(x > 0.0) || Double.isInfinite(x)) {
      return Math.log(x);
    }
    int e = 0;
    if (x < Double.MIN_NORMAL) {
      x *= 0x1p54;
      e = -54;
    }
    e += Math.getExponent(x);
    double m = Math.scalb(x, -Math.getExponent(x));
    if (m >= Math.sqrt(2.0)) {
      m *= 0.5;
      e += 1;
    }
    // s = (m - 1) / (m + 1); m - 1 is exact (Sterbenz), m + 1 kept as a double-double.
    double dh = m + 1.0;
    double dl = twoSumErr(m, 1.0, dh);
    double[] s = div(m - 1.0, 0.0, dh, dl);
    double[] t = mul(s[0], s[1], s[0], s[1]);
    double ph = INV_ODD_HI[LOG_TERMS - 1];
    double pl = INV_ODD_LO[LOG_TERMS - 1];
    for (int k = LOG_TERMS - 2; k >= 0; k--) {
      double[] p = mul(ph, pl, t[0], t[1]);
      p = add(p[0], p[1], INV_ODD_HI[k], INV_ODD_LO[k]);
      ph = p[0];
      pl = p[1];
    }
    double[] logM = mul(ph, pl, 2.0 * s[0], 2.0 * s[1]);
    double eh = e * LN2_HI;
    double el = Math.fma(e, LN2_HI, -eh) + e * LN2_LO;
    double[] r = add(eh, el, logM[0], logM[1]);
    return r[0] + r[1];
  }

  /**
   * {@code e^x} rounded to nearest: {@code x = k ln2 + r}, {@code e^r = (e^(r/256))^256} with a
   * Taylor series for the small argument, then scaled by {@code 2^k}.
   */
  static double exp(double x) {
    if (Double.isNaN(x) || Double.isInfinite(x) || x > 709.0 || x < -745.0 || x == 0.0) {
      return Math.exp(x);
    }
    double k = Math.rint(x / LN2_HI);
    // r = x - k*ln2 as a double-double
    double kh = k * LN2_HI;
    double kl = Math.fma(k, LN2_HI, -kh) + k * LN2_LO;
    double[] r = add(x, 0.0, -kh, -kl);
    double rh = Math.scalb(r[0], -EXP_SQUARINGS);
    double rl = Math.scalb(r[1], -EXP_SQUARINGS);
    double ph = INV_FACT_HI[EXP_TERMS - 1];
    double pl = INV_FACT_LO[EXP_TERMS - 1];
    for (int n = EXP_TERMS - 2; n >= 0; n--) {
      double[] p = mul(ph, pl, rh, rl);
      p = add(p[0], p[1], INV_FACT_HI[n], INV_FACT_LO[n]);
      ph = p[0];
      pl = p[1];
    }
    for (int i = 0; i < EXP_SQUARINGS; i++) {
      double[] p = mul(ph, pl, ph, pl);
      ph = p[0];
      pl = p[1];
    }
    // Exact scaling for normal results; a subnormal result (x < -708) is rounded twice.
    return Math.scalb(ph + pl, (int) k);
  }

  private static double twoSumErr(double a, double b, double s) {
    double bb = s - a;
    return (a - (s - bb)) + (b - bb);
  }

  private static double[] quickTwoSum(double a, double b) {
    double s = a + b;
    return new double[] {s, b - (s - a)};
  }

  static double[] add(double ah, double al, double bh, double bl) {
    double s1 = ah + bh;
    double s2 = twoSumErr(ah, bh, s1);
    double t1 = al + bl;
    double t2 = twoSumErr(al, bl, t1);
    s2 += t1;
    double[] q = quickTwoSum(s1, s2);
    q[1] += t2;
    return quickTwoSum(q[0], q[1]);
  }

  static double[] mul(double ah, double al, double bh, double bl) {
    double p = ah * bh;
    double e = Math.fma(ah, bh, -p);
    e += ah * bl + al * bh;
    return quickTwoSum(p, e);
  }

  static double[] div(double ah, double al, double bh, double bl) {
    double q1 = ah / bh;
    double[] p = mul(q1, 0.0, bh, bl);
    double[] r = add(ah, al, -p[0], -p[1]);
    double q2 = r[0] / bh;
    p = mul(q2, 0.0, bh, bl);
    r = add(r[0], r[1], -p[0], -p[1]);
    double q3 = r[0] / bh;
    double[] q = quickTwoSum(q1, q2);
    return add(q[0], q[1], q3, 0.0);
  }
}
