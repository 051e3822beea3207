package dev.tfblend.experiment;

import dev.tfblend.stats.Better;
import dev.tfblend.stats.PairedComparison;
import dev.tfblend.stats.Summary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The summaries and paired comparisons of a {@code tune} run's final figures.
 *
 * <p>The unit is a repeat when more than one whole study ran (a repeat's figure is the mean over
 * its final seeds), otherwise a final seed of the one study. Summaries hold each optimizer's
 * mean, sd and 95% interval per metric; the paired comparisons take every pair of optimizers in
 * the given order, per metric, over the units both have figures for (losses: lower is better;
 * accuracy: higher).
 */
final class StudyStatistics {
  /** Unit name when several repeats ran. */
  static final String REPEATS = "repeats";
  /** Unit name for one repeat. */
  static final String FINAL_SEEDS = "final_seeds";

  private StudyStatistics() {}

  /** What {@link #of} computes. */
  record Computed(String units, Map<String, Map<String, Summary>> summary, List<PairedComparison> paired) {}

  /** The statistics of {@code repeats} for the optimizers of {@code order} (those that ran). */
  static Computed of(List<TuneResults.Repeat> repeats, List<String> order) {
    String units = units(repeats);
    Map<String, Map<String, double[]>> values = new LinkedHashMap<>();
    List<String> keys = new ArrayList<>();
    for (String key : order) {
      if (repeats.stream().noneMatch(r -> r.optimizers().containsKey(key))) {
        continue;
      }
      keys.add(key);
      Map<String, double[]> byMetric = new LinkedHashMap<>();
      for (String metric : TuneResults.METRICS) {
        byMetric.put(metric, unitValues(repeats, key, metric));
      }
      values.put(key, byMetric);
    }
    Map<String, Map<String, Summary>> summary = new LinkedHashMap<>();
    for (String key : keys) {
      Map<String, Summary> s = new LinkedHashMap<>();
      values.get(key).forEach((metric, v) -> {
        double[] finite = java.util.Arrays.stream(v).filter(Double::isFinite).toArray();
        if (finite.length > 0) {
          s.put(metric, Summary.of(finite));
        }
      });
      if (!s.isEmpty()) {
        summary.put(key, s);
      }
    }
    List<PairedComparison> paired = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      for (int j = i + 1; j < keys.size(); j++) {
        for (String metric : TuneResults.METRICS) {
          double[] x = values.get(keys.get(i)).get(metric);
          double[] y = values.get(keys.get(j)).get(metric);
          List<double[]> pairs = new ArrayList<>();
          for (int u = 0; u < Math.min(x.length, y.length); u++) {
            if (Double.isFinite(x[u]) && Double.isFinite(y[u])) {
              pairs.add(new double[] {x[u], y[u]});
            }
          }
          if (pairs.isEmpty()) {
            continue;
          }
          paired.add(PairedComparison.of(keys.get(i), keys.get(j), metric, better(metric),
              pairs.stream().mapToDouble(p -> p[0]).toArray(), pairs.stream().mapToDouble(p -> p[1]).toArray()));
        }
      }
    }
    return new Computed(units, summary, paired);
  }

  /** What the units of {@code repeats} are: {@link #REPEATS} for more than one, else {@link #FINAL_SEEDS}. */
  static String units(List<TuneResults.Repeat> repeats) {
    return repeats.size() > 1 ? REPEATS : FINAL_SEEDS;
  }

  /**
   * Optimizer {@code key}'s figure for {@code metric} per unit ({@link #units}): per repeat the
   * mean over its final runs (NaN for a repeat without final runs of {@code key}), or with one
   * repeat one value per final run (empty when it has none).
   */
  static double[] unitValues(List<TuneResults.Repeat> repeats, String key, String metric) {
    return units(repeats).equals(REPEATS) ? perRepeat(repeats, key, metric) : perSeed(repeats.get(0), key, metric);
  }

  /** The direction of {@code metric}: higher for accuracies, lower for losses. */
  static Better better(String metric) {
    return metric.endsWith("accuracy") ? Better.HIGHER : Better.LOWER;
  }

  /** A final run's figure for {@code metric} (one of {@link TuneResults#METRICS}). */
  static double figure(TuneResults.FinalRun f, String metric) {
    ToDoubleFunction<TuneResults.FinalRun> get = switch (metric) {
      case "test_loss" -> TuneResults.FinalRun::testLoss;
      case "test_accuracy" -> TuneResults.FinalRun::testAccuracy;
      case "val_loss" -> TuneResults.FinalRun::finalValLoss;
      default -> throw new IllegalArgumentException("unknown metric " + metric);
    };
    return get.applyAsDouble(f);
  }

  private static double[] perRepeat(List<TuneResults.Repeat> repeats, String key, String metric) {
    double[] v = new double[repeats.size()];
    for (int r = 0; r < repeats.size(); r++) {
      TuneResults.RepeatResult o = repeats.get(r).optimizers().get(key);
      v[r] = o == null || o.finalRuns() == null || o.finalRuns().isEmpty() ? Double.NaN
          : o.finalRuns().stream().mapToDouble(f -> figure(f, metric)).average().orElse(Double.NaN);
    }
    return v;
  }

  private static double[] perSeed(TuneResults.Repeat repeat, String key, String metric) {
    TuneResults.RepeatResult o = repeat.optimizers().get(key);
    if (o == null || o.finalRuns() == null) {
      return new double[0];
    }
    return o.finalRuns().stream().mapToDouble(f -> figure(f, metric)).toArray();
  }
}
