package dev.tfblend.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.title.Title;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;

/**
 * The common look of our charts: white background, light grid, sans-serif fonts sized for a
 * 1000x600 PNG, legend below the plot without a heavy frame.
 */
final class ChartStyle {
  static {
    Headless.ensure();
  }

  /** Colour-blind-friendly series colours (the Tableau 10 / matplotlib default cycle). */
  static final Color[] PALETTE = {
    new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
    new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
  };

  static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 20);
  static final Font SUBTITLE = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
  static final Font AXIS_LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 16);
  static final Font TICK_LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
  static final Font LEGEND = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
  static final Paint GRID = new Color(0xdddddd);

  private ChartStyle() {}

  static Color color(int index) {
    return PALETTE[Math.floorMod(index, PALETTE.length)];
  }

  static BasicStroke solid(float width) {
    return new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
  }

  static BasicStroke dashed(float width) {
    return new BasicStroke(
        width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {8f, 5f}, 0f);
  }

  /**
   * The axis of a colour bar spanning {@code [lower, upper]}; when the span is empty the upper
   * end is {@code lower + minSpan}, so the bar can still be drawn.
   */
  static NumberAxis colourAxis(String label, double lower, double upper, double minSpan) {
    NumberAxis axis = new NumberAxis(label);
    axis.setRange(lower, upper > lower ? upper : lower + minSpan);
    return axis;
  }

  /** A colour bar at the right of a chart that shows {@code scale} along {@code axis}. */
  static PaintScaleLegend colourBar(PaintScale scale, NumberAxis axis) {
    PaintScaleLegend bar = new PaintScaleLegend(scale, axis);
    bar.setPosition(RectangleEdge.RIGHT);
    bar.setStripWidth(14);
    bar.setMargin(new RectangleInsets(4, 12, 4, 4));
    bar.setBackgroundPaint(Color.WHITE);
    return bar;
  }

  /** Applies fonts, colours and legend placement to a chart whose plot is an {@link XYPlot}. */
  static JFreeChart apply(JFreeChart chart) {
    chart.setBackgroundPaint(Color.WHITE);
    chart.setAntiAlias(true);
    chart.setTextAntiAlias(true);
    chart.setPadding(new RectangleInsets(8, 8, 8, 16));
    chart.getTitle().setFont(TITLE);
    chart.getTitle().setPaint(Color.BLACK);
    for (int i = 0; i < chart.getSubtitleCount(); i++) {
      Title t = chart.getSubtitle(i);
      if (t instanceof LegendTitle legend) {
        legend.setItemFont(LEGEND);
        legend.setBackgroundPaint(Color.WHITE);
        legend.setFrame(BlockBorder.NONE);
        legend.setPosition(RectangleEdge.BOTTOM);
        legend.setItemLabelPadding(new RectangleInsets(2, 4, 2, 12));
      } else if (t instanceof TextTitle text) {
        text.setFont(SUBTITLE);
        text.setPaint(Color.DARK_GRAY);
      }
    }
    XYPlot plot = chart.getXYPlot();
    stylePlot(plot);
    if (plot instanceof org.jfree.chart.plot.CombinedDomainXYPlot combined) {
      for (XYPlot sub : combined.getSubplots()) {
        stylePlot(sub);
      }
    }
    return chart;
  }

  /** Styles a plot and its axes (a combined plot has no range axis of its own; its subplots do). */
  private static void stylePlot(XYPlot plot) {
    plot.setBackgroundPaint(Color.WHITE);
    plot.setOutlinePaint(Color.GRAY);
    plot.setDomainGridlinePaint(GRID);
    plot.setRangeGridlinePaint(GRID);
    plot.setDomainGridlineStroke(new BasicStroke(1f));
    plot.setRangeGridlineStroke(new BasicStroke(1f));
    plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
    plot.setNoDataMessageFont(AXIS_LABEL);
    if (plot.getDomainAxis() != null) {
      styleAxis(plot.getDomainAxis());
    }
    if (plot.getRangeAxis() != null) {
      styleAxis(plot.getRangeAxis());
    }
  }

  private static void styleAxis(ValueAxis axis) {
    axis.setLabelFont(AXIS_LABEL);
    axis.setLabelPaint(Color.BLACK);
    axis.setTickLabelFont(TICK_LABEL);
    axis.setTickLabelPaint(Color.BLACK);
    axis.setAxisLinePaint(Color.GRAY);
    axis.setTickMarkPaint(Color.GRAY);
  }
}
