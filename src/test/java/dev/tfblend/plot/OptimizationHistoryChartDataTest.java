package dev.tfblend.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.plot.OptimizationHistoryChartData.Direction;
import dev.tfblend.plot.OptimizationHistoryChartData.Point;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptimizationHistoryChartDataTest {
  private static final double NAN = Double.NaN;

  @Test
  void bestSoFarSkipsFailedAndPrunedTrials() {
    var data = OptimizationHistoryChartData.minimize("Adam", List.of(
        Point.complete(0, 1.2),
        Point.of(1, null, "FAIL"),
        Point.complete(2, 0.9),
        Point.of(3, 0.5, "PRUNED"), // a pruned trial's value is not an objective value
        Point.complete(4, 1.0),
        Point.of(5, NAN, "FAIL"),
        Point.complete(6, 0.7)));
    assertArrayEquals(new double[] {1.2, 1.2, 0.9, 0.9, 0.9, 0.9, 0.7}, data.bestSoFar(), 0.0);
    assertEquals(0.7, data.bestValue().orElseThrow(), 0.0);
    assertEquals(4, data.completed().size());
  }

  @Test
  void bestSoFarIsNanUntilTheFirstCompletedTrial() {
    var data = OptimizationHistoryChartData.minimize("SGD", List.of(
        Point.of(0, NAN, "FAIL"), Point.of(1, null, "PRUNED"), Point.complete(2, 2.0),
        Point.complete(3, 2.5)));
    double[] best = data.bestSoFar();
    assertTrue(Double.isNaN(best[0]) && Double.isNaN(best[1]));
    assertEquals(2.0, best[2], 0.0);
    assertEquals(2.0, best[3], 0.0);
  }

  @Test
  void noCompletedTrialMeansNoBestValue() {
    var data = OptimizationHistoryChartData.minimize("SGD", List.of(Point.of(0, null, "FAIL")));
    assertTrue(data.bestValue().isEmpty());
    assertTrue(OptimizationHistoryChartData.minimize("SGD", List.of()).bestValue().isEmpty());
  }

  @Test
  void maximizeKeepsTheLargestValue() {
    var data = new OptimizationHistoryChartData("acc", List.of(
        Point.complete(0, 0.5), Point.complete(1, 0.4), Point.complete(2, 0.8),
        Point.complete(3, 0.6)), Direction.MAXIMIZE);
    assertArrayEquals(new double[] {0.5, 0.5, 0.8, 0.8}, data.bestSoFar(), 0.0);
  }

  @Test
  void pointsAreSortedByTrialNumber() {
    var data = OptimizationHistoryChartData.minimize("Adam", List.of(
        Point.complete(2, 0.3), Point.complete(0, 0.9), Point.complete(1, 0.5)));
    assertEquals(List.of(0, 1, 2), data.points().stream().map(Point::number).toList());
    assertArrayEquals(new double[] {0.9, 0.5, 0.3}, data.bestSoFar(), 0.0);
  }

  @Test
  void stateCountsAndSummaryCountEveryState() {
    var data = OptimizationHistoryChartData.minimize("Adam", List.of(
        Point.complete(0, 1), Point.of(1, null, "fail"), Point.complete(2, 2),
        Point.of(3, null, "PRUNED")));
    assertEquals(Map.of("COMPLETE", 2, "FAIL", 1, "PRUNED", 1), data.stateCounts());
    assertEquals("4 trials: 2 COMPLETE, 1 FAIL, 1 PRUNED", data.summary());
    assertEquals("Optimization History Plot \u2014 Adam", data.title());
  }

  @Test
  void completeTrialWithoutFiniteValueIsRejectedNamingThePoint() {
    var e = assertThrows(IllegalArgumentException.class, () ->
        OptimizationHistoryChartData.minimize("Adam", List.of(
            Point.complete(0, 1.0), Point.complete(1, NAN))));
    assertEquals("points[1] (trial 1): state COMPLETE needs a finite value, got NaN",
        e.getMessage());
  }

  @Test
  void duplicateTrialNumberIsRejected() {
    var e = assertThrows(IllegalArgumentException.class, () ->
        OptimizationHistoryChartData.minimize("Adam", List.of(
            Point.complete(3, 1.0), Point.complete(3, 2.0))));
    assertEquals("points: trial number 3 appears twice", e.getMessage());
  }

  @Test
  void otherBadInputNamesTheField() {
    assertEquals("points[0].number must be >= 0, got -1",
        assertThrows(IllegalArgumentException.class, () ->
            OptimizationHistoryChartData.minimize("A", List.of(Point.complete(-1, 1))))
            .getMessage());
    assertEquals("name must not be blank", assertThrows(IllegalArgumentException.class, () ->
        OptimizationHistoryChartData.minimize(" ", List.of())).getMessage());
    assertEquals("trial 4: state must not be blank", assertThrows(IllegalArgumentException.class,
        () -> Point.of(4, 1.0, "")).getMessage());
  }
}
