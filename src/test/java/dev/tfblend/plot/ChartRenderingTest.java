package dev.tfblend.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.plot.LearningCurveChartData.Curve;
import dev.tfblend.plot.OptimizationHistoryChartData.Point;
import java.awt.Color;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders each chart to PNG and checks the file: it decodes at the asked size and the plot area
 * holds the series colours. Set {@code -Dtfblend.plotSamples=DIR} to keep the sample PNGs.
 */
class ChartRenderingTest {
  @TempDir static Path tmp;
  static Path out;

  @BeforeAll
  static void outputDir() throws IOException {
    String keep = System.getProperty("tfblend.plotSamples");
    out = keep == null || keep.isBlank() ? tmp : Files.createDirectories(Path.of(keep));
  }

  static OptimizationHistoryChartData sampleHistory() {
    return OptimizationHistoryChartData.minimize("Adam", List.of(
        Point.complete(0, 1.3172), Point.complete(1, 1.0807), Point.of(2, null, "FAIL"),
        Point.complete(3, 1.1543), Point.complete(4, 1.0952)));
  }

  static LearningCurveChartData sampleCurves() {
    return LearningCurveChartData.finalComparison(List.of(
        Curve.of("DynamicBlended",
            new double[] {1.62, 1.31, 1.12, 1.01, 0.93, 0.88, 0.83, 0.80, 0.78, 0.7656},
            new double[] {1.85, 1.40, 1.15, 0.99, 0.88, 0.80, 0.73, 0.68, 0.63, 0.59}),
        Curve.of("Adam",
            new double[] {1.70, 1.45, 1.30, 1.22, 1.16, 1.12, 1.10, 1.09, 1.085, 1.0807},
            new double[] {1.90, 1.52, 1.31, 1.18, 1.08, 1.00, 0.94, 0.89, 0.85, 0.81}),
        Curve.of("SGD",
            new double[] {1.95, 1.55, 1.30, 1.14, 1.04, 0.97, 0.93, 0.90, 0.89, 0.8775},
            new double[] {2.10, 1.70, 1.38, 1.17, 1.03, 0.93, 0.86, 0.81, 0.77, 0.74})));
  }

  static AlphaTrajectoryChartData sampleAlpha() {
    int stepsPerEpoch = 125;
    float[] alpha = new float[10 * stepsPerEpoch];
    Random r = new Random(7);
    double a = 0.5;
    for (int i = 0; i < alpha.length; i++) {
      double drift = i < 400 ? 0.0008 : -0.0006;
      a = Math.min(0.98, Math.max(0.02, a + drift + 0.02 * r.nextGaussian()));
      alpha[i] = (float) a;
    }
    return AlphaTrajectoryChartData.of(alpha, stepsPerEpoch);
  }

  @Test
  void optimizationHistoryShowsMarkersAndBestLine() throws IOException {
    JFreeChart chart = OptimizationHistoryChart.create(sampleHistory());
    BufferedImage img = writeAndRead(chart, "Adam_optimization_history.png", 1000, 600);
    Rectangle2D area = dataArea(chart, 1000, 600);
    assertTrue(countNear(img, area, OptimizationHistoryChart.OBJECTIVE_COLOR, 8) > 100,
        "objective markers drawn");
    assertTrue(countNear(img, area, OptimizationHistoryChart.BEST_COLOR, 8) > 100,
        "best-value line drawn");
    assertEquals(2, chart.getXYPlot().getDataset().getSeriesCount());
    assertEquals(4, chart.getXYPlot().getDataset().getItemCount(0)); // the FAIL trial has none
  }

  @Test
  void historyWithoutCompletedTrialsHasNoMarkers() throws IOException {
    JFreeChart chart = OptimizationHistoryChart.create(OptimizationHistoryChartData.minimize(
        "SGD", List.of(Point.of(0, null, "FAIL"), Point.of(1, null, "FAIL"))));
    BufferedImage img = writeAndRead(chart, "all_failed_history.png", 800, 500);
    Rectangle2D area = dataArea(chart, 800, 500);
    assertEquals(0, countNear(img, area, OptimizationHistoryChart.OBJECTIVE_COLOR, 8));
    assertEquals(0, countNear(img, area, OptimizationHistoryChart.BEST_COLOR, 8));
    assertTrue(countNear(img, area, Color.BLACK, 60) > 50, "'No completed trials' message");
  }

