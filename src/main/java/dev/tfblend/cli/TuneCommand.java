package dev.tfblend.cli;

import dev.tfblend.config.TuneConfig;
import dev.tfblend.config.TuneConfigLoader;
import dev.tfblend.experiment.TuneExperiment;
import dev.tfblend.experiment.TuneResults;
import java.nio.file.Path;
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
      "Tunes the blended optimizer, Adam and SGD-momentum on MNIST-1D (one study each),",
      "trains the best of each again, and writes runs/<study>/{results.json, report.md,",
      "manifest.json, *.png, study.db} and saved-models/<study>/{DynamicBlended,Adam,SGD,gate}/.",
      "Defaults reproduce the published study (configs/seed-experiment.json, embedded).",
      "Rerunning with the same --study resumes it: finished trials are kept."
    })
public final class TuneCommand implements Callable<Integer> {
  /** Options named after the config fields they set (see {@link OptionFields}). */
  private static final List<String> CONFIG_OPTIONS =
      List.of("trials", "budgetPerParameter", "epochs", "seed", "finalSeeds", "optimizers", "sampler");

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

  @Override
  public Integer call() {
    Map<String, Object> options = OptionFields.given(spec, CONFIG_OPTIONS);
    Map<String, String> names = new LinkedHashMap<>(OptionFields.optionByField(spec));
    if (common.epochs != null) {
      // --epochs sets the trials' epochs and the final runs' alike
      options.put("finalEpochs", common.epochs);
      names.put("finalEpochs", "--epochs");
    }
    TuneConfig cfg = TuneConfigLoader.resolve(common.config, options, names);
    OutputFiles.requireWritableDirectory(runsDir, "--runs-dir");
    OutputFiles.requireWritableDirectory(savedModelsDir, "--saved-models-dir");
    java.io.PrintWriter err = spec.commandLine().getErr();
    TuneResults r = TuneExperiment.run(cfg, new TuneExperiment.Options(study, storage, runsDir, savedModelsDir,
        err, Launcher.interactive(), quiet));
    java.io.PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "%n%-18s %12s %12s %10s %10s %12s%n", "optimizer", "val_loss", "val_acc",
        "test_loss", "test_acc", "published");
    r.optimizers().forEach((k, v) -> {
      Double pub = r.published().get(k);
      if (v.finalRun() == null) {
        out.printf(Locale.ROOT, "%-18s %12s %12s %10s %10s %12s%n", k, "-", "-", "-", "-", pub == null ? "-" : pub);
      } else {
        out.printf(Locale.ROOT, "%-18s %12.4f %12.4f %10.4f %10.4f %12s%n", k, v.finalRun().finalValLoss(),
            v.finalRun().finalValAccuracy(), v.finalRun().testLoss(), v.finalRun().testAccuracy(),
            pub == null ? "-" : String.format(Locale.ROOT, "%.4f", pub));
      }
    });
    if (r.comparison() != null && !r.comparison().isEmpty()
        && r.comparison().values().iterator().next().n() > 1) {
      out.printf(Locale.ROOT, "(figures of the first final seed; means over seeds and the paired comparison are in report.md)%n");
    }
    out.printf(Locale.ROOT, "%nrun %s finished in %.1f s: %s%n", r.studyName(), r.wallSeconds(),
        runsDir.resolve(r.studyName()).resolve("report.md"));
    out.flush();
    return 0;
  }
}
