package dev.tfblend.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Against numpy/scipy outputs saved by {@code golden/make_golden.py}: bit for bit. */
class NumpyOpsTest {
  private static final GoldenFile G = GoldenFile.load("scipy-ops.v1.txt");

  @Test
  void linspaceMatchesNumpy() {
    assertArrayEquals(G.get("linspace_m5_5_12"), NumpyOps.linspace(-5, 5, 12), 0.0);
    assertArrayEquals(G.get("linspace_0_1_72"), NumpyOps.linspace(0, 1, 72), 0.0);
    assertArrayEquals(G.get("linspace_m05_05_72"), NumpyOps.linspace(-0.5, 0.5, 72), 0.0);
  }

  @Test
  void gaussianKernelUsesCorrectlyRoundedExp() {
    assertArrayEquals(G.get("kernel_sigma2"), NumpyOps.gaussianKernel(2, 8), 0.0);
    // scipy on an AVX-512 numpy takes exp from numpy's SIMD loop, one ulp off at two of the
    // kernel's points; the official data was made with the C library's exp (see Mnist1d).
    double[] simd = G.get("scipy_gauss2_x72");
    double[] ours = NumpyOps.gaussianFilter1d(G.get("x72"), 2, 4.0);
    for (int i = 0; i < ours.length; i++) {
      assertEquals(simd[i], ours[i], 1e-16);
    }
  }

  @Test
  void gaussianFilterMatchesScipyIncludingReflectionOnShortLines() {
    assertArrayEquals(G.get("gauss2_x72"), NumpyOps.gaussianFilter1d(G.get("x72"), 2, 4.0), 0.0);
    assertArrayEquals(G.get("gauss2_x5"), NumpyOps.gaussianFilter1d(G.get("x5"), 2, 4.0), 0.0);
    assertArrayEquals(
        G.get("gauss1.5_x72"), NumpyOps.gaussianFilter1d(G.get("x72"), 1.5, 4.0), 0.0);
  }

  @Test
  void linearInterpolationMatchesScipyInterp1d() {
    assertArrayEquals(G.get("interp_y48_to_72"), interp(G.get("y48"), 72), 0.0);
    assertArrayEquals(G.get("interp_y72_to_40"), interp(G.get("y72"), 40), 0.0);
    assertArrayEquals(G.get("interp_y15_to_29"), interp(G.get("y15"), 29), 0.0);
  }

  private static double[] interp(double[] y, int n) {
    return NumpyOps.interpLinear(NumpyOps.linspace(0, 1, y.length), y, NumpyOps.linspace(0, 1, n));
  }

  /** numpy sums a big array in 8192-element pairwise blocks; one pairwise sum would differ. */
  @Test
  void sumMeanStdOfALargeArrayMatchNumpy() {
    LegacyRandomState r = new LegacyRandomState(5);
    for (int len : new int[] {72, 5, 12, 72, 15}) {
      r.randn(len); // the draws make_golden.py made before the big array
    }
    double[] big = new double[5000 * 40];
    for (int i = 0; i < big.length; i++) {
      big[i] = r.randn() * 3 + 0.1;
    }
    double[] want = G.get("big_seed5_after_draws_sum_mean_std");
    assertEquals(want[0], NumpyOps.sum(big), 0.0);
    assertEquals(want[1], NumpyOps.mean(big), 0.0);
    assertEquals(want[2], NumpyOps.std(big), 0.0);
  }

  @Test
  void reflectExtensionIsHalfSampleSymmetric() {
    int[] got = new int[10];
    for (int i = -4; i < 6; i++) {
      got[i + 4] = NumpyOps.reflectIndex(i, 3);
    }
    assertArrayEquals(new int[] {2, 2, 1, 0, 0, 1, 2, 2, 1, 0}, got);
  }
}
