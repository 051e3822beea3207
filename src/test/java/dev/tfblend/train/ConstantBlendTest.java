package dev.tfblend.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tfblend.BadInputException;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code constant-blend} at its end points is the baseline it weights fully, bit for bit. */
class ConstantBlendTest {
  private static final Map<String, Double> RATES = Map.of("adam_lr", 0.01, "sgd_lr", 0.05, "momentum", 0.9);

  private static Map<String, Double> blend(double alpha) {
    Map<String, Double> m = new java.util.HashMap<>(RATES);
    m.put("alpha", alpha);
    return m;
  }

  @Test
  void alphaOneIsAdamAndAlphaZeroIsSgdBitForBit() {
    double[][] adam = ControlRuns.train("adam", Map.of("lr", 0.01), 2);
    double[][] sgd = ControlRuns.train("sgd", Map.of("lr", 0.05, "momentum", 0.9), 2);
    double[][] one = ControlRuns.train("constant-blend", blend(1.0), 2);
    double[][] zero = ControlRuns.train("constant-blend", blend(0.0), 2);
    double[][] half = ControlRuns.train("constant-blend", blend(0.5), 2);
    for (int i = 0; i < adam.length; i++) {
      assertArrayEquals(adam[i], one[i], 0.0, "alpha 1 vs adam, parameter " + i);
      assertArrayEquals(sgd[i], zero[i], 0.0, "alpha 0 vs sgd, parameter " + i);
    }
    assertFalse(Arrays.deepEquals(adam, half), "alpha 0.5 differs from Adam");
    assertFalse(Arrays.deepEquals(sgd, half), "alpha 0.5 differs from SGD");
  }

  @Test
  void alphaOutsideTheUnitIntervalIsRefused() {
    BadInputException e = assertThrows(BadInputException.class,
        () -> Optimizers.effective("constant-blend", Map.of("alpha", 1.5)));
    assertEquals("constant-blend hyperparameter alpha must be in [0, 1], got 1.5", e.getMessage());
  }
}
