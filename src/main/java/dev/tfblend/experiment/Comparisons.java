package dev.tfblend.experiment;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Paired comparisons of the blend's final runs against each baseline's, seed by seed. */
final class Comparisons {
  /** The study name of the blend in the default config. */
  static final String BLEND = "DynamicBlended";

  private Comparisons() {}

  /**
   * For each study other than the blend that has final runs, the blend's final validation loss
   * minus the baseline's over the seeds both ran (paired by position: final run k has seed
   * {@code seed + 1000 + k} in every study).
   */
  static Map<String, TuneResults.PairedComparison> paired(Map<String, TuneResults.OptimizerResult> results) {
    Map<String, TuneResults.PairedComparison> out = new LinkedHashMap<>();
    TuneResults.OptimizerResult blend = results.get(BLEND);
    if (blend == null || blend.finalRuns().isEmpty()) {
      return out;
    }
    for (Map.Entry<String, TuneResults.OptimizerResult> e : results.entrySet()) {
      if (e.getKey().equals(BLEND) || e.getValue().finalRuns().isEmpty()) {
        continue;
      }
      out.put(e.getKey(), compare(blend.finalRuns(), e.getValue().finalRuns()));
    }
    return out;
  }

  static TuneResults.PairedComparison compare(List<TuneResults.FinalRun> a, List<TuneResults.FinalRun> b) {
    int n = Math.min(a.size(), b.size());
    double[] d = new double[n];
    int wins = 0;
    for (int i = 0; i < n; i++) {
      d[i] = a.get(i).finalValLoss() - b.get(i).finalValLoss();
      if (d[i] < 0) {
        wins++;
      }
    }
    double mean = 0;
    for (double x : d) {
      mean += x / n;
    }
    Double sd = null;
    Double t = null;
    if (n > 1) {
      double ss = 0;
      for (double x : d) {
        ss += (x - mean) * (x - mean);
      }
      sd = Math.sqrt(ss / (n - 1));
      if (sd > 0) {
        t = mean / (sd / Math.sqrt(n));
      }
    }
    return new TuneResults.PairedComparison(n, mean, sd, t, wins);
  }
}
