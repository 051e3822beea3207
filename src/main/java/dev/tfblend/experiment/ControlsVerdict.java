package dev.tfblend.experiment;

import dev.tfblend.plot.MarkdownTable;
import dev.tfblend.stats.Better;
import dev.tfblend.stats.Holm;
import dev.tfblend.stats.PairedComparison;
import dev.tfblend.stats.WilcoxonSignedRank;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report's test-loss comparison of the blend ({@code DynamicBlended}) against every other
 * optimizer of a run, and the verdict sentence those numbers give.
 *
 * <p>The unit is the one of {@link StudyStatistics#units}: with several repeats, one test loss
 * per optimizer per repeat (the mean over that repeat's final runs), paired by repeat; with one
 * repeat, one per final run, paired by final seed (final run {@code k} of every optimizer uses
 * seed {@code seed + 1000 + k}). Per comparison: the mean difference (blend minus other; negative
 * favours the blend) and its 95% interval, the number of units in which the blend is lower, the
 * paired effect size {@code d_z = mean / sd} of the differences, the two-sided Wilcoxon
 * signed-rank p (exact up to {@value WilcoxonSignedRank#EXACT_MAX_N} non-zero differences) and
 * the exact sign test p ({@link PairedComparison}), and the Wilcoxon p Holm-adjusted over all the
 * comparisons made ({@link Holm}). The verdict counts a difference as significant when its
 * Holm-adjusted Wilcoxon p is below {@value #ALPHA}. No comparison is made with fewer than two
 * units; an optimizer whose units differ in number from the blend's, or hold a non-finite test
 * loss (a diverged run), is listed as not compared.
 */
final class ControlsVerdict {
  private ControlsVerdict() {}

  /** The study key of the meta-learned blend, compared with every other optimizer. */
  static final String BLEND = "DynamicBlended";

  /** Significance level of the verdict (family-wise, after Holm's correction). */
  static final double ALPHA = 0.05;

  /**
   * The blend against one other optimizer.
   *
   * @param other the other optimizer's study key
   * @param paired blend ({@code a}) minus other ({@code b}) on test loss
   * @param dz the mean difference over its sample standard deviation, null when that is 0
   * @param holmP the Wilcoxon p Holm-adjusted over the verdict's comparisons (1 when the Wilcoxon
   *     p is undefined: every difference zero)
   */
  record Comparison(String other, PairedComparison paired, Double dz, double holmP) {
    /** Whether the difference is significant after the correction. */
    boolean significant() {
      return holmP < ALPHA;
    }

    /** Whether the uncorrected Wilcoxon p is below the level. */
    boolean significantUncorrected() {
      return paired.wilcoxonP() != null && paired.wilcoxonP() < ALPHA;
    }
  }

  /**
   * The comparisons of a run and its verdict.
   *
   * @param units {@link StudyStatistics#REPEATS} or {@link StudyStatistics#FINAL_SEEDS}
   * @param n units per optimizer (the blend's)
   * @param comparisons one per other optimizer compared, in run order
   * @param notCompared the other optimizers left out (unequal or non-finite units)
   * @param sentence the verdict sentence
   */
  record Verdict(String units, int n, List<Comparison> comparisons, List<String> notCompared, String sentence) {}

  /**
   * The verdict over {@code repeats} for the optimizers of {@code order}, or null when the run
   * has no blend, no other optimizer or fewer than two units of the blend.
   */
  static Verdict of(List<TuneResults.Repeat> repeats, List<String> order) {
    if (repeats == null || repeats.isEmpty() || !order.contains(BLEND)) {
      return null;
    }
    String units = StudyStatistics.units(repeats);
    double[] x = StudyStatistics.unitValues(repeats, BLEND, "test_loss");
    if (x.length < 2) {
      return null;
    }
    List<String> compared = new ArrayList<>();
    List<PairedComparison> pairs = new ArrayList<>();
    List<double[]> others = new ArrayList<>();
    List<String> notCompared = new ArrayList<>();
    for (String key : order) {
      if (key.equals(BLEND)) {
        continue;
      }
      double[] y = StudyStatistics.unitValues(repeats, key, "test_loss");
      if (y.length == 0) {
        continue;
      }
      if (y.length != x.length || !allFinite(x) || !allFinite(y)) {
        notCompared.add(key);
        continue;
      }
      compared.add(key);
      others.add(y);
      pairs.add(PairedComparison.of(BLEND, key, "test_loss", Better.LOWER, x, y));
    }
    if (compared.isEmpty() && notCompared.isEmpty()) {
      return null;
    }
    double[] raw = pairs.stream().mapToDouble(p -> p.wilcoxonP() == null ? 1.0 : p.wilcoxonP()).toArray();
    double[] holm = Holm.adjust(raw);
    List<Comparison> comparisons = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i++) {
      PairedComparison p = pairs.get(i);
      double sd = sdOfDifferences(x, others.get(i));
      comparisons.add(new Comparison(compared.get(i), p, sd > 0 ? p.meanDiff() / sd : null, holm[i]));
    }
    return new Verdict(units, x.length, List.copyOf(comparisons), List.copyOf(notCompared),
        sentence(comparisons, x.length, units));
  }

  /** The verdict of {@code r} (over its repeats, or its final seeds for one repeat), or null. */
  static Verdict of(TuneResults r) {
    return of(repeatsOf(r), List.copyOf(r.optimizers().keySet()));
  }

  /**
   * The report's section: what is compared, a table of the comparisons and the verdict; empty
   * when there is no verdict.
   */
  static String section(TuneResults r) {
    Verdict v = of(r);
    if (v == null) {
      return "";
    }
    boolean repeats = v.units().equals(StudyStatistics.REPEATS);
    String unit = repeats ? "repeat" : "final seed";
    StringBuilder md = new StringBuilder("## The blend against each other optimizer (test loss)\n\n");
    md.append(String.format(Locale.ROOT, "One test loss per optimizer per %s (%d %ss%s), paired by %s; the "
        + "difference is the blend's test loss minus the other's (negative favours the blend). d_z is the mean "
        + "difference over the sd of the differences. Wilcoxon signed-rank (two-sided, %s) and sign test (exact, "
        + "two-sided) p-values; **multiple comparisons: the Wilcoxon p-values are Holm-adjusted over the %d "
        + "comparison%s** (family-wise error rate %.0f%%), and the verdict counts an adjusted p below %.2f.%n%n",
        unit, v.n(), unit, repeats ? ": each the mean over that repeat's final runs" : " of one search", unit,
        v.n() <= WilcoxonSignedRank.EXACT_MAX_N ? "exact" : "normal approximation", v.comparisons().size(),
        v.comparisons().size() == 1 ? "" : "s", 100 * ALPHA, ALPHA));
    if (!v.comparisons().isEmpty()) {
      MarkdownTable t = new MarkdownTable("blend vs", "n", "mean diff", "95% CI", "blend lower", "d_z",
          "Wilcoxon p", "Wilcoxon p (Holm)", "sign p", "significant (Holm, 5%)");
      for (Comparison c : v.comparisons()) {
        PairedComparison p = c.paired();
        t.addRow(c.other(), p.n(), p.meanDiff(), p.ci95() == null ? "—"
            : String.format(Locale.ROOT, "[%.4f, %.4f]", p.ci95().lo(), p.ci95().hi()), p.aBetter() + "/" + p.n(),
            c.dz() == null ? "—" : String.format(Locale.ROOT, "%+.2f", c.dz()), fmt(p.wilcoxonP()),
            fmt(c.holmP()), fmt(p.signP()), c.significant() ? (p.meanDiff() < 0 ? "yes, blend lower" : "yes, blend higher")
                : "no");
      }
      md.append(t.render()).append('\n');
    }
    for (String k : v.notCompared()) {
      md.append("- ").append(k).append(": not compared (unequal numbers of ").append(unit)
          .append("s or a non-finite test loss).\n");
    }
    if (!v.notCompared().isEmpty()) {
      md.append('\n');
    }
    md.append("**Verdict (test loss, Wilcoxon, Holm-adjusted, 5% level):** ").append(v.sentence()).append("\n\n");
    return md.toString();
  }

  /** The verdict as one line of the report's closing notes, or none. */
  static List<String> lines(TuneResults r) {
    Verdict v = of(r);
    return v == null ? List.of() : List.of("- **Verdict (test loss, Wilcoxon, Holm-adjusted, 5% level):** " + v.sentence());
  }

  /** The run's repeats, or for results without them (older files) its optimizers as repeat 0. */
  private static List<TuneResults.Repeat> repeatsOf(TuneResults r) {
    if (r.repeats() != null && !r.repeats().isEmpty()) {
      return r.repeats();
    }
    Map<String, TuneResults.RepeatResult> m = new java.util.LinkedHashMap<>();
    r.optimizers().forEach((k, o) -> m.put(k, TuneResults.RepeatResult.of(o)));
    return List.of(new TuneResults.Repeat(0, r.seed(), r.studyName(), m));
  }

  private static String sentence(List<Comparison> comparisons, int n, String units) {
    String unit = units.equals(StudyStatistics.REPEATS) ? "repeats" : "final seeds";
    if (comparisons.isEmpty()) {
      return "no comparison possible (no other optimizer has finite test losses on the same " + unit + ").";
    }
    List<String> all = new ArrayList<>();
    List<String> better = new ArrayList<>();
    List<String> worse = new ArrayList<>();
    List<String> rawOnly = new ArrayList<>();
    for (Comparison c : comparisons) {
      all.add(c.other());
      if (c.significant()) {
        (c.paired().meanDiff() < 0 ? better : worse).add(c.other());
      } else if (c.significantUncorrected()) {
        rawOnly.add(String.format(Locale.ROOT, "%s (Wilcoxon p %s, Holm %s)", c.other(), fmt(c.paired().wilcoxonP()),
            fmt(c.holmP())));
      }
    }
    StringBuilder sb = new StringBuilder();
    if (better.isEmpty() && worse.isEmpty()) {
      sb.append(String.format(Locale.ROOT, "no significant difference at the 5%% level between the blend and any of "
          + "%s over %d paired %s.", String.join(", ", all), n, unit));
    } else {
      if (!better.isEmpty()) {
        sb.append("the blend has a significantly lower test loss than ").append(String.join(", ", better))
            .append("; ");
      }
      if (!worse.isEmpty()) {
        sb.append("a significantly higher test loss than ").append(String.join(", ", worse)).append("; ");
      }
      List<String> rest = new ArrayList<>(all);
      rest.removeAll(better);
      rest.removeAll(worse);
      sb.append(rest.isEmpty() ? "every comparison is significant" : "no significant difference from "
          + String.join(", ", rest)).append(String.format(Locale.ROOT, " (%d paired %s).", n, unit));
    }
    if (!rawOnly.isEmpty()) {
      sb.append(" Significant before the correction only: ").append(String.join(", ", rawOnly)).append('.');
    }
    double smallest = smallestWilcoxonP(n);
    if (smallest * comparisons.size() >= ALPHA) {
      sb.append(String.format(Locale.ROOT, " With %d pairs the smallest possible two-sided Wilcoxon p is %.3g "
          + "(%.3g after Holm over %d comparisons), so no difference can reach the 5%% level: more %s are needed.",
          n, smallest, Math.min(1, smallest * comparisons.size()), comparisons.size(), unit));
    }
    return sb.toString();
  }

  /** The smallest two-sided exact Wilcoxon p of {@code n} non-zero, untied differences: {@code 2 / 2^n}. */
  static double smallestWilcoxonP(int n) {
    return Math.min(1.0, 2.0 / Math.pow(2, n));
  }

  private static boolean allFinite(double[] v) {
    for (double d : v) {
      if (!Double.isFinite(d)) {
        return false;
      }
    }
    return true;
  }

  private static double sdOfDifferences(double[] x, double[] y) {
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
