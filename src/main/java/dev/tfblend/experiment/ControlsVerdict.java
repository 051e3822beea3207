package dev.tfblend.experiment;

import dev.tfblend.stats.Better;
import dev.tfblend.stats.PairedComparison;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's test-loss comparison of the blend ({@code DynamicBlended}) against every other
 * optimizer of a run, paired over final runs (final run {@code k} of every optimizer uses seed
 * {@code seed + 1000 + k}), and the verdict sentence those numbers give. Per pair: the mean
 * difference (blend minus other; negative favours the blend), the paired effect size
 * {@code d_z = mean / sd} of the differences, Wilcoxon signed-rank and sign test p-values
 * ({@link PairedComparison}). The verdict counts only differences with Wilcoxon {@code p < 0.05}.
 */
final class ControlsVerdict {
  private ControlsVerdict() {}

  /** The study key of the meta-learned blend, compared with every other optimizer. */
  static final String BLEND = "DynamicBlended";

  /** Significance level of the verdict. */
  static final double ALPHA = 0.05;

  /** Markdown lines, or none when the run has no blend or fewer than two paired final runs. */
  static List<String> lines(Map<String, TuneResults.OptimizerResult> results) {
    TuneResults.OptimizerResult blend = results.get(BLEND);
    if (blend == null || blend.finalRuns() == null || blend.finalRuns().size() < 2) {
      return List.of();
    }
    double[] x = testLosses(blend);
    List<String> lines = new ArrayList<>();
    List<String> better = new ArrayList<>();
    List<String> worse = new ArrayList<>();
    List<String> compared = new ArrayList<>();
    for (Map.Entry<String, TuneResults.OptimizerResult> e : results.entrySet()) {
      if (e.getKey().equals(BLEND) || e.getValue().finalRuns() == null) {
        continue;
      }
      double[] y = testLosses(e.getValue());
      if (y.length != x.length || !allFinite(x) || !allFinite(y)) {
        lines.add(String.format(Locale.ROOT, "- Test loss, blend vs %s: not compared (unequal or non-finite final runs).",
            e.getKey()));
        continue;
      }
      PairedComparison p = PairedComparison.of(BLEND, e.getKey(), "test_loss", Better.LOWER, x, y);
      double sd = sd(x, y);
      String dz = sd > 0 ? String.format(Locale.ROOT, "%+.2f", p.meanDiff() / sd) : "n/a";
      lines.add(String.format(Locale.ROOT, "- Test loss, blend minus %s: %+.4f over %d paired runs (blend lower in %d), "
          + "effect size d_z %s, Wilcoxon p %s, sign test p %s.", e.getKey(), p.meanDiff(), p.n(), p.aBetter(), dz,
          fmt(p.wilcoxonP()), fmt(p.signP())));
      compared.add(e.getKey());
      if (p.wilcoxonP() != null && p.wilcoxonP() < ALPHA) {
        (p.meanDiff() < 0 ? better : worse).add(e.getKey());
      }
    }
    if (!compared.isEmpty()) {
      lines.add("- **Verdict (test loss, Wilcoxon, 5% level):** " + verdict(compared, better, worse, x.length));
    }
    return lines;
  }

  private static String verdict(List<String> compared, List<String> better, List<String> worse, int n) {
    if (better.isEmpty() && worse.isEmpty()) {
      return String.format(Locale.ROOT, "no significant difference at the 5%% level between the blend and any of %s "
          + "over %d paired runs.", String.join(", ", compared), n);
    }
    StringBuilder sb = new StringBuilder();
    if (!better.isEmpty()) {
      sb.append("the blend has a significantly lower test loss than ").append(String.join(", ", better)).append("; ");
    }
    if (!worse.isEmpty()) {
      sb.append("a significantly higher test loss than ").append(String.join(", ", worse)).append("; ");
    }
    List<String> rest = new ArrayList<>(compared);
    rest.removeAll(better);
    rest.removeAll(worse);
    sb.append(rest.isEmpty() ? "every comparison is significant" : "no significant difference from "
        + String.join(", ", rest)).append(String.format(Locale.ROOT, " (%d paired runs).", n));
    return sb.toString();
  }

  private static double[] testLosses(TuneResults.OptimizerResult r) {
    return r.finalRuns().stream().mapToDouble(TuneResults.FinalRun::testLoss).toArray();
  }

  private static boolean allFinite(double[] v) {
    for (double d : v) {
      if (!Double.isFinite(d)) {
        return false;
      }
    }
    return true;
  }

  private static double sd(double[] x, double[] y) {
    int n = x.length;
    double m = 0;
    for (int i = 0; i < n; i++) {
      m += x[i] - y[i];
    }
    m /= n;
    double ss = 0;
    for (int i = 0; i < n; i++) {
      double d = x[i] - y[i] - m;
      ss += d * d;
    }
    return n < 2 ? 0 : Math.sqrt(ss / (n - 1));
  }

  private static String fmt(Double p) {
    return p == null ? "n/a" : String.format(Locale.ROOT, "%.3g", p);
  }
}
