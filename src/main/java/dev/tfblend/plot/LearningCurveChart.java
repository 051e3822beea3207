package dev.tfblend.plot;

import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Draws a {@link LearningCurveChartData}: one solid line with point markers per curve, each in
 * its own colour, and its training curve (if any) dashed in the same colour, named
 * {@code "<name> (train)"} in the legend. Non-finite values leave a gap.
 */
public final class LearningCurveChart {
  static {
    Headless.ensure();
  }

  /** Subtitle shown when training curves are drawn. */
  public static final String TRAIN_NOTE = "solid lines: validation, dashed lines: training";

  private LearningCurveChart() {}

  /** Builds the chart; the data is read once and not kept. */
  public static JFreeChart create(LearningCurveChartData data) {
    XYSeriesCollection dataset = new XYSeriesCollection();
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    int series = 0;
    for (int c = 0; c < data.curves().size(); c++) {
      LearningCurveChartData.Curve curve = data.curves().get(c);
      Color color = ChartStyle.color(c);
      dataset.addSeries(series(curve.name(), curve.epochs(), curve.values()));
      renderer.setSeriesPaint(series, color);
      renderer.setSeriesStroke(series, ChartStyle.solid(2.5f));
      renderer.setSeriesShape(series, new Ellipse2D.Double(-4, -4, 8, 8));
      series++;
      if (curve.hasTrain()) {
        dataset.addSeries(series(
            curve.name() + LearningCurveChartData.TRAIN_SUFFIX, curve.epochs(),
            curve.trainValues()));
        renderer.setSeriesPaint(series, color);
        renderer.setSeriesStroke(series, ChartStyle.dashed(2f));
        renderer.setSeriesShapesVisible(series, false);
        series++;
      }
    }
    renderer.setDrawSeriesLineAsPath(true);

    NumberAxis x = new NumberAxis(data.xLabel());
    x.setStandardTickUnits(NumberAxis.createIntegerTickUnits(Locale.ROOT));
    x.setAutoRangeIncludesZero(false);
    NumberAxis y = new NumberAxis(data.yLabel());
    y.setStandardTickUnits(NumberAxis.createStandardTickUnits(Locale.ROOT));
    y.setAutoRangeIncludesZero(false);
    XYPlot plot = new XYPlot(dataset, x, y, renderer);
    plot.setNoDataMessage("No finite values");
    JFreeChart chart = new JFreeChart(data.title(), ChartStyle.TITLE, plot, true);
    if (data.hasTrain()) {
      chart.addSubtitle(new TextTitle(TRAIN_NOTE));
    }
    return ChartStyle.apply(chart);
  }

  private static XYSeries series(String key, int[] epochs, double[] values) {
    XYSeries s = new XYSeries(key, false, true);
    for (int i = 0; i < epochs.length; i++) {
      // a null y breaks the line there instead of stretching the axis to infinity
      s.add(Integer.valueOf(epochs[i]), Double.isFinite(values[i]) ? values[i] : null);
    }
    return s;
  }
}
