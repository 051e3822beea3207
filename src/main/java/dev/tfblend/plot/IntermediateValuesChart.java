package dev.tfblend.plot;

import dev.tfblend.tune.TrialState;
import java.awt.geom.Ellipse2D;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Draws an {@link IntermediateValuesChartData} as Optuna's {@code plot_intermediate_values}
 * does: "Intermediate Value" against "Step", lines with markers, one series "Trial&lt;n&gt;" per
 * trial. Pruned trials are drawn dashed so that where pruning stopped them stands out; the
 * legend is shown for up to {@value #MAX_LEGEND_ITEMS} trials.
 */
public final class IntermediateValuesChart {
  static {
    Headless.ensure();
  }

  /** Above this many trials the legend is hidden (it would crowd out the plot). */
  public static final int MAX_LEGEND_ITEMS = 12;

  private IntermediateValuesChart() {}

  /** Builds the chart; the data is read once and not kept. */
  public static JFreeChart create(IntermediateValuesChartData data) {
    XYSeriesCollection dataset = new XYSeriesCollection();
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    int s = 0;
    for (IntermediateValuesChartData.Curve c : data.curves()) {
      XYSeries series = new XYSeries("Trial" + c.number(), false, true);
      int[] steps = c.steps();
      double[] values = c.values();
      for (int i = 0; i < steps.length; i++) {
        if (Double.isFinite(values[i])) {
          series.add(steps[i], values[i]);
        }
      }
      dataset.addSeries(series);
      renderer.setSeriesPaint(s, ChartStyle.color(s));
      renderer.setSeriesShape(s, new Ellipse2D.Double(-3.5, -3.5, 7, 7));
      renderer.setSeriesStroke(s, c.state() == TrialState.PRUNED
          ? ChartStyle.dashed(1.8f) : ChartStyle.solid(1.8f));
      s++;
    }
    NumberAxis x = new NumberAxis("Step");
    x.setStandardTickUnits(NumberAxis.createIntegerTickUnits(Locale.ROOT));
    x.setAutoRangeIncludesZero(false);
    NumberAxis y = new NumberAxis("Intermediate Value");
    y.setStandardTickUnits(NumberAxis.createStandardTickUnits(Locale.ROOT));
    y.setAutoRangeIncludesZero(false);
    XYPlot plot = new XYPlot(dataset, x, y, renderer);
    plot.setNoDataMessage("No trials with intermediate values");
    boolean legend = !data.curves().isEmpty() && data.curves().size() <= MAX_LEGEND_ITEMS;
    JFreeChart chart = new JFreeChart(data.title(), ChartStyle.TITLE, plot, legend);
    long pruned = data.curves().stream().filter(c -> c.state() == TrialState.PRUNED).count();
    chart.addSubtitle(new org.jfree.chart.title.TextTitle(data.curves().size()
        + (data.curves().size() == 1 ? " trial" : " trials") + " with intermediate values"
        + (pruned > 0 ? ", " + pruned + " pruned (dashed)" : "")));
    return ChartStyle.apply(chart);
  }
}
