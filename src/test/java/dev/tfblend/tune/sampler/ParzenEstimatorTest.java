package dev.tfblend.tune.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.random.Mt19937;
import dev.tfblend.tune.CategoricalDistribution;
import dev.tfblend.tune.Distribution;
import dev.tfblend.tune.FloatDistribution;
import dev.tfblend.tune.IntDistribution;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Checks the Parzen estimator against reference numbers. The "Optuna 3.1" figures come from
 * Debian's python3-optuna 3.1.0 ({@code _ParzenEstimator(...).log_pdf}, script in the commit
 * message); Optuna 3.1 lacks the 1/sigma of continuous kernels (optuna#5109), so they are
 * compared with {@code legacyKernelDensity = true}. The correct-density figures come from
 * {@code scipy.stats.truncnorm.logpdf} mixed with {@code scipy.special.logsumexp}.
 */
class ParzenEstimatorTest {
  private static final double[] OBS = {
    0.488135, 2.151894, 1.027634, 0.448832, -0.763452, 1.458941, -0.624128, 3.917730, 4.636628,
    -1.165585, 2.917250, 0.288949, 0.680446, 4.255966, -4.289639, -4.128707, -4.797816, 3.326198,
    2.781568, 3.700121, 4.786183, 2.991586, -0.385206, 2.805292, -3.817256, 1.399210, -3.566467,
    4.446689, 0.218483, -0.853381
  };
  private static final double[] PTS = {
    -2.354444, 2.742337, -0.438497, 0.684339, -4.812102, 1.176355, 1.120957, 1.169340
  };

  private static double[][] column(double[] v) {
    double[][] out = new double[v.length][];
    for (int i = 0; i < v.length; i++) {
      out[i] = new double[] {v[i]};
    }
    return out;
  }

  private static ParzenEstimator.Parameters params(boolean multivariate, boolean legacy) {
    return new ParzenEstimator.Parameters(
        1.0, true, false, multivariate, TpeSampler::defaultWeights, legacy);
  }

  private static void assertAllClose(double[] expected, double[] actual, double tol) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], tol, "element " + i);
    }
  }

  @Test
  void univariateMatchesOptuna31() {
    ParzenEstimator pe =
        new ParzenEstimator(column(OBS), List.of(FloatDistribution.of(-5, 5)), params(false, true));
    assertAllClose(
        new double[] {
          -2.72479630523, -2.30592030382, -2.28923233204, -2.30539344804, -2.45782239331,
          -2.43673186944, -2.42906795308, -2.43577650363
        },
        pe.logPdf(column(PTS)),
        1e-10);
  }

  @Test
  void multivariateBandwidthMatchesOptuna31() {
    ParzenEstimator pe =
        new ParzenEstimator(column(OBS), List.of(FloatDistribution.of(-5, 5)), params(true, true));
    assertAllClose(
        new double[] {
          -2.53789562133, -1.82727882989, -1.92095536192, -1.90669023735, -2.2687842241,
          -1.95569093116, -1.95068237849, -1.95507559861
        },
        pe.logPdf(column(PTS)),
        1e-10);
  }

  @Test
  void correctDensityMatchesScipy() {
    ParzenEstimator pe =
        new ParzenEstimator(column(OBS), List.of(FloatDistribution.of(-5, 5)), params(true, false));
    double[] lp = pe.logPdf(column(new double[] {-2.354444, 2.742337}));
    assertAllClose(new double[] {-3.0668753022563306, -2.0585050542504835}, lp, 1e-12);
  }

  private static final List<Distribution> MIXED =
      List.of(
          new FloatDistribution(0, 1, false, 0.1),
          IntDistribution.of(1, 20),
          CategoricalDistribution.of("p", "q", "r", "s"),
          new FloatDistribution(1e-4, 1, true, null));
  private static final double[][] MIXED_OBS = {
    {0.5, 6, 1, 0.00014329}, {0.8, 19, 3, 0.00047788}, {0.9, 12, 3, 0.32551426},
    {0.5, 11, 1, 0.00024739}, {0.0, 15, 2, 0.00483538}, {0.0, 19, 1, 0.67851292},
    {0.1, 5, 1, 0.01357254}, {0.7, 10, 0, 0.05854751}, {0.6, 18, 0, 0.00182836},
    {0.9, 1, 1, 0.05571905}, {0.2, 14, 0, 0.21802319}, {0.4, 10, 0, 0.00011835}
  };
  private static final double[][] MIXED_PTS = {
    {0.0, 1, 0, 1e-4}, {0.3, 7, 1, 0.003}, {0.7, 13, 2, 0.05}, {1.0, 20, 3, 0.9}
  };

  @Test
  void discreteCategoricalAndLogKernelsMatchOptuna31() {
    assertAllClose(
        new double[] {-9.562306761657187, -8.57543761534583, -8.792161439325387, -9.554725152552905},
        new ParzenEstimator(MIXED_OBS, MIXED, params(false, true)).logPdf(MIXED_PTS),
        1e-9);
    assertAllClose(
        new double[] {-9.54960277103922, -7.811386463675999, -8.817562612619664, -9.30943516517296},
        new ParzenEstimator(MIXED_OBS, MIXED, params(true, true)).logPdf(MIXED_PTS),
        1e-9);
  }

  @Test
  void samplesStayInTheSpaceAndFollowTheKernels() {
    ParzenEstimator pe = new ParzenEstimator(MIXED_OBS, MIXED, params(false, false));
    double[][] s = pe.sample(new Mt19937(3), 2000);
    double meanA = 0;
    for (double[] row : s) {
      for (int j = 0; j < MIXED.size(); j++) {
        assertTrue(MIXED.get(j).contains(row[j]), "dim " + j + " value " + row[j]);
      }
      meanA += row[0] / s.length;
    }
    // Kernels sit on the observations (mean 0.467) plus a prior centred at 0.5.
    assertEquals(0.47, meanA, 0.03);
  }

  @Test
  void emptyObservationsGiveThePriorAlone() {
    ParzenEstimator pe =
        new ParzenEstimator(new double[0][], List.of(FloatDistribution.of(0, 10)), params(false, false));
    double[] lp = pe.logPdf(new double[][] {{5}});
    // N(5, 10) truncated to [0, 10], density at the centre.
    double mass = Gaussian.cdf(0.5) - Gaussian.cdf(-0.5);
    assertEquals(Gaussian.logPdf(0) - Math.log(10) - Math.log(mass), lp[0], 1e-12);
  }
}
