package dev.tfblend.plot;

import dev.tfblend.tune.FrozenTrial;
import dev.tfblend.tune.StudyDirection;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes Optuna's views of one study as PNG files: intermediate values, parallel coordinate,
 * slice and contour plots (the optimization history has its own chart). The single entry point
 * is {@link #writeAll}; it reads plain {@link FrozenTrial} snapshots and writes nothing else.
 *
 * <p>Files, under {@code dir}: {@code <name>_intermediate_values.png}, {@code
 * <name>_parallel_coordinate.png}, {@code <name>_slice.png}, {@code <name>_contour.png}. Each is
 * written whole (see {@link ChartWriter}). Every file is written even when the study has nothing
 * to show (no completed trials, one parameter): the image then says why, as Optuna returns an
 * empty figure.
 */
public final class StudyPlots {
  static {
    Headless.ensure();
  }

  /** File name suffixes, in the order {@link #writeAll} writes them. */
  public static final List<String> SUFFIXES = List.of(
      "_intermediate_values.png", "_parallel_coordinate.png", "_slice.png", "_contour.png");

  private StudyPlots() {}

  /**
   * Writes the four plots of study {@code name} into {@code dir}.
   *
   * @param name the label used in titles and file names (e.g. {@code "Adam"}); must be a plain
   *     file name part
   * @param direction MINIMIZE or MAXIMIZE
   * @param trials the study's trials, in any state and order
   * @param dir the directory, created if needed
   * @return the files written, in {@link #SUFFIXES} order
   */
  public static List<Path> writeAll(
      String name, StudyDirection direction, List<FrozenTrial> trials, Path dir) {
    if (name == null || name.isBlank() || name.contains("/") || name.contains("\\")) {
      throw new IllegalArgumentException("plot name must be a plain file name part, got " + name);
    }
    TrialPoints points = TrialPoints.completed(trials);
    Path intermediate = dir.resolve(name + SUFFIXES.get(0));
    ChartWriter.writePng(IntermediateValuesChart.create(
        IntermediateValuesChartData.fromTrials(name, trials)), intermediate);
    Path parallel = dir.resolve(name + SUFFIXES.get(1));
    ChartWriter.writePng(ParallelCoordinateChart.create(
        new ParallelCoordinateChartData(name, direction, points)), parallel, 1100, 600);
    SliceChartData slice = new SliceChartData(name, points);
    int panels = Math.max(1, slice.points().axes().size());
    Path slicePath = dir.resolve(name + SUFFIXES.get(2));
    ChartWriter.writePng(SliceChart.create(slice), slicePath, Math.max(700, 120 + 330 * panels), 520);
    Path contour = dir.resolve(name + SUFFIXES.get(3));
    ContourChart.writePng(new ContourChartData(name, direction, points), contour, 1000, 800);
    return List.of(intermediate, parallel, slicePath, contour);
  }
}
