package dev.tfblend.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WilcoxonSignedRankTest {

  @Test
  void midranksAverageTiedPositions() {
    // sorted: 0.5 (rank 1), 1, 1 (ranks 2, 3 -> 2.5), 2 (4), 3, 3, 3 (5, 6, 7 -> 6)
    double[] v = {3, 1, 0.5, 3, 2, 1, 3};
    assertArrayEquals(new int[] {12, 5, 2, 12, 8, 5, 12}, WilcoxonSignedRank.doubledMidranks(v));
  }

  @Test
  void allOneSignGivesTwoOverTwoToTheN() {
    double[] d = new double[20];
    for (int i = 0; i < d.length; i++) {
      d[i] = -(i + 1) * 0.01;
    }
    WilcoxonSignedRank.Result r = WilcoxonSignedRank.test(d);
    assertTrue(r.exact());
    assertEquals(0.0, r.rPlus());
    assertEquals(2.0 / (1 << 20), r.pValue(), 0.0);
  }

  @Test
  void zerosAreDroppedAndSignFlipKeepsP() {
    double[] d = {0.0, 0.3, -0.1, 0.0, 0.2, 0.5, -0.4, 0.6};
    double[] flipped = new double[d.length];
    for (int i = 0; i < d.length; i++) {
      flipped[i] = -d[i];
    }
    WilcoxonSignedRank.Result r = WilcoxonSignedRank.test(d);
    assertEquals(6, r.n());
    assertEquals(r.pValue(), WilcoxonSignedRank.test(flipped).pValue(), 0.0);
    // ranks of |d| = 0.1 .. 0.6 are 1 .. 6; positives 0.3, 0.2, 0.5, 0.6 -> 3 + 2 + 5 + 6
    assertEquals(16.0, r.rPlus());
  }

  @Test
  void exactUpToFiftyNonZeroDifferencesThenNormal() {
    double[] d50 = new double[52];
    double[] d51 = new double[51];
    for (int i = 0; i < 50; i++) {
      d50[i] = (i % 3 == 0 ? -1 : 1) * (i + 1.0);
    }
    for (int i = 0; i < 51; i++) {
      d51[i] = (i % 3 == 0 ? -1 : 1) * (i + 1.0);
    }
    WilcoxonSignedRank.Result exact = WilcoxonSignedRank.test(d50);
    WilcoxonSignedRank.Result approx = WilcoxonSignedRank.test(d51);
    assertEquals(50, exact.n());
    assertTrue(exact.exact());
    assertFalse(approx.exact());
    assertTrue(exact.pValue() > 0 && exact.pValue() < 1);
    assertTrue(approx.pValue() > 0 && approx.pValue() < 1);
  }

  @Test
  void centreOfTheDistributionGivesOne() {
    // ranks 1..4, positives 1 and 4: R+ = 5 = n(n+1)/4
    assertEquals(1.0, WilcoxonSignedRank.test(new double[] {0.1, -0.2, -0.3, 0.4}).pValue(), 0.0);
  }

  @Test
  void noNonZeroDifferenceHasNoPValue() {
    WilcoxonSignedRank.Result r = WilcoxonSignedRank.test(new double[] {0.0, 0.0});
    assertEquals(0, r.n());
    assertTrue(Double.isNaN(r.pValue()));
  }

  @Test
  void rejectsNonFiniteDifferences() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WilcoxonSignedRank.test(new double[] {0.1, Double.NaN}));
    assertEquals("differences[1] must be finite, got NaN", e.getMessage());
  }
}
