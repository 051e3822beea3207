package dev.tfblend.plot;

import java.awt.Color;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.renderer.category.BoxAndWhiskerRenderer;
import org.jfree.data.statistics.DefaultBoxAndWhiskerCategoryDataset;

/**
 * Draws a {@link BoxPlotChartData} with JFreeChart's box-and-whisker renderer: per group, the box
 * from the first to the third quartile with the median line (no mean marker), whiskers to the
 * furthest values within 1.5 interquartile ranges, and the values beyond them as outliers
 * (JFreeChart's {@code BoxAndWhiskerCalculator}).
 */
public final class BoxPlotChart {
  static {
    Headless.ensure();
  }

  private BoxPlotChart() {}

  /** Builds the chart; the data is read once and not kept. */
  public static JFreeChart create(BoxPlotChartData data) {
    DefaultBoxAndWhiskerCategoryDataset dataset = new DefaultBoxAndWhiskerCategoryDataset();
    data.groups().forEach((name, values) -> dataset.add(values, data.valueLabel(), name));
    BoxAndWhiskerRenderer renderer = new BoxAndWhiskerRenderer();
    renderer.setMeanVisible(false);
    renderer.setMaximumBarWidth(0.12);
    renderer.setMedianVisible(true);
    renderer.setFillBox(true);
    renderer.setSeriesPaint(0, ChartStyle.color(0));
    renderer.setMaxOutlierVisible(true);
    renderer.setMinOutlierVisible(true);
    CategoryAxis x = new CategoryAxis("Optimizer");
    x.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
    NumberAxis y = new NumberAxis(data.valueLabel());
    y.setAutoRangeIncludesZero(false);
    CategoryPlot plot = new CategoryPlot(dataset, x, y, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setOutlinePaint(Color.GRAY);
    plot.setRangeGridlinePaint(ChartStyle.GRID);
    for (org.jfree.chart.axis.Axis a : new org.jfree.chart.axis.Axis[] {x, y}) {
      a.setLabelFont(ChartStyle.AXIS_LABEL);
      a.setTickLabelFont(ChartStyle.TICK_LABEL);
    }
    JFreeChart chart = new JFreeChart(data.title(), ChartStyle.TITLE, plot, false);
    chart.setBackgroundPaint(Color.WHITE);
    chart.setAntiAlias(true);
    chart.setTextAntiAlias(true);
    return chart;
  }
}
