package dev.tfblend.plot;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Several named curves of a value per epoch, for example the validation loss of the final run
 * of each optimizer, each optionally with its training-loss curve (drawn dashed in the same
 * colour).
 *
 * <p>At least one curve; names distinct and not blank. Values may be non-finite (a diverged run):
 * such points are left out of the drawing.
 *
 * @param title the chart title
 * @param xLabel the horizontal axis label
 * @param yLabel the vertical axis label
 * @param curves the curves, drawn and listed in the legend in this order
 */
public record LearningCurveChartData(
    String title, String xLabel, String yLabel, List<Curve> curves) {

  /** Title of the final-runs comparison. */
  public static final String FINAL_TITLE = "Final runs: validation loss per epoch";

  /** Vertical axis label of the final-runs comparison. */
  public static final String FINAL_Y_LABEL = "Validation loss (cross-entropy)";

  /** Horizontal axis label for epochs. */
  public static final String EPOCH_LABEL = "Epoch";

  /** Legend suffix of a training curve: {@code "Adam (train)"}. */
  public static final String TRAIN_SUFFIX = " (train)";

  /**
   * One curve.
   *
   * @param name legend name (e.g. {@code "DynamicBlended"})
   * @param epochs strictly increasing epoch numbers, at least one
   * @param values the main curve (e.g. validation loss), one per epoch
   * @param trainValues the optional companion curve drawn dashed (e.g. training loss): empty, or
   *     one per epoch
   */
  public record Curve(String name, int[] epochs, double[] values, double[] trainValues) {
    public Curve {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("curve name must not be blank");
      }
      if (epochs == null || epochs.length == 0) {
        throw new IllegalArgumentException("curve '" + name + "': epochs must not be empty");
      }
      if (values == null || values.length != epochs.length) {
        throw new IllegalArgumentException(
            "curve '" + name + "': values has " + (values == null ? "no" : values.length)
                + " entries but epochs has " + epochs.length);
      }
      if (trainValues == null) {
        trainValues = new double[0];
      }
      if (trainValues.length != 0 && trainValues.length != epochs.length) {
        throw new IllegalArgumentException(
            "curve '" + name + "': trainValues has " + trainValues.length
                + " entries but epochs has " + epochs.length + " (give none or one per epoch)");
      }
      for (int i = 1; i < epochs.length; i++) {
        if (epochs[i] <= epochs[i - 1]) {
          throw new IllegalArgumentException(
              "curve '" + name + "': epochs must be strictly increasing, but epochs[" + i + "]="
                  + epochs[i] + " follows " + epochs[i - 1]);
        }
      }
      epochs = epochs.clone();
      values = values.clone();
      trainValues = trainValues.clone();
    }

    /** A curve over epochs 1..n, without a training curve. */
    public static Curve of(String name, double[] values) {
      return new Curve(name, oneBased(values == null ? 0 : values.length), values, null);
    }

    /** A curve over epochs 1..n with its training curve (same length). */
    public static Curve of(String name, double[] values, double[] trainValues) {
      return new Curve(name, oneBased(values == null ? 0 : values.length), values, trainValues);
    }

    @Override
    public int[] epochs() {
      return epochs.clone();
    }

    @Override
    public double[] values() {
      return values.clone();
    }

    @Override
    public double[] trainValues() {
      return trainValues.clone();
    }

    /** Whether a training curve is present. */
    public boolean hasTrain() {
      return trainValues.length > 0;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Curve c
          && name.equals(c.name)
          && Arrays.equals(epochs, c.epochs)
          && Arrays.equals(values, c.values)
          && Arrays.equals(trainValues, c.trainValues);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * (31 * name.hashCode() + Arrays.hashCode(epochs)) + Arrays.hashCode(values))
          + Arrays.hashCode(trainValues);
    }

    @Override
    public String toString() {
      return "Curve[name=" + name + ", epochs=" + Arrays.toString(epochs) + ", values="
          + Arrays.toString(values) + ", trainValues=" + Arrays.toString(trainValues) + "]";
    }

    private static int[] oneBased(int n) {
      int[] e = new int[n];
      for (int i = 0; i < n; i++) {
        e[i] = i + 1;
      }
      return e;
    }
  }

  public LearningCurveChartData {
    if (title == null || title.isBlank()) {
      throw new IllegalArgumentException("title must not be blank");
    }
    if (xLabel == null || yLabel == null) {
      throw new IllegalArgumentException("xLabel and yLabel must not be null");
    }
    if (curves == null || curves.isEmpty()) {
      throw new IllegalArgumentException("curves must not be empty");
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < curves.size(); i++) {
      Curve c = curves.get(i);
      if (c == null) {
        throw new IllegalArgumentException("curves[" + i + "] must not be null");
      }
      if (!names.add(c.name())) {
        throw new IllegalArgumentException("curves[" + i + "]: name '" + c.name() + "' appears twice");
      }
    }
    curves = List.copyOf(curves);
  }

  /**
   * The final-runs comparison: title {@value #FINAL_TITLE}, axes {@value #EPOCH_LABEL} and
   * {@value #FINAL_Y_LABEL}.
   */
  public static LearningCurveChartData finalComparison(List<Curve> curves) {
    return new LearningCurveChartData(FINAL_TITLE, EPOCH_LABEL, FINAL_Y_LABEL, curves);
  }

  /** Whether any curve has a training curve (and the chart shows dashed lines). */
  public boolean hasTrain() {
    return curves.stream().anyMatch(Curve::hasTrain);
  }
}
