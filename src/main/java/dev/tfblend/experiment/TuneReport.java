package dev.tfblend.experiment;

import dev.tfblend.config.TuneConfig;
import dev.tfblend.stats.PairedComparison;
import dev.tfblend.plot.MarkdownTable;
import dev.tfblend.train.BlendedStep;
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
    if (config.repeats() > 1) {
      md.append(String.format(Locale.ROOT, "%d repeats of the whole study (search and final runs) on study seeds "
          + "%d..%d.%n%n", config.repeats(), config.seed(), config.seed() + config.repeats() - 1));
    }
    md.append(String.format(Locale.ROOT, "Each trial is scored on %d seed(s) (%s): its value is the mean final "
        + "validation loss over them.%n%n", config.trialSeeds(), config.trialSeedMode()));
    if (r.validationLabel() != null) {
      md.append("**Validation rows: ").append(r.validation()).append(" (").append(r.validationLabel())
          .append(").** Every validation figure below is on these rows, so it is not a held-out figure.\n\n");
    }
    if (r.published() == null) {
      md.append("**").append(r.publishedReference() == null ? "no published reference" : r.publishedReference())
          .append(".**\n\n");
    }
    if (config.sampler().startsWith("tpe") && config.trials() <= 10) {
      md.append("**Note:** TPE samples randomly for its first 10 trials; with ").append(config.trials())
          .append(" trials per optimizer these studies are random searches.\n\n");
    }

    md.append(config.repeats() > 1 ? "## Final runs of repeat 0\n\n" : "## Final runs\n\n");
    String valHeader = "final val loss" + (r.validationLabel() == null ? "" : " (" + r.validationLabel() + ")");
    MarkdownTable t = r.published() != null
        ? new MarkdownTable("optimizer", valHeader, "val accuracy", "test loss", "test accuracy", "published val loss")
        : new MarkdownTable("optimizer", valHeader, "val accuracy", "test loss", "test accuracy");
    for (Map.Entry<String, TuneResults.OptimizerResult> e : r.optimizers().entrySet()) {
      TuneResults.FinalRun f = e.getValue().finalRun();
      List<Object> row = new ArrayList<>();
      row.add(e.getKey());
      if (f == null) {
        row.addAll(java.util.Arrays.asList(null, null, null, null));
      } else {
        row.addAll(List.of(mean(e.getValue().finalRuns(), true), mean(e.getValue().finalRuns(), false),
            f.testLoss(), f.testAccuracy()));
      }
      if (r.published() != null) {
        row.add(r.published().get(e.getKey()));
      }
      t.addRow(row.toArray());
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
    md.append(statistics(r));
    md.append(ControlsVerdict.section(r));
    md.append(winnersCurse(r));
    md.append(gate(r));
    md.append(fixedAlpha(r));
    md.append(switches(r));

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
      if (r.published() == null) {
        lines.add("- " + (r.publishedReference() == null ? "no published reference" : r.publishedReference()) + ".");
      } else {
        published(r, ranked, lines);
      }
      for (Map.Entry<String, TuneResults.OptimizerResult> e : ranked) {
        TuneResults.FinalRun f = e.getValue().finalRun();
        if (f.alpha() != null && !f.alpha().isEmpty()) {
          double lo = f.alpha().stream().mapToDouble(TuneResults.AlphaEpoch::min).min().orElse(Double.NaN);
          double hi = f.alpha().stream().mapToDouble(TuneResults.AlphaEpoch::max).max().orElse(Double.NaN);
          TuneResults.AlphaEpoch last = f.alpha().get(f.alpha().size() - 1);
          TuneResults.GateMovement g = f.gate();
          String moved = g == null ? "" : g.moved()
              ? String.format(Locale.ROOT, " The gate moved (more than %.2f from its start %.3f), toward %s's update.",
                  TuneResults.GateMovement.MOVED, g.start(), g.toward().equals("adam") ? "Adam" : "SGD")
              : String.format(Locale.ROOT, " The gate did not move (alpha stayed within %.2f of its start %.3f): "
                  + "the blend acted as a fixed mix.", TuneResults.GateMovement.MOVED, g.start());
          // the final run's values: the horizon may be fixed or drawn by the search
          BlendedStep.Horizon h = BlendedStep.Horizon.of(f.params() == null ? Map.of() : f.params());
          lines.add(String.format(Locale.ROOT, "- %s's alpha (weight on Adam) stayed in [%.3f, %.3f] over its first "
              + "final run; last-epoch mean %.3f.%s Its gate was meta-trained through a %d-step look-ahead (%s "
              + "meta-gradient, the model applying %s).", e.getKey(), lo, hi, last.mean(), moved, h.steps(),
              h.metaGradient(), h.applyAll() ? "all of its steps" : "the first step"));
        }
      }
    }
    if (config.repeats() > 1) {
      lines.add(String.format(Locale.ROOT, "- %d whole studies: see the tables over the repeats above (primary "
          + "endpoint test loss). With %d repeats, a paired difference is supported when its Wilcoxon p is below "
          + "0.05 and its interval excludes 0; the paired table does not correct for multiple comparisons, the "
          + "blend's comparisons and verdict do (Holm).", config.repeats(), config.repeats()));
    } else if (config.finalSeeds() == 1) {
      lines.add("- One final seed per optimizer: a single run per optimizer cannot separate a difference between "
          + "optimizers from seed-to-seed variation, so this run alone does not show that one optimizer is "
          + "better. Rerun with `--repeats N` for whole studies repeated over seeds (or `--seeds N` for the spread of "
          + "the final runs alone).");
    } else {
      lines.add(String.format(Locale.ROOT, "- %d final seeds per optimizer of one search; see the paired comparison "
          + "above. It measures the spread of the final runs only, not of the search: `--repeats N` measures the "
          + "whole procedure.", config.finalSeeds()));
    }
    lines.addAll(ControlsVerdict.lines(r));
    StringBuilder dims = new StringBuilder();
    for (String k : config.optimizers()) {
      if (dims.length() > 0) {
        dims.append(", ");
      }
      dims.append(k).append(' ').append(config.search().get(k).space().size());
    }
    lines.add(String.format(Locale.ROOT, "- Budget: %s; hyperparameters searched: %s. "
        + "With the same number of trials, a larger space is searched more thinly.", config.budgetRule(), dims));
    switch (r.validation() == null ? "holdout" : r.validation()) {
      case "test" -> lines.add("- Tuning scores the test split (test used for selection), which the blend's gate "
          + "also meta-trains on: the test figures are not held out.");
      case "train" -> lines.add("- Tuning scores the training rows themselves (not held out), which the blend's "
          + "gate also meta-trains on: the validation figures are training figures.");
      default -> lines.add("- Tuning scores the validation split that the blend's gate also meta-trains on (its meta "
          + "batches are drawn from it); the test split is untouched until the final runs.");
    }
    return String.join("\n", lines) + "\n";
  }

  /** Summary and paired tables over the units (repeats or final seeds), test loss first. */
  private static String statistics(TuneResults r) {
    if (r.summary() == null || r.summary().isEmpty()) {
      return "";
    }
    StringBuilder md = new StringBuilder();
    boolean repeats = StudyStatistics.REPEATS.equals(r.units());
    md.append(repeats ? "## Over the repeats\n\n" : "## Over the final seeds\n\n");
    md.append(repeats ? "One figure per repeat (a whole study: search and final runs; the mean over its final "
        + "seeds when there are several). " : "One figure per final seed of the one search (the spread of the final "
        + "runs only, not of the search). ");
    md.append("**The primary endpoint is test loss**; test accuracy and final validation loss are secondary. "
        + "Intervals are two-sided 95% Student-t intervals of the mean.\n\n");
    MarkdownTable s = new MarkdownTable("optimizer", "metric", "n", "mean", "sd", "95% CI");
    r.summary().forEach((k, m) -> m.forEach((metric, v) -> s.addRow(k, metric, v.n(), v.mean(), v.sd(),
        v.ci95() == null ? "—" : String.format(Locale.ROOT, "[%.4f, %.4f]", v.ci95().lo(), v.ci95().hi()))));
    md.append(s.render()).append('\n');
    if (r.paired() != null && !r.paired().isEmpty()) {
      md.append("### Paired comparisons (a minus b, paired by ").append(repeats ? "repeat" : "final seed")
          .append(")\n\n");
      MarkdownTable p = new MarkdownTable("a", "b", "metric", "n", "mean diff", "95% CI", "a better",
          "Wilcoxon p", "sign p", "t p");
      for (String metric : TuneResults.METRICS) {
        for (PairedComparison c : r.paired()) {
          if (c.metric().equals(metric)) {
            p.addRow(c.a(), c.b(), c.metric(), c.n(), c.meanDiff(), c.ci95() == null ? "—"
                : String.format(Locale.ROOT, "[%.4f, %.4f]", c.ci95().lo(), c.ci95().hi()),
                c.aBetter() + "/" + c.n(), c.wilcoxonP(), c.signP(), c.tP());
          }
        }
      }
      md.append(p.render()).append('\n');
    }
    return md.toString();
  }

  /** Each optimizer's winner's curse: final validation loss minus its best trial's value. */
  private static String winnersCurse(TuneResults r) {
    if (r.repeats() == null || r.repeats().isEmpty()) {
      return "";
    }
    StringBuilder md = new StringBuilder("## Winner's curse\n\n");
    md.append("Final validation loss (mean over the final seeds) minus the best trial's value, per repeat; "
        + "\"trial sd\" is the spread between the study's completed trials. A curse larger than that spread "
        + "means the search's pick owed more to its seeds than the search can tell apart.\n\n");
    MarkdownTable t = new MarkdownTable("optimizer", "repeats", "mean curse", "max curse", "mean trial sd",
        "repeats with curse > trial sd");
    List<String> warnings = new ArrayList<>();
    for (String key : r.optimizers().keySet()) {
      List<Double> curses = new ArrayList<>();
      List<Double> sds = new ArrayList<>();
      int exceeded = 0;
      for (TuneResults.Repeat rep : r.repeats()) {
        TuneResults.RepeatResult o = rep.optimizers().get(key);
        if (o == null || o.winnersCurse() == null) {
          continue;
        }
        curses.add(o.winnersCurse());
        if (o.trialSd() != null) {
          sds.add(o.trialSd());
          if (o.winnersCurse() > o.trialSd()) {
            exceeded++;
          }
        }
      }
      if (curses.isEmpty()) {
        continue;
      }
      double meanCurse = curses.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      t.addRow(key, curses.size(), meanCurse, curses.stream().mapToDouble(Double::doubleValue).max().orElseThrow(),
          sds.isEmpty() ? null : sds.stream().mapToDouble(Double::doubleValue).average().orElseThrow(),
          exceeded + "/" + curses.size());
      if (exceeded > 0) {
        warnings.add(String.format(Locale.ROOT, "**Warning:** %s's winner's curse exceeds the spread between its "
            + "trials in %d of %d repeat(s): its best trial's value is not a reliable estimate of how its pick "
            + "does on other seeds (try `--set trial_seeds=3`).", key, exceeded, curses.size()));
      }
    }
    md.append(t.render()).append('\n');
    for (String w : warnings) {
      md.append(w).append("\n\n");
    }
    return md.toString();
  }

  /** Whether the blend's gate moved in each repeat's first final run, and toward which update. */
  private static String gate(TuneResults r) {
    if (r.repeats() == null) {
      return "";
    }
    StringBuilder md = new StringBuilder();
    for (String key : r.optimizers().keySet()) {
      MarkdownTable t = new MarkdownTable("repeat", "alpha start", "alpha min", "alpha max", "last-epoch mean",
          "moved", "toward");
      int moved = 0;
      int runs = 0;
      for (TuneResults.Repeat rep : r.repeats()) {
        TuneResults.RepeatResult o = rep.optimizers().get(key);
        if (o == null || o.finalRun() == null || o.finalRun().gate() == null) {
          continue;
        }
        TuneResults.GateMovement g = o.finalRun().gate();
        runs++;
        if (g.moved()) {
          moved++;
        }
        t.addRow(rep.repeat(), g.start(), g.min(), g.max(), g.end(), g.moved() ? "yes" : "no",
            g.toward() == null ? "—" : g.toward());
      }
      if (runs == 0) {
        continue;
      }
      md.append("## ").append(key).append("'s gate\n\n");
      md.append(String.format(Locale.ROOT, "Alpha is the weight on Adam's update. The gate counts as moved when "
          + "alpha gets more than %.2f from its first step's value; it moved in %d of %d first final run(s).%n%n",
          TuneResults.GateMovement.MOVED, moved, runs));
      md.append(t.render()).append('\n');
    }
    return md.toString();
  }

  /**
   * The alpha of the optimizers whose final runs record none because it follows from their
   * parameters: a fixed {@code alpha} (ConstantBlend) or a schedule from {@code alpha_start} to
   * {@code alpha_end} (ScheduledBlend), per repeat.
   */
  private static String fixedAlpha(TuneResults r) {
    if (r.repeats() == null || r.repeats().isEmpty()) {
      return "";
    }
    StringBuilder md = new StringBuilder();
    for (String key : r.optimizers().keySet()) {
      MarkdownTable t = null;
      for (TuneResults.Repeat rep : r.repeats()) {
        TuneResults.RepeatResult o = rep.optimizers().get(key);
        if (o == null || o.finalRun() == null || o.finalRun().params() == null
            || (o.finalRun().alphaPerStep() != null && o.finalRun().alphaPerStep().length > 0)) {
          continue;
        }
        Map<String, Double> p = o.finalRun().params();
        if (p.containsKey("alpha_start") && p.containsKey("alpha_end")) {
          if (t == null) {
            t = new MarkdownTable("repeat", "alpha at step 1", "alpha at the last step", "shape");
          }
          t.addRow(rep.repeat(), p.get("alpha_start"), p.get("alpha_end"),
              p.getOrDefault("cosine", 0.0) != 0 ? "cosine" : "linear");
        } else if (p.containsKey("alpha")) {
          if (t == null) {
            t = new MarkdownTable("repeat", "alpha (every step)");
          }
          t.addRow(rep.repeat(), p.get("alpha"));
        }
      }
      if (t != null) {
        md.append("## ").append(key).append("'s alpha\n\n");
        md.append("Its final runs record no alpha per step: alpha (the weight on Adam) follows from the tuned "
            + "parameters of each repeat's final run.\n\n");
        md.append(t.render()).append('\n');
      }
    }
    return md.toString();
  }

  /**
   * For each optimizer whose final runs record a switch step ({@code swats}): per repeat and final
   * seed, the step after which it switched to SGD, or "never".
   */
  private static String switches(TuneResults r) {
    List<TuneResults.Repeat> repeats = r.repeats() != null && !r.repeats().isEmpty() ? r.repeats() : null;
    StringBuilder md = new StringBuilder();
    for (String key : r.optimizers().keySet()) {
      MarkdownTable t = new MarkdownTable("repeat", "final seed", "switched to SGD", "SGD learning rate (Lambda)");
      int runs = 0;
      int switched = 0;
      int count = repeats == null ? 1 : repeats.size();
      for (int i = 0; i < count; i++) {
        List<TuneResults.FinalRun> finals;
        if (repeats == null) {
          finals = r.optimizers().get(key).finalRuns();
        } else {
          TuneResults.RepeatResult o = repeats.get(i).optimizers().get(key);
          finals = o == null ? null : o.finalRuns();
        }
        for (TuneResults.FinalRun f : finals == null ? List.<TuneResults.FinalRun>of() : finals) {
          Long step = f.switchStep();
          if (step == null) {
            continue;
          }
          runs++;
          Double lr = f.optimizerState().get("sgd_lr");
          if (step > 0) {
            switched++;
          }
          t.addRow(repeats == null ? 0 : repeats.get(i).repeat(), f.seed(),
              step > 0 ? "after step " + step : "never", step > 0 && lr != null ? lr : "—");
        }
      }
      if (runs == 0) {
        continue;
      }
      md.append("## ").append(key).append("'s switch to SGD\n\n");
      md.append(String.format(Locale.ROOT, "The step whose switching criterion held (SGD-momentum updates from the "
          + "next step on, at the estimated rate Lambda), per final run; it switched in %d of %d final run(s).%n%n",
          switched, runs));
      md.append(t.render()).append('\n');
    }
    return md.toString();
  }

  /** The lines comparing a run of the published protocol with the published figures. */
  private static void published(TuneResults r, List<Map.Entry<String, TuneResults.OptimizerResult>> ranked,
      List<String> lines) {
    StringBuilder pub = new StringBuilder();
    List<Map.Entry<String, Double>> published = new ArrayList<>(r.published().entrySet());
    published.sort(Map.Entry.comparingByValue());
    for (Map.Entry<String, Double> e : published) {
      if (pub.length() > 0) {
        pub.append(" < ");
      }
      pub.append(String.format(Locale.ROOT, "%s %.4f", e.getKey(), e.getValue()));
    }
    lines.add("- The published run of this protocol reported: " + pub + ".");
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
