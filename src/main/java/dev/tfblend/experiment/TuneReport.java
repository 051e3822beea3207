package dev.tfblend.experiment;

import dev.tfblend.config.TuneConfig;
import dev.tfblend.plot.MarkdownTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes {@code report.md}: what ran, the figures beside the published ones, and what they support. */
final class TuneReport {
  private TuneReport() {}

  static String markdown(TuneResults r, TuneConfig config, List<String> charts) {
    StringBuilder md = new StringBuilder();
    md.append("# tf-blend tune: ").append(r.studyName()).append("\n\n");
    if (config.description() != null) {
      md.append(config.description()).append("\n\n");
    }
    md.append(String.format(Locale.ROOT,
        "Seed %d; budget %s (%s sampler, %s pruner), %d epochs per trial at batch %d; "
            + "final runs: %d epochs x %d seed(s). Studies stored in `%s`. Wall time %.1f s "
            + "(of which %.1f s loading TensorFlow).%n%n",
        config.seed(), config.budgetRule(), config.sampler(), config.pruner(), config.epochs(), config.batchSize(),
        config.finalEpochs(), config.finalSeeds(), r.storage(), r.wallSeconds(), r.tensorflowLoadSeconds()));
    if (config.sampler().startsWith("tpe") && config.trials() <= 10) {
      md.append("**Note:** TPE samples randomly for its first 10 trials; with ").append(config.trials())
          .append(" trials per optimizer these studies are random searches.\n\n");
    }

    md.append("## Final runs\n\n");
    MarkdownTable t = new MarkdownTable("optimizer", "final val loss", "val accuracy", "test loss",
        "test accuracy", "published val loss");
    for (Map.Entry<String, TuneResults.OptimizerResult> e : r.optimizers().entrySet()) {
      TuneResults.FinalRun f = e.getValue().finalRun();
      Double pub = r.published().get(e.getKey());
      if (f == null) {
        t.addRow(e.getKey(), null, null, null, null, pub);
      } else {
        t.addRow(e.getKey(), mean(e.getValue().finalRuns(), true), mean(e.getValue().finalRuns(), false),
            f.testLoss(), f.testAccuracy(), pub);
      }
    }
    md.append(t.render()).append('\n');
    if (config.finalSeeds() > 1) {
      md.append(String.format(Locale.ROOT,
          "Validation figures are means over %d final seeds; test figures are from the first seed.%n%n",
          config.finalSeeds()));
      MarkdownTable sd = new MarkdownTable("optimizer", "mean final val loss", "sd", "min", "max");
      for (Map.Entry<String, TuneResults.OptimizerResult> e : r.optimizers().entrySet()) {
        List<TuneResults.FinalRun> runs = e.getValue().finalRuns();
        if (runs.isEmpty()) {
          continue;
        }
        double[] v = runs.stream().mapToDouble(TuneResults.FinalRun::finalValLoss).toArray();
        sd.addRow(e.getKey(), mean(runs, true), sdev(v), java.util.Arrays.stream(v).min().orElse(Double.NaN),
            java.util.Arrays.stream(v).max().orElse(Double.NaN));
      }
      md.append(sd.render()).append('\n');
    }
    if (!r.comparison().isEmpty()) {
      md.append("### Blend against each baseline (paired by seed)\n\n");
      MarkdownTable c = new MarkdownTable("baseline", "seeds", "mean(blend - baseline)", "sd", "t", "blend wins");
      r.comparison().forEach((k, v) -> c.addRow(k, v.n(), v.meanDifference(), v.sdDifference(), v.tStatistic(),
          v.blendWins() + "/" + v.n()));
      md.append(c.render()).append('\n');
    }

    md.append("## Best parameters\n\n");
    MarkdownTable bp = new MarkdownTable("optimizer", "best trial value", "parameters");
    r.optimizers().forEach((k, v) -> bp.addRow(k, v.bestValue(), v.bestParams() == null ? "—" : format(v.bestParams())));
    md.append(bp.render()).append('\n');

    md.append("## Trials\n\n");
    for (Map.Entry<String, TuneResults.OptimizerResult> e : r.optimizers().entrySet()) {
      md.append("### ").append(e.getKey()).append("\n\n");
      MarkdownTable tt = new MarkdownTable("trial", "state", "value", "parameters", "note");
      for (TuneResults.TrialRecord tr : e.getValue().trials()) {
        tt.addRow(tr.number(), tr.state(), tr.value(), format(tr.params()), tr.failReason() == null ? "" : tr.failReason());
      }
      md.append(tt.render()).append('\n');
      md.append(String.format(Locale.ROOT, "Graph built once in %.2f s; mean %s per trial.%n%n",
          e.getValue().graphBuildSeconds(), e.getValue().meanTrialSeconds() == null ? "— (no trial ran here)"
              : String.format(Locale.ROOT, "%.2f s of training", e.getValue().meanTrialSeconds())));
    }

    md.append("## Charts\n\n");
    for (String c : charts) {
      md.append("![").append(c).append("](").append(c).append(")\n\n");
    }

    md.append("## What this run supports\n\n");
    md.append(statement(r, config));
    return md.toString();
  }

