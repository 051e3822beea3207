package dev.tfblend.cli;

import dev.tfblend.config.TuneConfig;
import dev.tfblend.config.TuneConfigLoader;
import dev.tfblend.experiment.TuneExperiment;
import dev.tfblend.experiment.TuneResults;
import dev.tfblend.BadInputException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tf-blend tune}: the whole study, from search to final runs, plots, report and SavedModels. */
@Command(
    name = "tune",
    mixinStandardHelpOptions = true,
    header = "Run the whole study: tune, final runs, plots, report, SavedModels.",
    description = {
      "Tunes the blended optimizer, Adam and SGD-momentum on MNIST-1D (one study each), trains"
          + " the best of each again, and writes runs/<study>/{results.json, report.md, report.html,"
          + " manifest.json, *.png, tensorboard/, study.db} and"
          + " saved-models/<study>/{DynamicBlended,Adam,SGD,gate}/. Defaults"
          + " reproduce the published study (configs/seed-experiment.json, embedded).",
      "Rerunning with the same --study resumes it: finished trials are kept.",
      "Processes started with the same --study on one --storage share each study's budget;"
          + " one of them does the final runs and writes the outputs, the others exit 0 naming it."
    })
public final class TuneCommand implements Callable<Integer> {
  /** Options named after the config fields they set (see {@link OptionFields}). */
  private static final List<String> CONFIG_OPTIONS =
      List.of("trials", "budgetPerParameter", "epochs", "seed", "finalSeeds", "repeats", "jobs", "optimizers", "sampler");

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin ConfigOptions common;

  @Option(names = "--trials", paramLabel = "N", description = "Trials per optimizer (default 5).")
  Integer trials;

  @Option(names = "--budget-per-parameter", paramLabel = "K",
      description = "Give each study K trials per tuned hyperparameter (its search space's size) instead of --trials.")
  Integer budgetPerParameter;

  @Option(names = "--seeds", paramLabel = "N",
      description = "Final runs per optimizer, on seeds S+1000 .. S+1000+N-1; N > 1 adds means, spreads and a paired comparison (default 1).")
  Integer finalSeeds;

  @Option(names = "--repeats", paramLabel = "N",
      description = "Whole studies (search and final runs) on study seeds S, S+1, ..., S+N-1; N > 1 adds per-optimizer means, 95%% intervals and paired tests over the repeats (default 1).")
  Integer repeats;

  @Option(names = "--jobs", paramLabel = "N",
      description = "Trials of a study run at once in this process, each on its own graph (default: the number of"
          + " available processors; 1 runs them one after another). Final runs stay sequential.")
  Integer jobs;

  @Option(names = "--set", paramLabel = "FIELD=VALUE",
      description = "Override a config field (trial_seeds=3, pruner=median, model.init=torch-default, data.validation=test, search.Adam.fixed.beta1=0.95, ...). Repeatable.")
  List<String> sets = new java.util.ArrayList<>();

  @Option(names = "--optimizers", split = ",", paramLabel = "NAME",
      description = "Subset of studies to run, comma-separated (default DynamicBlended,Adam,SGD).")
  List<String> optimizers;

  @Option(names = "--sampler", paramLabel = "NAME", description = "tpe (default), tpe-multivariate or random.")
  String sampler;

  @Option(names = "--storage", paramLabel = "SPEC",
      description = "Where the studies live: sqlite:PATH or postgresql://HOST:PORT/DB?user=U (default sqlite:runs/<study>/study.db).")
  String storage;

  @Option(names = "--study", paramLabel = "NAME",
      description = "Run name; an existing one is resumed: finished trials are kept and only missing trials run (default: tune-<timestamp>).")
  String study;

  @Option(names = "--runs-dir", paramLabel = "DIR", defaultValue = "runs",
      description = "Where run directories go (default: ${DEFAULT-VALUE}).")
  Path runsDir;

  @Option(names = "--saved-models-dir", paramLabel = "DIR", defaultValue = "saved-models",
      description = "Where SavedModels go (default: ${DEFAULT-VALUE}).")
  Path savedModelsDir;

  @Option(names = {"-q", "--quiet"}, description = "Print only notices and the summary.")
  boolean quiet;

  @Option(names = "--stage", paramLabel = "STAGE",
      description = "all (default): tune until the budget is met, then final runs and outputs if this process claims"
          + " them; search: tune only; final: final runs and outputs from the stored studies.")
  String stage;

  @Option(names = "--force",
      description = "With --stage final: run the final runs although a study has fewer finished trials than --trials,"
          + " or again after another process did them.")
  boolean force;

  @Option(names = "--storage-timeout", paramLabel = "SECONDS", defaultValue = "30",
      description = "Bound of every wait on the storage: connecting, each statement, each lock wait (default: ${DEFAULT-VALUE}).")
  double storageTimeout;

  @Option(names = "--heartbeat", paramLabel = "SECONDS", defaultValue = "2",
      description = "Interval of a running trial's heartbeat (default: ${DEFAULT-VALUE}).")
  double heartbeat;