  @Test
  void finalComparisonDrawsEachCurveInItsColour() throws IOException {
    JFreeChart chart = LearningCurveChart.create(sampleCurves());
    BufferedImage img = writeAndRead(chart, "final_comparison.png", 1000, 600);
    Rectangle2D area = dataArea(chart, 1000, 600);
    for (int c = 0; c < 3; c++) {
      assertTrue(countNear(img, area, ChartStyle.color(c), 8) > 200, "curve " + c + " drawn");
    }
    assertEquals(6, chart.getXYPlot().getDataset().getSeriesCount());
    assertEquals("Adam (train)", chart.getXYPlot().getDataset().getSeriesKey(3));
  }

  @Test
  void alphaTrajectoryHasBandMeanAndStepsOnAnAxisFittedToTheData() throws IOException {
    JFreeChart chart = AlphaTrajectoryChart.create(sampleAlpha());
    BufferedImage img = writeAndRead(chart, "alpha_trajectory.png", 1000, 600);
    Rectangle2D area = dataArea(chart, 1000, 600);
    assertTrue(countNear(img, area, AlphaTrajectoryChart.MEAN_COLOR, 8) > 200, "mean line");
    // the step line (blue 1f77b4) shows through the 30% orange (ff7f0e) band
    Color stepUnderBand = new Color(98, 121, 130);
    assertEquals(stepUnderBand, AlphaTrajectoryChart.STEP_UNDER_BAND);
    assertTrue(countNear(img, area, stepUnderBand, 20) > 200, "step line");
    Color bandOnWhite = new Color(255, 217, 183);
    assertTrue(countNear(img, area, bandOnWhite, 12) > 1000, "min-max band");
    double[] alpha = sampleAlpha().alpha();
    double lo = java.util.Arrays.stream(alpha).min().orElseThrow();
    double hi = java.util.Arrays.stream(alpha).max().orElseThrow();
    double pad = Math.max(0.1 * (hi - lo), 0.005);
    assertEquals(Math.max(0, lo - pad), chart.getXYPlot().getRangeAxis().getLowerBound(), 1e-12);
    assertEquals(Math.min(1, hi + pad), chart.getXYPlot().getRangeAxis().getUpperBound(), 1e-12);
  }

  @Test
  void aGateThatBarelyMovesStillFillsTheAlphaAxis() {
    assertArrayEquals(new double[] {0.475, 0.525}, AlphaTrajectoryChart.alphaRange(new double[] {0.48, 0.5, 0.52}),
        1e-12);
    assertArrayEquals(new double[] {0.495, 0.505}, AlphaTrajectoryChart.alphaRange(new double[] {0.5, 0.5}), 1e-12);
    assertArrayEquals(new double[] {0.0, 1.0}, AlphaTrajectoryChart.alphaRange(new double[] {0.0, 1.0}), 1e-12);
  }

  @Test
  void alphaTrajectoryWithUpdateNormsHasARatioPanel() throws IOException {
    AlphaTrajectoryChartData data = sampleAlpha();
    int n = data.alpha().length;
    double[] adam = new double[n];
    double[] sgd = new double[n];
    for (int i = 0; i < n; i++) {
      adam[i] = 0.01 * (1 + i % 7);
      sgd[i] = 1.0;
    }
    JFreeChart chart = AlphaTrajectoryChart.create(data, adam, sgd);
    BufferedImage img = writeAndRead(chart, "alpha_ratio.png", 1000, 600);
    var combined = (org.jfree.chart.plot.CombinedDomainXYPlot) chart.getPlot();
    assertEquals(2, combined.getSubplots().size());
    XYPlot ratio = (XYPlot) combined.getSubplots().get(1);
    assertEquals(n, ratio.getDataset().getItemCount(0));
    assertEquals(0.01, ratio.getDataset().getYValue(0, 0), 1e-12);
    assertTrue(countNear(img, new Rectangle2D.Double(0, 0, 1000, 600), AlphaTrajectoryChart.RATIO_COLOR, 8) > 100,
        "ratio line drawn");
    assertThrows(IllegalArgumentException.class, () -> AlphaTrajectoryChart.create(data, new double[1], sgd));
  }

