package dev.tfblend.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYLineAnnotation;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Draws a {@link ParallelCoordinateChartData} as Optuna's {@code plot_parallel_coordinate}
 * does: vertical axes side by side ("Objective Value" first, then the parameters), each with
 * its own range and ticks, a line per trial coloured on Plotly's Blues scale by its objective
 * value (dark is best) and a colour bar. The best trials are drawn last, on top.
 */
public final class ParallelCoordinateChart {
  static {
    Headless.ensure();
  }

  private static final Font TICK_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

  private ParallelCoordinateChart() {}

  /** Builds the chart; the data is read once and not kept. */
  public static JFreeChart create(ParallelCoordinateChartData data) {
    List<ParallelCoordinateChartData.Dimension> dims = data.dimensions();
    List<ParallelCoordinateChartData.Line> lines = new ArrayList<>(data.lines());
    boolean minimize = data.direction() == dev.tfblend.tune.StudyDirection.MINIMIZE;
    BluesScale scale = lines.isEmpty() ? BluesScale.over(0, 1, minimize)
        : BluesScale.forObjective(dims.get(0).low(), dims.get(0).high(), minimize);
    lines.sort(Comparator.comparingDouble(l -> scale.fraction(l.value())));

    XYSeriesCollection dataset = new XYSeriesCollection();
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
    for (int s = 0; s < lines.size(); s++) {
      ParallelCoordinateChartData.Line line = lines.get(s);
      XYSeries series = new XYSeries("Trial" + line.number(), false, true);
      double[] c = line.coordinates();
      for (int d = 0; d < dims.size(); d++) {
        series.add(d, dims.get(d).normalize(c[d]));
      }
      dataset.addSeries(series);
      renderer.setSeriesPaint(s, scale.color(line.value()));
      renderer.setSeriesStroke(s, ChartStyle.solid(2.2f));
    }
    String[] labels = dims.stream().map(ParallelCoordinateChartData.Dimension::label)
        .toArray(String[]::new);
    SymbolAxis x = new SymbolAxis(null, labels);
    x.setRange(-0.15, dims.size() - 0.45);
    x.setGridBandsVisible(false);
    NumberAxis y = new NumberAxis(null);
    y.setRange(-0.04, 1.04);
    y.setVisible(false);
    XYPlot plot = new XYPlot(dataset, x, y, renderer);
    plot.setDomainGridlinesVisible(false);
    plot.setRangeGridlinesVisible(false);
    plot.setNoDataMessage("No completed trials");
    for (int d = 0; d < dims.size(); d++) {
      ParallelCoordinateChartData.Dimension dim = dims.get(d);
      plot.addAnnotation(new XYLineAnnotation(d, 0, d, 1, new BasicStroke(1.5f), Color.DARK_GRAY));
      double[] ticks = dim.ticks();
      for (int t = 0; t < ticks.length; t++) {
        double ny = dim.normalize(ticks[t]);
        plot.addAnnotation(new XYLineAnnotation(d - 0.03, ny, d, ny, new BasicStroke(1f),
            Color.DARK_GRAY));
        XYTextAnnotation text = new XYTextAnnotation(" " + dim.tickLabels().get(t), d + 0.01, ny);
        text.setFont(TICK_FONT);
        text.setTextAnchor(TextAnchor.CENTER_LEFT);
        text.setBackgroundPaint(new Color(255, 255, 255, 200));
        plot.addAnnotation(text);
      }
    }

    JFreeChart chart = new JFreeChart(data.title(), ChartStyle.TITLE, plot, false);
    chart.addSubtitle(new TextTitle(lines.size() + " completed trials"
        + (data.skipped() > 0 ? ", " + data.skipped() + " left out (missing parameters)" : "")
        + (minimize ? ", lower is better (darker)" : ", higher is better (darker)")));
    if (!lines.isEmpty()) {
      chart.addSubtitle(ChartStyle.colourBar(scale, ChartStyle.colourAxis(
          ParallelCoordinateChartData.OBJECTIVE_LABEL, scale.getLowerBound(),
          scale.getUpperBound(), 1e-9)));
    }
    return ChartStyle.apply(chart);
  }
}
