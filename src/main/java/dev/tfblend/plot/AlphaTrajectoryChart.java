package dev.tfblend.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Rectangle;
import java.awt.geom.Line2D;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.DefaultXYDataset;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * Draws an {@link AlphaTrajectoryChartData}: alpha at every step as a thin line, and per epoch a
 * shaded min–max band with the epoch mean as a thick line, both constant across the epoch's
 * steps. Faint vertical lines mark epoch boundaries. The vertical axis is fixed to [0, 1].
 */
public final class AlphaTrajectoryChart {
  static {
    Headless.ensure();
  }

  /** Legend label of the per-step line. */
  public static final String STEP_SERIES = "alpha per step";

  /** Legend label of the epoch mean line. */
  public static final String MEAN_SERIES = "epoch mean";

  /** Legend label of the epoch band. */
  public static final String BAND_SERIES = "epoch min\u2013max";

  static final Color STEP_COLOR = new Color(0x1f77b4);
  static final Color MEAN_COLOR = new Color(0xd62728);
  static final Color BAND_COLOR = new Color(0xff7f0e);
  static final float BAND_ALPHA = 0.30f;
  static final int MAX_EPOCH_LINES = 30;

  /** How the step line looks through the translucent band. */
  static final Color STEP_UNDER_BAND = over(STEP_COLOR, BAND_COLOR, BAND_ALPHA);

  private AlphaTrajectoryChart() {}

  /** Builds the chart; the data is read once and not kept. */
  public static JFreeChart create(AlphaTrajectoryChartData data) {
    double[] alpha = data.alpha();
    double[][] xy = new double[2][alpha.length];
    for (int i = 0; i < alpha.length; i++) {
      xy[0][i] = i + 1;
      xy[1][i] = alpha[i];
    }
    DefaultXYDataset steps = new DefaultXYDataset();
    steps.addSeries(STEP_SERIES, xy);
    XYLineAndShapeRenderer stepRenderer = new XYLineAndShapeRenderer(true, false);
    stepRenderer.setSeriesPaint(0, STEP_COLOR);
    stepRenderer.setSeriesStroke(0, ChartStyle.solid(1f));
    stepRenderer.setDrawSeriesLineAsPath(true);

    YIntervalSeries band = new YIntervalSeries(MEAN_SERIES, false, true);
    for (AlphaTrajectoryChartData.EpochBand b : data.epochBands()) {
      if (Double.isNaN(b.mean())) {
        continue;
      }
      // the band spans the epoch's steps; a one-step epoch still gets a visible width
      double from = b.firstStep() - 0.5;
      double to = b.lastStep() + 0.5;
      band.add(from, b.mean(), b.min(), b.max());
      band.add(to, b.mean(), b.min(), b.max());
    }
    YIntervalSeriesCollection bands = new YIntervalSeriesCollection();
    bands.addSeries(band);
    DeviationRenderer bandRenderer = new DeviationRenderer(true, false);
    bandRenderer.setSeriesPaint(0, MEAN_COLOR);
    bandRenderer.setSeriesFillPaint(0, BAND_COLOR);
    bandRenderer.setAlpha(BAND_ALPHA);
    bandRenderer.setSeriesStroke(0, ChartStyle.solid(2.5f));

    NumberAxis x = new NumberAxis("Training step");
    x.setStandardTickUnits(NumberAxis.createIntegerTickUnits(Locale.ROOT));
    x.setAutoRangeIncludesZero(false);
    x.setLowerMargin(0.01);
    x.setUpperMargin(0.01);
    NumberAxis y = new NumberAxis("alpha (weight on Adam)");
    y.setRange(0.0, 1.0);
    y.setAutoRange(false);
    y.setTickUnit(new NumberTickUnit(
        0.1, new DecimalFormat("0.0", DecimalFormatSymbols.getInstance(Locale.ROOT))));

    // dataset 0 is drawn on top of dataset 1 (reverse rendering order): the translucent band
    // and the mean go over the steps, so the summary stays readable however dense the steps
    XYPlot plot = new XYPlot(bands, x, y, bandRenderer);
    plot.setDataset(1, steps);
    plot.setRenderer(1, stepRenderer);
    plot.setDomainGridlinesVisible(false);
    // boundaries help up to a few dozen epochs; beyond that they only hatch the plot
    for (int e = 1; e < data.epochs() && data.epochs() <= MAX_EPOCH_LINES; e++) {
      ValueMarker m = new ValueMarker(e * (double) data.stepsPerEpoch() + 0.5);
      m.setPaint(new Color(0xbbbbbb));
      m.setStroke(new BasicStroke(1f));
      plot.addDomainMarker(m);
    }

    LegendItemCollection legend = new LegendItemCollection();
    // the step line always lies under the band, so its legend swatch shows it tinted
    legend.add(lineItem(STEP_SERIES, STEP_UNDER_BAND, 1.5f));
    legend.add(lineItem(MEAN_SERIES, MEAN_COLOR, 2.5f));
    LegendItem bandItem = new LegendItem(BAND_SERIES, over(Color.WHITE, BAND_COLOR, BAND_ALPHA));
    bandItem.setShape(new Rectangle(-8, -6, 16, 12));
    legend.add(bandItem);
    plot.setFixedLegendItems(legend);

    JFreeChart chart = new JFreeChart(data.title(), ChartStyle.TITLE, plot, true);
    chart.addSubtitle(new TextTitle(subtitle(data)));
    return ChartStyle.apply(chart);
  }

  /** E.g. {@code "1250 steps in 10 epochs of 125; last epoch mean 0.812"}. */
  static String subtitle(AlphaTrajectoryChartData data) {
    List<AlphaTrajectoryChartData.EpochBand> bands = data.epochBands();
    double lastMean = bands.get(bands.size() - 1).mean();
    return String.format(Locale.ROOT, "%d step%s in %d epoch%s of %d; last epoch mean %.3f",
        data.steps(), data.steps() == 1 ? "" : "s", data.epochs(), data.epochs() == 1 ? "" : "s",
        data.stepsPerEpoch(),
        lastMean);
  }

  private static LegendItem lineItem(String label, Color color, float width) {
    LegendItem item = new LegendItem(label, null, null, null,
        new Line2D.Double(-10, 0, 10, 0), ChartStyle.solid(width), color);
    return item;
  }

  /** The colour {@code top} painted with opacity {@code a} over {@code base} gives. */
  static Color over(Color base, Color top, float a) {
    return new Color(
        Math.round(base.getRed() + (top.getRed() - base.getRed()) * a),
        Math.round(base.getGreen() + (top.getGreen() - base.getGreen()) * a),
        Math.round(base.getBlue() + (top.getBlue() - base.getBlue()) * a));
  }
}
