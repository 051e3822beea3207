package dev.tfblend.tune.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GaussianTest {

  private static void assertRel(double expected, double actual, double rel) {
    assertEquals(expected, actual, Math.abs(expected) * rel, () -> "expected " + expected + " got " + actual);
  }

  @Test
  void cdfMatchesReferenceValuesInBothTails() {
    // Reference values: scipy.stats.norm.cdf / logcdf.
    assertRel(0.15865525393145707, Gaussian.cdf(-1), 1e-14);
    assertRel(0.5, Gaussian.cdf(0), 1e-15);
    assertRel(0.9750021048517795, Gaussian.cdf(1.96), 1e-14);
    assertRel(0.0013498980316300946, Gaussian.cdf(-3), 1e-13);
    // the two formulas meet at -3 without a jump
    assertEquals(Gaussian.cdf(-3 + 1e-12), Gaussian.cdf(-3 - 1e-12), 2e-14);
    assertRel(2.866515718791939e-07, Gaussian.cdf(-5), 1e-13);
    assertRel(7.619853024160527e-24, Gaussian.cdf(-10), 1e-12);
    assertRel(-804.6084420137538, Gaussian.logCdf(-40), 1e-14);
    assertRel(-1.841021645009264, Gaussian.logCdf(-1), 1e-14);
  }

  @Test
  void ppfInvertsCdf() {
    assertRel(1.959963984540054, Gaussian.ppf(0.975), 1e-13);
    for (double x = -37; x <= 4; x += 0.37) {
      double p = Gaussian.cdf(x);
      assertEquals(x, Gaussian.ppf(p), 1e-9 * Math.max(1, Math.abs(x)), "x=" + x);
    }
    for (double x = -60; x < -30; x += 3.1) {
      assertEquals(x, Gaussian.ppfFromLog(Gaussian.logCdf(x)), 1e-9 * Math.abs(x), "x=" + x);
    }
  }

  @Test
  void logMassIsAccurateInTailsAndCentre() {
    assertRel(Math.log(Gaussian.cdf(1) - Gaussian.cdf(-1)), Gaussian.logMass(-1, 1), 1e-14);
    assertRel(Math.log(2.866515718791939e-07 - 7.619853024160527e-24), Gaussian.logMass(-10, -5), 1e-12);
    assertRel(Math.log(2.866515718791939e-07 - 7.619853024160527e-24), Gaussian.logMass(5, 10), 1e-12);
    assertTrue(Double.isFinite(Gaussian.logMass(50, 51)));
  }

  @Test
  void truncatedPpfStaysInsideAndIsMonotone() {
    double[][] bounds = {{-1, 1}, {-30, -29}, {29, 30}, {-0.1, 40}, {2, 2.0001}};
    for (double[] ab : bounds) {
      double prev = Double.NEGATIVE_INFINITY;
      for (double q = 0.001; q < 1; q += 0.05) {
        double x = Gaussian.truncatedPpf(q, ab[0], ab[1]);
        assertTrue(x >= ab[0] && x <= ab[1], x + " outside " + ab[0] + ".." + ab[1]);
        assertTrue(x >= prev, "not monotone at q=" + q);
        prev = x;
      }
    }
    assertEquals(0, Gaussian.truncatedPpf(0.5, -1, 1), 1e-12);
  }
}
