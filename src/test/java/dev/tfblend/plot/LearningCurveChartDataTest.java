package dev.tfblend.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.plot.LearningCurveChartData.Curve;
import java.util.List;
import org.junit.jupiter.api.Test;

class LearningCurveChartDataTest {

  @Test
  void curveOfNumbersEpochsFromOne() {
    Curve c = Curve.of("Adam", new double[] {1.5, 1.2, 1.1});
    assertArrayEquals(new int[] {1, 2, 3}, c.epochs());
    assertFalse(c.hasTrain());
    assertEquals(0, c.trainValues().length);
  }

  @Test
  void finalComparisonUsesTheStandardTitleAndAxes() {
    var data = LearningCurveChartData.finalComparison(List.of(
        Curve.of("DynamicBlended", new double[] {1.0, 0.8}, new double[] {1.1, 0.7}),
        Curve.of("Adam", new double[] {1.2, 1.1})));
    assertEquals("Final runs: validation loss per epoch", data.title());
    assertEquals("Epoch", data.xLabel());
    assertEquals("Validation loss (cross-entropy)", data.yLabel());
    assertTrue(data.hasTrain());
  }

  @Test
  void curvesAreCopiedSoLaterChangesDoNotLeakIn() {
    double[] v = {1.0, 2.0};
    Curve c = Curve.of("SGD", v);
    v[0] = 99;
    c.values()[1] = 99;
    assertArrayEquals(new double[] {1.0, 2.0}, c.values(), 0.0);
    assertEquals(Curve.of("SGD", new double[] {1.0, 2.0}), c);
  }

  @Test
  void valuesOfTheWrongLengthAreRejectedNamingCurveAndField() {
    var e = assertThrows(IllegalArgumentException.class, () ->
        new Curve("Adam", new int[] {1, 2, 3}, new double[] {1, 2}, null));
    assertEquals("curve 'Adam': values has 2 entries but epochs has 3", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () ->
        Curve.of("SGD", new double[] {1, 2}, new double[] {1}));
    assertEquals("curve 'SGD': trainValues has 1 entries but epochs has 2 (give none or one per"
        + " epoch)", e.getMessage());
  }

  @Test
  void emptyOrUnorderedSeriesAreRejected() {
    assertEquals("curve 'Adam': epochs must not be empty", assertThrows(
        IllegalArgumentException.class, () -> Curve.of("Adam", new double[0])).getMessage());
    assertEquals("curve 'Adam': epochs must be strictly increasing, but epochs[2]=2 follows 3",
        assertThrows(IllegalArgumentException.class, () ->
            new Curve("Adam", new int[] {1, 3, 2}, new double[3], null)).getMessage());
    assertEquals("curves must not be empty", assertThrows(IllegalArgumentException.class,
        () -> LearningCurveChartData.finalComparison(List.of())).getMessage());
  }

  @Test
  void duplicateCurveNamesAreRejected() {
    var e = assertThrows(IllegalArgumentException.class, () ->
        LearningCurveChartData.finalComparison(List.of(
            Curve.of("Adam", new double[] {1}), Curve.of("Adam", new double[] {2}))));
    assertEquals("curves[1]: name 'Adam' appears twice", e.getMessage());
  }
}
