package dev.tfblend.train;

import com.google.common.base.Preconditions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The blend weight of every step of a blended run, and its per-epoch minimum, mean and maximum:
 * what {@code result.json} carries for the {@code blended} optimizer (see {@link #toJson()}).
 *
 * @param epochs per-epoch statistics, epoch 1 first (a run stopped early ends with its partial
 *     epoch)
 * @param perStep alpha at every step, in order (a copy is returned)
 */
public record AlphaTrace(List<EpochStats> epochs, double[] perStep) {

  /** The per-step output name the blended step records. */
  public static final String OUTPUT = "alpha";
  /** The per-step output: global L2 norm of the step's candidate Adam update. */
  public static final String ADAM_NORM = "update_norm_adam";
  /** The per-step output: global L2 norm of the step's candidate SGD-momentum update. */
  public static final String SGD_NORM = "update_norm_sgd";

  /** Alpha over one epoch's steps. */
  public record EpochStats(int epoch, long steps, double min, double mean, double max) {}

  public AlphaTrace {
    epochs = List.copyOf(epochs);
    perStep = perStep.clone();
  }

  @Override
  public double[] perStep() {
    return perStep.clone();
  }

  /** Whether {@code r} recorded alpha (a blended run). */
  public static boolean present(Trainer.Result r) {
    return r.stepOutputs().containsKey(OUTPUT);
  }

  /** The trace of a blended run's result. */
  public static AlphaTrace of(Trainer.Result r) {
    Preconditions.checkArgument(present(r), "the run recorded no alpha (not a blended run)");
    double[] a = r.stepOutputs().get(OUTPUT);
    List<EpochStats> stats = new ArrayList<>();
    int start = 0;
    int epoch = 0;
    for (Trainer.EpochRecord e : r.epochs()) {
      if (e.epoch() == 0) {
        continue;
      }
      epoch = e.epoch();
      int end = (int) Math.min(a.length, start + e.steps());
      stats.add(stats(epoch, a, start, end));
      start = end;
    }
    if (start < a.length) {
      stats.add(stats(epoch + 1, a, start, a.length));
    }
    return new AlphaTrace(stats, a);
  }

  private static EpochStats stats(int epoch, double[] a, int from, int to) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    double sum = 0;
    for (int i = from; i < to; i++) {
      min = Math.min(min, a[i]);
      max = Math.max(max, a[i]);
      sum += a[i];
    }
    int n = to - from;
    return n == 0 ? new EpochStats(epoch, 0, Double.NaN, Double.NaN, Double.NaN)
        : new EpochStats(epoch, n, min, sum / n, max);
  }

  /**
   * A JSON-ready map: {@code {"per_epoch": [{"epoch", "steps", "min", "mean", "max"}, ...],
   * "per_step": [float, ...]}} (per-step values as float32, which is what the graph computed).
   */
  public Map<String, Object> toJson() {
    List<Map<String, Object>> pe = new ArrayList<>();
    for (EpochStats s : epochs) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("epoch", s.epoch());
      m.put("steps", s.steps());
      m.put("min", s.min());
      m.put("mean", s.mean());
      m.put("max", s.max());
      pe.add(m);
    }
    float[] steps = new float[perStep.length];
    for (int i = 0; i < steps.length; i++) {
      steps[i] = (float) perStep[i];
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("per_epoch", pe);
    out.put("per_step", steps);
    return out;
  }
}
