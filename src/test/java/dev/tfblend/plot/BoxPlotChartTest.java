package dev.tfblend.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.data.statistics.BoxAndWhiskerCategoryDataset;
import org.junit.jupiter.api.Test;

/** The test-loss box plot: one box per optimizer with its quartiles, non-finite values dropped. */
class BoxPlotChartTest {
  @Test
  void oneBoxPerGroupWithItsQuartiles() {
    Map<String, List<Double>> g = new LinkedHashMap<>();
    g.put("DynamicBlended", List.of(1.0, 2.0, 3.0, 4.0, 5.0));
    g.put("Adam", List.of(2.0, 2.5, Double.NaN, 3.0));
    JFreeChart chart = BoxPlotChart.create(BoxPlotChartData.testLoss(g));
    BoxAndWhiskerCategoryDataset d = (BoxAndWhiskerCategoryDataset) ((CategoryPlot) chart.getPlot()).getDataset();
    assertEquals(List.of("DynamicBlended", "Adam"), d.getColumnKeys());
    assertEquals(3.0, d.getMedianValue(0, 0).doubleValue(), 1e-12);
    assertEquals(3.0, d.getMeanValue(0, 0).doubleValue(), 1e-12);
    assertEquals(2.5, d.getMedianValue(0, 1).doubleValue(), 1e-12, "NaN dropped");
    BufferedImage img = chart.createBufferedImage(640, 480);
    assertEquals(640, img.getWidth());
    assertThrows(IllegalArgumentException.class,
        () -> BoxPlotChartData.testLoss(Map.of("SGD", List.of(Double.NaN))));
  }
}