  @Test
  void sameChartGivesSameBytes() {
    byte[] a = ChartWriter.encodePng(AlphaTrajectoryChart.create(sampleAlpha()), 400, 300);
    byte[] b = ChartWriter.encodePng(AlphaTrajectoryChart.create(sampleAlpha()), 400, 300);
    assertArrayEquals(a, b);
  }

  @Test
  void writeReplacesAnExistingFileAndLeavesNoTemporaryFile() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("replace"));
    Path file = dir.resolve("chart.png");
    Files.writeString(file, "old");
    ChartWriter.writePng(LearningCurveChart.create(sampleCurves()), file, 300, 200);
    BufferedImage img = ImageIO.read(file.toFile());
    assertEquals(300, img.getWidth());
    assertEquals(200, img.getHeight());
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList());
    }
    if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
      // same mode as any file this process creates (umask), not a temp file's 0600
      Path plain = Files.writeString(tmp.resolve("plain.txt"), "x");
      assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(file));
    }
  }

  @Test
  void unwritableTargetNamesTheFile() throws IOException {
    Path blocker = Files.writeString(tmp.resolve("not-a-dir"), "x");
    Path file = blocker.resolve("chart.png");
    var e = assertThrows(UncheckedIOException.class, () ->
        ChartWriter.writePng(LearningCurveChart.create(sampleCurves()), file));
    assertTrue(e.getMessage().startsWith("cannot write chart " + file), e.getMessage());
    assertEquals("chart size must be at least 1x1 pixels, got 0x10",
        assertThrows(IllegalArgumentException.class, () ->
            ChartWriter.encodePng(LearningCurveChart.create(sampleCurves()), 0, 10))
            .getMessage());
  }

  @Test
  void loadingAChartClassSetsHeadlessMode() {
    // this class has already loaded the chart classes; their static initializers set it
    assertEquals("true", System.getProperty("java.awt.headless"));
    assertTrue(java.awt.GraphicsEnvironment.isHeadless());
  }

  private static BufferedImage writeAndRead(JFreeChart chart, String name, int w, int h)
      throws IOException {
    Path file = ChartWriter.writePng(chart, out.resolve(name), w, h);
    BufferedImage img = ImageIO.read(file.toFile());
    assertEquals(w, img.getWidth());
    assertEquals(h, img.getHeight());
    return img;
  }

  /** Where the plot draws data, from a rendering of the same chart at the same size. */
  private static Rectangle2D dataArea(JFreeChart chart, int w, int h) {
    ChartRenderingInfo info = new ChartRenderingInfo();
    ChartWriter.render(chart, w, h, info);
    Rectangle2D area = info.getPlotInfo().getDataArea();
    assertTrue(area.getWidth() > w / 2.0 && area.getHeight() > h / 2.0, "plot area " + area);
    return area;
  }

  /** Pixels inside {@code area} within {@code tol} (per channel) of {@code color}. */
  private static int countNear(BufferedImage img, Rectangle2D area, Color color, int tol) {
    int n = 0;
    for (int y = (int) Math.ceil(area.getMinY()); y < (int) area.getMaxY(); y++) {
      for (int x = (int) Math.ceil(area.getMinX()); x < (int) area.getMaxX(); x++) {
        int rgb = img.getRGB(x, y);
        if (Math.abs(((rgb >> 16) & 0xff) - color.getRed()) <= tol
            && Math.abs(((rgb >> 8) & 0xff) - color.getGreen()) <= tol
            && Math.abs((rgb & 0xff) - color.getBlue()) <= tol) {
          n++;
        }
      }
    }
    return n;
  }
}
