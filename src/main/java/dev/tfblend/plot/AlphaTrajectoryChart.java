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
 * steps. Faint vertical lines mark epoch boundaries. The alpha axis spans the data's range
 * ({@link #alphaRange}), so a gate that moves by a few hundredths is visible. With the norms of
 * both candidate updates, a second panel below shows their ratio {@code ||adam|| / ||sgd||} per
 * step on a log axis (alpha drifts toward the smaller update when the gate shortens the step).
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

  /** Legend label of the norm-ratio line. */
  public static final String RATIO_SERIES = "||adam update|| / ||sgd update||";

  static final Color RATIO_COLOR = new Color(0x2ca02c);

  /** Builds the alpha chart alone; the data is read once and not kept. */
  public static JFreeChart create(AlphaTrajectoryChartData data) {
    return create(data, null, null);
  }

  /**
   * Builds the chart with a second panel of the per-step ratio {@code adamNorms[i] / sgdNorms[i]}
   * when both are given (same length as alpha); steps whose ratio is not finite and positive are
   * left out of that panel.
   */
  public static JFreeChart create(AlphaTrajectoryChartData data, double[] adamNorms, double[] sgdNorms) {
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

    NumberAxis x = stepAxis();
    NumberAxis y = alphaAxis(alpha);

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

    XYPlot top = plot;
    JFreeChart chart;
    if (adamNorms != null && sgdNorms != null) {
      if (adamNorms.length != alpha.length || sgdNorms.length != alpha.length) {
        throw new IllegalArgumentException("update norms need one value per step: " + alpha.length + " steps, "
            + adamNorms.length + " adam and " + sgdNorms.length + " sgd norms");
      }
      org.jfree.chart.plot.CombinedDomainXYPlot combined = new org.jfree.chart.plot.CombinedDomainXYPlot(x);
      combined.setGap(8);
      combined.add(top, 2);
      combined.add(ratioPlot(adamNorms, sgdNorms), 1);
      LegendItemCollection all = new LegendItemCollection();
      all.addAll(legend);
      all.add(lineItem(RATIO_SERIES, RATIO_COLOR, 1.5f));
      combined.setFixedLegendItems(all);
      chart = new JFreeChart(data.title(), ChartStyle.TITLE, combined, true);
    } else {
      chart = new JFreeChart(data.title(), ChartStyle.TITLE, plot, true);
    }
    chart.addSubtitle(new TextTitle(subtitle(data)));
    return ChartStyle.apply(chart);
  }

  private static XYPlot ratioPlot(double[] adamNorms, double[] sgdNorms) {
    int n = 0;
    double[][] xy = new double[2][adamNorms.length];
    for (int i = 0; i < adamNorms.length; i++) {
      double r = adamNorms[i] / sgdNorms[i];
      if (Double.isFinite(r) && r > 0) {
        xy[0][n] = i + 1;
        xy[1][n] = r;
        n++;
      }
    }
    double[][] kept = {java.util.Arrays.copyOf(xy[0], n), java.util.Arrays.copyOf(xy[1], n)};
    DefaultXYDataset ratio = new DefaultXYDataset();
    ratio.addSeries(RATIO_SERIES, kept);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
    renderer.setSeriesPaint(0, RATIO_COLOR);
    renderer.setSeriesStroke(0, ChartStyle.solid(1f));
    renderer.setDrawSeriesLineAsPath(true);
    org.jfree.chart.axis.LogAxis y = new org.jfree.chart.axis.LogAxis("norm ratio adam/sgd");
    y.setSmallestValue(1e-12);
    XYPlot p = new XYPlot(ratio, null, y, renderer);
    p.setDomainGridlinesVisible(false);
    return p;
  }

  /** The training step axis: integer ticks from the first step, with a small margin each side. */
  static NumberAxis stepAxis() {
    NumberAxis x = new NumberAxis("Training step");
    x.setStandardTickUnits(NumberAxis.createIntegerTickUnits(Locale.ROOT));
    x.setAutoRangeIncludesZero(false);
    x.setLowerMargin(0.01);
    x.setUpperMargin(0.01);
    return x;
  }

  /** The alpha axis over {@code alpha}'s finite values ({@link #alphaRange}), labelled to 0.001. */
  static NumberAxis alphaAxis(double[] alpha) {
    NumberAxis y = new NumberAxis("alpha (weight on Adam)");
    double[] range = alphaRange(alpha);
    y.setRange(range[0], range[1]);
    y.setAutoRange(false);
    y.setNumberFormatOverride(new DecimalFormat("0.000", DecimalFormatSymbols.getInstance(Locale.ROOT)));
    return y;
  }

  /**
   * The alpha axis's range: the finite values' minimum and maximum widened by a tenth of their
   * span (at least 0.005 each side), kept inside [0, 1].
   */
  static double[] alphaRange(double[] alpha) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double a : alpha) {
      if (Double.isFinite(a)) {
        lo = Math.min(lo, a);
        hi = Math.max(hi, a);
      }
    }
    if (lo > hi) {
      return new double[] {0, 1};
    }
    double pad = Math.max(0.1 * (hi - lo), 0.005);
    return new double[] {Math.max(0, lo - pad), Math.min(1, hi + pad)};
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
