package dev.tfblend.plot;

import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedRangeXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.DefaultXYZDataset;

/**
 * Draws a {@link SliceChartData} as Optuna's {@code plot_slice} does: panels side by side, one
 * per parameter, sharing the "Objective Value" axis; each completed trial is a marker with a
 * grey outline coloured by its trial number on Plotly's Blues scale (later trials darker), with
 * a "Trial" colour bar.
 */
public final class SliceChart {
  static {
    Headless.ensure();
  }

  private SliceChart() {}

  /** Builds the chart; the data is read once and not kept. */
  public static JFreeChart create(SliceChartData data) {
    List<SliceChartData.Panel> panels = data.panels();
    int[] numbers = data.points().numbers();
    double lo = numbers.length == 0 ? 0 : numbers[0];
    double hi = numbers.length == 0 ? 1 : numbers[numbers.length - 1];
    BluesScale scale = BluesScale.over(lo, hi, false);

    NumberAxis y = new NumberAxis("Objective Value");
    y.setStandardTickUnits(NumberAxis.createStandardTickUnits(Locale.ROOT));
    y.setAutoRangeIncludesZero(false);
    y.setLowerMargin(0.08);
    y.setUpperMargin(0.08);
    CombinedRangeXYPlot combined = new CombinedRangeXYPlot(y);
    combined.setGap(14);
    for (SliceChartData.Panel p : panels) {
      DefaultXYZDataset dataset = new DefaultXYZDataset();
      int[] n = p.numbers();
      double[] z = new double[n.length];
      for (int i = 0; i < n.length; i++) {
        z[i] = n[i];
      }
      dataset.addSeries(p.axis().name(), new double[][] {p.x(), p.y(), z});
      XYShapeRenderer renderer = new XYShapeRenderer();
      renderer.setPaintScale(scale);
      renderer.setDefaultShape(new Ellipse2D.Double(-6, -6, 12, 12));
      renderer.setDrawOutlines(true);
      renderer.setDefaultOutlinePaint(Color.GRAY);
      renderer.setUseOutlinePaint(true);
      XYPlot sub = new XYPlot(dataset, AxisFactory.paramAxis(p.axis()), null, renderer);
      styleSubplot(sub);
      combined.add(sub, 1);
    }
    if (panels.isEmpty()) {
      XYPlot empty = new XYPlot(null, new NumberAxis(""), null, new XYShapeRenderer());
      styleSubplot(empty);
      empty.setNoDataMessage("No completed trials");
      combined.add(empty, 1);
    }
    combined.setBackgroundPaint(Color.WHITE);
    combined.setOutlineVisible(false);
    y.setLabelFont(ChartStyle.AXIS_LABEL);
    y.setTickLabelFont(ChartStyle.TICK_LABEL);

    JFreeChart chart = new JFreeChart(data.title(), ChartStyle.TITLE, combined, false);
    chart.setBackgroundPaint(Color.WHITE);
    chart.setPadding(new RectangleInsets(8, 8, 8, 16));
    TextTitle sub = new TextTitle(numbers.length + " completed trials, colour = trial number");
    sub.setFont(ChartStyle.SUBTITLE);
    sub.setPaint(Color.DARK_GRAY);
    chart.addSubtitle(sub);
    if (numbers.length > 0) {
      NumberAxis barAxis = ChartStyle.colourAxis("Trial", lo, hi, 1);
      barAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits(Locale.ROOT));
      chart.addSubtitle(ChartStyle.colourBar(scale, barAxis));
    }
    return chart;
  }

  private static void styleSubplot(XYPlot plot) {
    plot.setBackgroundPaint(Color.WHITE);
    plot.setOutlinePaint(Color.GRAY);
    plot.setDomainGridlinePaint(ChartStyle.GRID);
    plot.setRangeGridlinePaint(ChartStyle.GRID);
    plot.setNoDataMessageFont(ChartStyle.AXIS_LABEL);
    plot.getDomainAxis().setLabelFont(ChartStyle.AXIS_LABEL);
    plot.getDomainAxis().setTickLabelFont(ChartStyle.TICK_LABEL);
  }
}
