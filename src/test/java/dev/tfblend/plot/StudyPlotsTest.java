package dev.tfblend.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tfblend.tune.CategoricalDistribution;
import dev.tfblend.tune.Distribution;
import dev.tfblend.tune.FloatDistribution;
import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.StudyDirection;
import dev.tfblend.tune.TrialState;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data records of Optuna's views (intermediate values, parallel coordinate, slice, contour)
 * and their rendering. Set {@code -Dtfblend.plotSamples=DIR} to keep the sample PNGs.
 */
class StudyPlotsTest {
  @TempDir static Path tmp;
  static Path out;

  static final FloatDistribution LR = new FloatDistribution(1e-4, 1e-1, true, null);
  static final FloatDistribution MOMENTUM = new FloatDistribution(0.5, 0.99, false, null);
  static final CategoricalDistribution ACT = CategoricalDistribution.of("tanh", "relu");

  @BeforeAll
  static void outputDir() throws IOException {
    String keep = System.getProperty("tfblend.plotSamples");
    out = keep == null || keep.isBlank() ? tmp : Files.createDirectories(Path.of(keep));
  }

  static FrozenTrial trial(int number, TrialState state, Double value, Map<String, Object> params,
      double... intermediate) {
    Map<String, Distribution> dists = new LinkedHashMap<>();
    for (String k : params.keySet()) {
      dists.put(k, switch (k) {
        case "lr" -> LR;
        case "momentum" -> MOMENTUM;
        default -> ACT;
      });
    }
    TreeMap<Integer, Double> iv = new TreeMap<>();
    for (int i = 0; i < intermediate.length; i++) {
      iv.put(i, intermediate[i]);
    }
    return new FrozenTrial(number, number, state, value, null, null, params, dists, iv,
        Map.of(), Map.of());
  }

  /** A study of 8 trials over lr (log), momentum and act (categorical); trial 5 pruned, 6 failed. */
  static List<FrozenTrial> sampleTrials() {
    List<FrozenTrial> t = new ArrayList<>();
    double[][] p = {{3e-3, 0.9}, {5e-2, 0.6}, {1e-4, 0.95}, {2e-2, 0.75}, {8e-4, 0.55},
        {6e-2, 0.8}, {1e-3, 0.7}, {4e-3, 0.97}};
    double[] v = {0.91, 1.30, 1.62, 1.05, 1.21, Double.NaN, Double.NaN, 0.84};
    for (int i = 0; i < p.length; i++) {
      Map<String, Object> params = new LinkedHashMap<>();
      params.put("momentum", p[i][1]);
      params.put("lr", p[i][0]);
      params.put("act", i % 3 == 0 ? "relu" : "tanh");
      if (i == 5) {
        t.add(trial(i, TrialState.PRUNED, null, params, 1.9, 1.7));
      } else if (i == 6) {
        t.add(trial(i, TrialState.FAIL, null, params));
      } else {
        t.add(trial(i, TrialState.COMPLETE, v[i], params, v[i] + 0.6, v[i] + 0.2, v[i]));
      }
    }
    // listed out of order: every view sorts by trial number
    java.util.Collections.reverse(t);
    return t;
  }

  @Test
  void intermediateValuesKeepCompletePrunedAndRunningTrialsWithValues() {
    IntermediateValuesChartData d = IntermediateValuesChartData.fromTrials("Adam", sampleTrials());
    assertEquals(List.of(0, 1, 2, 3, 4, 5, 7),
        d.curves().stream().map(IntermediateValuesChartData.Curve::number).toList());
    IntermediateValuesChartData.Curve pruned = d.curves().get(5);
    assertEquals(TrialState.PRUNED, pruned.state());
    assertArrayEquals(new int[] {0, 1}, pruned.steps());
    assertArrayEquals(new double[] {1.9, 1.7}, pruned.values());
    assertArrayEquals(new double[] {0.91 + 0.6, 0.91 + 0.2, 0.91}, d.curves().get(0).values(), 0);
  }

