package dev.tfblend.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Holm's step-down adjustment, worked by hand from its definition. */
class HolmTest {

  @Test
  void adjustsStepDownInTheOrderGiven() {
    // sorted: 0.005 (x4 = 0.02), 0.01 (x3 = 0.03), 0.03 (x2 = 0.06), 0.04 (x1 = 0.04 -> kept monotone at 0.06)
    assertArrayEquals(new double[] {0.03, 0.06, 0.06, 0.02}, Holm.adjust(0.01, 0.04, 0.03, 0.005), 1e-15);
  }

  @Test
  void capsAtOneAndKeepsOneTestUnchanged() {
    assertArrayEquals(new double[] {1.0, 1.0}, Holm.adjust(0.6, 0.9), 0);
    assertArrayEquals(new double[] {0.03125}, Holm.adjust(0.03125), 0);
    assertEquals(0, Holm.adjust().length);
  }

  @Test
  void equalRawValuesGetEqualAdjustedValuesAndNoneFallsBelowItsRawValue() {
    double[] p = {0.02, 0.02, 0.5};
    double[] q = Holm.adjust(p);
    assertEquals(q[0], q[1]);
    assertEquals(0.06, q[0], 1e-15, "3 x 0.02, then max(0.06, 2 x 0.02)");
    for (int i = 0; i < p.length; i++) {
      assertTrue(q[i] >= p[i]);
    }
  }

  @Test
  void refusesAValueOutsideZeroOne() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Holm.adjust(0.1, Double.NaN));
    assertTrue(e.getMessage().contains("p-value 1"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Holm.adjust(1.5));
  }
}
