package dev.tfblend.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.plot.AlphaTrajectoryChartData.EpochBand;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlphaTrajectoryChartDataTest {

  @Test
  void epochBandsGiveMinMeanMaxPerEpochWithAShortLastEpoch() {
    var data = AlphaTrajectoryChartData.of(
        new double[] {0.2, 0.6, 0.4, 0.9, 0.1, 0.5, 0.3}, 3);
    assertEquals(3, data.epochs());
    List<EpochBand> bands = data.epochBands();
    assertEquals(3, bands.size());
    assertBand(bands.get(0), 1, 1, 3, 0.2, 0.4, 0.6);
    assertBand(bands.get(1), 2, 4, 6, 0.1, 0.5, 0.9);
    assertBand(bands.get(2), 3, 7, 7, 0.3, 0.3, 0.3);
  }

  @Test
  void nanStepsAreLeftOutOfTheStatistics() {
    double nan = Double.NaN;
    var data = AlphaTrajectoryChartData.of(new double[] {0.2, nan, 0.4, nan, nan}, 3);
    List<EpochBand> bands = data.epochBands();
    assertBand(bands.get(0), 1, 1, 3, 0.2, 0.3, 0.4);
    EpochBand allNan = bands.get(1);
    assertEquals(4, allNan.firstStep());
    assertEquals(5, allNan.lastStep());
    assertTrue(Double.isNaN(allNan.min()) && Double.isNaN(allNan.mean())
        && Double.isNaN(allNan.max()));
  }

  @Test
  void floatAlphaIsWidened() {
    var data = AlphaTrajectoryChartData.of(new float[] {0.25f, 0.75f}, 2);
    assertEquals(0.5, data.epochBands().get(0).mean(), 0.0);
    assertEquals(AlphaTrajectoryChartData.DEFAULT_TITLE, data.title());
    assertEquals(data, AlphaTrajectoryChartData.of(new double[] {0.25, 0.75}, 2));
  }

  @Test
  void badInputNamesTheField() {
    assertEquals("alpha[1] must be in [0,1], got 1.5", assertThrows(
        IllegalArgumentException.class,
        () -> AlphaTrajectoryChartData.of(new double[] {0.5, 1.5}, 1)).getMessage());
    assertEquals("alpha[0] must be in [0,1], got -Infinity", assertThrows(
        IllegalArgumentException.class, () -> AlphaTrajectoryChartData.of(
            new double[] {Double.NEGATIVE_INFINITY}, 1)).getMessage());
    assertEquals("alpha must not be empty", assertThrows(IllegalArgumentException.class,
        () -> AlphaTrajectoryChartData.of(new float[0], 1)).getMessage());
    assertEquals("stepsPerEpoch must be >= 1, got 0", assertThrows(
        IllegalArgumentException.class,
        () -> AlphaTrajectoryChartData.of(new double[] {0.5}, 0)).getMessage());
  }

  private static void assertBand(EpochBand b, int epoch, int first, int last, double min,
      double mean, double max) {
    assertEquals(epoch, b.epoch());
    assertEquals(first, b.firstStep());
    assertEquals(last, b.lastStep());
    assertEquals(min, b.min(), 1e-12);
    assertEquals(mean, b.mean(), 1e-12);
    assertEquals(max, b.max(), 1e-12);
  }
}