  @Option(names = "--heartbeat-grace", paramLabel = "SECONDS",
      description = "Age of a heartbeat after which its trial counts as left by a dead process and runs again (default: 3 x --heartbeat).")
  Double heartbeatGrace;

  @Override
  public Integer call() {
    Map<String, Object> options = OptionFields.given(spec, CONFIG_OPTIONS);
    Map<String, String> names = new LinkedHashMap<>(OptionFields.optionByField(spec));
    if (common.epochs != null) {
      // --epochs sets the trials' epochs and the final runs' alike
      options.put("final_epochs", common.epochs);
      names.put("final_epochs", "--epochs");
    }
    TuneExperiment.Sharing sharing = sharing();
    TuneConfig cfg = TuneConfigLoader.resolve(common.config, options, names, sets);
    OutputFiles.requireWritableDirectory(runsDir, "--runs-dir");
    OutputFiles.requireWritableDirectory(savedModelsDir, "--saved-models-dir");
    java.io.PrintWriter err = spec.commandLine().getErr();
    TuneResults r;
    try {
      r = TuneExperiment.run(cfg, new TuneExperiment.Options(study, storage, runsDir, savedModelsDir,
          err, Launcher.interactive(), quiet, sharing));
    } catch (TuneExperiment.NotFinalProcess handoff) {
      err.println("tune " + handoff.handoff().runName() + ": " + handoff.handoff().message());
      err.flush();
      return 0;
    }
    java.io.PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "%n%-18s %12s %12s %10s %10s %12s%n", "optimizer", "val_loss", "val_acc",
        "test_loss", "test_acc", "published");
    r.optimizers().forEach((k, v) -> {
      Double pub = r.published() == null ? null : r.published().get(k);
      if (v.finalRun() == null) {
        out.printf(Locale.ROOT, "%-18s %12s %12s %10s %10s %12s%n", k, "-", "-", "-", "-", pub == null ? "-" : pub);
      } else {
        out.printf(Locale.ROOT, "%-18s %12.4f %12.4f %10.4f %10.4f %12s%n", k, v.finalRun().finalValLoss(),
            v.finalRun().finalValAccuracy(), v.finalRun().testLoss(), v.finalRun().testAccuracy(),
            pub == null ? "-" : String.format(Locale.ROOT, "%.4f", pub));
      }
    });
    if (r.published() == null) {
      out.printf(Locale.ROOT, "(%s)%n", r.publishedReference());
    }
    if (r.summary() != null && r.summary().values().stream().anyMatch(m -> m.containsKey("test_loss")
        && m.get("test_loss").n() > 1)) {
      boolean repeats = "repeats".equals(r.units());
      out.printf(Locale.ROOT, "%n%s%ntest loss (primary endpoint) over %s:%n%-15s %4s %10s %10s %22s%n",
          repeats ? "(the table above: the first repeat's first final seed)" : "(the table above: the first final seed)",
          repeats ? "repeats" : "final seeds", "optimizer", "n", "mean", "sd", "95% CI");
      r.summary().forEach((k, m) -> {
        dev.tfblend.stats.Summary s = m.get("test_loss");
        if (s != null) {
          out.printf(Locale.ROOT, "%-15s %4d %10.4f %10s %22s%n", k, s.n(), s.mean(),
              s.sd() == null ? "-" : String.format(Locale.ROOT, "%.4f", s.sd()),
              s.ci95() == null ? "-" : String.format(Locale.ROOT, "[%.4f, %.4f]", s.ci95().lo(), s.ci95().hi()));
        }
      });
      out.printf(Locale.ROOT, "paired comparisons: report.md%n");
    }
    out.printf(Locale.ROOT, "%nrun %s finished in %.1f s: %s%n", r.studyName(), r.wallSeconds(),
        runsDir.resolve(r.studyName()).resolve("report.md"));
    out.flush();
    return 0;
  }

  private TuneExperiment.Sharing sharing() {
    TuneExperiment.Stage st;
    try {
      st = stage == null ? TuneExperiment.Stage.ALL : TuneExperiment.Stage.valueOf(stage.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw BadInputException.of("--stage must be all, search or final, got %s", stage);
    }
    if (st != TuneExperiment.Stage.ALL && study == null) {
      throw BadInputException.of("--stage %s needs --study NAME (the run whose studies to use)", stage);
    }
    if (force && st != TuneExperiment.Stage.FINAL) {
      throw BadInputException.of("--force applies to --stage final only");
    }
    return new TuneExperiment.Sharing(st, force, seconds("--storage-timeout", storageTimeout),
        seconds("--heartbeat", heartbeat), heartbeatGrace == null ? null : seconds("--heartbeat-grace", heartbeatGrace));
  }

  private static Duration seconds(String option, double s) {
    if (!(s > 0) || Double.isInfinite(s) || s > 86_400) {
      throw BadInputException.of("%s must be a number of seconds in (0, 86400], got %s", option, s);
    }
    return Duration.ofMillis(Math.max(1, Math.round(s * 1000)));
  }
}
