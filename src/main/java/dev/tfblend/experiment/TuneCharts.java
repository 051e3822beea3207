package dev.tfblend.experiment;

import dev.tfblend.config.TuneConfig;
import dev.tfblend.plot.AlphaRepeatsChart;
import dev.tfblend.plot.AlphaRepeatsChartData;
import dev.tfblend.plot.AlphaTrajectoryChart;
import dev.tfblend.plot.AlphaTrajectoryChartData;
import dev.tfblend.plot.BoxPlotChart;
import dev.tfblend.plot.BoxPlotChartData;
import dev.tfblend.plot.ChartWriter;
import dev.tfblend.plot.LearningCurveChart;
import dev.tfblend.plot.LearningCurveChartData;
import dev.tfblend.plot.OptimizationHistoryChart;
import dev.tfblend.plot.OptimizationHistoryChartData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns {@link TuneResults} into the run's PNG charts. */
final class TuneCharts {
  static final String FINAL_COMPARISON = "final_comparison.png";
  static final String ALPHA_TRAJECTORY = "alpha_trajectory.png";
  /**
   * Box plot of each optimizer's test loss: over the repeats (one value per repeat) when several
   * ran, else over the final runs of the one repeat (written when some optimizer has several).
   */
  static final String TEST_LOSS_BOXPLOT = "test_loss_boxplot.png";

  private TuneCharts() {}

  /** File name of a study's optimisation history chart. */
  static String historyFile(String study) {
    return study + "_optimization_history.png";
  }

  /** Writes every chart the results support into {@code dir}; returns the file names. */
  static List<String> write(TuneResults r, TuneConfig config, Path dir) {
    List<String> files = new ArrayList<>();
    List<LearningCurveChartData.Curve> curves = new ArrayList<>();
    for (Map.Entry<String, TuneResults.OptimizerResult> e : r.optimizers().entrySet()) {
      String study = e.getKey();
      TuneResults.OptimizerResult o = e.getValue();
      List<OptimizationHistoryChartData.Point> points = new ArrayList<>();
      for (TuneResults.TrialRecord t : o.trials()) {
        points.add(OptimizationHistoryChartData.Point.of(t.number(), t.value(), t.state()));
      }
      String file = historyFile(study);
      ChartWriter.writePng(OptimizationHistoryChart.create(
          OptimizationHistoryChartData.minimize(study, points)), dir.resolve(file));
      files.add(file);
      if (o.finalRun() != null) {
        List<TuneResults.EpochFigures> ep = o.finalRun().epochs();
        int[] epochs = new int[ep.size()];
        double[] val = new double[ep.size()];
        double[] train = new double[ep.size()];
        for (int i = 0; i < ep.size(); i++) {
          epochs[i] = ep.get(i).epoch();
          val[i] = ep.get(i).valLoss();
          train[i] = ep.get(i).trainLoss();
        }
        curves.add(new LearningCurveChartData.Curve(study, epochs, val, train));
      }
    }
    if (!curves.isEmpty()) {
      ChartWriter.writePng(LearningCurveChart.create(LearningCurveChartData.finalComparison(curves)),
          dir.resolve(FINAL_COMPARISON));
      files.add(FINAL_COMPARISON);
    }
    Map<String, List<Double>> testLosses = testLossesPerUnit(r);
    if (testLosses.values().stream().anyMatch(v -> v.size() > 1)) {
      ChartWriter.writePng(BoxPlotChart.create(overRepeats(r) ? BoxPlotChartData.testLossOverRepeats(testLosses)
          : BoxPlotChartData.testLoss(testLosses)), dir.resolve(TEST_LOSS_BOXPLOT));
      files.add(TEST_LOSS_BOXPLOT);
    }
    for (TuneResults.OptimizerResult o : r.optimizers().values()) {
      if (o.finalRun() != null && o.finalRun().alphaPerStep() != null && o.finalRun().alphaPerStep().length > 0) {
        int spe = (int) Math.ceil(o.finalRun().alphaPerStep().length / (double) config.finalEpochs());
        Map<String, float[]> norms = o.finalRun().updateNormsPerStep();
        int n = o.finalRun().alphaPerStep().length;
        boolean withNorms = norms != null && norms.get("adam") != null && norms.get("sgd") != null
            && norms.get("adam").length == n && norms.get("sgd").length == n;
        ChartWriter.writePng(AlphaTrajectoryChart.create(
            AlphaTrajectoryChartData.of(o.finalRun().alphaPerStep(), spe),
            withNorms ? widen(norms.get("adam")) : null, withNorms ? widen(norms.get("sgd")) : null),
            dir.resolve(ALPHA_TRAJECTORY));
        files.add(ALPHA_TRAJECTORY);
        break;
      }
    }
    if (overRepeats(r)) {
      for (String key : r.optimizers().keySet()) {
        AlphaRepeatsChartData data = alphaOverRepeats(r.repeats(), key);
        if (data != null) {
          String file = alphaRepeatsFile(key);
          ChartWriter.writePng(AlphaRepeatsChart.create(data), dir.resolve(file));
          files.add(file);
        }
      }
    }
    return files;
  }

  /** File name of optimizer {@code key}'s alpha per step over the repeats' final runs. */
  static String alphaRepeatsFile(String key) {
    return key + "_alpha_repeats.png";
  }

  private static boolean overRepeats(TuneResults r) {
    return r.repeats() != null && r.repeats().size() > 1;
  }

  /**
   * Each optimizer's test losses as the box plot shows them: one per repeat (the mean over its
   * final runs) with several repeats, else one per final run; optimizers without a finite value
   * are left out.
   */
  static Map<String, List<Double>> testLossesPerUnit(TuneResults r) {
    Map<String, List<Double>> testLosses = new LinkedHashMap<>();
    for (Map.Entry<String, TuneResults.OptimizerResult> e : r.optimizers().entrySet()) {
      List<Double> losses = new ArrayList<>();
      if (overRepeats(r)) {
        for (double v : StudyStatistics.unitValues(r.repeats(), e.getKey(), "test_loss")) {
          losses.add(v);
        }
      } else if (e.getValue().finalRuns() != null) {
        e.getValue().finalRuns().forEach(f -> losses.add(f.testLoss()));
      }
      if (losses.stream().anyMatch(Double::isFinite)) {
        testLosses.put(e.getKey(), losses);
      }
    }
    return testLosses;
  }

  /**
   * Optimizer {@code key}'s alpha per step in the first final run of every repeat that recorded
   * alpha (one line per repeat), or null when none did.
   */
  static AlphaRepeatsChartData alphaOverRepeats(List<TuneResults.Repeat> repeats, String key) {
    List<AlphaRepeatsChartData.Line> lines = new ArrayList<>();
    for (TuneResults.Repeat rep : repeats) {
      TuneResults.RepeatResult o = rep.optimizers().get(key);
      if (o != null && o.finalRun() != null && o.finalRun().alphaPerStep() != null
          && o.finalRun().alphaPerStep().length > 0) {
        lines.add(AlphaRepeatsChartData.Line.of("repeat " + rep.repeat(), o.finalRun().alphaPerStep()));
      }
    }
    return lines.isEmpty() ? null : new AlphaRepeatsChartData(AlphaRepeatsChartData.repeatsTitle(key), lines);
  }

  private static double[] widen(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }
}
