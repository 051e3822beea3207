package dev.tfblend.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.Align;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Draws a {@link ContourChartData} as Optuna's {@code plot_contour} does: the interpolated
 * objective as a heat map on Plotly's Blues scale (dark is best), the trials as black points
 * with grey outlines, log axes for log-scale parameters. Two parameters give one chart; more
 * give a matrix of panels (row = y parameter, column = x parameter, the diagonal empty) with
 * one colour bar, drawn by {@link #render}.
 */
public final class ContourChart {
  static {
    Headless.ensure();
  }

  /** Pixels of the heat map image behind one panel (the grid is resampled bilinearly). */
  static final int HEATMAP_PIXELS = 400;

  /** Colour of the trial markers. */
  public static final Color POINT_COLOR = Color.BLACK;

  private ContourChart() {}

  /** The colour scale of every panel: the trials' objective range, reversed when minimizing. */
  public static BluesScale scale(ContourChartData data) {
    boolean minimize = data.direction() == dev.tfblend.tune.StudyDirection.MINIMIZE;
    if (data.points().size() == 0) {
      return BluesScale.over(0, 1, minimize);
    }
    return BluesScale.forObjective(data.points().minValue(), data.points().maxValue(), minimize);
  }

  /**
   * One panel: parameter {@code xi} across, {@code yi} up. With {@code colourBar} the chart has
   * the title and an "Objective Value" colour bar; without, only the panel (for the matrix).
   */
  public static JFreeChart panel(ContourChartData data, int xi, int yi, boolean colourBar) {
    ContourChartData.Pair pair = data.pair(xi, yi);
    return panel(data, pair, pair.drawable()
        ? ContourChartData.grid(pair, ContourChartData.GRID_SIZE) : null, colourBar);
  }

  private static JFreeChart panel(ContourChartData data, ContourChartData.Pair pair,
      ContourChartData.Grid grid, boolean colourBar) {
    BluesScale scale = scale(data);
    XYSeriesCollection dataset = new XYSeriesCollection();
    XYSeries s = new XYSeries("trials", false, true);
    for (int i = 0; i < pair.values().length; i++) {
      s.add(pair.x()[i], pair.y()[i]);
    }
    dataset.addSeries(s);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(false, true);
    renderer.setSeriesShape(0, new Ellipse2D.Double(-5, -5, 10, 10));
    renderer.setSeriesPaint(0, POINT_COLOR);
    renderer.setUseOutlinePaint(true);
    renderer.setDrawOutlines(true);
    renderer.setSeriesOutlinePaint(0, Color.GRAY);
    renderer.setSeriesOutlineStroke(0, new BasicStroke(2f));
    renderer.setUseFillPaint(false);
    XYPlot plot = new XYPlot(dataset, AxisFactory.paramAxis(pair.xAxis()),
        AxisFactory.paramAxis(pair.yAxis()), renderer);
    if (grid != null) {
      plot.setBackgroundImage(heatmap(grid, scale, HEATMAP_PIXELS));
      plot.setBackgroundImageAlignment(Align.FIT);
      plot.setBackgroundImageAlpha(1f);
    } else {
      plot.setNoDataMessage("fewer than two distinct values");
    }
    plot.setDomainGridlinesVisible(false);
    plot.setRangeGridlinesVisible(false);
    plot.setOutlinePaint(Color.GRAY);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
    for (var axis : new org.jfree.chart.axis.ValueAxis[] {plot.getDomainAxis(), plot.getRangeAxis()}) {
      axis.setLabelFont(ChartStyle.AXIS_LABEL);
      axis.setTickLabelFont(ChartStyle.TICK_LABEL);
    }
    JFreeChart chart = new JFreeChart(colourBar ? data.title() : null, ChartStyle.TITLE, plot, false);
    chart.setBackgroundPaint(Color.WHITE);
    chart.setPadding(new RectangleInsets(6, 6, 6, 12));
    if (colourBar) {
      TextTitle sub = new TextTitle(pair.values().length + " completed trials, "
          + (scale.reversed() ? "lower is better (darker)" : "higher is better (darker)"));
      sub.setFont(ChartStyle.SUBTITLE);
      sub.setPaint(Color.DARK_GRAY);
      chart.addSubtitle(sub);
      chart.addSubtitle(colourBar(scale));
    }
    return chart;
  }

  private static PaintScaleLegend colourBar(BluesScale scale) {
    return ChartStyle.colourBar(scale, ChartStyle.colourAxis(
        "Objective Value", scale.getLowerBound(), scale.getUpperBound(), 1e-9));
  }

  /**
   * The whole plot as an image: one panel at {@code width} x {@code height} for two parameters,
   * a matrix for more (each panel about {@code height / k} pixels tall), or a message when
   * there are fewer than two parameters or no completed trials.
   */
  public static BufferedImage render(ContourChartData data, int width, int height) {
    List<ParamAxis> axes = data.axes();
    if (!data.hasPanels()) {
      XYPlot empty = new XYPlot(null, new NumberAxis(), new NumberAxis(), null);
      empty.setNoDataMessage(data.points().size() == 0 ? "No completed trials"
          : "A contour plot needs two or more parameters; this study has "
              + axes.size());
      empty.getDomainAxis().setVisible(false);
      empty.getRangeAxis().setVisible(false);
      empty.setNoDataMessageFont(ChartStyle.AXIS_LABEL);
      JFreeChart chart = new JFreeChart(data.title(), ChartStyle.TITLE, empty, false);
      chart.setBackgroundPaint(Color.WHITE);
      return ChartWriter.render(chart, width, height, null);
    }
    if (axes.size() == 2) {
      return ChartWriter.render(panel(data, 0, 1, true), width, height, null);
    }
    int k = axes.size();
    int header = 60;
    int barWidth = 110;
    int tile = Math.max(220, (Math.min(width - barWidth, height - header)) / k);
    int w = tile * k + barWidth;
    int h = tile * k + header;
    BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
          RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, w, h);
      g.setColor(Color.BLACK);
      g.setFont(ChartStyle.TITLE);
      FontMetrics fm = g.getFontMetrics();
      g.drawString(data.title(), (w - fm.stringWidth(data.title())) / 2, 36);
      // panel (x=b, y=a) shows the transpose of panel (x=a, y=b): solve each surface once
      ContourChartData.Grid[][] grids = new ContourChartData.Grid[k][k];
      for (int row = 0; row < k; row++) {
        for (int col = 0; col < k; col++) {
          if (row == col) {
            continue;
          }
          ContourChartData.Pair pair = data.pair(col, row);
          if (pair.drawable()) {
            grids[row][col] = grids[col][row] != null ? grids[col][row].transpose()
                : ContourChartData.grid(pair, ContourChartData.GRID_SIZE);
          }
          JFreeChart chart = panel(data, pair, grids[row][col], false);
          chart.draw(g, new Rectangle2D.Double(col * tile, header + row * tile, tile, tile));
        }
      }
      PaintScaleLegend bar = colourBar(scale(data));
      bar.setPosition(RectangleEdge.LEFT);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      bar.draw(g, new Rectangle2D.Double(k * tile + 4, header + tile * 0.1, barWidth - 8,
          tile * k * 0.8));
    } finally {
      g.dispose();
    }
    return image;
  }

  /** Renders the plot ({@link #render}) and writes it to {@code file} as PNG. */
  public static Path writePng(ContourChartData data, Path file, int width, int height) {
    return ChartWriter.writePng(render(data, width, height), file);
  }

  /** The surface as an image, row 0 at the top (highest y), bilinearly resampled. */
  static BufferedImage heatmap(ContourChartData.Grid grid, BluesScale scale, int pixels) {
    double[][] z = grid.z();
    int ny = z.length;
    int nx = z[0].length;
    BufferedImage img = new BufferedImage(pixels, pixels, BufferedImage.TYPE_INT_RGB);
    for (int py = 0; py < pixels; py++) {
      double fy = (pixels - 1 - py) * (ny - 1) / (double) (pixels - 1);
      int j = Math.min((int) fy, ny - 2);
      double ty = fy - j;
      for (int px = 0; px < pixels; px++) {
        double fx = px * (nx - 1) / (double) (pixels - 1);
        int i = Math.min((int) fx, nx - 2);
        double tx = fx - i;
        double v = (1 - ty) * ((1 - tx) * z[j][i] + tx * z[j][i + 1])
            + ty * ((1 - tx) * z[j + 1][i] + tx * z[j + 1][i + 1]);
        img.setRGB(px, py, scale.color(v).getRGB());
      }
    }
    return img;
  }
}
