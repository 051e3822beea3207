package dev.tfblend.plot;

import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.util.Locale;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Draws an {@link OptimizationHistoryChartData} the way Optuna's
 * {@code plot_optimization_history} does: a scatter "Objective Value" of the completed trials and
 * a line "Best Value" so far, against "Trial" number. A subtitle counts trials per state, since
 * failed and pruned trials have no point.
 */
public final class OptimizationHistoryChart {
  static {
    Headless.ensure();
  }

  /** Legend key of the scatter of completed trials. */
  public static final String OBJECTIVE_SERIES = "Objective Value";

  /** Legend key of the best-so-far line. */
  public static final String BEST_SERIES = "Best Value";

  /** Colour of the objective markers (Optuna's plotly default blue). */
  static final Color OBJECTIVE_COLOR = new Color(0x636efa);

  /** Colour of the best-value line (Optuna's plotly default red). */
  static final Color BEST_COLOR = new Color(0xef553b);

  private OptimizationHistoryChart() {}

  /** Builds the chart; the data is read once and not kept. */
  public static JFreeChart create(OptimizationHistoryChartData data) {
    XYSeries objective = new XYSeries(OBJECTIVE_SERIES, false, true);
    XYSeries best = new XYSeries(BEST_SERIES, false, true);
    List<OptimizationHistoryChartData.Point> points = data.points();
    double[] bestSoFar = data.bestSoFar();
    for (int i = 0; i < points.size(); i++) {
      OptimizationHistoryChartData.Point p = points.get(i);
      if (p.isComplete()) {
        objective.add(p.number(), p.value());
      }
      if (!Double.isNaN(bestSoFar[i])) {
        best.add(p.number(), bestSoFar[i]);
      }
    }
    XYSeriesCollection dataset = new XYSeriesCollection();
    dataset.addSeries(objective);
    dataset.addSeries(best);

    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
    renderer.setSeriesLinesVisible(0, false);
    renderer.setSeriesShapesVisible(0, true);
    renderer.setSeriesShape(0, new Ellipse2D.Double(-5, -5, 10, 10));
    renderer.setSeriesPaint(0, OBJECTIVE_COLOR);
    renderer.setSeriesLinesVisible(1, true);
    renderer.setSeriesShapesVisible(1, false);
    renderer.setSeriesPaint(1, BEST_COLOR);
    renderer.setSeriesStroke(1, ChartStyle.solid(2.5f));

    NumberAxis x = new NumberAxis("Trial");
    x.setStandardTickUnits(NumberAxis.createIntegerTickUnits(Locale.ROOT));
    if (!points.isEmpty()) {
      // every trial, failed ones included, has its place on the axis, and no marker is clipped
      double first = points.get(0).number();
      double last = points.get(points.size() - 1).number();
      double pad = Math.max(0.5, 0.03 * (last - first));
      x.setRange(first - pad, last + pad);
    }
    NumberAxis y = new NumberAxis("Objective Value");
    y.setStandardTickUnits(NumberAxis.createStandardTickUnits(Locale.ROOT));
    y.setAutoRangeIncludesZero(false);
    y.setLowerMargin(0.08);
    y.setUpperMargin(0.08);
    XYPlot plot = new XYPlot(dataset, x, y, renderer);
    plot.setNoDataMessage("No trials");
    if (!points.isEmpty() && data.completed().isEmpty()) {
      plot.setNoDataMessage("No completed trials");
    }

    JFreeChart chart = new JFreeChart(data.title(), ChartStyle.TITLE, plot, true);
    chart.addSubtitle(new TextTitle(data.summary() + ", " + directionText(data)));
    return ChartStyle.apply(chart);
  }

  private static String directionText(OptimizationHistoryChartData data) {
    return data.direction() == OptimizationHistoryChartData.Direction.MINIMIZE
        ? "lower is better"
        : "higher is better";
  }
}
