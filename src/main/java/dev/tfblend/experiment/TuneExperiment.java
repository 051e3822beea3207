package dev.tfblend.experiment;

import dev.tfblend.BadInputException;
import dev.tfblend.config.TuneConfig;
import dev.tfblend.config.TuneConfigLoader;
import dev.tfblend.data.DataSplits;
import dev.tfblend.model.Mlp;
import dev.tfblend.tune.Study;
import dev.tfblend.tune.storage.StorageUrls;
import dev.tfblend.tune.storage.Storages;
import dev.tfblend.tune.storage.TrialStorage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.tfblend.tune.TrialState;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

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

  /**
   * Runs the whole study and writes its outputs; returns what {@code results.json} holds.
   *
   * <p>Before anything is written, the study name and every optimizer key must be a {@linkplain
   * #NAME plain name}, the run directory must be new or an earlier {@code tune} run's, and every
   * search space must be valid. A run that fails before any trial is stored removes what it
   * created (the run directory, {@code tune-config.json}, the SQLite file), so the corrected
   * rerun starts afresh. A rerun of a subset of the studies keeps the others' results in
   * {@code results.json}; report and charts are drawn from the merged results.
   *
   * @throws BadInputException for a bad name, run directory, search space or storage URL
   */
  public static TuneResults run(TuneConfig config, Options options) {
    long t0 = System.nanoTime();
    Instant started = Instant.now();
    String name = options.studyName() != null ? options.studyName() : newName(options.runsRoot());
    checkName("--study", name);
    for (String key : config.optimizers()) {
      checkName("optimizers", key);
      if (key.equals(GATE_DIR)) {
        throw BadInputException.of("optimizers: '%s' is reserved (the blend's gate is exported to %s/<run>/%s);"
            + " name the study otherwise", key, options.savedModelsRoot(), GATE_DIR);
      }
      OptimizerStudy.validate(key, config);
    }
    Path runDir = under(options.runsRoot(), name, "--study");
    Path modelsDir = under(options.savedModelsRoot(), name, "--study");
    for (String key : config.optimizers()) {
      under(modelsDir, key, "optimizers");
    }
    checkRunDir(runDir, name);
    StudyResume.checkSameStudy(config, runDir.resolve(StudyResume.STUDY_CONFIG), name);
    TuneResults previous = TuneOutputs.read(runDir.resolve(TuneOutputs.RESULTS));
    Path firstCreated = firstMissing(runDir);
    boolean dirExisted = firstCreated == null;
    boolean configExisted = Files.exists(runDir.resolve(StudyResume.STUDY_CONFIG));
    Path defaultDb = runDir.resolve(STUDY_DB);
    boolean dbExisted = Files.exists(defaultDb);
    try {
      Files.createDirectories(runDir);
    } catch (IOException e) {
      throw BadInputException.of("cannot create run directory %s: %s", runDir, e.getMessage());
    }
    String storageSpec = options.storage() != null ? options.storage() : "sqlite:" + defaultDb;
    // what is shown and written: never a password
    String storageShown = StorageUrls.redact(storageSpec);
    boolean[] stored = {false};
    try {
      TuneOutputs.writeJson(runDir.resolve(StudyResume.STUDY_CONFIG), TuneConfigLoader.toJson(config));
      TuneProgress progress = new TuneProgress(options.out(), options.interactive(), options.quiet());
      progress.info("tune " + name + ": " + config.optimizers().size() + " studies, budget " + config.budgetRule()
          + ", " + config.epochs() + " epochs per trial, storage " + storageShown);

      // load the native library before any timing, so graph build times exclude it
      long tfStart = System.nanoTime();
      org.tensorflow.TensorFlow.version();
      double tfLoadSeconds = (System.nanoTime() - tfStart) / 1e9;
      DataSplits data = DataSources.load(config.data());
      Mlp mlp = config.model().toMlp();
      Map<String, TuneResults.OptimizerResult> results = new LinkedHashMap<>();
      AtomicReference<Study> tuning = new AtomicReference<>();
      Thread hook = new Thread(() -> onInterrupt(tuning.get(), name, storageShown, progress), "tune-interrupt");
      Runtime.getRuntime().addShutdownHook(hook);
      try (TrialStorage storage = Storages.open(storageSpec)) {
        try {
          for (String key : config.optimizers()) {
            results.put(key, OptimizerStudy.run(key, config, mlp, data, storage, name, progress, modelsDir, tuning));
          }
        } catch (RuntimeException | Error e) {
          stored[0] = hasTrials(storage, name, config);
          throw e;
        }
        stored[0] = true;
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // the JVM is shutting down: the hook runs (or ran)
        }
      }
      TuneResults r = merge(previous, new TuneResults(TuneConfigLoader.toJson(config), config.seed(), name,
          storageShown, results, PUBLISHED, Comparisons.paired(results), (System.nanoTime() - t0) / 1e9,
          tfLoadSeconds, null), started);
      List<String> pngs = TuneOutputs.write(r, config, runDir);
      progress.info("wrote " + runDir + "/{" + String.join(", ", List.of(TuneOutputs.RESULTS, TuneOutputs.REPORT,
          TuneOutputs.MANIFEST)) + ", " + String.join(", ", pngs) + "}");
      return r;
    } catch (RuntimeException | Error e) {
      if (!stored[0]) {
        undoCreation(runDir, firstCreated, configExisted, options.storage() == null && !dbExisted ? defaultDb : null);
      }
      throw e;
    }
  }

  /** The pattern of study names and optimizer keys: a plain file name, never {@code .} or {@code ..}. */
  public static final String NAME = "[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}";
  /** The run's default SQLite storage file. */
  static final String STUDY_DB = "study.db";
  /** The directory of a blend's gate export beside the optimizers' exports. */
  static final String GATE_DIR = "gate";

  private static void checkName(String option, String name) {
    if (name == null || !name.matches(NAME)) {
      throw BadInputException.of("%s %s: use letters, digits, '-', '_' and '.' (not first), at most 100", option,
          name);
    }
  }

  /** {@code root/name}, checked to lie directly under {@code root} once resolved. */
  static Path under(Path root, String name, String option) {
    Path base = root.toAbsolutePath().normalize();
    Path p = base.resolve(name).normalize();
    if (!base.equals(p.getParent())) {
      throw BadInputException.of("%s %s would write outside %s", option, name, root);
    }
    return p;
  }

  /**
   * Refuses a run directory that exists but is not a {@code tune} run (it holds files but
   * neither {@code tune-config.json} nor {@code study.db}): {@code --runs-dir saved-models --study default-gate} must not
   * write into a model.
   */
  private static void checkRunDir(Path runDir, String name) {
    if (Files.exists(runDir) && !Files.isDirectory(runDir)) {
      throw BadInputException.of("--study %s: %s exists and is not a directory", name, runDir);
    }
    if (!Files.isDirectory(runDir) || Files.exists(runDir.resolve(StudyResume.STUDY_CONFIG))
        || Files.exists(runDir.resolve(STUDY_DB))) {
      return;
    }
    try (Stream<Path> s = Files.list(runDir)) {
      if (s.findAny().isPresent()) {
        throw BadInputException.of("--study %s: %s exists and is not a tune run (no %s or %s); choose another"
            + " --study or --runs-dir", name, runDir, StudyResume.STUDY_CONFIG, STUDY_DB);
      }
    } catch (IOException e) {
      throw BadInputException.of("--study %s: cannot read %s (%s)", name, runDir, e.getMessage());
    }
  }

  private static boolean hasTrials(TrialStorage storage, String name, TuneConfig config) {
    try {
      for (String key : config.optimizers()) {
        OptionalLong id = storage.findStudyIdByName(name + "-" + key);
        if (id.isPresent() && storage.getTrialCount(id.getAsLong(), EnumSet.allOf(TrialState.class)) > 0) {
          return true;
        }
      }
      return false;
    } catch (RuntimeException e) {
      return true; // cannot tell: keep everything
    }
  }

  /** The outermost directory on the way to {@code dir} that does not exist yet, or null if it exists. */
  private static Path firstMissing(Path dir) {
    Path missing = null;
    for (Path p = dir.toAbsolutePath().normalize(); p != null && !Files.exists(p); p = p.getParent()) {
      missing = p;
    }
    return missing;
  }

  /**
   * Removes what a failed invocation created before any trial was stored: the config copy, a
   * SQLite file it created, and the directories from {@code runDir} up to {@code firstCreated}
   * (null when the run directory existed) while they are empty.
   */
  private static void undoCreation(Path runDir, Path firstCreated, boolean configExisted, Path createdDb) {
    try {
      if (!configExisted) {
        Files.deleteIfExists(runDir.resolve(StudyResume.STUDY_CONFIG));
      }
      if (createdDb != null) {
        for (String suffix : List.of("", "-journal", "-wal", "-shm")) {
          Files.deleteIfExists(createdDb.resolveSibling(createdDb.getFileName() + suffix));
        }
      }
      if (firstCreated != null) {
        for (Path d = runDir.toAbsolutePath().normalize(); d != null && d.startsWith(firstCreated);
            d = d.getParent()) {
          try (Stream<Path> s = Files.list(d)) {
            if (s.findAny().isPresent()) {
              break;
            }
          }
          Files.delete(d);
        }
      }
    } catch (IOException e) {
      // best effort: the failure being reported matters more
    }
  }

  /**
   * {@code now} merged into the run's earlier results: the studies {@code now} ran replace their
   * earlier entries (in place), the others are kept, and the invocation is recorded.
   */
  static TuneResults merge(TuneResults before, TuneResults now, Instant started) {
    List<TuneResults.Invocation> invocations = new ArrayList<>();
    Map<String, TuneResults.OptimizerResult> merged = new LinkedHashMap<>();
    if (before != null) {
      if (before.invocations() != null) {
        invocations.addAll(before.invocations());
      } else {
        invocations.add(new TuneResults.Invocation(1, null, List.copyOf(before.optimizers().keySet())));
      }
      merged.putAll(before.optimizers());
    }
    merged.putAll(now.optimizers());
    invocations.add(new TuneResults.Invocation(invocations.size() + 1, started.toString(),
        List.copyOf(now.optimizers().keySet())));
    return new TuneResults(now.config(), now.seed(), now.studyName(), now.storage(), merged, now.published(),
        Comparisons.paired(merged), now.wallSeconds(), now.tensorflowLoadSeconds(), invocations);
  }

  /** The shutdown hook's work: ends the running trial of {@code study} (if any) and says how to resume. */
  private static void onInterrupt(Study study, String name, String storageShown, TuneProgress progress) {
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
    progress.notice("interrupted:" + ended + " finished trials are kept in " + storageShown
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

}
