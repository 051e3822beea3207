package dev.tfblend.plot;

import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Draws an {@link AlphaRepeatsChartData}: alpha per training step, one thin line per run in its
 * own colour, named in the legend. The alpha axis spans the finite values' range widened by a
 * tenth of it (at least 0.005 each side, kept in [0, 1]), as in {@link AlphaTrajectoryChart}, so
 * runs whose gate moves a little stay distinguishable. A NaN step leaves a gap.
 */
public final class AlphaRepeatsChart {
  static {
    Headless.ensure();
  }

  private AlphaRepeatsChart() {}

  /** Builds the chart; the data is read once and not kept. */
  public static JFreeChart create(AlphaRepeatsChartData data) {
    XYSeriesCollection dataset = new XYSeriesCollection();
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
    for (int i = 0; i < data.lines().size(); i++) {
      AlphaRepeatsChartData.Line line = data.lines().get(i);
      XYSeries s = new XYSeries(line.label(), false, true);
      double[] alpha = line.alpha();
      for (int k = 0; k < alpha.length; k++) {
        s.add(Integer.valueOf(k + 1), Double.isFinite(alpha[k]) ? alpha[k] : null);
      }
      dataset.addSeries(s);
      renderer.setSeriesPaint(i, ChartStyle.color(i));
      renderer.setSeriesStroke(i, ChartStyle.solid(1.2f));
    }
    renderer.setDrawSeriesLineAsPath(true);
    XYPlot plot = new XYPlot(dataset, AlphaTrajectoryChart.stepAxis(),
        AlphaTrajectoryChart.alphaAxis(data.allFinite()), renderer);
    plot.setDomainGridlinesVisible(false);
    JFreeChart chart = new JFreeChart(data.title(), ChartStyle.TITLE, plot, true);
    chart.addSubtitle(new TextTitle(String.format(Locale.ROOT, "%d run%s, up to %d steps",
        data.lines().size(), data.lines().size() == 1 ? "" : "s", data.maxSteps())));
    return ChartStyle.apply(chart);
  }
}