  @Test
  void paramAxesFollowOptunasScaleRules() {
    TrialPoints pts = TrialPoints.completed(sampleTrials());
    assertEquals(List.of("act", "lr", "momentum"), pts.axes().stream().map(ParamAxis::name).toList());
    ParamAxis act = pts.axes().get(0);
    ParamAxis lr = pts.axes().get(1);
    ParamAxis mom = pts.axes().get(2);
    assertEquals(ParamAxis.Scale.CATEGORICAL, act.scale());
    assertEquals(List.of("relu", "tanh"), act.categories());
    assertEquals(ParamAxis.Scale.LOG, lr.scale());
    assertEquals(ParamAxis.Scale.LINEAR, mom.scale());
    // completed trials only: 0, 1, 2, 3, 4, 7
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 7}, pts.numbers());
    assertEquals(1e-4, lr.min());
    assertEquals(5e-2, lr.max());
    // padding is 5% of the span in log10 space on a log axis
    double span = Math.log10(5e-2) - Math.log10(1e-4);
    assertEquals(Math.log10(1e-4) - 0.05 * span, Math.log10(lr.paddedRange()[0]), 1e-12);
    assertEquals(0.55 - 0.05 * (0.97 - 0.55), mom.paddedRange()[0], 1e-12);
    assertEquals(0.0, pts.position(0, 0)); // trial 0: relu
    assertEquals(1.0, pts.position(1, 0)); // trial 1: tanh
  }

  @Test
  void parallelCoordinateHasObjectiveThenSortedParamsWithLogTicks() {
    ParallelCoordinateChartData d = new ParallelCoordinateChartData(
        "Adam", StudyDirection.MINIMIZE, TrialPoints.completed(sampleTrials()));
    List<ParallelCoordinateChartData.Dimension> dims = d.dimensions();
    assertEquals(List.of("Objective Value", "act", "lr", "momentum"),
        dims.stream().map(ParallelCoordinateChartData.Dimension::label).toList());
    assertEquals(0.84, dims.get(0).low());
    assertEquals(1.62, dims.get(0).high());
    ParallelCoordinateChartData.Dimension lr = dims.get(2);
    assertEquals(-4, lr.low(), 1e-12);
    assertEquals(Math.log10(5e-2), lr.high(), 1e-12);
    // Optuna: exponents -4..-2 then the non-integer top end
    assertArrayEquals(new double[] {-4, -3, -2, Math.log10(5e-2)}, lr.ticks(), 1e-12);
    assertEquals(List.of("0.0001", "0.001", "0.01", "0.05"), lr.tickLabels());
    List<ParallelCoordinateChartData.Line> lines = d.lines();
    assertEquals(6, lines.size());
    assertEquals(0, d.skipped());
    assertEquals(7, lines.get(5).number());
    assertArrayEquals(new double[] {0.84, 1, Math.log10(4e-3), 0.97}, lines.get(5).coordinates(),
        1e-12);
  }

  @Test
  void parallelCoordinateLeavesOutTrialsMissingAParameter() {
    List<FrozenTrial> trials = new ArrayList<>(sampleTrials());
    trials.add(trial(9, TrialState.COMPLETE, 0.5, Map.of("lr", 1e-3)));
    ParallelCoordinateChartData d =
        new ParallelCoordinateChartData("Adam", StudyDirection.MINIMIZE, TrialPoints.completed(trials));
    assertEquals(1, d.skipped());
    assertEquals(6, d.lines().size());
  }

  @Test
  void slicePanelsHoldEachParametersTrials() {
    SliceChartData d = new SliceChartData("Adam", TrialPoints.completed(sampleTrials()));
    List<SliceChartData.Panel> panels = d.panels();
    assertEquals(3, panels.size());
    SliceChartData.Panel lr = panels.get(1);
    assertEquals("lr", lr.axis().name());
    assertArrayEquals(new double[] {3e-3, 5e-2, 1e-4, 2e-2, 8e-4, 4e-3}, lr.x());
    assertArrayEquals(new double[] {0.91, 1.30, 1.62, 1.05, 1.21, 0.84}, lr.y());
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 7}, lr.numbers());
  }

  @Test
  void contourSurfacePassesThroughTrialsAndSolvesLaplaceElsewhere() {
    ContourChartData d =
        new ContourChartData("Adam", StudyDirection.MINIMIZE, TrialPoints.completed(sampleTrials()));
    ContourChartData.Pair pair = d.pair(1, 2); // lr across, momentum up
    assertEquals("lr", pair.xAxis().name());
    int n = 40;
    ContourChartData.Grid g = ContourChartData.grid(pair, n);
    // x grid is even in log10 over the padded range
    assertEquals(Math.log10(pair.xAxis().paddedRange()[0]), g.x()[0], 1e-12);
    assertEquals(Math.log10(pair.xAxis().paddedRange()[1]), g.x()[n - 1], 1e-12);
    boolean[][] known = new boolean[n][n];
    for (int t = 0; t < pair.values().length; t++) {
      int i = nearest(g.x(), Math.log10(pair.x()[t]));
      int j = nearest(g.y(), pair.y()[t]);
      assertEquals(pair.values()[t], g.z()[j][i], 0, "trial value kept in its cell");
      known[j][i] = true;
    }
    double lo = 0.84;
    double hi = 1.62;
    double worst = 0;
    for (int j = 0; j < n; j++) {
      for (int i = 0; i < n; i++) {
        double z = g.z()[j][i];
        assertTrue(z >= lo - 1e-9 && z <= hi + 1e-9, "maximum principle: " + z);
        if (known[j][i]) {
          continue;
        }
        double s = 0;
        int k = 0;
        int[][] nb = {{-1, 0}, {1, 0}, {0, -1}, {0, 1}};
        for (int[] o : nb) {
          int jj = j + o[0];
          int ii = i + o[1];
          if (jj >= 0 && jj < n && ii >= 0 && ii < n) {
            s += g.z()[jj][ii];
            k++;
          }
        }
        worst = Math.max(worst, Math.abs(z - s / k));
      }
    }
    assertTrue(worst < 1e-7, "Laplace residual " + worst);
  }

  @Test
  void swappedAxesGiveTheTransposedSurface() {
    ContourChartData d =
        new ContourChartData("Adam", StudyDirection.MINIMIZE, TrialPoints.completed(sampleTrials()));
    ContourChartData.Grid a = ContourChartData.grid(d.pair(1, 2), 30);
    ContourChartData.Grid b = ContourChartData.grid(d.pair(2, 1), 30);
    ContourChartData.Grid t = a.transpose();
    assertArrayEquals(b.x(), t.x());
    for (int j = 0; j < 30; j++) {
      assertArrayEquals(b.z()[j], t.z()[j], 1e-8);
    }
  }

  @Test
  void contourOfEqualValuesIsFlat() {
    List<FrozenTrial> trials = new ArrayList<>();
    trials.add(trial(0, TrialState.COMPLETE, 2.0, Map.of("lr", 1e-3, "momentum", 0.6)));
    trials.add(trial(1, TrialState.COMPLETE, 2.0, Map.of("lr", 1e-2, "momentum", 0.9)));
    ContourChartData d = new ContourChartData("x", StudyDirection.MINIMIZE, TrialPoints.completed(trials));
    ContourChartData.Grid g = ContourChartData.grid(d.pair(0, 1), 20);
    for (double[] row : g.z()) {
      for (double z : row) {
        assertEquals(2.0, z, 1e-12);
      }
    }
  }

  @Test
  void contourNeedsTwoDistinctValues() {
    List<FrozenTrial> trials = List.of(
        trial(0, TrialState.COMPLETE, 1.0, Map.of("lr", 1e-3, "momentum", 0.6)),
        trial(1, TrialState.COMPLETE, 2.0, Map.of("lr", 1e-3, "momentum", 0.9)));
    ContourChartData d = new ContourChartData("x", StudyDirection.MINIMIZE, TrialPoints.completed(trials));
    assertTrue(!d.pair(0, 1).drawable());
    assertThrows(IllegalArgumentException.class, () -> ContourChartData.grid(d.pair(0, 1), 10));
  }

  @Test
  void logTickLabelsAreWrittenAsPythonsThreeDigitG() {
    assertEquals("0.0001", ParamAxis.formatG3(1e-4));
    assertEquals("1e-05", ParamAxis.formatG3(1e-5));
    assertEquals("0.0316", ParamAxis.formatG3(Math.pow(10, -1.5)));
    assertEquals("100", ParamAxis.formatG3(100));
    assertEquals("1e+03", ParamAxis.formatG3(1000));
    assertEquals("0.5", ParamAxis.formatG3(0.5));
  }

  @Test
  void bluesScaleIsReversedForMinimizedObjectives() {
    BluesScale min = BluesScale.forObjective(1, 2, true);
    assertEquals(BluesScale.STOPS[8], min.color(1));
    assertEquals(BluesScale.STOPS[0], min.color(2));
    BluesScale max = BluesScale.forObjective(1, 2, false);
    assertEquals(BluesScale.STOPS[8], max.color(2));
    assertEquals(BluesScale.STOPS[4], max.color(1.5));
  }

  @Test
  void writesAllFourPlotsAsSanePngs() throws IOException {
    List<Path> files = StudyPlots.writeAll("Blend", StudyDirection.MINIMIZE, sampleTrials(), out);
    assertEquals(4, files.size());
    for (Path f : files) {
      BufferedImage img = ImageIO.read(f.toFile());
      assertTrue(img != null, f + " decodes");
      assertTrue(img.getWidth() >= 700 && img.getHeight() >= 500, f + " size " + img.getWidth());
      long size = Files.size(f);
      assertTrue(size > 10_000 && size < 3_000_000, f + " bytes " + size);
    }
    // the contour matrix (3 parameters) shows the darkest blue near the best trial and black points
    BufferedImage contour = ImageIO.read(files.get(3).toFile());
    assertTrue(count(contour, Color.BLACK, 30) > 50, "trial markers");
    assertTrue(count(contour, BluesScale.STOPS[8], 30) > 50, "dark end of the scale");
    assertTrue(count(contour, BluesScale.STOPS[1], 20) > 200, "light end of the scale");
  }

  @Test
  void twoParameterContourIsOneChartAndOneParameterSaysWhy() throws IOException {
    List<FrozenTrial> two = new ArrayList<>();
    for (FrozenTrial t : sampleTrials()) {
      Map<String, Object> p = new LinkedHashMap<>(t.params());
      p.remove("act");
      two.add(trial(t.number(), t.state(), t.value(), p));
    }
    BufferedImage img = ContourChart.render(
        new ContourChartData("SGD", StudyDirection.MINIMIZE, TrialPoints.completed(two)), 1000, 800);
    assertEquals(1000, img.getWidth());
    ChartWriter.writePng(img, out.resolve("SGD_contour.png"));
    List<FrozenTrial> one = List.of(trial(0, TrialState.COMPLETE, 1.0, Map.of("lr", 1e-3)));
    List<Path> files = StudyPlots.writeAll("Adam", StudyDirection.MINIMIZE, one, out);
    assertTrue(Files.size(files.get(3)) > 1000);
  }

  @Test
  void emptyStudyStillWritesEveryPlot() throws IOException {
    List<Path> files = StudyPlots.writeAll("Empty", StudyDirection.MINIMIZE, List.of(), tmp);
    for (Path f : files) {
      assertTrue(ImageIO.read(f.toFile()) != null, f.toString());
    }
    assertThrows(IllegalArgumentException.class,
        () -> StudyPlots.writeAll("a/b", StudyDirection.MINIMIZE, List.of(), tmp));
  }

  private static int nearest(double[] grid, double v) {
    int best = 0;
    for (int i = 1; i < grid.length; i++) {
      if (Math.abs(grid[i] - v) < Math.abs(grid[best] - v)) {
        best = i;
      }
    }
    return best;
  }

  private static int count(BufferedImage img, Color c, int tol) {
    int n = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int rgb = img.getRGB(x, y);
        if (Math.abs(((rgb >> 16) & 255) - c.getRed()) <= tol
            && Math.abs(((rgb >> 8) & 255) - c.getGreen()) <= tol
            && Math.abs((rgb & 255) - c.getBlue()) <= tol) {
          n++;
        }
      }
    }
    return n;
  }
}
