package dev.tfblend.experiment;

import dev.tfblend.BadInputException;
import dev.tfblend.config.TuneConfig;
import dev.tfblend.config.TuneConfigLoader;
import dev.tfblend.data.DataSplits;
import dev.tfblend.model.Mlp;
import dev.tfblend.tune.Study;
import dev.tfblend.tune.storage.Storages;
import dev.tfblend.tune.storage.TrialStorage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The study as the user runs it ({@code tf-blend tune}): for each optimizer a tuning study, then
 * final runs with the best parameters, then results, plots, a report and SavedModels.
 *
 * <p>Each optimizer runs as an {@link OptimizerStudy} (trials scored by a {@link TuneObjective},
 * then final runs and SavedModels); the run's files are written by {@link TuneOutputs}.
 *
 * <p>Resuming: the studies live in {@code runs/<name>/study.db} (or the given storage). Running
 * again with the same name runs only the trials still missing, under the rules of {@link
 * StudyResume}.
 *
 * <p>Interrupting (Ctrl-C, SIGTERM): a shutdown hook {@linkplain Study#interrupt() interrupts}
 * the study being tuned, so its running trial ends as FAIL with reason {@value
 * Study#INTERRUPTED} and its parameters are queued again, and prints how to resume. A resume
 * right after the interrupt then runs that trial first; it need not wait for the heartbeat grace.
 */
public final class TuneExperiment {
  /** The published study's final validation losses. */
  public static final Map<String, Double> PUBLISHED = published();

  /**
   * Where and how to run.
   *
   * @param studyName the run's name, or {@code null} for a new {@code tune-<timestamp>} name
   * @param storage a storage spec ({@code sqlite:PATH}, {@code postgresql://...}), or
   *     {@code null} for {@code sqlite:runs/<name>/study.db}
   * @param runsRoot where run directories go ({@code runs})
   * @param savedModelsRoot where SavedModels go ({@code saved-models})
   * @param out progress and notices
   * @param interactive whether {@code out} is a terminal (progress redraws one line)
   * @param quiet print only notices and the summary
   */
  public record Options(String studyName, String storage, Path runsRoot, Path savedModelsRoot,
      PrintWriter out, boolean interactive, boolean quiet) {}

  private TuneExperiment() {}

  private static Map<String, Double> published() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("DynamicBlended", 0.7656);
    m.put("Adam", 1.0807);
    m.put("SGD", 0.8775);
    return Collections.unmodifiableMap(m);
  }

  /** Runs the whole study and writes its outputs; returns what {@code results.json} holds. */
  public static TuneResults run(TuneConfig config, Options options) {
    long t0 = System.nanoTime();
    String name = options.studyName() != null ? options.studyName() : newName(options.runsRoot());
    checkName(name);
    Path runDir = options.runsRoot().resolve(name);
    StudyResume.checkSameStudy(config, runDir.resolve(StudyResume.STUDY_CONFIG), name);
    try {
      Files.createDirectories(runDir);
    } catch (IOException e) {
      throw BadInputException.of("cannot create run directory %s: %s", runDir, e.getMessage());
    }
    TuneOutputs.writeJson(runDir.resolve(StudyResume.STUDY_CONFIG), TuneConfigLoader.toJson(config));
    String storageSpec = options.storage() != null ? options.storage()
        : "sqlite:" + runDir.resolve("study.db");
    TuneProgress progress = new TuneProgress(options.out(), options.interactive(), options.quiet());
    progress.info("tune " + name + ": " + config.optimizers().size() + " studies of " + config.trials()
        + " trials x " + config.epochs() + " epochs, storage " + storageSpec);

    // load the native library before any timing, so graph build times exclude it
    long tfStart = System.nanoTime();
    org.tensorflow.TensorFlow.version();
    double tfLoadSeconds = (System.nanoTime() - tfStart) / 1e9;
    DataSplits data = DataSources.load(config.data());
    Mlp mlp = config.model().toMlp();
    Map<String, TuneResults.OptimizerResult> results = new LinkedHashMap<>();
    AtomicReference<Study> tuning = new AtomicReference<>();
    Thread hook = new Thread(() -> onInterrupt(tuning.get(), name, storageSpec, progress), "tune-interrupt");
    Runtime.getRuntime().addShutdownHook(hook);
    try (TrialStorage storage = Storages.open(storageSpec)) {
      for (String key : config.optimizers()) {
        results.put(key, OptimizerStudy.run(key, config, mlp, data, storage, name, progress,
            options.savedModelsRoot().resolve(name), tuning));
      }
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook runs (or ran)
      }
    }
    TuneResults r = new TuneResults(TuneConfigLoader.toJson(config), config.seed(), name, storageSpec,
        results, PUBLISHED, Comparisons.paired(results), (System.nanoTime() - t0) / 1e9, tfLoadSeconds);
    List<String> pngs = TuneOutputs.write(r, config, runDir);
    progress.info("wrote " + runDir + "/{" + String.join(", ", List.of(TuneOutputs.RESULTS, TuneOutputs.REPORT,
        TuneOutputs.MANIFEST)) + ", " + String.join(", ", pngs) + "}");
    return r;
  }

  /** The shutdown hook's work: ends the running trial of {@code study} (if any) and says how to resume. */
  private static void onInterrupt(Study study, String name, String storageSpec, TuneProgress progress) {
    String ended = "";
    if (study != null) {
      try {
        List<Integer> numbers = study.interrupt();
        if (!numbers.isEmpty()) {
          ended = String.format(Locale.ROOT, " study %s, trial number %d ended as FAIL (%s) and is"
              + " queued again;", study.name(), numbers.get(0), Study.INTERRUPTED);
        }
      } catch (RuntimeException e) {
        ended = " the running trial could not be marked (" + e.getMessage() + ");";
      }
    }
    progress.notice("interrupted:" + ended + " finished trials are kept in " + storageSpec
        + ". Run again with --study " + name + " to finish the study.");
  }

  private static String newName(Path runsRoot) {
    String base = "tune-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    String name = base;
    for (int i = 2; Files.exists(runsRoot.resolve(name)); i++) {
      name = base + "-" + i;
    }
    return name;
  }

  private static void checkName(String name) {
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
      throw BadInputException.of("--study %s: use letters, digits, '.', '_' and '-' (at most 100)", name);
    }
  }
}
