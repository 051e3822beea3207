package dev.tfblend.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeriesCollection;
import org.junit.jupiter.api.Test;

/** Alpha per step of several runs, one line each, on an axis fitted to all of them. */
class AlphaRepeatsChartTest {

  @Test
  void oneSeriesPerRunWithTheAxisFittedToAllRuns() {
    AlphaRepeatsChartData data = new AlphaRepeatsChartData(AlphaRepeatsChartData.repeatsTitle("DynamicBlended"),
        List.of(AlphaRepeatsChartData.Line.of("repeat 0", new float[] {0.5f, 0.48f, 0.46f}),
            new AlphaRepeatsChartData.Line("repeat 1", new double[] {0.5, 0.6, Double.NaN, 0.62})));
    assertEquals(4, data.maxSteps());
    JFreeChart chart = AlphaRepeatsChart.create(data);
    XYPlot plot = chart.getXYPlot();
    XYSeriesCollection d = (XYSeriesCollection) plot.getDataset();
    assertEquals(2, d.getSeriesCount());
    assertEquals("repeat 1", d.getSeriesKey(1));
    assertEquals(4, d.getSeries(1).getItemCount());
    assertEquals(2.0, d.getSeries(1).getX(1).doubleValue(), "step k is the k-th update, 1-based");
    assertNull(d.getSeries(1).getY(2), "NaN leaves a gap");
    // data from 0.46 to 0.62: padded by a tenth of the span (0.016)
    assertEquals(0.46 - 0.016, plot.getRangeAxis().getLowerBound(), 1e-6);
    assertEquals(0.62 + 0.016, plot.getRangeAxis().getUpperBound(), 1e-6);
    assertTrue(chart.getTitle().getText().startsWith("DynamicBlended: alpha per training step"));
    assertEquals(1000, chart.createBufferedImage(1000, 600).getWidth());
  }

  @Test
  void refusesEmptyOrOutOfRangeData() {
    assertThrows(IllegalArgumentException.class, () -> new AlphaRepeatsChartData("t", List.of()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new AlphaRepeatsChartData.Line("repeat 3", new double[] {0.5, 1.5}));
    assertTrue(e.getMessage().contains("repeat 3") && e.getMessage().contains("alpha[1]"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new AlphaRepeatsChartData.Line("r", new double[0]));
    double[] v = {0.1, 0.2};
    AlphaRepeatsChartData.Line line = new AlphaRepeatsChartData.Line("r", v);
    v[0] = 0.9;
    assertArrayEquals(new double[] {0.1, 0.2}, line.alpha(), 0, "a copy is kept");
  }
}