  private static String statement(TuneResults r, TuneConfig config) {
    List<String> lines = new ArrayList<>();
    List<Map.Entry<String, TuneResults.OptimizerResult>> ranked = new ArrayList<>(r.optimizers().entrySet());
    ranked.removeIf(e -> e.getValue().finalRun() == null);
    ranked.sort((a, b) -> Double.compare(mean(a.getValue().finalRuns(), true), mean(b.getValue().finalRuns(), true)));
    if (!ranked.isEmpty()) {
      StringBuilder order = new StringBuilder();
      for (Map.Entry<String, TuneResults.OptimizerResult> e : ranked) {
        if (order.length() > 0) {
          order.append(" < ");
        }
        order.append(String.format(Locale.ROOT, "%s %.4f", e.getKey(), mean(e.getValue().finalRuns(), true)));
      }
      lines.add("- Final validation loss in this run: " + order + ".");
      StringBuilder pub = new StringBuilder();
      List<Map.Entry<String, Double>> published = new ArrayList<>(r.published().entrySet());
      published.sort(Map.Entry.comparingByValue());
      for (Map.Entry<String, Double> e : published) {
        if (pub.length() > 0) {
          pub.append(" < ");
        }
        pub.append(String.format(Locale.ROOT, "%s %.4f", e.getKey(), e.getValue()));
      }
      lines.add("- The published run reported: " + pub + ".");
      boolean sameOrder = ranked.size() == published.size();
      for (int i = 0; sameOrder && i < ranked.size(); i++) {
        sameOrder = ranked.get(i).getKey().equals(published.get(i).getKey());
      }
      lines.add(sameOrder ? "- This run ranks the optimizers as the published run did."
          : "- This run does not rank the optimizers as the published run did.");
      StringBuilder gaps = new StringBuilder();
      for (Map.Entry<String, TuneResults.OptimizerResult> e : ranked) {
        Double pubValue = r.published().get(e.getKey());
        if (pubValue != null) {
          if (gaps.length() > 0) {
            gaps.append(", ");
          }
          gaps.append(String.format(Locale.ROOT, "%s %+.4f", e.getKey(), mean(e.getValue().finalRuns(), true) - pubValue));
        }
      }
      if (gaps.length() > 0) {
        lines.add("- Final validation loss minus the published figure: " + gaps + ".");
      }
      for (Map.Entry<String, TuneResults.OptimizerResult> e : ranked) {
        TuneResults.FinalRun f = e.getValue().finalRun();
        if (f.alpha() != null && !f.alpha().isEmpty()) {
          double lo = f.alpha().stream().mapToDouble(TuneResults.AlphaEpoch::min).min().orElse(Double.NaN);
          double hi = f.alpha().stream().mapToDouble(TuneResults.AlphaEpoch::max).max().orElse(Double.NaN);
          TuneResults.AlphaEpoch last = f.alpha().get(f.alpha().size() - 1);
          lines.add(String.format(Locale.ROOT, "- %s's alpha (weight on Adam) stayed in [%.3f, %.3f] over its first "
              + "final run; last-epoch mean %.3f.", e.getKey(), lo, hi, last.mean()));
        }
      }
    }
    if (config.finalSeeds() == 1) {
      lines.add("- One final seed per optimizer: a single run per optimizer cannot separate a difference between "
          + "optimizers from seed-to-seed variation, so this run alone does not show that one optimizer is "
          + "better. Rerun with `--seeds N` for means, spreads and a paired comparison.");
    } else {
      lines.add(String.format(Locale.ROOT, "- %d final seeds per optimizer; see the paired comparison above "
          + "(|t| well above 2 with all seeds agreeing is the least one should ask before calling a difference real).",
          config.finalSeeds()));
    }
    lines.addAll(ControlsVerdict.lines(r.optimizers()));
    StringBuilder dims = new StringBuilder();
    for (String k : config.optimizers()) {
      if (dims.length() > 0) {
        dims.append(", ");
      }
      dims.append(k).append(' ').append(config.search().get(k).space().size());
    }
    lines.add(String.format(Locale.ROOT, "- Budget: %s; hyperparameters searched: %s. "
        + "With the same number of trials, a larger space is searched more thinly.", config.budgetRule(), dims));
    lines.add("- Tuning scores the validation split that the blend's gate also meta-trains on (its meta "
        + "batches are drawn from it); the test split is untouched until the final runs.");
    return String.join("\n", lines) + "\n";
  }

  private static double mean(List<TuneResults.FinalRun> runs, boolean loss) {
    return runs.stream().mapToDouble(f -> loss ? f.finalValLoss() : f.finalValAccuracy()).average().orElse(Double.NaN);
  }

  private static Double sdev(double[] v) {
    if (v.length < 2) {
      return null;
    }
    double m = java.util.Arrays.stream(v).average().orElse(Double.NaN);
    double ss = 0;
    for (double x : v) {
      ss += (x - m) * (x - m);
    }
    return Math.sqrt(ss / (v.length - 1));
  }

  private static String format(Map<String, ?> params) {
    if (params == null || params.isEmpty()) {
      return "—";
    }
    StringBuilder sb = new StringBuilder();
    params.forEach((k, v) -> {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(k).append(" = ").append(v instanceof Number n ? String.format(Locale.ROOT, "%.4g", n.doubleValue()) : v);
    });
    return sb.toString();
  }
}
